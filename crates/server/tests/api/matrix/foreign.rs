//! The second table: for every write route, a body that names an existing record of another
//! county or township, sent with the sender's own region; county A must be unchanged after.

use super::*;

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
    ("PUT", "/api/v1/bulletins/{id}", "the record is in the URL: the matrix calls it with county A's bulletin"),
    ("POST", "/api/v1/bulletins/{id}/approve", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/bulletins/{id}/reopen", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/bulletins/{id}/publish", "the record is in the URL: the matrix covers it"),
    ("POST", "/bulletins/{id}", "the record is in the URL: the matrix covers it"),
    ("DELETE", "/api/v1/session", "ends the caller's own session"),
    ("POST", "/login", "signs in"),
    ("POST", "/logout", "ends the caller's own session"),
    ("POST", "/api/v1/users/{id}/unlock", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/api/v1/users/{id}/disable", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/api/v1/users/{id}/enable", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/api/v1/users/{id}/password-reset", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/admin/users/{id}/disable", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/admin/users/{id}/enable", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/admin/users/{id}/password", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/admin/users/{id}/unlock", "the record is in the URL: the matrix calls it with county A's user"),
    ("POST", "/api/v1/me/password", "changes the caller's own password"),
    ("POST", "/account/password", "changes the caller's own password"),
    ("POST", "/org/import/report", "turns the rows it is sent into a file; reads and writes nothing"),
    ("POST", "/api/v1/cases/{id}/photos", "the record is in the URL: the matrix calls it with county A's case"),
    ("POST", "/api/v1/stations/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/agencies/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/org/{tab}/{slug}/deactivate", "the record is in the URL: the matrix covers it"),
    ("POST", "/cases/{id}/step", "the record is in the URL; the assign body is covered through the API"),
    ("POST", "/cases/{id}/contact", "the record is in the URL: the matrix covers it; it only reads (and audits)"),
    ("POST", "/api/v1/public/stations/{slug}/nominations", "public: anyone may nominate at any station"),
    ("POST", "/station/{slug}/nominate", "public: anyone may nominate at any station"),
    (
        "POST",
        "/api/v1/nominations",
        "recorded in the caller's own region; naming another county's deputy is refused in tests/api/ballots.rs",
    ),
    ("POST", "/api/v1/nominations/{id}/decline", "the record is in the URL: the matrix covers it"),
    ("POST", "/nominations/{id}/decline", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/nominations/{id}/merge",
        "the record is in the URL: the matrix covers it; the project must be under it",
    ),
    (
        "POST",
        "/api/v1/projects",
        "in the caller's own region; gathering another county's nominations is refused in tests/api/ballots.rs",
    ),
    (
        "POST",
        "/projects/new",
        "in the caller's own region; gathering another county's nominations is refused in tests/api/ballots.rs",
    ),
    (
        "POST",
        "/api/v1/projects/{id}/owner",
        "the record is in the URL: the matrix covers it; the agency must be of its county",
    ),
    (
        "POST",
        "/projects/{id}/owner",
        "the record is in the URL: the matrix covers it; the agency must be of its county",
    ),
    ("POST", "/api/v1/projects/{id}/milestones", "the record is in the URL: the matrix covers it"),
    ("POST", "/projects/{id}/milestones", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/projects/{id}/milestones/{milestone}/done", "the record is in the URL: the matrix covers it"),
    ("POST", "/projects/{id}/milestones/{mid}/done", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/projects/{id}/updates",
        "the record is in the URL: the matrix covers it; deputies must be under it",
    ),
    ("POST", "/projects/{id}/updates", "the record is in the URL: the matrix covers it; deputies must be under it"),
    ("POST", "/api/v1/projects/{id}/updates/{update}/answer", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/projects/{id}/updates/{update}/photos", "the record is in the URL: the matrix covers it"),
    ("POST", "/projects/{id}/updates/{uid}/photos", "the record is in the URL: the matrix covers it"),
    ("POST", "/projects/{id}/updates/{uid}/answer", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/candidate-lists",
        "in the caller's own region; listing another county's projects is refused in tests/api/ballots.rs",
    ),
    (
        "POST",
        "/candidate-lists/new",
        "in the caller's own region; listing another county's projects is refused in tests/api/ballots.rs",
    ),
    ("POST", "/api/v1/candidate-lists/{id}/approve", "the record is in the URL: the matrix covers it"),
    ("POST", "/candidate-lists/{id}/approve", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/ballots",
        "the list named decides the region; another county's list is refused in tests/api/ballots.rs",
    ),
    (
        "POST",
        "/ballots/new",
        "the list named decides the region; another county's list is refused in tests/api/ballots.rs",
    ),
    ("POST", "/api/v1/ballots/{id}/trustee-key", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/trustee-key", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/credentials", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/credentials", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/approve", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/reprint", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/reprint", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/approve", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/vote", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/vote", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/ballots/{id}/paper-voters",
        "the record is in the URL: the matrix covers it; deputies must be in its electorate",
    ),
    (
        "POST",
        "/ballots/{id}/paper-voters",
        "the record is in the URL: the matrix covers it; deputies must be in its electorate",
    ),
    ("POST", "/api/v1/ballots/{id}/paper", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/paper", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/close", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/close", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ballots/{id}/share", "the record is in the URL: the matrix covers it"),
    ("POST", "/ballots/{id}/share", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/public/cases", "public: anyone may write to any station"),
    ("POST", "/api/v1/public/cases/lookup", "public: names a phone number"),
    ("POST", "/api/v1/public/cases/{tracking_code}/survey", "public: the tracking code is the right"),
    ("POST", "/open311/v2/requests.json", "public: anyone may write to any station"),
    ("POST", "/contact", "public: anyone may write to any station"),
    ("POST", "/track/lookup", "public: names a phone number"),
    ("POST", "/track/{code}/survey", "public: the tracking code is the right"),
    (
        "PUT",
        "/api/v1/reception-schedules/{id}",
        "the record is in the URL: the matrix covers it; an edit cannot change the station",
    ),
    ("POST", "/api/v1/reception-schedules/{id}/roster", "the record is in the URL: the matrix covers it"),
    ("POST", "/receptions/schedules/{id}/roster", "the record is in the URL: the matrix covers it"),
    (
        "PUT",
        "/api/v1/duties/{id}",
        "the record is in the URL: the matrix covers it; the deputy must be of its station (api/receptions.rs)",
    ),
    (
        "POST",
        "/receptions/duties/{id}/reassign",
        "the record is in the URL: the matrix covers it; the deputy must be of its station",
    ),
    (
        "POST",
        "/api/v1/duties/{id}/swap",
        "the record is in the URL: the matrix covers it; the deputy must be of its station (api/receptions.rs)",
    ),
    ("POST", "/duties/{id}/swap", "the record is in the URL: the matrix covers it; the deputy must be of its station"),
    ("POST", "/api/v1/duty-swaps/{id}/decision", "the record is in the URL: the matrix covers it"),
    ("POST", "/receptions/swaps/{id}/decision", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/unavailability", "the record is in the URL: the matrix covers it"),
    ("POST", "/duties/away", "the caller's own days away; names no record"),
    ("POST", "/api/v1/receptions/{id}/matters", "the record is in the URL: the matrix covers it"),
    ("POST", "/receptions/records/{id}/matters", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/receptions/{id}/photos", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/register", "the deputy is in the URL: the matrix covers it"),
    ("PUT", "/api/v1/register/{id}", "the record is in the URL: the matrix covers it"),
    ("POST", "/register/{slug}", "the deputy is in the URL: the matrix covers it"),
    ("POST", "/api/v1/register/{id}/evidence", "the record is in the URL: the matrix covers it"),
    ("POST", "/register/entries/{id}/evidence", "the record is in the URL: the matrix covers it"),
    ("POST", "/register/entries/{id}/decision", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/register/{id}/decision", "the record is in the URL: the matrix covers it"),
    ("POST", "/receptions/records/{id}/photos", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/points-rules/import",
        "the region is in the URL (the matrix covers it); the workbook's township is checked as the JSON body's",
    ),
    ("POST", "/points/import", "the region is in the URL (the matrix covers it); the workbook's as the JSON body's"),
    ("POST", "/api/v1/duty-targets/remind", "the region is in the URL: the matrix covers it"),
    ("POST", "/api/v1/scorecards", "made in the caller's own county; names no record"),
    ("POST", "/stars/scorecards", "made in the caller's own county; names no record"),
    (
        "POST",
        "/api/v1/stations/{slug}/assessments",
        "the station is in the URL (the matrix covers it); another county's scorecard is refused (api/stars.rs)",
    ),
    (
        "POST",
        "/stars/{slug}/{year}",
        "the station is in the URL: the matrix covers it; the scorecard as through the API",
    ),
    ("POST", "/api/v1/assessments/{id}/submit", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/assessments/{id}/review", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/assessments/{id}/evidence", "the record is in the URL: the matrix covers it"),
    ("POST", "/stars/assessments/{id}/act", "the record is in the URL: the matrix covers it"),
    ("POST", "/stars/assessments/{id}/evidence", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/suggestions/{id}/submit", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/commitments/{id}/done", "the record is in the URL: the matrix covers it"),
    ("POST", "/meetings/{id}/commitments/{cid}/done", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/voter-reports", "the deputy is in the URL: the matrix covers it"),
    ("POST", "/api/v1/voter-reports/{id}/body", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/voter-reports/{id}/held", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/voter-reports/{id}/cancel", "the record is in the URL: the matrix covers it"),
    ("POST", "/voter-reports/{id}/act", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/deputies/{slug}/ledger", "the deputy is in the URL: the matrix covers it"),
    (
        "POST",
        "/api/v1/ledger/{id}/unmask",
        "the record is in the URL: the matrix covers it; it only reads (and audits)",
    ),
    ("POST", "/ledger/{id}/unmask", "the record is in the URL: the matrix covers it; it only reads (and audits)"),
    ("POST", "/api/v1/ledger/{id}/visits", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/ledger/{id}/remove", "the record is in the URL: the matrix covers it"),
    (
        "PUT",
        "/api/v1/ledger/{id}",
        "the record is in the URL: the matrix covers it; kind, deputy and place cannot change",
    ),
    ("POST", "/ledger/{id}/act", "the record is in the URL: the matrix covers it"),
    ("POST", "/ledger/export", "the caller's own region; it only reads (and audits)"),
    (
        "POST",
        "/api/v1/ledger/export",
        "the region in the body is checked like a URL's (the matrix covers it); it only reads",
    ),
    (
        "POST",
        "/api/v1/suggestions/{id}/assign",
        "the record is in the URL (the matrix covers it); the agencies must be of its county",
    ),
    ("POST", "/api/v1/suggestions/{id}/extend", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/suggestions/{id}/answer", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/suggestions/{id}/document", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/suggestions/{id}/rating", "the record is in the URL: the matrix covers it"),
    ("POST", "/api/v1/suggestions/{id}/promise-kept", "the record is in the URL: the matrix covers it"),
    (
        "POST",
        "/suggestions/{id}/act",
        "the record is in the URL: the matrix covers it; the agencies as through the API",
    ),
    ("POST", "/suggestions/{id}/document", "the record is in the URL: the matrix covers it"),
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
                "/api/v1/points-rules",
                "/api/v1/points-rules",
                who,
                Json(json!({"name": "劫持", "township": "611026001", "from": "2033-01-01", "items": [{"kind": "deed", "points": 9}]})),
            ),
            w(
                "POST",
                "/points",
                "/points",
                who,
                Form(&[("name", "劫持"), ("township", "611026001"), ("from", "2033-01-01"), ("points_deed", "9")]),
            ),
            w("POST", "/targets/remind", "/targets/remind", who, Form(&[("region", "611026001")])),
            // A bulletin of county A's station, or of county A's township.
            w(
                "POST",
                "/api/v1/bulletins",
                "/api/v1/bulletins",
                who,
                Json(json!({"kind": "monthly", "region": r, "station": "st-a", "period": "2026-04"})),
            ),
            w("POST", "/bulletins", "/bulletins", who, Form(&[("kind", "monthly"), ("month", "2026-04"), ("station", "st-a")])),
            // A suggestion in the name of county A's deputy, whom neither sender handles.
            w(
                "POST",
                "/api/v1/deputies/{slug}/suggestions",
                "/api/v1/deputies/dep-a/suggestions",
                who,
                Json(json!({"title": "劫持", "content": "以他人名义起草的建议内容。", "session": "recess", "level": "county"})),
            ),
            w(
                "POST",
                "/suggestions/new",
                "/suggestions/new",
                who,
                Form(&[("deputy", "dep-a"), ("title", "劫持"), ("content", "以他人名义起草的建议内容。"), ("session", "recess"), ("level", "county")]),
            ),
            // A meeting naming county A's deputy and agency, recorded in the sender's own region.
            w(
                "POST",
                "/api/v1/meetings",
                "/api/v1/meetings",
                who,
                Json(json!({"kind": "appointment", "title": "劫持", "held_on": "2026-01-05", "region": r, "agencies": ["ag-a"],
                    "deputies": ["dep-a"], "questions": [{"question": "劫持", "outcome": "study"}]})),
            ),
            w(
                "POST",
                "/meetings/new",
                "/meetings/new",
                who,
                Form(&[("kind", "appointment"), ("title", "劫持"), ("held_on", "2026-01-05"), ("agency", "ag-a"), ("deputy", "dep-a"),
                    ("q1_text", "劫持"), ("q1_outcome", "study")]),
            ),
            // A report or a ledger entry for county A's deputy through the page's form.
            w("POST", "/voter-reports/new", "/voter-reports/new", who, Form(&[("deputy", "dep-a"), ("form", "written"), ("scheduled_on", "2026-12-20")])),
            w("POST", "/ledger/new", "/ledger/new", who, Form(&[("deputy", "dep-a"), ("kind", "voter"), ("name", "劫持")])),
            w("POST", "/api/v1/report-archives", "/api/v1/report-archives", who, Json(json!({"region": "611026001", "year": 2026}))),
            w("POST", "/targets/archives", "/targets/archives", who, Form(&[("region", "611026001"), ("year", "2026")])),
        ]);
        v.extend([
            w(
                "POST",
                "/api/v1/reception-schedules",
                "/api/v1/reception-schedules",
                who,
                Json(json!({"station": "st-a", "kind": "station_day", "title": "劫持", "rule": {"kind": "monthly_day", "day": 6},
                    "holiday_policy": "keep", "starts_on": "2026-01-01", "start_time": "09:00", "end_time": "10:00",
                    "place": "劫持", "per_day": 1})),
            ),
            w(
                "POST",
                "/receptions/schedules/save",
                "/receptions/schedules/save",
                who,
                Form(if r == "611025001" {
                    &[("region", "611025001"), ("station", "st-a"), ("kind", "station_day"), ("title", "劫持"),
                      ("rule_kind", "monthly_day"), ("day", "6"), ("holiday_policy", "keep"), ("starts_on", "2026-01-01"),
                      ("start_time", "09:00"), ("end_time", "10:00"), ("place", "劫持"), ("per_day", "1"), ("remind_days", "0")]
                } else {
                    &[("region", "611026101"), ("station", "st-a"), ("kind", "station_day"), ("title", "劫持"),
                      ("rule_kind", "monthly_day"), ("day", "6"), ("holiday_policy", "keep"), ("starts_on", "2026-01-01"),
                      ("start_time", "09:00"), ("end_time", "10:00"), ("place", "劫持"), ("per_day", "1"), ("remind_days", "0")]
                }),
            ),
            w(
                "POST",
                "/api/v1/receptions",
                "/api/v1/receptions",
                who,
                Json(json!({"station": "st-a", "kind": "station_day", "held_on": "2026-01-05", "place": "劫持", "visitors": 1,
                    "matters": [{"title": "劫持", "content": "劫持"}]})),
            ),
            w(
                "POST",
                "/receptions/records/new",
                "/receptions/records/new",
                who,
                Form(&[("station", "st-a"), ("kind", "station_day"), ("held_on", "2026-01-05"), ("place", "劫持"),
                    ("visitors", "1"), ("matter_title", "劫持"), ("matter_content", "劫持")]),
            ),
        ]);
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
        // County B's admin may not give one of B's accounts a station of county A.
        w(
            "PUT",
            "/api/v1/users/{id}/grants",
            "/api/v1/users/{user_b}/grants",
            ADMIN_B,
            Json(json!({"grants": [{"role": "station_staff", "scope": "station:st-a"}]})),
        ),
        w(
            "POST",
            "/admin/users/{id}/grants",
            "/admin/users/{user_b}/grants",
            ADMIN_B,
            Form(&[("role_0", "deputy"), ("scope_0", "deputy:dep-a")]),
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
pub(super) async fn county_a_snapshot(app: &TestApp, sup_a: &str, staff_a: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/stations?region=611026&include_inactive=true",
        "/api/v1/deputies?region=611026&include_inactive=true",
        "/api/v1/agencies?region=611026&include_inactive=true",
        "/api/v1/grid?region=611026",
        "/api/v1/regions?parent=611026",
        "/api/v1/reception-schedules?region=611026",
        "/api/v1/receptions?region=611026",
        "/api/v1/points-rules?region=611026",
        "/api/v1/meetings?region=611026",
        "/api/v1/voter-reports?region=611026",
        "/api/v1/ledger?region=611026",
        "/api/v1/nominations?region=611026",
        "/api/v1/projects?region=611026",
        "/api/v1/candidate-lists?region=611026",
        "/api/v1/ballots?region=611026",
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
    // No account of county B gained a scope in county A.
    if let Some(u) = liaison_store::users::find_by_username(app.db(), "target-b").await.unwrap() {
        let s = liaison_store::users::get_summary(app.db(), u.id).await.unwrap().unwrap();
        out.push(json!(s.grants.iter().map(|g| g.scope.to_string()).collect::<Vec<_>>()));
    }
    out
}

pub(super) async fn foreign_writes_naming_existing_records_change_nothing(b: Backend) {
    let settings = liaison_web::Settings { public_per_minute: 1_000_000, ..Default::default() };
    let Some(app) = TestApp::spawn_with(b, settings).await else { return };
    let (case_a, _, _) = seed(&app).await;
    let sup_a = app.token_for("snap-a", "county_supervisor", "region:611026", "611026").await;
    let staff_a = app.token_for("snap-staff-a", "station_staff", "station:st-a", "611026").await;
    let sup_b = app.token_for("snap-b", "county_supervisor", "region:611025", "611025").await;
    let cases_b = liaison_testkit::items(app.get("/api/v1/cases", Some(&sup_b)).await).await;
    let case_b = cases_b[0]["id"].as_i64().unwrap();
    assert_ne!(case_a, case_b);
    app.create_user("target-b", "station_staff", "station:st-b", "611025").await;
    let user_b = liaison_store::users::find_by_username(app.db(), "target-b").await.unwrap().unwrap().id;

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
        let url = w.url.replace("{case_b}", &case_b.to_string()).replace("{user_b}", &user_b.to_string());
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
