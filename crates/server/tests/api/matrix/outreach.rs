//! The rows of the authorization table for meetings with agency heads, reports to voters and the
//! ledger, and the county A records they name.

use super::receptions::REGISTER;
use super::*;

/// Who reads a meeting of dep-a and ag-a: the county, dep-a's township, dep-a, ag-a.
const MEETING_READERS: &[&str] = &["county_supervisor", "township_officer", "deputy", "agency_handler"];
/// Who acts on its commitment: ag-a, and the county that recorded it.
const COMMITMENT: &[&str] = &["county_supervisor", "agency_handler"];
/// Who records a report's evaluation: whoever keeps dep-a's register, but not dep-a.
const EVALUATORS: &[&str] = &["county_supervisor", "township_officer", "station_staff"];
/// Who keeps and reads dep-a's ledger: dep-a, the township, the county (not station staff).
const LEDGER: &[&str] = &["county_supervisor", "township_officer", "deputy"];

pub(super) struct Seeded {
    pub meeting: i64,
    pub commitment: i64,
    pub report: i64,
    pub contact: i64,
}

pub(super) async fn seed(app: &TestApp) -> Seeded {
    let sup = app.token_for("seed-a", "", "", "").await;
    let res = app
        .post_json(
            "/api/v1/meetings",
            Some(&sup),
            &json!({"kind": "appointment", "title": "约见", "held_on": "2026-01-05", "agencies": ["ag-a"], "deputies": ["dep-a"],
                "questions": [{"deputy": "dep-a", "question": "路灯何时修？", "outcome": "study"}],
                "commitments": [{"agency": "ag-a", "content": "修路灯", "due_on": "2099-01-01"}]}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let meeting = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let m: Value = app.get(&format!("/api/v1/meetings/{meeting}"), Some(&sup)).await.json().await.unwrap();
    let commitment = m["commitments"][0]["id"].as_i64().unwrap();
    let res = app
        .post_json(
            "/api/v1/deputies/dep-a/voter-reports",
            Some(&sup),
            &json!({"form": "written", "scheduled_on": "2026-12-20"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let report = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            "/api/v1/deputies/dep-a/ledger",
            Some(&sup),
            &json!({"kind": "household", "name": "张秀兰", "categories": ["elderly_alone"]}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let contact = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    Seeded { meeting, commitment, report, contact }
}

pub(super) fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
        // Recorded in the caller's own region: another county's is refused by what it names (foreign table).
        s("POST", "/api/v1/meetings", "/api/v1/meetings", Roles(HANDLING, false), Json(json!({"kind": "appointment"}))),
        s("GET", "/api/v1/meetings", "/api/v1/meetings", Roles(MEETING_READERS, false), None),
        s("GET", "/api/v1/meetings/{id}", "/api/v1/meetings/{meeting_a}", Roles(MEETING_READERS, true), None),
        s(
            "POST",
            "/api/v1/commitments/{id}/done",
            "/api/v1/commitments/{commitment_a}/done",
            Roles(COMMITMENT, true),
            Json(json!({"note": ""})),
        ),
        s(
            "POST",
            "/api/v1/deputies/{slug}/voter-reports",
            "/api/v1/deputies/dep-a/voter-reports",
            Roles(REGISTER, true),
            Json(json!({"form": "", "scheduled_on": ""})),
        ),
        s("GET", "/api/v1/voter-reports", "/api/v1/voter-reports", Roles(REGISTER, false), None),
        s(
            "GET",
            "/api/v1/voter-reports/coverage",
            "/api/v1/voter-reports/coverage?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/api/v1/voter-reports/{id}", "/api/v1/voter-reports/{report_a}", Roles(REGISTER, true), None),
        s(
            "POST",
            "/api/v1/voter-reports/{id}/body",
            "/api/v1/voter-reports/{report_a}/body",
            Roles(REGISTER, true),
            Json(json!({"body": ""})),
        ),
        s(
            "POST",
            "/api/v1/voter-reports/{id}/held",
            "/api/v1/voter-reports/{report_a}/held",
            Roles(EVALUATORS, true),
            Json(json!({"held_on": ""})),
        ),
        s(
            "POST",
            "/api/v1/voter-reports/{id}/cancel",
            "/api/v1/voter-reports/{report_a}/cancel",
            Roles(REGISTER, true),
            Json(json!({"reason": ""})),
        ),
        s(
            "POST",
            "/api/v1/deputies/{slug}/ledger",
            "/api/v1/deputies/dep-a/ledger",
            Roles(LEDGER, true),
            Json(json!({"kind": "", "name": ""})),
        ),
        s("GET", "/api/v1/ledger", "/api/v1/ledger", Roles(LEDGER, false), None),
        s(
            "POST",
            "/api/v1/ledger/export",
            "/api/v1/ledger/export",
            Roles(HANDLING, true),
            Json(json!({"region": "611026001", "reason": ""})),
        ),
        s("GET", "/api/v1/ledger/{id}", "/api/v1/ledger/{contact_a}", Roles(LEDGER, true), None),
        s("PUT", "/api/v1/ledger/{id}", "/api/v1/ledger/{contact_a}", Roles(LEDGER, true), Json(json!({"name": ""}))),
        s(
            "POST",
            "/api/v1/ledger/{id}/unmask",
            "/api/v1/ledger/{contact_a}/unmask",
            Roles(LEDGER, true),
            Json(json!({})),
        ),
        s(
            "POST",
            "/api/v1/ledger/{id}/visits",
            "/api/v1/ledger/{contact_a}/visits",
            Roles(LEDGER, true),
            Json(json!({"visited_on": ""})),
        ),
        s(
            "POST",
            "/api/v1/ledger/{id}/remove",
            "/api/v1/ledger/{contact_a}/remove",
            Roles(LEDGER, true),
            Json(json!({"reason": ""})),
        ),
        s("GET", "/outreach", "/outreach", Roles(CASE_ROLES, false), None),
        s("GET", "/meetings", "/meetings", Roles(MEETING_READERS, false), None),
        s("GET", "/meetings/new", "/meetings/new", Roles(HANDLING, false), None),
        s("POST", "/meetings/new", "/meetings/new", Roles(HANDLING, false), Form(&[("title", "")])),
        s("GET", "/meetings/{id}", "/meetings/{meeting_a}", Roles(MEETING_READERS, true), None),
        s(
            "POST",
            "/meetings/{id}/commitments/{cid}/done",
            "/meetings/{meeting_a}/commitments/{commitment_a}/done",
            Roles(COMMITMENT, true),
            Form(&[("note", "")]),
        ),
        s("GET", "/voter-reports", "/voter-reports", Roles(REGISTER, false), None),
        s(
            "POST",
            "/voter-reports/new",
            "/voter-reports/new",
            Roles(REGISTER, true),
            Form(&[("deputy", "dep-a"), ("form", "")]),
        ),
        s("GET", "/voter-reports/{id}", "/voter-reports/{report_a}", Roles(REGISTER, true), None),
        s(
            "POST",
            "/voter-reports/{id}/act",
            "/voter-reports/{report_a}/act",
            Roles(REGISTER, true),
            Form(&[("decision", "edit"), ("body", "")]),
        ),
        s("GET", "/ledger", "/ledger", Roles(LEDGER, false), None),
        s("POST", "/ledger/export", "/ledger/export", Roles(HANDLING, false), Form(&[("reason", "")])),
        s("GET", "/ledger/new", "/ledger/new", Roles(LEDGER, false), None),
        s("POST", "/ledger/new", "/ledger/new", Roles(LEDGER, true), Form(&[("deputy", "dep-a"), ("kind", "")])),
        s("GET", "/ledger/{id}", "/ledger/{contact_a}", Roles(LEDGER, true), None),
        s("POST", "/ledger/{id}/unmask", "/ledger/{contact_a}/unmask", Roles(LEDGER, true), Form(&[("reason", "")])),
        s("POST", "/ledger/{id}/act", "/ledger/{contact_a}/act", Roles(LEDGER, true), Form(&[("decision", "visit")])),
    ]
}
