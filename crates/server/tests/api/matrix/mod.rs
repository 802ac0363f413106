//! The authorization matrix: every route the router registers is called as every role in its
//! own scope, as the same role of another county, and anonymously, and each answer is checked
//! against the table below of who may do what. A route missing from the table fails the test,
//! and so does a table entry for a route that no longer exists.

mod foreign;
mod outreach;
mod points;
mod projects;
mod receptions;
mod stars;
mod suggestions;

use foreign::foreign_writes_naming_existing_records_change_nothing;
use liaison_testkit::{Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ROLES: [(&str, &str, &str); 8] = [
    ("system_admin", "region:611026", "region:611025"),
    ("security_admin", "region:611026", "region:611025"),
    ("auditor", "region:611026", "region:611025"),
    ("county_supervisor", "region:611026", "region:611025"),
    ("township_officer", "region:611026001", "region:611025001"),
    ("station_staff", "station:st-a", "station:st-b"),
    ("deputy", "deputy:dep-a", "deputy:dep-b"),
    ("agency_handler", "agency:ag-a", "agency:ag-b"),
];

/// Who may call a route.
#[derive(Clone, Copy)]
enum Who {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account, wherever it belongs.
    Anyone,
    /// These roles; `scoped` when the route touches county A's data, so that the same role of
    /// county B is refused.
    Roles(&'static [&'static str], bool),
}

enum Body {
    None,
    Json(Value),
    Form(&'static [(&'static str, &'static str)]),
    Bytes(&'static [u8], &'static str),
}

struct Spec {
    method: &'static str,
    route: &'static str,
    /// The concrete URL called, with county A's resources.
    url: &'static str,
    who: Who,
    body: Body,
}

const CASE_ROLES: &[&str] = &["county_supervisor", "township_officer", "station_staff", "deputy", "agency_handler"];
const HANDLING: &[&str] = &["county_supervisor", "township_officer"];
const USER_READERS: &[&str] = &["system_admin", "security_admin"];
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xD9];
fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    let mut v = vec![
        s("GET", "/healthz", "/healthz", Public, None),
        s("GET", "/readyz", "/readyz", Public, None),
        s("GET", "/metrics", "/metrics", Public, None),
        s("GET", "/api/openapi.json", "/api/openapi.json", Public, None),
        s("GET", "/static/{*path}", "/static/app.css", Public, None),
        s(
            "POST",
            "/api/v1/session",
            "/api/v1/session",
            Public,
            Json(json!({"username": "matrix-login", "password": liaison_testkit::PASSWORD})),
        ),
        s("DELETE", "/api/v1/session", "/api/v1/session", Anyone, None),
        s("GET", "/api/v1/me", "/api/v1/me", Anyone, None),
        s(
            "GET",
            "/api/v1/regions",
            "/api/v1/regions?parent=611026",
            Roles(
                &[
                    "system_admin",
                    "security_admin",
                    "county_supervisor",
                    "township_officer",
                    "station_staff",
                    "deputy",
                    "agency_handler",
                ],
                true,
            ),
            None,
        ),
        s(
            "GET",
            "/api/v1/regions/{code}",
            "/api/v1/regions/611026",
            Roles(
                &[
                    "system_admin",
                    "security_admin",
                    "county_supervisor",
                    "township_officer",
                    "station_staff",
                    "deputy",
                    "agency_handler",
                ],
                true,
            ),
            None,
        ),
        s(
            "POST",
            "/api/v1/regions",
            "/api/v1/regions",
            Roles(&["system_admin"], true),
            Json(json!({"code": "611026901", "name": "矩阵镇"})),
        ),
        s("GET", "/api/v1/users", "/api/v1/users", Roles(USER_READERS, false), None),
        s("GET", "/api/v1/users/{id}", "/api/v1/users/{user_a}", Roles(USER_READERS, true), None),
        s("POST", "/api/v1/users/{id}/disable", "/api/v1/users/{user_a}/disable", Roles(&["system_admin"], true), None),
        s("POST", "/api/v1/users/{id}/enable", "/api/v1/users/{user_a}/enable", Roles(&["system_admin"], true), None),
        s(
            "PUT",
            "/api/v1/users/{id}/grants",
            "/api/v1/users/{user_a}/grants",
            Roles(&["system_admin"], true),
            Json(json!({"grants": [{"role": "station_staff", "scope": "station:st-a"}]})),
        ),
        s(
            "POST",
            "/api/v1/users/{id}/password-reset",
            "/api/v1/users/{user_a}/password-reset",
            Roles(&["security_admin"], true),
            Json(json!({})),
        ),
        s(
            "POST",
            "/api/v1/me/password",
            "/api/v1/me/password",
            Anyone,
            Json(json!({"current_password": "not-the-password-1", "new_password": "another-password-2"})),
        ),
        s(
            "POST",
            "/api/v1/users",
            "/api/v1/users",
            Roles(&["system_admin"], true),
            Json(
                json!({"username": "matrix.new", "display_name": "新", "password": "good-password-1", "role": "township_officer", "scope": "region:611026001", "county": "611026"}),
            ),
        ),
        s("POST", "/api/v1/users/{id}/unlock", "/api/v1/users/{user_a}/unlock", Roles(&["security_admin"], true), None),
        s("GET", "/api/v1/audit", "/api/v1/audit", Roles(&["auditor"], false), None),
        s("GET", "/api/v1/cases", "/api/v1/cases", Roles(CASE_ROLES, false), None),
        s("GET", "/api/v1/cases/export", "/api/v1/cases/export", Roles(CASE_ROLES, false), None),
        s("GET", "/api/v1/cases/{id}", "/api/v1/cases/{case_a}", Roles(CASE_ROLES, true), None),
        s(
            "POST",
            "/api/v1/cases",
            "/api/v1/cases",
            Roles(&["county_supervisor", "township_officer", "station_staff", "deputy"], true),
            Json(
                json!({"channel": "station", "region": "611026001001", "station": "st-a", "deputy": "dep-a", "title": "矩阵", "content": "矩阵测试"}),
            ),
        ),
        s(
            "POST",
            "/api/v1/cases/{id}/steps",
            "/api/v1/cases/{case_a}/steps",
            Roles(&["county_supervisor", "township_officer", "deputy"], true),
            Json(json!({"step": "urge", "message": "请加快办理"})),
        ),
        s("GET", "/api/v1/cases/{id}/similar", "/api/v1/cases/{case_a}/similar", Roles(CASE_ROLES, true), None),
        s("GET", "/api/v1/cases/{id}/contact", "/api/v1/cases/{case_a}/contact", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/cases/{id}/photos",
            "/api/v1/cases/{case_a}/photos",
            Roles(CASE_ROLES, true),
            Bytes(JPEG, "image/jpeg"),
        ),
        s(
            "GET",
            "/api/v1/cases/{id}/photos/{hash}",
            "/api/v1/cases/{case_a}/photos/0000",
            Roles(CASE_ROLES, true),
            None,
        ),
        s("GET", "/api/v1/stats/cases", "/api/v1/stats/cases?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/stations", "/api/v1/stations?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/stations",
            "/api/v1/stations",
            Roles(HANDLING, true),
            Json(json!({"slug": "st-m", "region": "611026001", "name": "矩阵站", "kind": "联络点"})),
        ),
        s(
            "POST",
            "/api/v1/stations/{slug}/deactivate",
            "/api/v1/stations/st-x/deactivate",
            Roles(HANDLING, true),
            None,
        ),
        s(
            "POST",
            "/api/v1/stations/{slug}/move",
            "/api/v1/stations/st-x/move",
            Roles(&["county_supervisor"], true),
            Json(json!({"region": "611026001001"})),
        ),
        s(
            "POST",
            "/api/v1/deputies/{slug}/move",
            "/api/v1/deputies/dep-x/move",
            Roles(&["county_supervisor"], true),
            Json(json!({"region": "611026001001"})),
        ),
        s("GET", "/api/v1/deputies", "/api/v1/deputies?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/deputies",
            "/api/v1/deputies",
            Roles(HANDLING, true),
            Json(json!({"slug": "dep-m", "name": "矩阵", "gender": "男", "levels": "县级", "region": "611026001"})),
        ),
        s(
            "POST",
            "/api/v1/deputies/{slug}/deactivate",
            "/api/v1/deputies/dep-x/deactivate",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/api/v1/deputies/{slug}/contact", "/api/v1/deputies/dep-a/contact", Roles(HANDLING, true), None),
        s("GET", "/api/v1/agencies", "/api/v1/agencies?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/agencies",
            "/api/v1/agencies",
            Roles(HANDLING, true),
            Json(json!({"slug": "ag-m", "region": "611026001", "name": "矩阵单位", "kind": "部门"})),
        ),
        s(
            "POST",
            "/api/v1/agencies/{slug}/deactivate",
            "/api/v1/agencies/ag-x/deactivate",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/api/v1/grid", "/api/v1/grid?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/api/v1/roster/import",
            "/api/v1/roster/import?county=611026001",
            Roles(HANDLING, true),
            Bytes("站点名称,类型,所属区划\n矩阵站二,联络点,611026001\n".as_bytes(), "text/csv"),
        ),
        s("GET", "/api/v1/roster/export", "/api/v1/roster/export?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/public/stations", "/api/v1/public/stations?region=611026", Public, None),
        s("GET", "/api/v1/public/deputies", "/api/v1/public/deputies?region=611026", Public, None),
        s(
            "POST",
            "/api/v1/public/cases",
            "/api/v1/public/cases",
            Public,
            Json(json!({"station": "st-a", "title": "矩阵", "content": "公开留言"})),
        ),
        s(
            "POST",
            "/api/v1/public/cases/lookup",
            "/api/v1/public/cases/lookup",
            Public,
            Json(json!({"phone": "13900001111"})),
        ),
        s("GET", "/api/v1/public/cases/{tracking_code}", "/api/v1/public/cases/{code_a}", Public, None),
        s(
            "POST",
            "/api/v1/public/cases/{tracking_code}/survey",
            "/api/v1/public/cases/{code_a}/survey",
            Public,
            Json(json!({"rating": "satisfied"})),
        ),
        s("GET", "/open311/v2/services.json", "/open311/v2/services.json", Public, None),
        s("GET", "/open311/v2/requests.json", "/open311/v2/requests.json?jurisdiction_id=st-a", Public, None),
        s(
            "POST",
            "/open311/v2/requests.json",
            "/open311/v2/requests.json",
            Public,
            Form(&[("jurisdiction_id", "st-a"), ("service_code", "其他"), ("description", "矩阵")]),
        ),
        s("GET", "/open311/v2/requests/{id}", "/open311/v2/requests/{code_a}.json", Public, None),
        // Pages.
        s("GET", "/", "/", Anyone, None),
        s("GET", "/login", "/login", Public, None),
        s("POST", "/login", "/login", Public, Form(&[("username", "x")])),
        s("POST", "/logout", "/logout", Anyone, None),
        s("GET", "/regions", "/regions", Roles(&["system_admin"], false), None),
        s("GET", "/audit", "/audit", Roles(&["auditor"], false), None),
        s("GET", "/account/password", "/account/password", Anyone, None),
        s(
            "POST",
            "/account/password",
            "/account/password",
            Anyone,
            Form(&[
                ("current_password", "not-the-password-1"),
                ("new_password", "another-password-2"),
                ("new_password_again", "another-password-2"),
            ]),
        ),
        s("GET", "/admin/users", "/admin/users", Roles(USER_READERS, false), None),
        s("GET", "/admin/users/{id}", "/admin/users/{user_a}", Roles(USER_READERS, true), None),
        s("POST", "/admin/users/{id}/disable", "/admin/users/{user_a}/disable", Roles(&["system_admin"], true), None),
        s("POST", "/admin/users/{id}/enable", "/admin/users/{user_a}/enable", Roles(&["system_admin"], true), None),
        s(
            "POST",
            "/admin/users/{id}/grants",
            "/admin/users/{user_a}/grants",
            Roles(&["system_admin"], true),
            Form(&[("role_0", "station_staff"), ("scope_0", "station:st-a")]),
        ),
        s(
            "POST",
            "/admin/users/{id}/password",
            "/admin/users/{user_a}/password",
            Roles(&["security_admin"], true),
            Form(&[("password", "")]),
        ),
        s("POST", "/admin/users/{id}/unlock", "/admin/users/{user_a}/unlock", Roles(&["security_admin"], true), None),
        s(
            "POST",
            "/admin/users",
            "/admin/users",
            Roles(&["system_admin"], true),
            Form(&[
                ("username", "matrix.page"),
                ("display_name", "页"),
                ("password", "good-password-1"),
                ("role", "township_officer"),
                ("scope", "region:611026001"),
                ("county", "611026"),
            ]),
        ),
        s("GET", "/org", "/org?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/deputies", "/org/deputies?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/agencies", "/org/agencies?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/grid", "/org/grid?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/import", "/org/import?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/{tab}/new", "/org/stations/new?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/org/{tab}/{slug}/edit", "/org/stations/st-a/edit?region=611026001", Roles(HANDLING, true), None),
        s(
            "POST",
            "/org/import/report",
            "/org/import/report?region=611026001",
            // It only turns the rows it is sent into a file: nothing of county A's is touched.
            Roles(HANDLING, false),
            Bytes(
                b"--x\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n[]\r\n--x--\r\n",
                "multipart/form-data; boundary=x",
            ),
        ),
        s(
            "POST",
            "/org/import",
            "/org/import?region=611026001",
            Roles(HANDLING, true),
            Bytes(b"", "multipart/form-data; boundary=x"),
        ),
        s(
            "POST",
            "/org/{tab}/save",
            "/org/stations/save?region=611026001",
            Roles(HANDLING, true),
            Form(&[("slug", "st-p"), ("region", "611026001"), ("name", "页面站"), ("kind", "联络点")]),
        ),
        s(
            "POST",
            "/org/{tab}/move",
            "/org/stations/move?region=611026",
            Roles(&["county_supervisor"], true),
            Form(&[("slug", "st-x"), ("region", "611026001")]),
        ),
        s(
            "POST",
            "/org/{tab}/{slug}/deactivate",
            "/org/stations/st-x/deactivate?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/county", "/county", Public, None),
        s("GET", "/county/{code}", "/county/611026", Public, None),
        s("GET", "/station/{slug}", "/station/st-a", Public, None),
        s("GET", "/station/{slug}/codes", "/station/st-a/codes", Public, None),
        s("GET", "/deputy/{slug}", "/deputy/dep-a", Public, None),
        s("GET", "/qr/{what}/{file}", "/qr/station/st-a.png", Public, None),
        s("POST", "/contact", "/contact", Public, Bytes(b"", "multipart/form-data; boundary=x")),
        s("GET", "/track", "/track", Public, None),
        s("POST", "/track/lookup", "/track/lookup", Public, Form(&[("phone", "13900001111")])),
        s("GET", "/track/{code}", "/track/{code_a}", Public, None),
        s("POST", "/track/{code}/survey", "/track/{code_a}/survey", Public, Form(&[("rating", "satisfied")])),
        s("GET", "/cases", "/cases", Roles(CASE_ROLES, false), None),
        s("GET", "/cases/export.xlsx", "/cases/export.xlsx", Roles(CASE_ROLES, false), None),
        s(
            "POST",
            "/cases/new",
            "/cases/new",
            Roles(&["county_supervisor", "township_officer", "station_staff", "deputy"], true),
            Form(&[
                ("channel", "station"),
                ("region", "611026001001"),
                ("station", "st-a"),
                ("deputy", "dep-a"),
                ("title", "页面登记"),
                ("content", "矩阵"),
            ]),
        ),
        s(
            "GET",
            "/cases/new",
            "/cases/new",
            Roles(&["county_supervisor", "township_officer", "station_staff", "deputy"], false),
            None,
        ),
        s("GET", "/cases/{id}", "/cases/{case_a}", Roles(CASE_ROLES, true), None),
        s("POST", "/cases/{id}/contact", "/cases/{case_a}/contact", Roles(HANDLING, true), None),
        s("GET", "/cases/{id}/print", "/cases/{case_a}/print", Roles(CASE_ROLES, true), None),
        s(
            "POST",
            "/cases/{id}/step",
            "/cases/{case_a}/step",
            Roles(&["county_supervisor", "township_officer", "deputy"], true),
            Form(&[("step", "urge"), ("message", "请加快")]),
        ),
        s("GET", "/stats", "/stats?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/stats/export.xlsx", "/stats/export.xlsx?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/stats/report", "/api/v1/stats/report?region=611026001", Roles(HANDLING, true), None),
        s(
            "GET",
            "/api/v1/stats/report.xlsx",
            "/api/v1/stats/report.xlsx?region=611026001",
            Roles(HANDLING, true),
            None,
        ),
        s("GET", "/county/{code}/stats", "/county/611026/stats", Public, None),
        s("GET", "/county/{code}/bulletins", "/county/611026/bulletins", Public, None),
        s("GET", "/county/{code}/bulletins.atom", "/county/611026/bulletins.atom", Public, None),
        s("GET", "/station/{slug}/bulletins", "/station/st-a/bulletins", Public, None),
        s("GET", "/bulletin/{id}", "/bulletin/{bulletin_a}", Public, None),
        s("GET", "/bulletin/{id}/bulletin.pdf", "/bulletin/{bulletin_a}/bulletin.pdf", Public, None),
        s("GET", "/bulletin/{id}/figures.xlsx", "/bulletin/{bulletin_a}/figures.xlsx", Public, None),
        s(
            "POST",
            "/api/v1/bulletins",
            "/api/v1/bulletins",
            Roles(HANDLING, true),
            Json(json!({"kind": "monthly", "region": "611026001", "period": "2026-02"})),
        ),
        s("GET", "/api/v1/bulletins", "/api/v1/bulletins?region=611026001", Roles(HANDLING, true), None),
        s("GET", "/api/v1/bulletins/{id}", "/api/v1/bulletins/{bulletin_a}", Roles(HANDLING, true), None),
        s(
            "PUT",
            "/api/v1/bulletins/{id}",
            "/api/v1/bulletins/{bulletin_a}",
            Roles(HANDLING, true),
            Json(json!({"version": 1, "title": "矩阵", "asks": "甲", "progress": "乙", "echoes": "丙"})),
        ),
        s(
            "POST",
            "/api/v1/bulletins/{id}/approve",
            "/api/v1/bulletins/{bulletin_a}/approve",
            Roles(HANDLING, true),
            Json(json!({"version": 2})),
        ),
        s(
            "POST",
            "/api/v1/bulletins/{id}/reopen",
            "/api/v1/bulletins/{bulletin_a}/reopen",
            Roles(HANDLING, true),
            Json(json!({"version": 3})),
        ),
        s(
            "POST",
            "/api/v1/bulletins/{id}/publish",
            "/api/v1/bulletins/{bulletin_a}/publish",
            Roles(HANDLING, true),
            Json(json!({"version": 3})),
        ),
        s("GET", "/bulletins", "/bulletins", Roles(HANDLING, false), None),
        s(
            "POST",
            "/bulletins",
            "/bulletins",
            Roles(HANDLING, false),
            Form(&[("kind", "monthly"), ("month", "2026-03")]),
        ),
        s("GET", "/bulletins/{id}", "/bulletins/{bulletin_a}", Roles(HANDLING, true), None),
        s(
            "POST",
            "/bulletins/{id}",
            "/bulletins/{bulletin_a}",
            Roles(HANDLING, true),
            Form(&[
                ("decision", "save"),
                ("version", "1"),
                ("title", "矩阵"),
                ("asks", "甲"),
                ("progress", "乙"),
                ("echoes", "丙"),
            ]),
        ),
        s("GET", "/station/{slug}/stats", "/station/st-a/stats", Public, None),
    ];
    v.extend(receptions::specs());
    v.extend(points::specs());
    v.extend(stars::specs());
    v.extend(suggestions::specs());
    v.extend(outreach::specs());
    v.extend(projects::specs());
    v
}

/// The two counties' organisation and one assigned case in each.
async fn seed(app: &TestApp) -> (i64, String, i64) {
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    for (c, t, v) in [("611026", "611026001", "611026001001"), ("611025", "611025001", "611025001")] {
        let x = if c == "611026" { "a" } else { "b" };
        let sup = app.token_for(&format!("seed-{x}"), "county_supervisor", &format!("region:{c}"), c).await;
        let _ = v;
        for (path, body) in [
            (
                "/api/v1/stations",
                json!({"slug": format!("st-{x}"), "region": t, "name": format!("站{x}"), "kind": "联络点"}),
            ),
            (
                "/api/v1/stations",
                json!({"slug": format!("st-{x}x"), "region": t, "name": format!("备用站{x}"), "kind": "联络点"}),
            ),
            (
                "/api/v1/agencies",
                json!({"slug": format!("ag-{x}"), "region": c, "name": format!("单位{x}"), "kind": "部门"}),
            ),
            (
                "/api/v1/deputies",
                json!({"slug": format!("dep-{x}"), "name": format!("代表{x}"), "gender": "女", "levels": "县级", "region": t, "stations": format!("st-{x}")}),
            ),
        ] {
            let res = app.post_json(path, Some(&sup), &body).await;
            assert!(res.status().is_success(), "{path} {body}: {}", res.text().await.unwrap());
        }
        let res = app
            .post_json("/api/v1/cases", Some(&sup), &json!({"channel": "station", "region": t, "station": format!("st-{x}"), "deputy": format!("dep-{x}"), "title": "路灯", "content": "路灯不亮", "contact_phone": "13900001111"}))
            .await;
        let case: Value = res.json().await.unwrap();
        let id = case["id"].as_i64().unwrap();
        for step in [json!({"step": "triage", "level": "county"}), json!({"step": "assign", "lead": format!("ag-{x}")})]
        {
            let res = app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(&sup), &step).await;
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
        ids.push(id);
        codes.push(case["tracking_code"].as_str().unwrap().to_owned());
    }
    // Deactivation targets, so that the real ones stay active.
    for (path, body) in [
        ("/api/v1/stations", json!({"slug": "st-x", "region": "611026001", "name": "待停用站", "kind": "联络点"})),
        (
            "/api/v1/deputies",
            json!({"slug": "dep-x", "name": "待停用", "gender": "男", "levels": "县级", "region": "611026001"}),
        ),
        ("/api/v1/agencies", json!({"slug": "ag-x", "region": "611026001", "name": "待停用单位", "kind": "部门"})),
    ] {
        let sup = app.token_for("seed-a", "", "", "").await;
        assert!(app.post_json(path, Some(&sup), &body).await.status().is_success());
    }
    app.create_user("locked-a", "station_staff", "station:st-a", "611026").await;
    app.create_user("matrix-login", "station_staff", "station:st-a", "611026").await;
    let user_a = liaison_store::users::find_by_username(app.db(), "locked-a").await.unwrap().unwrap().id;
    (ids[0], codes[0].clone(), user_a)
}

fn refused(status: StatusCode, anonymous: bool) -> bool {
    status == StatusCode::FORBIDDEN
        || status == StatusCode::UNAUTHORIZED
        || (anonymous && status == StatusCode::SEE_OTHER)
}

async fn call(app: &TestApp, spec: &Spec, url: &str, token: Option<&str>) -> StatusCode {
    let method = Method::from_bytes(spec.method.as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match &spec.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Form(f) => req.form(f),
        Body::Bytes(b, ct) => req.header("content-type", *ct).body(b.to_vec()),
    };
    req.send().await.unwrap().status()
}

async fn every_route_answers_every_role_as_the_table_says(b: Backend) {
    let settings = liaison_web::Settings { public_per_minute: 1_000_000, ..Default::default() };
    let Some(app) = TestApp::spawn_with(b, settings).await else { return };
    let (case_a, code_a, user_a) = seed(&app).await;
    let r = receptions::seed(&app).await;
    let p = points::seed(&app).await;
    let st = stars::seed(&app).await;
    let suggestion_a = suggestions::seed(&app).await;
    let o = outreach::seed(&app).await;
    let pj = projects::seed(&app).await;
    let bsup = app.token_for("matrix-bulletin", "county_supervisor", "region:611026", "611026").await;
    let res = app
        .post_json(
            "/api/v1/bulletins",
            Some(&bsup),
            &json!({"kind": "monthly", "region": "611026001", "period": "2026-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let bulletin_a = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let specs = specs();
    let routes: Vec<(String, String)> = app.policy.entries().map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    let missing: Vec<_> = routes.iter().filter(|(m, p)| !specs.iter().any(|s| s.method == m && s.route == p)).collect();
    assert!(missing.is_empty(), "routes nobody added to the authorization table: {missing:?}");
    let stale: Vec<_> = specs
        .iter()
        .filter(|s| !routes.iter().any(|(m, p)| s.method == m && s.route == p))
        .map(|s| (s.method, s.route))
        .collect();
    assert!(stale.is_empty(), "table entries for routes that no longer exist: {stale:?}");

    // One session per caller; routes that end the session get a fresh one each time.
    let mut tokens = std::collections::HashMap::new();
    for (i, (role, own, foreign)) in ROLES.iter().enumerate() {
        for (side, scope, county) in [("own", own, "611026"), ("foreign", foreign, "611025")] {
            let user = format!("m{i}-{side}");
            tokens.insert(user.clone(), app.token_for(&user, role, scope, county).await);
        }
    }
    let mut failures = Vec::new();
    for spec in &specs {
        let ends_session = matches!((spec.method, spec.route), ("DELETE", "/api/v1/session") | ("POST", "/logout"));
        let url = spec
            .url
            .replace("{case_a}", &case_a.to_string())
            .replace("{code_a}", &code_a)
            .replace("{user_a}", &user_a.to_string())
            .replace("{schedule_a}", &r.schedule.to_string())
            .replace("{duty_a}", &r.duty.to_string())
            .replace("{swap_a}", &r.swap.to_string())
            .replace("{reception_a}", &r.reception.to_string())
            .replace("{entry_a}", &r.entry.to_string())
            .replace("{rules_a}", &p.rules.to_string())
            .replace("{archive_a}", &p.archive.to_string())
            .replace("{card_a}", &st.card.to_string())
            .replace("{assessment_a}", &st.assessment.to_string())
            .replace("{suggestion_a}", &suggestion_a.to_string())
            .replace("{meeting_a}", &o.meeting.to_string())
            .replace("{commitment_a}", &o.commitment.to_string())
            .replace("{report_a}", &o.report.to_string())
            .replace("{contact_a}", &o.contact.to_string())
            .replace("{nomination_a}", &pj.nomination.to_string())
            .replace("{project_a}", &pj.project.to_string())
            .replace("{list_a}", &pj.list.to_string())
            .replace("{ballot_a}", &pj.ballot.to_string())
            .replace("{bulletin_a}", &bulletin_a.to_string());
        // Anonymous.
        let status = call(&app, spec, &url, None).await;
        let anon_ok = matches!(spec.who, Who::Public);
        if status.is_server_error() || refused(status, true) == anon_ok {
            failures.push(format!("anonymous {} {url}: {status}", spec.method));
        }
        for (i, (role, own, foreign)) in ROLES.iter().enumerate() {
            for (side, scope, county) in [("own", own, "611026"), ("foreign", foreign, "611025")] {
                let user = format!("m{i}-{side}");
                let token =
                    if ends_session { app.token_for(&user, role, scope, county).await } else { tokens[&user].clone() };
                let expected = match spec.who {
                    Who::Public | Who::Anyone => true,
                    Who::Roles(roles, scoped) => roles.contains(role) && (side == "own" || !scoped),
                };
                let status = call(&app, spec, &url, Some(&token)).await;
                if status.is_server_error() || refused(status, false) == expected {
                    failures.push(format!(
                        "{role} ({side} scope) {} {url}: {status}, expected {}",
                        spec.method,
                        if expected { "allowed" } else { "refused" }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} unexpected answers:\n{}", failures.len(), failures.join("\n"));
}

on_both_backends!(
    every_route_answers_every_role_as_the_table_says,
    foreign_writes_naming_existing_records_change_nothing
);
