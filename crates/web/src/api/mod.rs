//! The JSON API under `/api/v1`, one module per resource; every route registered with its action.

pub(crate) mod audit;
mod cases;
mod health;
mod me;
mod regions;
mod session;
pub(crate) mod users;

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
        .api(Action::AuditRead, routes!(audit::list))
        .api(Action::CaseRead, routes!(cases::list))
        .api(Action::CaseRead, routes!(cases::get))
        .api(Action::CaseWrite, routes!(cases::create))
}

pub(crate) use audit::{AuditQuery, entries as audit_entries};
