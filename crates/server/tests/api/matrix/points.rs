//! The 履职考评 rows of the authorization table (points rules, targets, reports, archives,
//! rankings), and the county A records they name.

use super::receptions::REGISTER;
use super::*;

/// The ids of county A's rule set and report archive the table's URLs name.
pub(super) struct Points {
    pub rules: i64,
    pub archive: i64,
}

pub(super) fn rules_body() -> Value {
    json!({"name": "矩阵规则", "township": "611026001", "from": "2031-01-01", "items": [{"kind": "deed", "points": 2}]})
}

/// A county rule set of county A, and an archive of 乾佑街道's reports.
pub(super) async fn seed(app: &TestApp) -> Points {
    let sup = app.token_for("seed-a", "", "", "").await;
    let body = json!({"name": "县积分办法", "from": "2026-01-01", "items": [{"kind": "deed", "points": 2}]});
    let res = app.post_json("/api/v1/points-rules", Some(&sup), &body).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let rules = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app.post_json("/api/v1/report-archives", Some(&sup), &json!({"region": "611026001", "year": 2026})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let archive = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    Points { rules, archive }
}

const NOT_A_WORKBOOK: &[u8] = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\nnot a workbook\r\n--x--\r\n";

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        s("GET", "/api/v1/points-rules", "/api/v1/points-rules?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/points-rules",
            "/api/v1/points-rules?region=611026001",
            Roles(HANDLING, true),
            Json(rules_body()),
        ),
        s("GET", "/api/v1/points-rules/{id}", "/api/v1/points-rules/{rules_a}", Roles(HANDLING, true), None),
        s("GET", "/api/v1/points-rules/{id}/xlsx", "/api/v1/points-rules/{rules_a}/xlsx", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/points-rules/import",
            "/api/v1/points-rules/import?region=611026001",
            Roles(HANDLING, true),
            Bytes(b"not a workbook", "application/octet-stream"),
        ),
        s("GET", "/api/v1/deputies/{slug}/points", "/api/v1/deputies/dep-a/points", Roles(REGISTER, true), None),
        s(
            "GET",
            "/api/v1/deputies/{slug}/report.pdf",
            "/api/v1/deputies/dep-a/report.pdf",
            Roles(REGISTER, true),
            None,
        ),
        s("GET", "/api/v1/duty-targets", "/api/v1/duty-targets?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/duty-targets/remind",
            "/api/v1/duty-targets/remind?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/api/v1/rankings.xlsx", "/api/v1/rankings.xlsx?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/report-archives",
            "/api/v1/report-archives",
            Roles(HANDLING, true),
            Json(json!({"region": "611026001", "year": 2025})),
        ),
        s("GET", "/api/v1/report-archives/{id}", "/api/v1/report-archives/{archive_a}", Roles(HANDLING, true), None),
        s(
            "GET",
            "/api/v1/report-archives/{id}/file",
            "/api/v1/report-archives/{archive_a}/file",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/points", "/points?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/points",
            "/points?region=611026001",
            Roles(HANDLING, true),
            Form(&[("name", "矩阵规则"), ("township", "611026001"), ("from", "2032-01-01"), ("points_deed", "2")]),
        ),
        s(
            "POST",
            "/points/import",
            "/points/import?region=611026001",
            Roles(HANDLING, true),
            Bytes(NOT_A_WORKBOOK, "multipart/form-data; boundary=x"),
        ),
        s("GET", "/points/{id}/xlsx", "/points/{rules_a}/xlsx", Roles(HANDLING, true), None),
        s("GET", "/targets", "/targets?region=611026001", Roles(HANDLING, true), None),
        s("POST", "/targets/remind", "/targets/remind", Roles(HANDLING, true), Form(&[("region", "611026001")])),
        s("GET", "/targets/rankings.xlsx", "/targets/rankings.xlsx?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/targets/archives",
            "/targets/archives",
            Roles(HANDLING, true),
            Form(&[("region", "611026001"), ("year", "2025")]),
        ),
        s("GET", "/targets/archives/{id}", "/targets/archives/{archive_a}", Roles(HANDLING, true), None),
        s("GET", "/targets/archives/{id}/file", "/targets/archives/{archive_a}/file", Roles(HANDLING, true), None),
        s("GET", "/register/{slug}/report", "/register/dep-a/report", Roles(REGISTER, true), None),
        s("GET", "/register/{slug}/report.pdf", "/register/dep-a/report.pdf", Roles(REGISTER, true), None),
    ]
}
