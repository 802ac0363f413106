//! The station-star rows of the authorization table, and the county A records they name.

use super::*;

/// Who scores and reviews: the county.
const COUNTY: &[&str] = &["county_supervisor"];

/// The ids of county A's scorecard and scoring the table's URLs name.
pub(super) struct Stars {
    pub card: i64,
    pub assessment: i64,
}

/// A scorecard of county A, and st-a's scoring of this year, submitted by seed-a.
pub(super) async fn seed(app: &TestApp) -> Stars {
    let sup = app.token_for("seed-a", "", "", "").await;
    let res = app
        .post_json(
            "/api/v1/scorecards",
            Some(&sup),
            &json!({"name": "标准", "criteria": [{"title": "场所", "weight": 100}]}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let card = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let year = chrono::Datelike::year(&app.state.app.today());
    let res = app
        .post_json(
            "/api/v1/stations/st-a/assessments",
            Some(&sup),
            &json!({"year": year, "scorecard": card, "scores": [90]}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let assessment = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app.post_json(&format!("/api/v1/assessments/{assessment}/submit"), Some(&sup), &json!({})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    Stars { card, assessment }
}

const NOT_EVIDENCE: &[u8] = b"--x\r\nContent-Disposition: form-data; name=\"criterion\"\r\n\r\n1\r\n--x\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nnot\r\n--x--\r\n";

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        s("GET", "/api/v1/scorecards", "/api/v1/scorecards?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/scorecards",
            "/api/v1/scorecards",
            // Each county makes its own: county B's supervisor makes one in county B.
            Roles(COUNTY, false),
            Json(json!({"name": "矩阵标准", "criteria": [{"title": "场所", "weight": 100}]})),
        ),
        s("GET", "/api/v1/scorecards/{id}", "/api/v1/scorecards/{card_a}", Roles(HANDLING, true), None),
        // The review first: returned without a reason (422), it leaves the scoring submitted.
        s(
            "POST",
            "/api/v1/assessments/{id}/review",
            "/api/v1/assessments/{assessment_a}/review",
            Roles(COUNTY, true),
            Json(json!({"approve": false})),
        ),
        s(
            "POST",
            "/stars/assessments/{id}/act",
            "/stars/assessments/{assessment_a}/act",
            Roles(COUNTY, true),
            Form(&[("decision", "return")]),
        ),
        s(
            "POST",
            "/api/v1/stations/{slug}/assessments",
            "/api/v1/stations/st-a/assessments",
            Roles(COUNTY, true),
            Json(json!({"year": 2026, "scorecard": 999_999, "scores": [90]})),
        ),
        s("GET", "/api/v1/assessments", "/api/v1/assessments?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/assessments/{id}", "/api/v1/assessments/{assessment_a}", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/assessments/{id}/submit",
            "/api/v1/assessments/{assessment_a}/submit",
            Roles(COUNTY, true),
            None,
        ),
        s(
            "POST",
            "/api/v1/assessments/{id}/evidence",
            "/api/v1/assessments/{assessment_a}/evidence?criterion=1",
            Roles(COUNTY, true),
            Bytes(b"%PDF-1.4\n%%EOF\n", "application/octet-stream"),
        ),
        s(
            "GET",
            "/api/v1/assessments/{id}/evidence/{hash}",
            "/api/v1/assessments/{assessment_a}/evidence/none",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/stars", "/stars?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/stars/scorecards",
            "/stars/scorecards",
            Roles(COUNTY, false),
            Form(&[
                ("name", "矩阵标准"),
                ("criteria", "场所｜100"),
                ("t1", "60"),
                ("t2", "70"),
                ("t3", "80"),
                ("t4", "90"),
                ("t5", "95"),
            ]),
        ),
        s("GET", "/stars/{slug}/{year}", "/stars/st-a/2026", Roles(HANDLING, true), None),
        s(
            "POST",
            "/stars/{slug}/{year}",
            "/stars/st-a/2026",
            Roles(COUNTY, true),
            Form(&[("scorecard", "0"), ("s1", "90")]),
        ),
        s(
            "POST",
            "/stars/assessments/{id}/evidence",
            "/stars/assessments/{assessment_a}/evidence",
            Roles(COUNTY, true),
            Bytes(NOT_EVIDENCE, "multipart/form-data; boundary=x"),
        ),
    ]
}
