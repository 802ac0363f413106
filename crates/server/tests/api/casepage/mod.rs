//! The staff case page as its people use it, on both stores: the step forms each role gets in
//! each state (the likely one open), refusals beside the field with the typed values kept, names
//! instead of identifiers on the timeline and the audit log, the audited call-back contact, and
//! the printable 交办单.

mod intake;

use intake::{intake_keeps_values_and_takes_photos, staff_intake_page_picks_by_name};
use liaison_testkit::{Backend, PASSWORD, TestApp, on_both_backends, set_cookie};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").expect("a CSRF field") + "name=\"csrf_token\" value=\"".len();
    html[at..at + 64].to_owned()
}

/// Creates an account with a display name of its own.
pub(crate) async fn person(app: &TestApp, username: &str, display: &str, role: &str, scope: &str, county: &str) {
    use liaison_domain::authz::{Grant, Role, Scope};
    let grant = Grant::new(Role::parse(role).unwrap(), Scope::parse(scope).unwrap()).unwrap();
    let hash = liaison_domain::password::hash_password(PASSWORD);
    let mut tx = app.db().begin().await.unwrap();
    let new = liaison_store::users::NewUser {
        county_code: county,
        username,
        display_name: display,
        password_hash: &hash,
        grants: &[grant],
    };
    liaison_store::users::create(&mut tx, &new, 0).await.unwrap();
    tx.commit().await.unwrap();
}

/// A signed-in browser: its cookie header and the session's CSRF token.
pub(crate) struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub(crate) async fn browser(app: &TestApp, username: &str) -> Browser {
    let res = app.get("/login", None).await;
    let login_cookie = set_cookie(&res, "liaison_login_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("liaison_login_csrf={login_cookie}"))
        .form(&[("username", username), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "/cases")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username}");
    let cookie = format!("liaison_session={}", set_cookie(&res, "liaison_session").unwrap());
    let html = app.client.get(app.url("/")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    Browser { csrf: hidden_csrf(&html), cookie }
}

impl Browser {
    pub async fn get(&self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let res = app.client.get(app.url(path)).header("cookie", &self.cookie).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    pub async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut body: Vec<(&str, &str)> = vec![("csrf_token", &self.csrf)];
        body.extend_from_slice(form);
        let res = app.client.post(app.url(path)).header("cookie", &self.cookie).form(&body).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// What a reader sees: the page without its tags (attributes and all).
pub(crate) fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The step forms on a case page, and which of them are open.
fn forms(html: &str) -> (Vec<String>, Vec<String>) {
    let (mut all, mut open) = (vec![], vec![]);
    for part in html.split("<details class=\"step").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let id = tag.split("id=\"step-").nth(1).unwrap().split('"').next().unwrap().to_owned();
        if tag.ends_with(" open") {
            open.push(id.clone());
        }
        all.push(id);
    }
    (all, open)
}

/// The form of one step, from its `<details>` to the end of it.
fn form_of<'a>(html: &'a str, step: &str) -> &'a str {
    let start = html.find(&format!("id=\"step-{step}\"")).unwrap_or_else(|| panic!("no {step} form"));
    let end = html[start..].find("</details>").unwrap() + start;
    &html[start..end]
}

/// The organisation of 柞水县 and one agency of 镇安县, with a person per role.
pub(crate) async fn organisation(app: &TestApp) -> String {
    let sup = app.token_for("seed", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        ),
        (
            "/api/v1/stations",
            json!({"slug": "xialiang", "region": "611026101", "name": "下梁镇代表联络站", "kind": "联络站"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "zs-transport", "region": "611026", "name": "柞水县交通运输局", "kind": "部门"}),
        ),
        ("/api/v1/agencies", json!({"slug": "zs-water", "region": "611026", "name": "柞水县水利局", "kind": "部门"})),
        (
            "/api/v1/deputies",
            json!({"slug": "wang-fang", "name": "王芳", "gender": "女", "levels": "县级", "region": "611026001", "stations": "renhe"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    let sup_b = app.token_for("seed-b", "county_supervisor", "region:611025", "611025").await;
    let res = app
        .post_json(
            "/api/v1/agencies",
            Some(&sup_b),
            &json!({"slug": "za-transport", "region": "611025", "name": "镇安县交通运输局", "kind": "部门"}),
        )
        .await;
    assert!(res.status().is_success());
    for (u, display, role, scope, county) in [
        ("sup", "张主任", "county_supervisor", "region:611026", "611026"),
        ("town", "乾佑街道人大工委李干事", "township_officer", "region:611026001", "611026"),
        ("staff", "仁和联络员赵敏", "station_staff", "station:renhe", "611026"),
        ("dep", "王芳代表", "deputy", "deputy:wang-fang", "611026"),
        ("agency", "交通局经办人刘强", "agency_handler", "agency:zs-transport", "611026"),
        ("water", "水利局经办人", "agency_handler", "agency:zs-water", "611026"),
        ("agency-b", "镇安交通局经办人", "agency_handler", "agency:za-transport", "611025"),
        ("admin", "系统管理员甲", "system_admin", "region:611026", "611026"),
        ("aud", "审计员乙", "auditor", "region:611026", "611026"),
    ] {
        person(app, u, display, role, scope, county).await;
    }
    sup
}

/// A constituent's online message to 王芳; its case id.
async fn online_message(app: &TestApp, title: &str) -> i64 {
    let body = json!({"deputy": "wang-fang", "title": title, "content": "小学门口车速快，希望增设减速带。",
        "category": "道路交通", "contact_name": "李秀英", "contact_phone": "13912345678"});
    let res = app.post_json("/api/v1/public/cases", None, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn case_page_offers_the_steps_of_the_role_and_state(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let [sup, town, staff, dep, agency] = [
        browser(&app, "sup").await,
        browser(&app, "town").await,
        browser(&app, "staff").await,
        browser(&app, "dep").await,
        browser(&app, "agency").await,
    ];
    let id = online_message(&app, "路口缺少减速带").await;
    let page = format!("/cases/{id}");
    let step = format!("/cases/{id}/step");

    // A deputy answers an online message (or resolves it); nobody calls that 现场答复.
    let (_, html) = dep.get(&app, &page).await;
    assert_eq!(forms(&html), (vec!["note".into(), "answer_on_spot".into()], vec!["note".into()]), "deputy, received");
    assert!(html.contains("回复留言") && html.contains("直接答复（无需交办）") && !html.contains("现场答复"));
    assert!(form_of(&html, "note").contains("name=\"public\" value=\"1\" checked"), "the reply is for the constituent");
    // The station triages it, at township level by default.
    let (_, html) = staff.get(&app, &page).await;
    let (all, open) = forms(&html);
    assert_eq!(open, ["triage"]);
    assert_eq!(all[0], "triage");
    assert!(!all.contains(&"assign".to_owned()) && !all.contains(&"escalate".to_owned()), "{all:?}");
    assert!(form_of(&html, "triage").contains("value=\"township\" selected"));

    // The deputy's reply within three days is public and counts as the first reply.
    let (status, _) =
        dep.post(&app, &step, &[("step", "note"), ("note", "已收到，我会转交联络站研判办理。"), ("public", "1")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case: Value = app
        .get(&format!("/api/v1/cases/{id}"), Some(&app.token_for("sup", "", "", "").await))
        .await
        .json()
        .await
        .unwrap();
    assert!(case["timeline"].as_array().unwrap().iter().any(|e| e["command"] == "note" && e["public"] == true));
    let code = case["tracking_code"].as_str().unwrap();
    let tracking = app.get(&format!("/track/{code}"), None).await.text().await.unwrap();
    assert!(
        tracking.contains("办理进展") && tracking.contains("已收到，我会转交联络站研判办理。"),
        "the constituent reads it"
    );
    let (_, html) = dep.get(&app, &page).await;
    assert!(form_of(&html, "note").contains("添加备注"), "after the first reply, a plain note");

    // The supervisor triages it as a county matter: assigning is next, no escalation to the county.
    let (status, _) = sup.post(&app, &step, &[("step", "triage"), ("level", "county"), ("category", "道路交通")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = sup.get(&app, &page).await;
    let (all, open) = forms(&html);
    assert_eq!(open, ["assign"], "{all:?}");
    assert!(
        !all.contains(&"escalate".to_owned()) && !html.contains("提级至县"),
        "a county case is not escalated: {all:?}"
    );
    assert!(form_of(&html, "triage").contains("value=\"county\" selected"), "re-triage keeps the county level");
    assert!(all.len() <= 7 && open.len() == 1, "one open form, the rest folded");
    // The township cannot assign a county case, nor escalate it.
    let (_, html) = town.get(&app, &page).await;
    let (all, open) = forms(&html);
    assert!(!all.contains(&"assign".to_owned()) && !all.contains(&"escalate".to_owned()), "{all:?}");
    assert!(open.is_empty(), "nothing likely for the township here: {all:?}");

    // A township case may go up to the county.
    let other = online_message(&app, "村道路灯不亮").await;
    let (status, _) =
        town.post(&app, &format!("/cases/{other}/step"), &[("step", "triage"), ("level", "township")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = town.get(&app, &format!("/cases/{other}")).await;
    let (all, open) = forms(&html);
    assert_eq!(open, ["assign"]);
    assert_eq!(all[1], "escalate", "{all:?}");

    // Assigned to the transport bureau with what is asked of it.
    let (status, _) = sup
        .post(
            &app,
            &step,
            &[
                ("step", "assign"),
                ("lead", "zs-transport"),
                ("assisting", "zs-water"),
                ("note", "请实地查看后设置减速带"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = agency.get(&app, &page).await;
    let (all, open) = forms(&html);
    assert_eq!(
        (all.as_slice(), open.as_slice()),
        (["result".to_owned(), "return".to_owned()].as_slice(), ["result".to_owned()].as_slice())
    );
    let (_, html) = sup.get(&app, &page).await;
    let (all, open) = forms(&html);
    assert_eq!(open, ["urge"]);
    assert!(!all.contains(&"result".to_owned()), "{all:?}");
    let water = browser(&app, "water").await;
    let (_, html) = water.get(&app, &page).await;
    assert!(forms(&html).0.is_empty(), "an assisting agency reads, the lead records the result");
    let (_, html) = dep.get(&app, &page).await;
    assert_eq!(forms(&html).1, ["urge"], "the deputy urges");

    // The agency records its result from the page; the reply is next, prefilled with it.
    let (status, _) = agency.post(&app, &step, &[("step", "result"), ("result", "已在小学门口设置减速带两处")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = staff.get(&app, &page).await;
    assert_eq!(forms(&html).1, ["reply"]);
    assert!(form_of(&html, "reply").contains("已在小学门口设置减速带两处"));
}

async fn step_refusals_stay_on_the_case_page(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let sup = browser(&app, "sup").await;
    let id = online_message(&app, "垃圾清运不及时").await;
    let step = format!("/cases/{id}/step");
    // A merge into something that is not a number: the message beside the field, the value kept.
    let (status, html) = sup.post(&app, &step, &[("step", "merge"), ("into", "第十二号")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&html, "merge");
    assert!(form.contains(" open>") && form.contains("value=\"第十二号\""), "{form}");
    assert!(form.contains("class=\"field-error\">请填写要合并到的意见建议编号"), "{form}");
    assert!(!form_of(&html, "triage").contains(" open>"), "only the refused form is open");
    // A triage with a category the county does not use keeps its note and level.
    let (status, html) = sup
        .post(
            &app,
            &step,
            &[("step", "triage"), ("level", "county"), ("category", "火星事务"), ("note", "需要县里协调")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = form_of(&html, "triage");
    assert!(form.contains("需要县里协调") && form.contains("value=\"county\" selected"), "{form}");
    assert!(form.contains("field-error"), "{form}");
    assert!(html.contains("人大代表联络站服务平台") && html.contains("办理过程"), "the case page, not an error page");
    // A step this state does not allow: said atop the steps.
    let (status, html) = sup.post(&app, &step, &[("step", "reply"), ("reply", "已解决")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("class=\"alert\" role=\"alert\">当前状态为“已接收”，不能执行“答复群众”"),
        "{}",
        visible(&html)
    );
    // An empty urge on an unassigned case is refused the same way, and nothing changed.
    let token = app.token_for("sup", "", "", "").await;
    let case: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&token)).await.json().await.unwrap();
    assert_eq!(case["status"], "received");
    assert_eq!(case["timeline"].as_array().unwrap().len(), 1);
}

async fn names_replace_identifiers_on_the_timeline_and_the_audit_log(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let sup = browser(&app, "sup").await;
    let agency = browser(&app, "agency").await;
    let admin = browser(&app, "admin").await;
    let id = online_message(&app, "桥面坑洼").await;
    let step = format!("/cases/{id}/step");
    for form in [
        vec![("step", "triage"), ("level", "county")],
        vec![("step", "assign"), ("lead", "zs-transport"), ("assisting", "zs-water")],
    ] {
        assert_eq!(sup.post(&app, &step, &form).await.0, StatusCode::SEE_OTHER);
    }
    assert_eq!(agency.post(&app, &step, &[("step", "result"), ("result", "已修补")]).await.0, StatusCode::SEE_OTHER);
    let (_, html) = sup.get(&app, &format!("/cases/{id}")).await;
    let text = visible(&html);
    for id in [
        "zs-transport",
        "zs-water",
        "wang-fang",
        "renhe",
        "record_result",
        "triage",
        "assign",
        "constituent",
        "agency:",
    ] {
        assert!(!text.contains(id), "the case page shows {id:?}: {text}");
    }
    for name in [
        "柞水县交通运输局",
        "柞水县水利局",
        "王芳",
        "张主任",
        "交通局经办人刘强",
        "提交办理结果",
        "研判",
        "交办",
        "群众",
        "接收",
    ] {
        assert!(text.contains(name), "the case page lacks {name:?}");
    }
    assert!(text.contains("张主任 · 柞水县人大常委会代表工委"), "who, and their unit");
    assert!(text.contains("交通局经办人刘强 · 柞水县交通运输局"));
    assert!(text.contains("乾佑街道"), "the region by name");

    // The auditor reads names and Chinese actions; the login name only in a tooltip.
    let aud = browser(&app, "aud").await;
    let (status, html) = aud.get(&app, "/audit").await;
    assert_eq!(status, StatusCode::OK);
    let text = visible(&html);
    for id in ["session.login", "user:admin", "case.record_result", "zs-transport", "county_supervisor", "611026"] {
        assert!(!text.contains(id), "the audit page shows {id:?}");
    }
    for id in ["session.login", "user:", "record_result"] {
        assert!(!html.contains(id), "the audit page's HTML carries {id:?}");
    }
    for words in [
        "登录",
        "系统管理员甲",
        "账号 系统管理员甲",
        "意见建议：提交办理结果",
        "意见建议 #",
        "柞水县",
        "交通局经办人刘强",
    ] {
        assert!(text.contains(words), "the audit page lacks {words:?}");
    }
    assert!(html.contains("title=\"登录名：admin\""), "the login name for the auditor, in a tooltip");
    // Filters are picked by name and kind, not typed.
    assert!(
        html.contains("<option value=\"admin\">系统管理员甲</option>")
            && html.contains("<option value=\"session.\">登录与退出</option>")
    );
    let (_, html) = aud.get(&app, "/audit?actor=admin&action=session.").await;
    let rows = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    let text = visible(rows);
    assert!(text.contains("系统管理员甲") && !text.contains("交通局经办人刘强"), "filtered to one person");
    drop(admin);
}

async fn the_call_back_contact_is_for_those_with_the_right_and_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let id = online_message(&app, "需要回电").await;
    let page = format!("/cases/{id}");
    for (user, may) in [("sup", true), ("town", true), ("staff", false), ("dep", false)] {
        let b = browser(&app, user).await;
        let (status, html) = b.get(&app, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(html.contains("查看完整联系方式"), may, "{user}");
        assert!(html.contains("139****5678") && !html.contains("13912345678"), "masked for {user}");
        let (status, html) = b.post(&app, &format!("{page}/contact"), &[]).await;
        if may {
            assert_eq!(status, StatusCode::OK, "{user}");
            assert!(
                html.contains("<a class=\"tel\" href=\"tel:13912345678\">13912345678</a>") && html.contains("李秀英")
            );
            assert!(html.contains("本次查看已记入审计日志"));
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        }
    }
    // Each look is in the audit log, by whom, on which case.
    let aud = app.token_for("aud", "", "", "").await;
    let log: Vec<Value> = app.get("/api/v1/audit?action=personal_data.view", Some(&aud)).await.json().await.unwrap();
    let actors: Vec<&str> =
        log.iter().filter(|e| e["target"] == format!("case:{id}")).map(|e| e["actor"].as_str().unwrap()).collect();
    assert_eq!(actors.len(), 2, "{log:?}");
    assert!(actors.contains(&"sup") && actors.contains(&"town"));
    // The page needs its token; the JSON contact API takes the page's session as it is.
    let sup = browser(&app, "sup").await;
    let res = app.client.post(app.url(&format!("{page}/contact"))).header("cookie", &sup.cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .client
        .get(app.url(&format!("/api/v1/cases/{id}/contact")))
        .header("cookie", &sup.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn the_agency_prints_its_assignment_sheet(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    organisation(&app).await;
    let sup = browser(&app, "sup").await;
    let id = online_message(&app, "河堤护栏损坏").await;
    let step = format!("/cases/{id}/step");
    assert_eq!(sup.post(&app, &step, &[("step", "triage"), ("level", "county")]).await.0, StatusCode::SEE_OTHER);
    let (_, html) = sup.get(&app, &format!("/cases/{id}")).await;
    assert!(!html.contains("打印交办单"), "nothing to print before assignment");
    let assign =
        [("step", "assign"), ("lead", "zs-transport"), ("assisting", "zs-water"), ("note", "请于一周内修复护栏")];
    assert_eq!(sup.post(&app, &step, &assign).await.0, StatusCode::SEE_OTHER);
    let agency = browser(&app, "agency").await;
    let (_, html) = agency.get(&app, &format!("/cases/{id}")).await;
    assert!(html.contains(&format!("href=\"/cases/{id}/print\"")), "reachable from the case page");
    let (status, html) = agency.get(&app, &format!("/cases/{id}/print")).await;
    assert_eq!(status, StatusCode::OK);
    let text = visible(&html);
    for words in [
        "意见建议交办单",
        "河堤护栏损坏",
        "柞水县交通运输局",
        "柞水县水利局",
        "请于一周内修复护栏",
        "柞水县人大常委会代表工委",
        "签收日期",
        "承办单位（盖章）",
    ] {
        assert!(text.contains(words), "the sheet lacks {words:?}");
    }
    let token = app.token_for("sup", "", "", "").await;
    let case: Value = app.get(&format!("/api/v1/cases/{id}"), Some(&token)).await.json().await.unwrap();
    assert!(text.contains(case["deadline_on"].as_str().unwrap()), "the deadline");
    assert!(!text.contains("13912345678") && !text.contains("zs-transport"));
    assert!(html.contains("@media print") || html.contains("/static/app.css"), "print styles");
    let css = app.get("/static/app.css", None).await.text().await.unwrap();
    assert!(css.contains("size: A4"));
    // Another county's agency, or one this case is not assigned to, is refused.
    for other in ["agency-b", "admin"] {
        let b = browser(&app, other).await;
        let (status, _) = b.get(&app, &format!("/cases/{id}/print")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
    }
    let b = app.token_for("agency-b", "", "", "").await;
    assert_eq!(app.get(&format!("/cases/{id}/print"), Some(&b)).await.status(), StatusCode::FORBIDDEN);
}

on_both_backends!(
    case_page_offers_the_steps_of_the_role_and_state,
    step_refusals_stay_on_the_case_page,
    names_replace_identifiers_on_the_timeline_and_the_audit_log,
    the_call_back_contact_is_for_those_with_the_right_and_audited,
    the_agency_prints_its_assignment_sheet,
    staff_intake_page_picks_by_name,
    intake_keeps_values_and_takes_photos,
);
