//! The suggestion rows of the authorization table, and the county A suggestion they name.

use super::receptions::REGISTER;
use super::*;

/// Who acts for the lead agency: the agency and the county office.
const HANDLERS: &[&str] = &["county_supervisor", "agency_handler"];

/// dep-a's suggestion, submitted and assigned to ag-a.
pub(super) async fn seed(app: &TestApp) -> i64 {
    let sup = app.token_for("seed-a", "", "", "").await;
    let res = app.post_json("/api/v1/deputies/dep-a/suggestions", Some(&sup), &draft()).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for (path, body) in [("submit", json!({})), ("assign", json!({"lead": "ag-a"}))] {
        let res = app.post_json(&format!("/api/v1/suggestions/{id}/{path}"), Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    id
}

fn draft() -> Value {
    json!({"title": "关于村道的建议", "content": "建议将村道纳入农村公路改造计划。", "session": "recess", "level": "county"})
}

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        s("POST", "/api/v1/deputies/{slug}/suggestions", "/api/v1/deputies/dep-a/suggestions", Roles(REGISTER, true), Json(draft())),
        // Each lists their own: a deputy's, an agency's, a station's, a region's.
        s("GET", "/api/v1/suggestions", "/api/v1/suggestions", Roles(CASE_ROLES, false), None),
        s("GET", "/api/v1/suggestions/{id}", "/api/v1/suggestions/{suggestion_a}", Roles(CASE_ROLES, true), None),
        s("POST", "/api/v1/suggestions/{id}/submit", "/api/v1/suggestions/{suggestion_a}/submit", Roles(REGISTER, true), None),
        s(
            "POST",
            "/api/v1/suggestions/{id}/assign",
            "/api/v1/suggestions/{suggestion_a}/assign",
            Roles(&["county_supervisor"], true),
            Json(json!({"lead": "ag-a"})),
        ),
        s(
            "POST",
            "/api/v1/suggestions/{id}/extend",
            "/api/v1/suggestions/{suggestion_a}/extend",
            Roles(HANDLERS, true),
            Json(json!({"to": "2099-01-01", "reason": ""})),
        ),
        s(
            "POST",
            "/api/v1/suggestions/{id}/answer",
            "/api/v1/suggestions/{suggestion_a}/answer",
            Roles(HANDLERS, true),
            Json(json!({"answer": "没有类别的答复，会被拒绝。"})),
        ),
        s(
            "POST",
            "/api/v1/suggestions/{id}/document",
            "/api/v1/suggestions/{suggestion_a}/document",
            Roles(HANDLERS, true),
            Bytes(b"not a document", "application/octet-stream"),
        ),
        s("GET", "/api/v1/suggestions/{id}/document", "/api/v1/suggestions/{suggestion_a}/document", Roles(CASE_ROLES, true), None),
        s(
            "POST",
            "/api/v1/suggestions/{id}/rating",
            "/api/v1/suggestions/{suggestion_a}/rating",
            Roles(&["deputy"], true),
            Json(json!({"rating": "satisfied"})),
        ),
        s("GET", "/suggestions", "/suggestions", Roles(CASE_ROLES, false), None),
        s("GET", "/suggestions/new", "/suggestions/new", Roles(REGISTER, false), None),
        s(
            "POST",
            "/suggestions/new",
            "/suggestions/new",
            Roles(REGISTER, true),
            Form(&[
                ("deputy", "dep-a"),
                ("title", "关于村道的建议"),
                ("content", "建议将村道纳入农村公路改造计划。"),
                ("session", "recess"),
                ("level", "county"),
                ("then", "draft"),
            ]),
        ),
        s("GET", "/suggestions/{id}", "/suggestions/{suggestion_a}", Roles(CASE_ROLES, true), None),
        s(
            "POST",
            "/suggestions/{id}/act",
            "/suggestions/{suggestion_a}/act",
            Roles(&["deputy"], true),
            Form(&[("decision", "rate"), ("rating", "satisfied")]),
        ),
        s(
            "POST",
            "/suggestions/{id}/document",
            "/suggestions/{suggestion_a}/document",
            Roles(HANDLERS, true),
            Bytes(
                b"--x\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nnot\r\n--x--\r\n",
                "multipart/form-data; boundary=x",
            ),
        ),
        s(
            "POST",
            "/api/v1/suggestions/{id}/promise-kept",
            "/api/v1/suggestions/{suggestion_a}/promise-kept",
            Roles(HANDLERS, true),
            Json(json!({})),
        ),
    ]
}
