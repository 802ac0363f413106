//! Reception days: a station's (or a county's) schedules by rule, the duty roster drawn fairly
//! from the deputies linked to the station, swaps and declared unavailability, reminders through
//! the outbox, the records of receptions held with their matters as cases, and calendar feeds.
//!
//! Who may do what: township officers and the county office write schedules and rosters of their
//! region (`OrgWrite`); a deputy asks to swap their own duties and declares their own
//! unavailability; station staff record the receptions of their station (`CaseWrite` there);
//! everyone, signed in or not, sees dates, places and the duty deputies' names (never phones).

mod calendar;
mod record;
mod roster;
mod schedule;

pub use calendar::{Feed, ics};
pub use record::{
    Attendee, DEPUTY_KINDS, Matter, NewReception, ReceptionView, add_matter, add_photos, attended_by, attendee_names,
    list_receptions, photo_file, reception, record,
};
pub use roster::{
    DutyView, Generated, decide_swap, declare_unavailable, deputy_duties, generate, pending_swaps, pool_names,
    reassign, remind, request_swap,
};
pub use schedule::{
    Day, Duty, Schedule, ScheduleInput, days, load, month_days, public_days, read_schedule, save, schedules_in,
    station_schedules,
};

pub use liaison_store::receptions::{AttendeeRow, ReceptionRow, SwapRow, Unavailable};

use crate::Error;
use liaison_domain::authz::{Principal, Role, Scope};

/// The deputy the principal is, when signed in as one.
pub fn own_deputy(principal: &Principal) -> Option<&str> {
    principal.account()?.grants.iter().find_map(|g| match (&g.role, &g.scope) {
        (Role::Deputy, Scope::Deputy(slug)) => Some(slug.as_str()),
        _ => None,
    })
}

/// The agencies the principal handles for (their agency grants).
pub(crate) fn own_agencies(principal: &Principal) -> Vec<String> {
    principal
        .account()
        .map(|a| {
            a.grants
                .iter()
                .filter_map(|g| match (&g.role, &g.scope) {
                    (Role::AgencyHandler, Scope::Agency(slug)) => Some(slug.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn bad_date(field: &'static str) -> impl Fn(liaison_domain::Invalid) -> Error {
    move |e| Error::from(e).field(field)
}
