//! The JSON API under `/api/v1`, one module per resource; every route registered with its action.

pub(crate) mod audit;
pub(crate) mod ballots;
pub(crate) mod bulletins;
pub(crate) mod case_list;
pub(crate) mod cases;
mod health;
pub(crate) mod ledger;
mod me;
pub(crate) mod meetings;
mod open311;
pub(crate) mod org;
pub(crate) mod points;
pub(crate) mod projects;
pub(crate) mod public;
pub(crate) mod public_cases;
pub(crate) mod reception_records;
pub(crate) mod receptions;
pub(crate) mod regions;
pub(crate) mod register;
pub(crate) mod roster;
mod session;
pub(crate) mod stars;
pub(crate) mod statistics;
pub(crate) mod suggestions;
pub(crate) mod users;
pub(crate) mod voter_reports;

use crate::routes::Registry;
use liaison_domain::authz::Action;
use utoipa_axum::routes;

pub(crate) fn register(r: Registry) -> Registry {
    r.api(Action::Public, routes!(health::healthz))
        .api(Action::Public, routes!(health::readyz))
        .api(Action::Public, routes!(health::metrics))
        .api(Action::Public, routes!(session::create))
        .api(Action::Authenticated, routes!(session::delete))
        .api(Action::Authenticated, routes!(me::me))
        .api(Action::RegionRead, routes!(regions::list))
        .api(Action::RegionRead, routes!(regions::get))
        .api(Action::RegionWrite, routes!(regions::create))
        .api(Action::UserRead, routes!(users::list))
        .api(Action::UserWrite, routes!(users::create))
        .api(Action::AccountUnlock, routes!(users::unlock))
        .api(Action::UserRead, routes!(users::get))
        .api(Action::UserWrite, routes!(users::disable))
        .api(Action::UserWrite, routes!(users::enable))
        .api(Action::UserWrite, routes!(users::set_grants))
        .api(Action::AccountUnlock, routes!(users::reset_password))
        .api(Action::Authenticated, routes!(users::change_own_password))
        .api(Action::AuditRead, routes!(audit::list))
        .api(Action::CaseRead, routes!(case_list::list))
        .api(Action::CaseRead, routes!(case_list::export))
        .api(Action::CaseRead, routes!(cases::get))
        .api(Action::CaseWrite, routes!(cases::create))
        .api(Action::CaseWrite, routes!(cases::step))
        .api(Action::CaseRead, routes!(cases::similar))
        .api(Action::PersonalDataRead, routes!(cases::contact))
        .api(Action::CaseWrite, {
            let mut r = routes!(cases::add_photo);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::photos::MAX_PHOTO_BYTES + 64 * 1024));
            r
        })
        .api(Action::CaseRead, routes!(cases::photo))
        .api(Action::CaseRead, routes!(cases::stats_route))
        .api(Action::CaseRead, routes!(statistics::report))
        .api(Action::CaseRead, routes!(statistics::export))
        .api(Action::OrgWrite, routes!(bulletins::create))
        .api(Action::OrgWrite, routes!(bulletins::list))
        .api(Action::OrgWrite, routes!(bulletins::get))
        .api(Action::OrgWrite, routes!(bulletins::edit))
        .api(Action::OrgWrite, routes!(bulletins::approve))
        .api(Action::OrgWrite, routes!(bulletins::reopen))
        .api(Action::OrgWrite, routes!(bulletins::publish))
        .api(Action::Public, routes!(public_cases::create))
        .api(Action::Public, routes!(public_cases::lookup))
        .api(Action::Public, routes!(public_cases::get))
        .api(Action::Public, routes!(public_cases::survey))
        .api(Action::OrgRead, routes!(receptions::list_schedules))
        .api(Action::OrgWrite, routes!(receptions::create_schedule))
        .api(Action::OrgRead, routes!(receptions::get_schedule))
        .api(Action::OrgWrite, routes!(receptions::update_schedule))
        .api(Action::OrgWrite, routes!(receptions::generate_roster))
        .api(Action::OrgRead, routes!(receptions::region_days))
        .api(Action::Public, routes!(receptions::station_days))
        .api(Action::Public, routes!(receptions::deputy_duties))
        .api(Action::OrgWrite, routes!(receptions::reassign))
        .api(Action::CaseWrite, routes!(receptions::request_swap))
        .api(Action::OrgWrite, routes!(receptions::pending_swaps))
        .api(Action::OrgWrite, routes!(receptions::decide_swap))
        .api(Action::CaseWrite, routes!(receptions::declare_unavailable))
        .api(Action::CaseWrite, routes!(reception_records::record))
        .api(Action::OrgRead, routes!(reception_records::list))
        .api(Action::CaseRead, routes!(reception_records::get))
        .api(Action::CaseWrite, routes!(reception_records::add_matter))
        .api(Action::CaseWrite, {
            let mut r = routes!(reception_records::add_photo);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::photos::MAX_PHOTO_BYTES + 64 * 1024));
            r
        })
        .api(Action::CaseRead, routes!(reception_records::photo))
        .api(Action::CaseRead, routes!(register::of_deputy))
        .api(Action::CaseWrite, routes!(register::add))
        .api(Action::CaseWrite, routes!(register::correct))
        .api(Action::OrgWrite, routes!(register::decide))
        .api(Action::OrgWrite, routes!(register::pending))
        .api(Action::CaseRead, routes!(register::history))
        .api(Action::CaseWrite, {
            let mut r = routes!(register::add_evidence);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::register::MAX_PDF_BYTES + 64 * 1024));
            r
        })
        .api(Action::CaseRead, routes!(register::evidence))
        .api(Action::OrgRead, routes!(points::list))
        .api(Action::OrgWrite, routes!(points::create))
        .api(Action::OrgRead, routes!(points::get))
        .api(Action::OrgRead, routes!(points::export))
        .api(Action::OrgWrite, routes!(points::import))
        .api(Action::CaseRead, routes!(points::deputy_points))
        .api(Action::CaseRead, routes!(points::report_pdf))
        .api(Action::OrgWrite, routes!(points::standing))
        .api(Action::OrgWrite, routes!(points::remind))
        .api(Action::OrgWrite, routes!(points::rankings))
        .api(Action::OrgWrite, routes!(points::start_archive))
        .api(Action::OrgRead, routes!(points::archive))
        .api(Action::OrgRead, routes!(points::archive_file))
        .api(Action::OrgRead, routes!(stars::list_scorecards))
        .api(Action::OrgWrite, routes!(stars::create_scorecard))
        .api(Action::OrgRead, routes!(stars::get_scorecard))
        .api(Action::OrgWrite, routes!(stars::score))
        .api(Action::OrgRead, routes!(stars::list))
        .api(Action::OrgRead, routes!(stars::get))
        .api(Action::OrgWrite, routes!(stars::submit))
        .api(Action::OrgWrite, routes!(stars::review))
        .api(Action::OrgWrite, {
            let mut r = routes!(stars::add_evidence);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::register::MAX_PDF_BYTES + 64 * 1024));
            r
        })
        .api(Action::OrgRead, routes!(stars::evidence))
        .api(Action::CaseWrite, routes!(suggestions::draft))
        .api(Action::CaseRead, routes!(suggestions::list))
        .api(Action::CaseRead, routes!(suggestions::get))
        .api(Action::CaseWrite, routes!(suggestions::submit))
        .api(Action::OrgWrite, routes!(suggestions::assign))
        .api(Action::CaseWrite, routes!(suggestions::extend))
        .api(Action::CaseWrite, routes!(suggestions::answer))
        .api(Action::CaseWrite, {
            let mut r = routes!(suggestions::attach, suggestions::document);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::register::MAX_PDF_BYTES + 64 * 1024));
            r
        })
        .api(Action::CaseWrite, routes!(suggestions::rate))
        .api(Action::CaseWrite, routes!(suggestions::promise_kept))
        .api(Action::OrgWrite, routes!(meetings::create))
        .api(Action::CaseRead, routes!(meetings::list))
        .api(Action::CaseRead, routes!(meetings::get))
        .api(Action::CaseWrite, routes!(meetings::commitment_done))
        .api(Action::CaseWrite, routes!(voter_reports::schedule))
        .api(Action::CaseRead, routes!(voter_reports::list))
        .api(Action::OrgRead, routes!(voter_reports::coverage))
        .api(Action::CaseRead, routes!(voter_reports::get))
        .api(Action::CaseWrite, routes!(voter_reports::edit))
        .api(Action::CaseWrite, routes!(voter_reports::held))
        .api(Action::CaseWrite, routes!(voter_reports::cancel))
        .api(Action::CaseWrite, routes!(ledger::add))
        .api(Action::CaseRead, routes!(ledger::list))
        .api(Action::PersonalDataRead, routes!(ledger::export))
        .api(Action::CaseRead, routes!(ledger::get))
        .api(Action::CaseRead, routes!(ledger::unmask))
        .api(Action::CaseWrite, routes!(ledger::visit))
        .api(Action::CaseWrite, routes!(ledger::remove))
        .api(Action::CaseWrite, routes!(ledger::edit))
        .api(Action::Public, routes!(projects::nominate_public))
        .api(Action::CaseWrite, routes!(projects::nominate))
        .api(Action::OrgRead, routes!(projects::nominations))
        .api(Action::OrgWrite, routes!(projects::decline))
        .api(Action::OrgWrite, routes!(projects::merge))
        .api(Action::OrgWrite, routes!(projects::create_project))
        .api(Action::OrgRead, routes!(projects::list_projects))
        .api(Action::Public, routes!(projects::get_project))
        .api(Action::OrgWrite, routes!(projects::set_owner))
        .api(Action::CaseWrite, routes!(projects::add_milestone))
        .api(Action::CaseWrite, routes!(projects::milestone_done))
        .api(Action::CaseWrite, routes!(projects::report))
        .api(Action::CaseWrite, routes!(projects::answer))
        .api(Action::CaseWrite, {
            let mut r = routes!(projects::add_photo);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_app::photos::MAX_PHOTO_BYTES + 64 * 1024));
            r
        })
        .api(Action::OrgWrite, routes!(projects::create_list))
        .api(Action::OrgRead, routes!(projects::lists))
        .api(Action::OrgRead, routes!(projects::get_list))
        .api(Action::OrgWrite, routes!(projects::approve_list))
        .api(Action::OrgWrite, routes!(ballots::create))
        .api(Action::OrgRead, routes!(ballots::list))
        .api(Action::Public, routes!(ballots::get))
        .api(Action::Authenticated, routes!(ballots::trustee_key))
        .api(Action::OrgWrite, routes!(ballots::credentials))
        .api(Action::OrgWrite, routes!(ballots::approve))
        .api(Action::OrgWrite, routes!(ballots::reprint))
        .api(Action::CaseWrite, routes!(ballots::vote))
        .api(Action::OrgWrite, routes!(ballots::paper_voters))
        .api(Action::OrgWrite, routes!(ballots::paper))
        .api(Action::OrgWrite, routes!(ballots::close))
        .api(Action::Authenticated, routes!(ballots::share))
        .api(Action::Public, routes!(ballots::board))
        .api(Action::Public, routes!(open311::services))
        .api(Action::Public, routes!(open311::requests, open311::create))
        .api(Action::Public, routes!(open311::request_by_id))
        .api(Action::OrgRead, routes!(org::list_stations))
        .api(Action::OrgWrite, routes!(org::save_station))
        .api(Action::OrgWrite, routes!(org::deactivate_station))
        .api(Action::OrgWrite, routes!(org::move_station))
        .api(Action::OrgRead, routes!(org::list_deputies))
        .api(Action::OrgWrite, routes!(org::save_deputy))
        .api(Action::OrgWrite, routes!(org::deactivate_deputy))
        .api(Action::OrgWrite, routes!(org::move_deputy))
        .api(Action::PersonalDataRead, routes!(org::deputy_contact))
        .api(Action::OrgRead, routes!(org::list_agencies))
        .api(Action::OrgWrite, routes!(org::save_agency))
        .api(Action::OrgWrite, routes!(org::deactivate_agency))
        .api(Action::OrgRead, routes!(org::grid))
        .api(Action::OrgWrite, {
            // Roster files may be larger than the default body limit.
            let mut r = routes!(roster::import);
            r.2 = r.2.layer(axum::extract::DefaultBodyLimit::max(liaison_sheets::MAX_FILE_BYTES + 64 * 1024));
            r
        })
        .api(Action::OrgRead, routes!(roster::export))
        .api(Action::Public, routes!(public::stations))
        .api(Action::Public, routes!(public::deputies))
}

pub(crate) use audit::{AuditQuery, entries as audit_entries};
