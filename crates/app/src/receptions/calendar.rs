//! Calendar feeds (iCalendar, RFC 5545) of reception days: per station, per deputy (their
//! duties) and per township or county. Times are local to Asia/Shanghai, declared by a
//! `VTIMEZONE`, so phone calendars show them right wherever the phone is.

use super::schedule::{days, month_days, station_schedules};
use crate::{App, Error, Result};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
use liaison_domain::region::RegionCode;
use std::str::FromStr;

/// Whose reception days a feed holds.
#[derive(Debug, Clone)]
pub enum Feed {
    Station(String),
    Deputy(String),
    Region(String),
}

/// China has kept +08:00 without daylight saving since 1991. Written as text: the calendar
/// crate would give the time zone a DTSTAMP and a UID, which RFC 5545 does not allow there.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19910915T000000\r\n\
TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

const TZID: &str = "Asia/Shanghai";

struct Item {
    uid: String,
    date: NaiveDate,
    start: String,
    end: String,
    summary: String,
    place: String,
    description: String,
}

fn at(date: NaiveDate, time: &str) -> CalendarDateTime {
    let t = NaiveTime::parse_from_str(time, "%H:%M").unwrap_or(NaiveTime::MIN);
    CalendarDateTime::WithTimezone { date_time: NaiveDateTime::new(date, t), tzid: TZID.into() }
}

fn render(name: &str, items: Vec<Item>) -> Result<String> {
    let mut cal = Calendar::new();
    cal.name(name).timezone(TZID);
    for i in items {
        cal.push(
            Event::new()
                .uid(&i.uid)
                .summary(&i.summary)
                .location(&i.place)
                .description(&i.description)
                .starts(at(i.date, &i.start))
                .ends(at(i.date, &i.end))
                .done(),
        );
    }
    // The time zone goes before the first event (or the end of an empty calendar).
    let text = cal.done().to_string();
    let at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.find("END:VCALENDAR"))
        .ok_or_else(|| Error::internal("calendar without end"))?;
    let out = format!("{}{VTIMEZONE}{}", &text[..at], &text[at..]);
    // Refuse to serve what does not parse back.
    Calendar::from_str(&out).map_err(Error::internal)?;
    Ok(out)
}

/// The feed's name (for the file and the calendar) and its text, covering the past month and
/// the coming year.
pub async fn ics(app: &App, feed: Feed) -> Result<(String, String)> {
    let today = app.today();
    let (from, to) = (today - Duration::days(31), today + Duration::days(366));
    match feed {
        Feed::Station(slug) => {
            let station = liaison_store::org::station_by_slug(&app.db, &slug)
                .await?
                .filter(|s| s.active)
                .ok_or(Error::NotFound)?;
            let schedules = station_schedules(app, &slug).await?;
            let items = days(app, &schedules, from, to).await?.into_iter().map(item_of_day).collect();
            let name = format!("{}接待日", station.data.name);
            Ok((name.clone(), render(&name, items)?))
        }
        Feed::Region(code) => {
            let region = RegionCode::parse(&code).map_err(|_| Error::NotFound)?;
            let r = liaison_store::regions::get(&app.db, &region).await?.ok_or(Error::NotFound)?;
            let items = month_days(app, None, &region, from, to).await?.into_iter().map(item_of_day).collect();
            let name = format!("{}代表联络站接待日", r.name);
            Ok((name.clone(), render(&name, items)?))
        }
        Feed::Deputy(slug) => {
            let (d, duties, _, _) = super::roster::deputy_duties(app, &slug, from, to).await?;
            let items = duties
                .into_iter()
                .map(|v| Item {
                    uid: format!("duty-{}@liaison", v.assignment_id),
                    date: v.date,
                    summary: format!("接待日值班：{}", v.station_name.as_deref().unwrap_or(&v.title)),
                    description: format!("{}，{}–{}，地点：{}", v.title, v.start_time, v.end_time, v.place),
                    place: v.place,
                    start: v.start_time,
                    end: v.end_time,
                })
                .collect();
            let name = format!("{}代表的接待日值班", d.data.name);
            Ok((name.clone(), render(&name, items)?))
        }
    }
}

fn item_of_day(d: super::Day) -> Item {
    let names: Vec<&str> = d.duty.iter().map(|x| x.name.as_str()).collect();
    let mut description = String::new();
    if !names.is_empty() {
        description.push_str(&format!("轮值代表：{}\n", names.join("、")));
    }
    if !d.lunar.is_empty() {
        description.push_str(&format!("农历{}\n", d.lunar));
    }
    if let Some(m) = d.moved_from {
        description.push_str(&format!("原定 {m}，遇休息日顺延\n"));
    }
    let summary = match &d.station_name {
        Some(s) => format!("{}：{s}", d.title),
        None => d.title.clone(),
    };
    Item {
        uid: format!("reception-{}-{}@liaison", d.schedule_id, d.date.format("%Y%m%d")),
        date: d.date,
        start: d.start_time,
        end: d.end_time,
        summary,
        place: d.place,
        description: description.trim_end().to_owned(),
    }
}
