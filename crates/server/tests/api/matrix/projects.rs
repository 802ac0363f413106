//! The rows of the authorization table for livelihood projects and ballots, and the county A
//! records they name: a public nomination at st-a, a candidate project of the county owned by
//! ag-a, a draft candidate list, and a ballot being set up whose trustees are the matrix's own
//! county supervisor and township officer.

use super::*;

/// ag-a owns the project; the county is its office.
const OWNER: &[&str] = &["county_supervisor", "agency_handler"];
/// Progress, inspections and questions: the office, the owner, a deputy of the county.
const REPORTERS: &[&str] = &["county_supervisor", "agency_handler", "deputy"];
const COUNTY: &[&str] = &["county_supervisor"];

pub(super) struct Seeded {
    pub nomination: i64,
    pub project: i64,
    pub list: i64,
    pub ballot: i64,
}

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub(super) async fn seed(app: &TestApp) -> Seeded {
    let sup = app.token_for("seed-a", "", "", "").await;
    let other = app.token_for("seed-a2", "county_supervisor", "region:611026", "611026").await;
    // The trustees are the matrix's own accounts of county A.
    app.create_user("m3-own", "county_supervisor", "region:611026", "611026").await;
    app.create_user("m4-own", "township_officer", "region:611026001", "611026").await;
    let nomination = ok(app
        .post_json(
            "/api/v1/public/stations/st-a/nominations",
            None,
            &json!({"title": "路灯", "content": "村口没有路灯"}),
        )
        .await)
    .await["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for t in ["项目甲", "项目乙", "项目丙", "项目丁", "项目戊", "项目己"] {
        let body = json!({"region": "611026", "level": "county", "year": 2026, "title": t, "owner_agency": "ag-a"});
        ids.push(ok(app.post_json("/api/v1/projects", Some(&sup), &body).await).await["id"].as_i64().unwrap());
    }
    let list = |ps: &[i64]| json!({"region": "611026", "level": "county", "year": 2026, "session": "县人代会", "places": 2, "projects": ps});
    let draft =
        ok(app.post_json("/api/v1/candidate-lists", Some(&sup), &list(&ids[..3])).await).await["id"].as_i64().unwrap();
    let approved =
        ok(app.post_json("/api/v1/candidate-lists", Some(&sup), &list(&ids[3..])).await).await["id"].as_i64().unwrap();
    ok(app
        .post_json(&format!("/api/v1/candidate-lists/{approved}/approve"), Some(&other), &json!({"note": "主席团"}))
        .await)
    .await;
    let ballot = ok(app
        .post_json(
            "/api/v1/ballots",
            Some(&sup),
            &json!({"method": "choose", "list": approved, "held_on": "2099-01-01", "closes_at": "2099-01-01 12:00",
                    "trustees": ["m3-own", "m4-own"]}),
        )
        .await)
    .await["id"]
        .as_i64()
        .unwrap();
    Seeded { nomination, project: ids[0], list: draft, ballot }
}

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        s("POST", "/api/v1/public/stations/{slug}/nominations", "/api/v1/public/stations/st-a/nominations", Public, Json(json!({"title": "", "content": ""}))),
        s("POST", "/api/v1/nominations", "/api/v1/nominations", Roles(&["county_supervisor", "township_officer", "deputy"], false), Json(json!({"title": "", "content": ""}))),
        s("GET", "/api/v1/nominations", "/api/v1/nominations", Roles(HANDLING, false), None),
        s("POST", "/api/v1/nominations/{id}/decline", "/api/v1/nominations/{nomination_a}/decline", Roles(HANDLING, true), Json(json!({"reason": ""}))),
        s("POST", "/api/v1/nominations/{id}/merge", "/api/v1/nominations/{nomination_a}/merge", Roles(HANDLING, true), Json(json!({"project": 0}))),
        s("POST", "/api/v1/projects", "/api/v1/projects", Roles(HANDLING, false), Json(json!({"level": "", "year": 0, "title": ""}))),
        s("GET", "/api/v1/projects", "/api/v1/projects", Roles(HANDLING, false), None),
        s("GET", "/api/v1/projects/{id}", "/api/v1/projects/{project_a}", Public, None),
        s("POST", "/api/v1/projects/{id}/owner", "/api/v1/projects/{project_a}/owner", Roles(COUNTY, true), Json(json!({"agency": ""}))),
        s("POST", "/api/v1/projects/{id}/milestones", "/api/v1/projects/{project_a}/milestones", Roles(OWNER, true), Json(json!({"title": "", "due_on": ""}))),
        s(
            "POST",
            "/api/v1/projects/{id}/milestones/{milestone}/done",
            "/api/v1/projects/{project_a}/milestones/1/done",
            Roles(OWNER, true),
            Json(json!({"done_on": ""})),
        ),
        s("POST", "/api/v1/projects/{id}/updates", "/api/v1/projects/{project_a}/updates", Roles(REPORTERS, true), Json(json!({"kind": "", "happened_on": "", "body": ""}))),
        s(
            "POST",
            "/api/v1/projects/{id}/updates/{update}/answer",
            "/api/v1/projects/{project_a}/updates/1/answer",
            Roles(OWNER, true),
            Json(json!({"answer": ""})),
        ),
        s("POST", "/api/v1/candidate-lists", "/api/v1/candidate-lists", Roles(HANDLING, false), Json(json!({"level": "", "year": 0, "session": "", "places": 0, "projects": []}))),
        s("GET", "/api/v1/candidate-lists", "/api/v1/candidate-lists", Roles(HANDLING, false), None),
        s("GET", "/api/v1/candidate-lists/{id}", "/api/v1/candidate-lists/{list_a}", Roles(COUNTY, true), None),
        s("POST", "/api/v1/candidate-lists/{id}/approve", "/api/v1/candidate-lists/{list_a}/approve", Roles(COUNTY, true), Json(json!({"note": ""}))),
        s("POST", "/api/v1/ballots", "/api/v1/ballots", Roles(HANDLING, false), Json(json!({"method": "", "held_on": "", "closes_at": "", "trustees": []}))),
        s("GET", "/api/v1/ballots", "/api/v1/ballots", Roles(HANDLING, false), None),
        s("GET", "/api/v1/ballots/{id}", "/api/v1/ballots/{ballot_a}", Public, None),
        s("GET", "/api/v1/ballots/{id}/board", "/api/v1/ballots/{ballot_a}/board", Public, None),
        s("POST", "/api/v1/ballots/{id}/trustee-key", "/api/v1/ballots/{ballot_a}/trustee-key", Roles(HANDLING, true), None),
        s("POST", "/api/v1/ballots/{id}/credentials", "/api/v1/ballots/{ballot_a}/credentials", Roles(COUNTY, true), Json(json!({"keeper": "nobody", "keeper_password": "x"}))),
        s("POST", "/api/v1/ballots/{id}/reprint", "/api/v1/ballots/{ballot_a}/reprint", Roles(COUNTY, true), Json(json!({"half_a": "", "half_b": ""}))),
        s("POST", "/api/v1/ballots/{id}/approve", "/api/v1/ballots/{ballot_a}/approve", Roles(COUNTY, true), None),
        s("POST", "/api/v1/ballots/{id}/vote", "/api/v1/ballots/{ballot_a}/vote", Roles(&["deputy"], true), Json(json!({"credential": "", "choices": []}))),
        s("POST", "/api/v1/ballots/{id}/paper-voters", "/api/v1/ballots/{ballot_a}/paper-voters", Roles(COUNTY, true), Json(json!({"deputies": []}))),
        s("POST", "/api/v1/ballots/{id}/paper", "/api/v1/ballots/{ballot_a}/paper", Roles(COUNTY, true), Json(json!({"choices": []}))),
        s("POST", "/api/v1/ballots/{id}/close", "/api/v1/ballots/{ballot_a}/close", Roles(COUNTY, true), None),
        s("POST", "/api/v1/ballots/{id}/share", "/api/v1/ballots/{ballot_a}/share", Roles(HANDLING, true), Json(json!({"key": ""}))),
        s(
            "POST",
            "/api/v1/projects/{id}/updates/{update}/photos",
            "/api/v1/projects/{project_a}/updates/1/photos",
            Roles(REPORTERS, true),
            Bytes(JPEG, "image/jpeg"),
        ),
        // The pages.
        s("GET", "/projects", "/projects", Roles(CASE_ROLES, false), None),
        s("GET", "/projects/new", "/projects/new", Roles(HANDLING, false), None),
        s("POST", "/projects/new", "/projects/new", Roles(HANDLING, false), Form(&[("title", "")])),
        s("GET", "/projects/{id}", "/projects/{project_a}", Roles(CASE_ROLES, false), None),
        s("POST", "/projects/{id}/owner", "/projects/{project_a}/owner", Roles(COUNTY, true), Form(&[("owner_agency", "")])),
        s("POST", "/projects/{id}/milestones", "/projects/{project_a}/milestones", Roles(OWNER, true), Form(&[("title", "")])),
        s("POST", "/projects/{id}/milestones/{mid}/done", "/projects/{project_a}/milestones/1/done", Roles(OWNER, true), Form(&[("done_on", "")])),
        s("POST", "/projects/{id}/updates", "/projects/{project_a}/updates", Roles(REPORTERS, true), Form(&[("kind", "")])),
        s("POST", "/projects/{id}/updates/{uid}/answer", "/projects/{project_a}/updates/1/answer", Roles(OWNER, true), Form(&[("answer", "")])),
        s(
            "POST",
            "/projects/{id}/updates/{uid}/photos",
            "/projects/{project_a}/updates/1/photos",
            Roles(REPORTERS, true),
            Bytes(
                b"--x\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nnot\r\n--x--\r\n",
                "multipart/form-data; boundary=x",
            ),
        ),
        s("POST", "/nominations/{id}/decline", "/nominations/{nomination_a}/decline", Roles(HANDLING, true), Form(&[("reason", "")])),
        s("GET", "/candidate-lists/new", "/candidate-lists/new", Roles(HANDLING, false), None),
        s("POST", "/candidate-lists/new", "/candidate-lists/new", Roles(HANDLING, false), Form(&[("places", "x")])),
        s("GET", "/candidate-lists/{id}", "/candidate-lists/{list_a}", Roles(COUNTY, true), None),
        s("POST", "/candidate-lists/{id}/approve", "/candidate-lists/{list_a}/approve", Roles(COUNTY, true), Form(&[("note", "")])),
        s("GET", "/ballots/new", "/ballots/new?evaluate=2026", Roles(HANDLING, false), None),
        s("POST", "/ballots/new", "/ballots/new", Roles(HANDLING, false), Form(&[("method", "")])),
        s("GET", "/ballots/{id}", "/ballots/{ballot_a}", Anyone, None),
        s("POST", "/ballots/{id}/trustee-key", "/ballots/{ballot_a}/trustee-key", Roles(HANDLING, true), None),
        s("POST", "/ballots/{id}/credentials", "/ballots/{ballot_a}/credentials", Roles(COUNTY, true), Form(&[("keeper", "nobody")])),
        s("POST", "/ballots/{id}/reprint", "/ballots/{ballot_a}/reprint", Roles(COUNTY, true), Form(&[("half_a", "")])),
        s("POST", "/ballots/{id}/approve", "/ballots/{ballot_a}/approve", Roles(COUNTY, true), None),
        s("POST", "/ballots/{id}/vote", "/ballots/{ballot_a}/vote", Roles(&["deputy"], true), Form(&[("credential", "")])),
        s("POST", "/ballots/{id}/paper-voters", "/ballots/{ballot_a}/paper-voters", Roles(COUNTY, true), Form(&[("deputy", "")])),
        s("POST", "/ballots/{id}/paper", "/ballots/{ballot_a}/paper", Roles(COUNTY, true), Form(&[("q0", "")])),
        s("POST", "/ballots/{id}/close", "/ballots/{ballot_a}/close", Roles(COUNTY, true), None),
        s("POST", "/ballots/{id}/share", "/ballots/{ballot_a}/share", Roles(HANDLING, true), Form(&[("key", "")])),
        s("GET", "/county/{code}/projects", "/county/611026/projects", Public, None),
        s("GET", "/project/{id}", "/project/{project_a}", Public, None),
        s("GET", "/project-photos/{id}", "/project-photos/1", Public, None),
        s("GET", "/ballot/{id}", "/ballot/{ballot_a}", Public, None),
        s("GET", "/station/{slug}/nominate", "/station/st-a/nominate", Public, None),
        s("POST", "/station/{slug}/nominate", "/station/st-a/nominate", Public, Form(&[("title", "")])),
        s("GET", "/station/{slug}/nominate/thanks", "/station/st-a/nominate/thanks", Public, None),
    ]
}
