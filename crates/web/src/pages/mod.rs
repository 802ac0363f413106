//! The Chinese pages: one shared layout, a form's CSRF token in every form, assets embedded.

mod account;
mod audit;
mod ballots;
mod bulletins;
mod case;
mod case_list;
mod case_new;
mod case_steps;
mod cases;
mod charts;
mod duties;
mod home;
mod ledger;
mod login;
mod meetings;
mod nav;
mod org;
mod org_edit;
mod org_import;
mod outreach;
pub(crate) mod points;
mod projects;
mod public;
mod public_projects;
mod public_receptions;
mod reception_records;
mod receptions;
mod register;
mod stars;
mod statistics;
mod suggestions;
mod track;
mod users;
mod voter_reports;

use crate::error::{ApiError, PageError};
use crate::routes::Registry;
use askama::Template;
use axum::http::Method;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use liaison_domain::authz::Action;
pub(crate) use login::safe_next;
pub use nav::{Nav, landing};

pub(crate) fn register(r: Registry) -> Registry {
    r.page(Method::GET, "/", Action::Authenticated, get(home::dashboard))
        .page(Method::GET, "/login", Action::Public, get(login::form))
        .page(Method::POST, "/login", Action::Public, post(login::submit))
        .page(Method::POST, "/logout", Action::Authenticated, post(login::logout))
        // The region tree is for those who administer it; others pick regions by name.
        .page(Method::GET, "/regions", Action::RegionWrite, get(home::regions))
        .page(Method::GET, "/audit", Action::AuditRead, get(audit::audit))
        .page(Method::GET, "/account/password", Action::Authenticated, get(account::form))
        .page(Method::POST, "/account/password", Action::Authenticated, post(account::change))
        .page(Method::GET, "/admin/users", Action::UserRead, get(users::users))
        .page(Method::POST, "/admin/users", Action::UserWrite, post(users::create_user))
        .page(Method::GET, "/admin/users/{id}", Action::UserRead, get(users::user))
        .page(Method::POST, "/admin/users/{id}/disable", Action::UserWrite, post(users::disable))
        .page(Method::POST, "/admin/users/{id}/enable", Action::UserWrite, post(users::enable))
        .page(Method::POST, "/admin/users/{id}/grants", Action::UserWrite, post(users::set_grants))
        .page(Method::POST, "/admin/users/{id}/password", Action::AccountUnlock, post(users::reset_password))
        .page(Method::POST, "/admin/users/{id}/unlock", Action::AccountUnlock, post(users::unlock))
        .page(Method::GET, "/org", Action::OrgRead, get(org::stations))
        .page(Method::GET, "/org/deputies", Action::OrgRead, get(org::deputies))
        .page(Method::GET, "/org/agencies", Action::OrgRead, get(org::agencies))
        .page(Method::GET, "/org/grid", Action::OrgRead, get(org::grid))
        .page(Method::GET, "/org/import", Action::OrgWrite, get(org_import::import_form))
        .page(Method::GET, "/org/{tab}/new", Action::OrgWrite, get(org_edit::new_form))
        .page(Method::GET, "/org/{tab}/{slug}/edit", Action::OrgWrite, get(org_edit::edit_form))
        .page(Method::POST, "/org/{tab}/save", Action::OrgWrite, post(org_edit::save))
        .page(Method::POST, "/org/{tab}/{slug}/deactivate", Action::OrgWrite, post(org::deactivate))
        .page(Method::POST, "/org/{tab}/move", Action::OrgWrite, post(org::move_to))
        .page(
            Method::POST,
            "/org/import",
            Action::OrgWrite,
            post(org_import::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(liaison_sheets::MAX_FILE_BYTES + 64 * 1024)),
        )
        .page(
            Method::POST,
            "/org/import/report",
            Action::OrgWrite,
            post(org_import::error_report).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .page(Method::GET, "/receptions", Action::OrgRead, get(receptions::month))
        .page(Method::GET, "/receptions/schedules/new", Action::OrgWrite, get(receptions::new_form))
        .page(Method::POST, "/receptions/schedules/save", Action::OrgWrite, post(receptions::save))
        .page(Method::GET, "/receptions/schedules/{id}", Action::OrgRead, get(receptions::schedule))
        .page(Method::GET, "/receptions/schedules/{id}/edit", Action::OrgWrite, get(receptions::edit_form))
        .page(Method::POST, "/receptions/schedules/{id}/roster", Action::OrgWrite, post(receptions::generate))
        .page(Method::POST, "/receptions/duties/{id}/reassign", Action::OrgWrite, post(receptions::reassign))
        .page(Method::POST, "/receptions/swaps/{id}/decision", Action::OrgWrite, post(receptions::decide))
        .page(Method::GET, "/receptions/records", Action::CaseRead, get(reception_records::list))
        .page(Method::GET, "/receptions/records/new", Action::CaseWrite, get(reception_records::new_form))
        .page(Method::POST, "/receptions/records/new", Action::CaseWrite, post(reception_records::create))
        .page(Method::GET, "/receptions/records/{id}", Action::CaseRead, get(reception_records::show))
        .page(Method::POST, "/receptions/records/{id}/matters", Action::CaseWrite, post(reception_records::add_matter))
        .page(
            Method::POST,
            "/receptions/records/{id}/photos",
            Action::CaseWrite,
            post(reception_records::add_photos).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/register", Action::CaseRead, get(register::home))
        .page(Method::GET, "/register/{slug}", Action::CaseRead, get(register::deputy))
        .page(Method::POST, "/register/{slug}", Action::CaseWrite, post(register::add))
        .page(Method::POST, "/register/entries/{id}/decision", Action::OrgWrite, post(register::decide))
        .page(
            Method::POST,
            "/register/entries/{id}/evidence",
            Action::CaseWrite,
            post(register::add_evidence).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/register/{slug}/report", Action::CaseRead, get(points::report))
        .page(Method::GET, "/register/{slug}/report.pdf", Action::CaseRead, get(points::report_pdf))
        .page(Method::GET, "/points", Action::OrgRead, get(points::rules))
        .page(Method::POST, "/points", Action::OrgWrite, post(points::create))
        .page(
            Method::POST,
            "/points/import",
            Action::OrgWrite,
            post(points::import).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/points/{id}/xlsx", Action::OrgRead, get(points::export))
        .page(Method::GET, "/targets", Action::OrgWrite, get(points::targets))
        .page(Method::POST, "/targets/remind", Action::OrgWrite, post(points::remind))
        .page(Method::GET, "/targets/rankings.xlsx", Action::OrgWrite, get(points::rankings))
        .page(Method::POST, "/targets/archives", Action::OrgWrite, post(points::start_archive))
        .page(Method::GET, "/targets/archives/{id}", Action::OrgRead, get(points::archive))
        .page(Method::GET, "/targets/archives/{id}/file", Action::OrgRead, get(points::archive_file))
        .page(Method::GET, "/suggestions", Action::CaseRead, get(suggestions::list))
        .page(Method::GET, "/suggestions/new", Action::CaseWrite, get(suggestions::new))
        .page(Method::POST, "/suggestions/new", Action::CaseWrite, post(suggestions::create))
        .page(Method::GET, "/suggestions/{id}", Action::CaseRead, get(suggestions::detail))
        .page(Method::POST, "/suggestions/{id}/act", Action::CaseWrite, post(suggestions::act))
        .page(
            Method::POST,
            "/suggestions/{id}/document",
            Action::CaseWrite,
            post(suggestions::document).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/projects", Action::CaseRead, get(projects::hub))
        .page(Method::GET, "/projects/new", Action::OrgWrite, get(projects::new))
        .page(Method::POST, "/projects/new", Action::OrgWrite, post(projects::create))
        .page(Method::GET, "/projects/{id}", Action::CaseRead, get(projects::detail))
        .page(Method::POST, "/projects/{id}/owner", Action::OrgWrite, post(projects::set_owner))
        .page(Method::POST, "/projects/{id}/milestones", Action::CaseWrite, post(projects::add_milestone))
        .page(Method::POST, "/projects/{id}/milestones/{mid}/done", Action::CaseWrite, post(projects::milestone_done))
        .page(Method::POST, "/projects/{id}/updates", Action::CaseWrite, post(projects::report))
        .page(Method::POST, "/projects/{id}/updates/{uid}/answer", Action::CaseWrite, post(projects::answer))
        .page(
            Method::POST,
            "/projects/{id}/updates/{uid}/photos",
            Action::CaseWrite,
            post(projects::add_photos).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::POST, "/nominations/{id}/decline", Action::OrgWrite, post(projects::decline))
        .page(Method::GET, "/candidate-lists/new", Action::OrgWrite, get(projects::list_new))
        .page(Method::POST, "/candidate-lists/new", Action::OrgWrite, post(projects::list_create))
        .page(Method::GET, "/candidate-lists/{id}", Action::OrgRead, get(projects::list_detail))
        .page(Method::POST, "/candidate-lists/{id}/approve", Action::OrgWrite, post(projects::list_approve))
        .page(Method::GET, "/ballots/new", Action::OrgWrite, get(ballots::new))
        .page(Method::POST, "/ballots/new", Action::OrgWrite, post(ballots::create))
        .page(Method::GET, "/ballots/{id}", Action::Authenticated, get(ballots::detail))
        .page(Method::POST, "/ballots/{id}/trustee-key", Action::Authenticated, post(ballots::trustee_key))
        .page(Method::POST, "/ballots/{id}/credentials", Action::OrgWrite, post(ballots::credentials))
        .page(Method::POST, "/ballots/{id}/approve", Action::OrgWrite, post(ballots::approve))
        .page(Method::POST, "/ballots/{id}/reprint", Action::OrgWrite, post(ballots::reprint))
        .page(Method::POST, "/ballots/{id}/vote", Action::CaseWrite, post(ballots::vote))
        .page(Method::POST, "/ballots/{id}/paper-voters", Action::OrgWrite, post(ballots::paper_voters))
        .page(Method::POST, "/ballots/{id}/paper", Action::OrgWrite, post(ballots::paper))
        .page(Method::POST, "/ballots/{id}/close", Action::OrgWrite, post(ballots::close))
        .page(Method::POST, "/ballots/{id}/share", Action::Authenticated, post(ballots::share))
        .page(Method::GET, "/outreach", Action::CaseRead, get(outreach::hub))
        .page(Method::GET, "/meetings", Action::CaseRead, get(meetings::list))
        .page(Method::GET, "/meetings/new", Action::OrgWrite, get(meetings::new))
        .page(Method::POST, "/meetings/new", Action::OrgWrite, post(meetings::create))
        .page(Method::GET, "/meetings/{id}", Action::CaseRead, get(meetings::detail))
        .page(Method::POST, "/meetings/{id}/commitments/{cid}/done", Action::CaseWrite, post(meetings::commitment_done))
        .page(Method::GET, "/voter-reports", Action::CaseRead, get(voter_reports::list))
        .page(Method::POST, "/voter-reports/new", Action::CaseWrite, post(voter_reports::create))
        .page(Method::GET, "/voter-reports/{id}", Action::CaseRead, get(voter_reports::detail))
        .page(Method::POST, "/voter-reports/{id}/act", Action::CaseWrite, post(voter_reports::act))
        .page(Method::GET, "/ledger", Action::CaseRead, get(ledger::list))
        .page(Method::POST, "/ledger/export", Action::PersonalDataRead, post(ledger::export))
        .page(Method::GET, "/ledger/new", Action::CaseWrite, get(ledger::new))
        .page(Method::POST, "/ledger/new", Action::CaseWrite, post(ledger::create))
        .page(Method::GET, "/ledger/{id}", Action::CaseRead, get(ledger::detail))
        .page(Method::POST, "/ledger/{id}/unmask", Action::CaseRead, post(ledger::unmask))
        .page(Method::POST, "/ledger/{id}/act", Action::CaseWrite, post(ledger::act))
        .page(Method::GET, "/stars", Action::OrgRead, get(stars::list))
        .page(Method::POST, "/stars/scorecards", Action::OrgWrite, post(stars::create_scorecard))
        .page(Method::GET, "/stars/{slug}/{year}", Action::OrgRead, get(stars::station))
        .page(Method::POST, "/stars/{slug}/{year}", Action::OrgWrite, post(stars::save))
        .page(Method::POST, "/stars/assessments/{id}/act", Action::OrgWrite, post(stars::act))
        .page(
            Method::POST,
            "/stars/assessments/{id}/evidence",
            Action::OrgWrite,
            post(stars::add_evidence).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/duties", Action::CaseRead, get(duties::mine))
        .page(Method::POST, "/duties/{id}/swap", Action::CaseWrite, post(duties::swap))
        .page(Method::POST, "/duties/away", Action::CaseWrite, post(duties::away))
        .page(Method::GET, "/station/{slug}/calendar.ics", Action::Public, get(public_receptions::station_ics))
        .page(Method::GET, "/station/{slug}/notice", Action::Public, get(public_receptions::notice))
        .page(Method::GET, "/deputy/{slug}/calendar.ics", Action::Public, get(public_receptions::deputy_ics))
        .page(Method::GET, "/county/{code}/calendar.ics", Action::Public, get(public_receptions::region_ics))
        .page(Method::GET, "/county", Action::Public, get(public::counties))
        .page(Method::GET, "/county/{code}", Action::Public, get(public::county))
        .page(Method::GET, "/county/{code}/projects", Action::Public, get(public_projects::county))
        .page(Method::GET, "/county/{code}/stats", Action::Public, get(statistics::county))
        .page(Method::GET, "/county/{code}/bulletins", Action::Public, get(bulletins::county_archive))
        .page(Method::GET, "/county/{code}/bulletins.atom", Action::Public, get(bulletins::feed))
        .page(Method::GET, "/station/{slug}/bulletins", Action::Public, get(bulletins::station_archive))
        .page(Method::GET, "/bulletin/{id}", Action::Public, get(bulletins::show))
        .page(Method::GET, "/bulletin/{id}/bulletin.pdf", Action::Public, get(bulletins::pdf))
        .page(Method::GET, "/bulletin/{id}/figures.xlsx", Action::Public, get(bulletins::xlsx))
        .page(Method::GET, "/station/{slug}/stats", Action::Public, get(statistics::station))
        .page(Method::GET, "/project/{id}", Action::Public, get(public_projects::project))
        .page(Method::GET, "/project-photos/{id}", Action::Public, get(public_projects::photo))
        .page(Method::GET, "/ballot/{id}", Action::Public, get(public_projects::board))
        .page(Method::GET, "/station/{slug}/nominate", Action::Public, get(public_projects::nominate_form))
        .page(Method::POST, "/station/{slug}/nominate", Action::Public, post(public_projects::nominate))
        .page(Method::GET, "/station/{slug}/nominate/thanks", Action::Public, get(public_projects::thanks))
        .page(Method::GET, "/station/{slug}", Action::Public, get(public::station))
        .page(Method::GET, "/station/{slug}/codes", Action::Public, get(public::codes_sheet))
        .page(Method::GET, "/deputy/{slug}", Action::Public, get(public::deputy))
        .page(Method::GET, "/qr/{what}/{file}", Action::Public, get(public::qr_code))
        .page(
            Method::POST,
            "/contact",
            Action::Public,
            post(track::contact).layer(axum::extract::DefaultBodyLimit::max(40 * 1024 * 1024)),
        )
        .page(Method::GET, "/cases", Action::CaseRead, get(cases::list))
        .page(Method::GET, "/cases/export.xlsx", Action::CaseRead, get(case_list::export))
        .page(Method::GET, "/cases/new", Action::CaseWrite, get(case_new::form))
        .page(
            Method::POST,
            "/cases/new",
            Action::CaseWrite,
            post(case_new::intake).layer(axum::extract::DefaultBodyLimit::max(crate::auth::UPLOAD_LIMIT)),
        )
        .page(Method::GET, "/cases/{id}", Action::CaseRead, get(case::show))
        .page(Method::POST, "/cases/{id}/step", Action::CaseWrite, post(case::step))
        .page(Method::POST, "/cases/{id}/contact", Action::PersonalDataRead, post(case::contact))
        .page(Method::GET, "/cases/{id}/print", Action::CaseRead, get(case::print))
        .page(Method::GET, "/stats", Action::CaseRead, get(cases::dashboard))
        .page(Method::GET, "/stats/export.xlsx", Action::CaseRead, get(cases::export))
        .page(Method::GET, "/bulletins", Action::OrgWrite, get(bulletins::list))
        .page(Method::POST, "/bulletins", Action::OrgWrite, post(bulletins::create))
        .page(Method::GET, "/bulletins/{id}", Action::OrgWrite, get(bulletins::detail))
        .page(Method::POST, "/bulletins/{id}", Action::OrgWrite, post(bulletins::act))
        .page(Method::GET, "/track", Action::Public, get(track::form))
        .page(Method::POST, "/track/lookup", Action::Public, post(track::lookup))
        .page(Method::GET, "/track/{code}", Action::Public, get(track::show))
        .page(Method::POST, "/track/{code}/survey", Action::Public, post(track::survey))
}

pub(crate) fn render<T: Template>(t: &T) -> Result<Html<String>, PageError> {
    t.render().map(Html).map_err(|e| PageError(ApiError::internal(e)))
}

/// Unknown paths: JSON under the API prefixes, a page elsewhere, with the caller's menu and a
/// way back (the gate does not run here, so the caller is looked up for the menu only).
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/open311/") {
        return ApiError::not_found().into_response();
    }
    let res = PageError(ApiError::not_found()).into_response();
    match crate::auth::identify(&state, &headers).await {
        Ok(caller) => crate::error::with_menu(res, &caller, crate::auth::came_from(&headers, &uri)),
        Err(_) => res,
    }
}

/// Formats Unix milliseconds as Beijing time.
pub(crate) fn beijing(ms: i64) -> String {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    liaison_domain::clock::from_millis(ms).with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}
