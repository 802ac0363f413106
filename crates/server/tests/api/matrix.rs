//! The authorization matrix: every route the router registers is called as every role in its
//! own scope, as the same role of another county, and anonymously, and each answer is checked
//! against the table below of who may do what. A route missing from the table fails the test,
//! and so does a table entry for a route that no longer exists.

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
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xD9];

fn specs() -> Vec<Spec> {
    use Body::*;
    use Who::*;
    let s = |method, route, url, who, body| Spec { method, route, url, who, body };
    vec![
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
        s("GET", "/api/v1/users", "/api/v1/users", Roles(&["system_admin"], false), None),
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
        s(
            "GET",
            "/regions",
            "/regions",
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
                false,
            ),
            None,
        ),
        s("GET", "/audit", "/audit", Roles(&["auditor"], false), None),
        s("GET", "/admin/users", "/admin/users", Roles(&["system_admin"], false), None),
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
        s("GET", "/cases/{id}", "/cases/{case_a}", Roles(CASE_ROLES, true), None),
        s(
            "POST",
            "/cases/{id}/step",
            "/cases/{case_a}/step",
            Roles(&["county_supervisor", "township_officer", "deputy"], true),
            Form(&[("step", "urge"), ("message", "请加快")]),
        ),
        s("GET", "/stats", "/stats?region=611026001", Roles(HANDLING, true), None),
    ]
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
            .replace("{user_a}", &user_a.to_string());
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

/// A write whose body names an existing record of county A (or of another township of A),
/// sent by someone whose own scope it is not, with the region values of the sender's own scope.
struct ForeignWrite {
    method: &'static str,
    route: &'static str,
    url: &'static str,
    /// role, scope, county of the sender.
    who: (&'static str, &'static str, &'static str),
    body: Body,
}

/// Every write route either appears in the foreign-write table or here, with why no body of it
/// can name another scope's record.
const NO_FOREIGN_RECORD_IN_BODY: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/session", "signs in; names no record"),
    ("DELETE", "/api/v1/session", "ends the caller's own session"),
    ("POST", "/login", "signs in"),
    ("POST", "/logout", "ends the caller's own session"),
    ("POST", "/api/v1/users/{id}/unlock", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/api/v1/cases/{id}/photos", "the record is in the URL: the matrix calls it with county A's case"),
    ("POST", "/api/v1/stations/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/agencies/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/org/{tab}/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/cases/{id}/step", "the record is in the URL; the assign body is covered through the API"),
    ("POST", "/api/v1/public/cases", "public: anyone may write to any station"),
    ("POST", "/api/v1/public/cases/lookup", "public: names a phone number"),
    ("POST", "/api/v1/public/cases/{tracking_code}/survey", "public: the tracking code is the right"),
    ("POST", "/open311/v2/requests.json", "public: anyone may write to any station"),
    ("POST", "/contact", "public: anyone may write to any station"),
    ("POST", "/track/lookup", "public: names a phone number"),
    ("POST", "/track/{code}/survey", "public: the tracking code is the right"),
];

const SUP_B: (&str, &str, &str) = ("county_supervisor", "region:611025", "611025");
const ADMIN_B: (&str, &str, &str) = ("system_admin", "region:611025", "611025");
/// A township officer of 下梁镇, the other township of county A.
const TOWN_A2: (&str, &str, &str) = ("township_officer", "region:611026101", "611026");

fn multipart(csv: &str) -> Vec<u8> {
    format!(
        "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--x--\r\n"
    )
    .into_bytes()
}

fn foreign_writes() -> Vec<ForeignWrite> {
    use Body::*;
    let w = |method, route, url, who, body| ForeignWrite { method, route, url, who, body };
    let mut v = Vec::new();
    for (who, region) in [(SUP_B, "611025001"), (TOWN_A2, "611026101")] {
        let r = region;
        v.extend([
            w(
                "POST",
                "/api/v1/stations",
                "/api/v1/stations",
                who,
                Json(json!({"slug": "st-a", "region": r, "name": "劫持站", "kind": "联络点"})),
            ),
            w(
                "POST",
                "/api/v1/deputies",
                "/api/v1/deputies",
                who,
                Json(json!({"slug": "dep-a", "name": "劫持", "gender": "男", "levels": "县级", "region": r})),
            ),
            w(
                "POST",
                "/api/v1/agencies",
                "/api/v1/agencies",
                who,
                Json(json!({"slug": "ag-a", "region": r, "name": "劫持单位", "kind": "部门"})),
            ),
            w(
                "POST",
                "/api/v1/roster/import",
                if who.1 == "region:611025" {
                    "/api/v1/roster/import?county=611025"
                } else {
                    "/api/v1/roster/import?county=611026101"
                },
                who,
                Bytes(
                    if who.1 == "region:611025" {
                        "标识,站点名称,类型,所属区划\nst-a,劫持站,联络点,611025001\n".as_bytes()
                    } else {
                        "标识,站点名称,类型,所属区划\nst-a,劫持站,联络点,611026101\n".as_bytes()
                    },
                    "text/csv",
                ),
            ),
            w("POST", "/api/v1/stations/{slug}/move", "/api/v1/stations/st-a/move", who, Json(json!({"region": r}))),
            w("POST", "/api/v1/deputies/{slug}/move", "/api/v1/deputies/dep-a/move", who, Json(json!({"region": r}))),
        ]);
    }
    // Deputies and grid cells of the sender's own township may not link to county A's records
    // (county B cannot find them; 下梁镇 may not link 乾佑's).
    v.push(w(
        "POST",
        "/api/v1/roster/import",
        "/api/v1/roster/import?county=611026101",
        TOWN_A2,
        Bytes("姓名,性别,代表层级,所属区划,所在联络站\n新代表,男,县级,611026101,st-a\n".as_bytes(), "text/csv"),
    ));
    v.push(w(
        "POST",
        "/api/v1/roster/import",
        "/api/v1/roster/import?county=611026101",
        TOWN_A2,
        Bytes(
            "所属乡镇（街道）,网格编号,网格名称,网格层级,包联代表\n611026101,G1,一网格,1,dep-a\n".as_bytes(),
            "text/csv",
        ),
    ));
    v.extend([
        w(
            "POST",
            "/org/{tab}/save",
            "/org/stations/save?region=611025001",
            SUP_B,
            Form(&[("slug", "st-a"), ("region", "611025001"), ("name", "劫持站"), ("kind", "联络点")]),
        ),
        w(
            "POST",
            "/org/{tab}/save",
            "/org/deputies/save?region=611026101",
            TOWN_A2,
            Form(&[("slug", "dep-a"), ("region", "611026101"), ("name", "劫持"), ("gender", "男"), ("levels", "县级")]),
        ),
        w(
            "POST",
            "/org/{tab}/move",
            "/org/stations/move?region=611025",
            SUP_B,
            Form(&[("slug", "st-a"), ("region", "611025001")]),
        ),
        w(
            "POST",
            "/org/{tab}/move",
            "/org/stations/move?region=611026101",
            TOWN_A2,
            Form(&[("slug", "st-a"), ("region", "611026101")]),
        ),
        w(
            "POST",
            "/org/import",
            "/org/import?region=611025",
            SUP_B,
            Bytes(
                Box::leak(multipart("标识,站点名称,类型,所属区划\nst-a,劫持站,联络点,611025001\n").into_boxed_slice()),
                "multipart/form-data; boundary=x",
            ),
        ),
        w(
            "POST",
            "/api/v1/regions",
            "/api/v1/regions",
            ADMIN_B,
            Json(json!({"code": "611026001", "name": "劫持街道"})),
        ),
        w(
            "POST",
            "/api/v1/users",
            "/api/v1/users",
            ADMIN_B,
            Json(
                json!({"username": "hijack.api", "display_name": "劫", "password": "good-password-1", "role": "station_staff", "scope": "station:st-a", "county": "611025"}),
            ),
        ),
        w(
            "POST",
            "/admin/users",
            "/admin/users",
            ADMIN_B,
            Form(&[
                ("username", "hijack.page"),
                ("display_name", "劫"),
                ("password", "good-password-1"),
                ("role", "deputy"),
                ("scope", "deputy:dep-a"),
                ("county", "611025"),
            ]),
        ),
        w(
            "POST",
            "/api/v1/cases",
            "/api/v1/cases",
            SUP_B,
            Json(
                json!({"channel": "station", "region": "611025001", "station": "st-a", "deputy": "dep-a", "title": "劫持", "content": "放进别县的收件箱"}),
            ),
        ),
        w(
            "POST",
            "/cases/new",
            "/cases/new",
            SUP_B,
            Form(&[
                ("channel", "station"),
                ("region", "611025001"),
                ("station", "st-a"),
                ("title", "劫持"),
                ("content", "放进别县的收件箱"),
            ]),
        ),
        w(
            "POST",
            "/api/v1/cases/{id}/steps",
            "/api/v1/cases/{case_b}/steps",
            SUP_B,
            Json(json!({"step": "assign", "lead": "ag-a"})),
        ),
    ]);
    v
}

/// What county A's records look like; compared before and after the attempts.
async fn county_a_snapshot(app: &TestApp, sup_a: &str, staff_a: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/stations?region=611026&include_inactive=true",
        "/api/v1/deputies?region=611026&include_inactive=true",
        "/api/v1/agencies?region=611026&include_inactive=true",
        "/api/v1/grid?region=611026",
        "/api/v1/regions?parent=611026",
    ] {
        out.push(app.get(path, Some(sup_a)).await.json().await.unwrap());
    }
    // What st-a's staff see: no case of another county may land in their inbox.
    let cases: Value = app.get("/api/v1/cases", Some(staff_a)).await.json().await.unwrap();
    out.push(cases);
    let users: Vec<String> = ["hijack.api", "hijack.page"].into_iter().map(str::to_owned).collect();
    for u in users {
        let found = liaison_store::users::find_by_username(app.db(), &u).await.unwrap();
        out.push(json!(found.is_some()));
    }
    out
}

async fn foreign_writes_naming_existing_records_change_nothing(b: Backend) {
    let settings = liaison_web::Settings { public_per_minute: 1_000_000, ..Default::default() };
    let Some(app) = TestApp::spawn_with(b, settings).await else { return };
    let (case_a, _, _) = seed(&app).await;
    let sup_a = app.token_for("snap-a", "county_supervisor", "region:611026", "611026").await;
    let staff_a = app.token_for("snap-staff-a", "station_staff", "station:st-a", "611026").await;
    let sup_b = app.token_for("snap-b", "county_supervisor", "region:611025", "611025").await;
    let cases_b: Vec<Value> = app.get("/api/v1/cases", Some(&sup_b)).await.json().await.unwrap();
    let case_b = cases_b[0]["id"].as_i64().unwrap();
    assert_ne!(case_a, case_b);

    let writes = foreign_writes();
    let write_routes: Vec<(String, String)> =
        app.policy.entries().filter(|(m, _, _)| *m != "GET").map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    let uncovered: Vec<_> = write_routes
        .iter()
        .filter(|(m, p)| {
            !writes.iter().any(|w| w.method == m && w.route == p)
                && !NO_FOREIGN_RECORD_IN_BODY.iter().any(|(em, ep, _)| em == m && ep == p)
        })
        .collect();
    assert!(uncovered.is_empty(), "write routes with no foreign-scope write in the table: {uncovered:?}");

    let before = county_a_snapshot(&app, &sup_a, &staff_a).await;
    let mut failures = Vec::new();
    for (i, w) in writes.iter().enumerate() {
        let user = format!("fw{i}");
        let token = app.token_for(&user, w.who.0, w.who.1, w.who.2).await;
        let url = w.url.replace("{case_b}", &case_b.to_string());
        let spec = Spec { method: w.method, route: w.route, url: "", who: Who::Public, body: clone_body(&w.body) };
        let status = call(&app, &spec, &url, Some(&token)).await;
        let refused = matches!(status.as_u16(), 403 | 404 | 409 | 422);
        if !refused {
            failures.push(format!("{} ({}) {} {url}: {status}", w.who.0, w.who.1, w.method));
        }
    }
    assert!(failures.is_empty(), "foreign-scope writes that were not refused:\n{}", failures.join("\n"));
    let after = county_a_snapshot(&app, &sup_a, &staff_a).await;
    assert_eq!(before, after, "a refused foreign write changed county A's records");
}

fn clone_body(b: &Body) -> Body {
    match b {
        Body::None => Body::None,
        Body::Json(v) => Body::Json(v.clone()),
        Body::Form(f) => Body::Form(f),
        Body::Bytes(b, ct) => Body::Bytes(b, ct),
    }
}

on_both_backends!(
    every_route_answers_every_role_as_the_table_says,
    foreign_writes_naming_existing_records_change_nothing
);
