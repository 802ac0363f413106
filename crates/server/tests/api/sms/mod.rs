//! Text messages end to end: the loop's steps queue them, the outbox worker sends them through
//! the real SMS sender to a stand-in provider on loopback that checks the signature the way the
//! provider does and records what was sent. Quiet hours run on the injected clock; the
//! constituent's choice is kept; a provider's refusal is retried, not lost; and the pages say
//! what really happens with and without a provider.

mod provider;

use chrono::{DateTime, Duration, Utc};
use liaison_app::notify::{LogSender, Provider as Kind, Sender, SmsConfig, SmsKind, SmsSender, drain_outbox};
use liaison_testkit::{Backend, TestApp, on_both_backends};
use provider::Sent;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn templates() -> std::collections::BTreeMap<SmsKind, String> {
    SmsKind::ALL.iter().enumerate().map(|(i, k)| (*k, format!("20{i:02}"))).collect()
}

fn template(kind: SmsKind) -> String {
    templates()[&kind].clone()
}

fn config(provider: Kind, endpoint: &str, secret: &str) -> SmsConfig {
    SmsConfig {
        provider,
        access_key_id: provider::KEY_ID.into(),
        access_key_secret: secret.into(),
        sign_name: provider::SIGN.into(),
        app_id: provider::APP_ID.into(),
        region: "ap-guangzhou".into(),
        endpoint: endpoint.into(),
        templates: templates(),
        quiet_from: 22,
        quiet_until: 8,
    }
}

async fn spawn(b: Backend, sms: bool) -> Option<TestApp> {
    let sms_kinds = if sms { SmsKind::ALL.to_vec() } else { vec![] };
    // Several code requests from one address and one number within the test's seconds.
    let settings = liaison_web::Settings {
        sms_kinds,
        public_per_minute: 600,
        recover_per_phone_per_hour: 100,
        ..Default::default()
    };
    TestApp::spawn_with(b, settings).await
}

/// A station and two agencies: the transport bureau lists a mobile, the township office a
/// landline (which gets no text message).
async fn organisation(app: &TestApp) -> String {
    let sup = app.token_for("sup", "county_supervisor", "region:611026", "611026").await;
    for (path, body) in [
        (
            "/api/v1/stations",
            json!({"slug": "renhe", "region": "611026001001", "name": "仁和社区代表联络点", "kind": "联络点"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "zs-transport", "region": "611026", "name": "柞水县交通运输局", "kind": "部门", "phone": "13700001111"}),
        ),
        (
            "/api/v1/agencies",
            json!({"slug": "qianyou-gov", "region": "611026001", "name": "乾佑街道办事处", "kind": "政府", "phone": "0914-4321001"}),
        ),
    ] {
        let res = app.post_json(path, Some(&sup), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    sup
}

async fn write(app: &TestApp, body: Value) -> (i64, String) {
    let res = app.post_json("/api/v1/public/cases", None, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    let code = v["tracking_code"].as_str().unwrap();
    (v["id"].as_i64().unwrap(), format!("{}-{}", &code[..5], &code[5..]))
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let res = app.post_json(&format!("/api/v1/cases/{id}/steps"), Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn rate(app: &TestApp, code: &str, rating: &str) {
    let res = app.post_json(&format!("/api/v1/public/cases/{code}/survey"), None, &json!({"rating": rating})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn lookup(app: &TestApp, phone: &str) -> (StatusCode, Value) {
    let res = app.post_json("/api/v1/public/cases/lookup", None, &json!({"phone": phone})).await;
    (res.status(), res.json().await.unwrap())
}

fn sent(phone: &str, kind: SmsKind, params: &[&str]) -> Sent {
    Sent { phone: phone.into(), template: template(kind), params: params.iter().map(|p| (*p).to_owned()).collect() }
}

async fn queued(app: &TestApp) -> Vec<liaison_store::outbox::Queued> {
    liaison_store::outbox::on_channel(app.db(), "sms").await.unwrap()
}

const WRITER: &str = "13912345678";
const QUIET: &str = "13800002222";
const AGENCY: &str = "13700001111";

async fn messages_reach_phones_through_tencent_cloud(b: Backend) {
    let Some(app) = spawn(b, true).await else { return };
    let clock: Arc<dyn liaison_domain::clock::Clock> = app.clock.clone();
    let cloud = provider::tencent(clock.clone()).await;
    let sms: Arc<dyn Sender> =
        Arc::new(SmsSender::new(config(Kind::Tencent, &cloud.endpoint, provider::SECRET), clock.clone()).unwrap());
    let senders = [sms, Arc::new(LogSender) as Arc<dyn Sender>];
    let sup = organisation(&app).await;
    let transport = app.token_for("transport", "agency_handler", "agency:zs-transport", "611026").await;
    // Tuesday 12 May 2026, 10:00 in China.
    app.clock.set(at("2026-05-12T02:00:00Z"));

    // Two constituents write; the second does not want text messages.
    let (id, code) = write(
        &app,
        json!({"station": "renhe", "title": "村口路灯不亮", "content": "已经一个月了",
        "contact_phone": WRITER}),
    )
    .await;
    let (quiet_id, _) = write(
        &app,
        json!({"station": "renhe", "title": "垃圾清运不及时", "content": "三天未清运",
        "contact_phone": QUIET, "sms_notices": false}),
    )
    .await;

    // Assignment and urging reach the lead agency's mobile; the assisting office's landline gets
    // none (it has e-mail or the log).
    step(&app, &sup, id, json!({"step": "triage", "level": "county"})).await;
    let assigned =
        step(&app, &sup, id, json!({"step": "assign", "lead": "zs-transport", "assisting": ["qianyou-gov"]})).await;
    let deadline = assigned["deadline_on"].as_str().unwrap().to_owned();
    step(&app, &sup, id, json!({"step": "urge", "message": "请尽快办理"})).await;
    // The reply goes with the request to rate it.
    step(&app, &transport, id, json!({"step": "result", "result": "已更换灯泡"})).await;
    step(&app, &sup, id, json!({"step": "reply", "reply": "路灯已修好。"})).await;
    // The second writer's case is answered on the spot: no text message for them.
    step(&app, &sup, quiet_id, json!({"step": "answer_on_spot", "reply": "已联系环卫所清运。"})).await;
    // Three text messages; six notices to the log (the station twice on receipt and once on the
    // result, the two agencies on assignment, the lead on urging).
    assert_eq!(drain_outbox(&app.state.app, &senders).await, 3 + 6);
    let case = id.to_string();
    assert_eq!(
        cloud.take(),
        vec![
            sent(AGENCY, SmsKind::Assign, &[&case, &deadline]),
            sent(AGENCY, SmsKind::Urge, &[&case, &deadline]),
            sent(WRITER, SmsKind::Reply, &[&code]),
        ]
    );
    assert!(queued(&app).await.iter().all(|m| m.recipient != format!("phone:{QUIET}")), "the choice is kept");

    // 不满意 reopens the case: the writer is told; the second handling ends with a close notice.
    rate(&app, &code, "dissatisfied").await;
    let again = step(&app, &sup, id, json!({"step": "assign", "lead": "zs-transport"})).await;
    let deadline = again["deadline_on"].as_str().unwrap().to_owned();
    step(&app, &transport, id, json!({"step": "result", "result": "已更换整条线路"})).await;
    step(&app, &sup, id, json!({"step": "reply", "reply": "线路已更换。"})).await;
    rate(&app, &code, "satisfied").await;
    drain_outbox(&app.state.app, &senders).await;
    assert_eq!(
        cloud.take(),
        vec![
            sent(WRITER, SmsKind::Reopen, &[&code]),
            sent(AGENCY, SmsKind::Assign, &[&case, &deadline]),
            sent(WRITER, SmsKind::Reply, &[&code]),
            sent(WRITER, SmsKind::Close, &[&code]),
        ]
    );

    // Quiet hours: at 23:00 an urge waits for 08:00, while the codes asked for go at once.
    let (second, second_code) =
        write(&app, json!({"station": "renhe", "title": "路面坑洼", "content": "雨天积水", "contact_phone": WRITER}))
            .await;
    step(&app, &sup, second, json!({"step": "triage", "level": "county"})).await;
    let deadline = step(&app, &sup, second, json!({"step": "assign", "lead": "zs-transport"})).await["deadline_on"]
        .as_str()
        .unwrap()
        .to_owned();
    drain_outbox(&app.state.app, &senders).await;
    cloud.take();
    app.clock.set(at("2026-05-12T15:00:00Z"));
    step(&app, &sup, second, json!({"step": "urge", "message": "夜间催办"})).await;
    let (status, answer) = lookup(&app, WRITER).await;
    assert_eq!((status, answer["texted"].as_bool()), (StatusCode::ACCEPTED, Some(true)));
    drain_outbox(&app.state.app, &senders).await;
    assert_eq!(
        cloud.take(),
        vec![sent(WRITER, SmsKind::Code, &[&format!("{second_code}、{code}")])],
        "the newest codes first, at any hour"
    );
    let held = queued(&app).await.into_iter().find(|m| m.template == "urge" && m.status == "pending").unwrap();
    assert_eq!((held.attempts, held.next_attempt_at), (0, at("2026-05-13T00:00:00Z").timestamp_millis()));
    app.clock.set(at("2026-05-12T23:59:00Z"));
    drain_outbox(&app.state.app, &senders).await;
    assert!(cloud.take().is_empty(), "still 07:59");
    app.clock.set(at("2026-05-13T00:00:30Z"));
    drain_outbox(&app.state.app, &senders).await;
    assert_eq!(cloud.take(), vec![sent(AGENCY, SmsKind::Urge, &[&second.to_string(), &deadline])], "sent at 08:00");

    // The provider refuses (a rate limit): the message stays queued and goes on the retry.
    cloud.fail_next(1);
    lookup(&app, WRITER).await;
    assert_eq!(drain_outbox(&app.state.app, &senders).await, 0);
    let failed = queued(&app).await.into_iter().find(|m| m.status == "pending").unwrap();
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.contains("LimitExceeded.PhoneNumberThirtySecondLimit"), "{}", failed.last_error);
    assert!(!failed.last_error.contains(WRITER) && failed.last_error.contains("139****5678"), "masked");
    app.clock.advance(Duration::minutes(2));
    assert_eq!(drain_outbox(&app.state.app, &senders).await, 1);
    assert_eq!(cloud.take(), vec![sent(WRITER, SmsKind::Code, &[&format!("{second_code}、{code}")])]);

    // The stand-in really checks signatures: a wrong secret is refused, and the message waits.
    let forged: Arc<dyn Sender> =
        Arc::new(SmsSender::new(config(Kind::Tencent, &cloud.endpoint, "not-the-secret"), clock).unwrap());
    lookup(&app, WRITER).await;
    assert_eq!(drain_outbox(&app.state.app, &[forged]).await, 0);
    assert_eq!(cloud.take_refusals(), vec!["AuthFailure.SignatureFailure".to_owned()]);
    assert!(cloud.take().is_empty());
    assert_eq!(queued(&app).await.iter().filter(|m| m.status == "pending").count(), 1);
    assert!(queued(&app).await.iter().all(|m| m.status != "failed"));
}

async fn pages_say_what_happens_with_and_without_a_provider(b: Backend) {
    for sms in [false, true] {
        let Some(app) = spawn(b, sms).await else { return };
        organisation(&app).await;
        let (_, code) =
            write(&app, json!({"station": "renhe", "title": "路灯", "content": "不亮", "contact_phone": WRITER})).await;
        let page = app.get("/track", None).await.text().await.unwrap();
        let form = app.get("/station/renhe", None).await.text().await.unwrap();
        let (status, wrote) = lookup(&app, WRITER).await;
        let (_, never) = lookup(&app, "13600003333").await;
        let texts = queued(&app).await;
        if sms {
            assert!(page.contains("短信发送查询码") && page.contains("action=\"/track/lookup\""), "{page}");
            assert!(!page.contains("未开通短信"));
            assert!(form.contains("用于短信接收答复") && form.contains("name=\"sms_notices\""), "{form}");
            assert_eq!((status, wrote["texted"].as_bool()), (StatusCode::ACCEPTED, Some(true)));
            let msg =
                |v: &Value| v["message"].as_str().unwrap().replace("139****5678", "N").replace("136****3333", "N");
            assert_eq!(msg(&wrote), msg(&never), "the answer does not tell whether the number wrote");
            assert!(msg(&wrote).contains("短信") && !msg(&wrote).contains(&code));
            assert_eq!(texts.len(), 1, "one text message, to the number that wrote");
        } else {
            assert!(page.contains("未开通短信") && page.contains("联络站"), "{page}");
            assert!(!page.contains("action=\"/track/lookup\""), "no form that would send nothing");
            assert!(!page.contains("已通过短信") && !page.contains("短信发送"));
            assert!(!form.contains("短信") && !form.contains("name=\"sms_notices\""), "{form}");
            assert_eq!((status, wrote["texted"].as_bool()), (StatusCode::OK, Some(false)));
            assert_eq!(wrote, never);
            assert!(wrote["message"].as_str().unwrap().contains("未开通短信"));
            assert!(texts.is_empty(), "nothing queued that no one will send");
            // A page posted from an old form says the same.
            let res = app.client.post(app.url("/track/lookup")).form(&[("phone", WRITER)]).send().await.unwrap();
            assert!(res.text().await.unwrap().contains("未开通短信"));
        }
    }
}

/// The other ways a case ends also tell the constituent: not accepted, and closed unrated by the
/// sweep after `survey_days`.
async fn declined_and_unrated_cases_tell_the_writer(b: Backend) {
    let Some(app) = spawn(b, true).await else { return };
    let sup = organisation(&app).await;
    app.clock.set(at("2026-05-12T02:00:00Z"));
    let (declined, declined_code) =
        write(&app, json!({"station": "renhe", "title": "邻里纠纷", "content": "请求判决", "contact_phone": WRITER}))
            .await;
    step(&app, &sup, declined, json!({"step": "decline", "reason": "属于司法事项", "referral": "请向人民法院起诉"}))
        .await;
    let (unrated, unrated_code) =
        write(&app, json!({"station": "renhe", "title": "井盖松动", "content": "有响声", "contact_phone": WRITER}))
            .await;
    step(&app, &sup, unrated, json!({"step": "answer_on_spot", "reply": "已固定。"})).await;
    app.clock.advance(Duration::days(8));
    let swept = liaison_app::cases::sweep(&app.state.app).await.unwrap();
    assert_eq!(swept.closed_unrated, 1);
    let texts: Vec<(String, String)> = queued(&app).await.into_iter().map(|m| (m.template, m.params)).collect();
    let p = |code: &str| serde_json::to_string(&[code]).unwrap();
    assert_eq!(
        texts,
        vec![
            ("close".to_owned(), p(&declined_code)),
            ("reply".to_owned(), p(&unrated_code)),
            ("close".to_owned(), p(&unrated_code)),
        ]
    );
}

on_both_backends!(
    messages_reach_phones_through_tencent_cloud,
    pages_say_what_happens_with_and_without_a_provider,
    declined_and_unrated_cases_tell_the_writer
);

/// Alibaba Cloud: the same sender speaks dysmsapi with the V3 signature, and the template's
/// parameters go by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_phones_through_alibaba_cloud() {
    let Some(app) = spawn(Backend::Sqlite, true).await else { return };
    let clock: Arc<dyn liaison_domain::clock::Clock> = app.clock.clone();
    let cloud = provider::aliyun(clock.clone()).await;
    let sms: Arc<dyn Sender> =
        Arc::new(SmsSender::new(config(Kind::Aliyun, &cloud.endpoint, provider::SECRET), clock.clone()).unwrap());
    let sup = organisation(&app).await;
    app.clock.set(at("2026-05-12T02:00:00Z"));
    let (id, code) =
        write(&app, json!({"station": "renhe", "title": "路灯", "content": "不亮", "contact_phone": WRITER})).await;
    step(&app, &sup, id, json!({"step": "answer_on_spot", "reply": "已修好。"})).await;
    lookup(&app, WRITER).await;
    assert_eq!(drain_outbox(&app.state.app, std::slice::from_ref(&sms)).await, 2);
    assert_eq!(
        cloud.take(),
        vec![
            Sent { phone: WRITER.into(), template: template(SmsKind::Reply), params: vec![format!("code={code}")] },
            Sent { phone: WRITER.into(), template: template(SmsKind::Code), params: vec![format!("code={code}")] },
        ]
    );
    // A refusal (flow control) is retried after the back-off.
    cloud.fail_next(1);
    lookup(&app, WRITER).await;
    assert_eq!(drain_outbox(&app.state.app, std::slice::from_ref(&sms)).await, 0);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(drain_outbox(&app.state.app, std::slice::from_ref(&sms)).await, 1);
    assert_eq!(cloud.take().len(), 1);
    assert!(cloud.take_refusals().is_empty(), "every request was signed right");
    // A wrong secret is refused by the signature check.
    let forged: Arc<dyn Sender> =
        Arc::new(SmsSender::new(config(Kind::Aliyun, &cloud.endpoint, "not-the-secret"), clock).unwrap());
    lookup(&app, WRITER).await;
    assert_eq!(drain_outbox(&app.state.app, &[forged]).await, 0);
    assert_eq!(cloud.take_refusals(), vec!["SignatureDoesNotMatch".to_owned()]);
}
