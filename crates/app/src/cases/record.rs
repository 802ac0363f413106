//! Recording a case raised at a reception, on a visit, in a WeChat group, by phone, or a deputy's
//! 随手拍: staff and deputies enter it for the constituent, within their own scope.

use crate::cases::{self as casework, Intake};
use crate::{App, Error, Result};
use liaison_domain::authz::{Action, CaseLocation, Principal, Target, parse_slug};
use liaison_domain::case::Channel;
use liaison_domain::region::RegionCode;
use liaison_domain::submission::{RawSubmission, Submission};
use liaison_store::cases::CaseRow;
use liaison_store::regions;

/// A case as staff submit it.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The township or village the matter concerns; defaults to the station's or deputy's.
    pub region: Option<String>,
    pub station: Option<String>,
    pub deputy: Option<String>,
    /// station (坐诊), visit (巡诊), wechat, hotline, snapshot (随手拍), online.
    pub channel: String,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub anonymous: bool,
    pub publish_consent: bool,
    /// Photos already checked by [`crate::photos::clean`] (a 随手拍 from the page).
    pub photos: Vec<crate::photos::Photo>,
    /// Set by [`crate::receptions::add_matter`]: the reception it was raised at, and the agency
    /// head it was put to. Only then is the channel `reception` accepted.
    pub reception: Option<(i64, String)>,
}

pub(crate) fn opt_slug(v: &Option<String>, field: &'static str) -> Result<Option<String>, Error> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_slug(s).map_err(|e| Error::from(e).field(field)))
        .transpose()
}

impl NewCase {
    fn raw(&self) -> RawSubmission<'_> {
        RawSubmission {
            title: &self.title,
            content: &self.content,
            category: self.category.as_deref(),
            location: self.location.as_deref(),
            contact_name: self.contact_name.as_deref(),
            contact_phone: self.contact_phone.as_deref(),
            anonymous: self.anonymous,
        }
    }
}

/// Validates and receives a case recorded by staff or a deputy; shared by the API and the page.
pub async fn record(
    app: &App,
    principal: &Principal,
    n: NewCase,
    key: Option<String>,
) -> Result<(CaseRow, bool), Error> {
    let channel = Channel::parse(&n.channel)
        // The reception channel only for a reception's matters, which may also come from a visit.
        .filter(|c| *c != Channel::Qr && (*c != Channel::Reception || n.reception.is_some()))
        .filter(|c| n.reception.is_none() || matches!(c, Channel::Reception | Channel::Visit))
        .ok_or_else(|| {
            Error::invalid(
                "invalid_channel",
                "渠道应为 station、visit、wechat、hotline、snapshot 或 online（接待日的事项请在接待记录中登记）",
            )
            .field("channel")
        })?;
    let sub = Submission::parse(&n.raw(), &app.config.categories).map_err(Error::from_fields)?;
    let station = opt_slug(&n.station, "station")?;
    let deputy = opt_slug(&n.deputy, "deputy")?;
    let region = match n.region.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => RegionCode::parse(r).map_err(|e| Error::from(e).field("region"))?,
        None => casework::route_public(app, station.as_deref(), deputy.as_deref()).await?.0,
    };
    let loc = CaseLocation {
        region: region.clone(),
        station: station.clone(),
        agency: None,
        assisting: vec![],
        deputy: deputy.clone(),
    };
    crate::check(principal, Action::CaseWrite, Target::Case(&loc))?;
    check_recipients(app, &region, station.as_deref(), deputy.as_deref()).await?;
    if regions::get(&app.db, &region).await?.is_none() {
        return Err(Error::invalid("unknown_region", "行政区划不存在").field("region"));
    }
    let route = (region, station, deputy);
    if n.photos.len() > crate::photos::MAX_PHOTOS {
        let message = format!("每件最多 {} 张照片", crate::photos::MAX_PHOTOS);
        return Err(Error::invalid("too_many_photos", message).field("photos"));
    }
    let mut intake = Intake::new(sub, route, channel, (n.anonymous, n.publish_consent), n.photos, key);
    intake.reception = n.reception;
    casework::receive(app, intake, &principal.actor()).await
}

/// The station and deputy a case names must be active records of the case's county: a case of one
/// county must never land in another county's station or deputy inbox.
async fn check_recipients(
    app: &App,
    region: &RegionCode,
    station: Option<&str>,
    deputy: Option<&str>,
) -> Result<(), Error> {
    use liaison_store::org;
    let county = region.county_key();
    let refuse = |field: &'static str, message: &'static str| Error::invalid("unknown_recipient", message).field(field);
    if let Some(s) = station {
        match org::station_by_slug(&app.db, s).await?.filter(|x| x.active) {
            Some(x) if x.data.county_code == county => {}
            Some(_) => return Err(refuse("station", "该联络站不属于本案所在的县（区）")),
            None => return Err(refuse("station", "找不到该联络站")),
        }
    }
    if let Some(d) = deputy {
        match org::deputy_by_slug(&app.db, d).await?.filter(|x| x.active) {
            Some(x) if x.data.county_code == county => {}
            Some(_) => return Err(refuse("deputy", "该代表不属于本案所在的县（区）")),
            None => return Err(refuse("deputy", "找不到该代表")),
        }
    }
    Ok(())
}
