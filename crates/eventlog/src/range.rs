//! Date filters: the dashboard's presets and custom ranges, resolved in the
//! viewer's time zone.
//!
//! Pure functions of (filter, time zone, now), so every edge (month and year
//! boundaries, DST switches) is tested without a clock. A resolved range is a
//! half-open interval of instants: `start <= t < end`.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A named date range from the dashboard's menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// From the start of today until the start of tomorrow.
    Today,
    /// The whole of yesterday.
    Yesterday,
    /// The 7 calendar days ending today, today included.
    Last7Days,
    /// The 14 calendar days ending today, today included.
    Last14Days,
    /// The 30 calendar days ending today, today included.
    Last30Days,
    /// From the first of this month until the first of next month.
    ThisMonth,
    /// The whole of the previous calendar month.
    LastMonth,
}

impl Preset {
    /// Every preset with its wire name, in menu order.
    pub const ALL: [(&'static str, Preset); 7] = [
        ("today", Preset::Today),
        ("yesterday", Preset::Yesterday),
        ("last_7_days", Preset::Last7Days),
        ("last_14_days", Preset::Last14Days),
        ("last_30_days", Preset::Last30Days),
        ("this_month", Preset::ThisMonth),
        ("last_month", Preset::LastMonth),
    ];

    /// Parses a wire name such as `last_7_days`.
    pub fn parse(name: &str) -> Result<Preset, RangeError> {
        Preset::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                RangeError(format!(
                    "range \"{name}\" is not one of today, yesterday, last_7_days, last_14_days, last_30_days, this_month, last_month"
                ))
            })
    }
}

/// A half-open interval of instants, `start <= t < end`. Either end may be
/// open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// The first instant included, if bounded.
    pub start: Option<Timestamp>,
    /// The first instant no longer included, if bounded.
    pub end: Option<Timestamp>,
}

impl Span {
    /// Whether an instant falls inside.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t < e)
    }
}

/// Why a date filter cannot be used. The message names the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeError(pub String);

impl std::fmt::Display for RangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Looks up an IANA time zone name such as `Africa/Lagos` in the bundled
/// tz database (so results do not depend on the host's zoneinfo files).
pub fn time_zone(name: &str) -> Result<TimeZone, RangeError> {
    TimeZone::get(name)
        .map_err(|_| RangeError(format!("tz \"{name}\" is not an IANA time zone name")))
}

fn start_of(date: Date, tz: &TimeZone) -> Result<Timestamp, RangeError> {
    // A day that starts in a DST gap starts at the first instant that exists
    // (jiff's "compatible" disambiguation), which is what a calendar shows.
    date.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| RangeError(format!("date {date} cannot be placed in time: {e}")))
}

fn days_back(date: Date, n: i64) -> Result<Date, RangeError> {
    date.checked_sub(n.days())
        .map_err(|e| RangeError(format!("date out of range: {e}")))
}

fn month_shift(date: Date, months: i64) -> Result<Date, RangeError> {
    date.checked_add(months.months())
        .map_err(|e| RangeError(format!("date out of range: {e}")))
}

/// Resolves a preset for a viewer in `tz` at the instant `now`.
pub fn resolve(preset: Preset, tz: &TimeZone, now: Timestamp) -> Result<Span, RangeError> {
    let today = now.to_zoned_datetime(tz.clone()).date();
    let tomorrow = days_back(today, -1)?;
    let (first, end) = match preset {
        Preset::Today => (today, tomorrow),
        Preset::Yesterday => (days_back(today, 1)?, today),
        Preset::Last7Days => (days_back(today, 6)?, tomorrow),
        Preset::Last14Days => (days_back(today, 13)?, tomorrow),
        Preset::Last30Days => (days_back(today, 29)?, tomorrow),
        Preset::ThisMonth => {
            let first = today.first_of_month();
            (first, month_shift(first, 1)?)
        }
        Preset::LastMonth => {
            let first = today.first_of_month();
            (month_shift(first, -1)?, first)
        }
    };
    Ok(Span {
        start: Some(start_of(first, tz)?),
        end: Some(start_of(end, tz)?),
    })
}

/// Which end of a custom range a value is for: a plain date means the start
/// of that day for `from`, and the end of that day for `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Inclusive lower bound.
    From,
    /// Exclusive upper bound (a plain date includes its whole day).
    To,
}

/// Parses one end of a custom range. Accepted forms:
/// - an instant with offset: `2026-11-27T01:20:54.123Z`, `2026-11-27T02:20:54+01:00`;
/// - a civil date-time, read in `tz`: `2026-11-27T10:00` or `2026-11-27T10:00:00`;
/// - a plain date, read in `tz`: `2026-11-27` (for `to`, the whole day is included).
pub fn parse_bound(
    param: &str,
    value: &str,
    bound: Bound,
    tz: &TimeZone,
) -> Result<Timestamp, RangeError> {
    let bad = || {
        RangeError(format!(
            "{param} \"{value}\" is not ISO-8601: use 2026-11-27, 2026-11-27T10:00 or 2026-11-27T10:00:00Z"
        ))
    };
    if value.len() == 10 && !value.contains('T') {
        let date: Date = value.parse().map_err(|_| bad())?;
        return match bound {
            Bound::From => start_of(date, tz),
            Bound::To => start_of(days_back(date, -1)?, tz),
        };
    }
    if let Ok(t) = value.parse::<Timestamp>() {
        return Ok(t);
    }
    let dt: DateTime = value.parse().map_err(|_| bad())?;
    dt.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|_| bad())
}

/// Resolves a custom range from optional `from` and `to` values.
pub fn custom(from: Option<&str>, to: Option<&str>, tz: &TimeZone) -> Result<Span, RangeError> {
    let start = from
        .map(|v| parse_bound("from", v, Bound::From, tz))
        .transpose()?;
    let end = to
        .map(|v| parse_bound("to", v, Bound::To, tz))
        .transpose()?;
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            return Err(RangeError(format!("from ({s}) must be before to ({e})")));
        }
    }
    Ok(Span { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn span(preset: &str, tz: &str, now: &str) -> (String, String) {
        let tz = time_zone(tz).unwrap();
        let s = resolve(Preset::parse(preset).unwrap(), &tz, ts(now)).unwrap();
        (s.start.unwrap().to_string(), s.end.unwrap().to_string())
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn today_and_yesterday_in_utc() {
        assert_eq!(
            span("today", "UTC", "2026-11-27T01:20:54.123Z"),
            pair("2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z")
        );
        assert_eq!(
            span("yesterday", "UTC", "2026-11-27T01:20:54.123Z"),
            pair("2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z")
        );
    }

    #[test]
    fn last_n_days_include_today() {
        let now = "2026-11-27T12:00:00Z";
        assert_eq!(
            span("last_7_days", "UTC", now),
            pair("2026-11-21T00:00:00Z", "2026-11-28T00:00:00Z")
        );
        assert_eq!(
            span("last_14_days", "UTC", now),
            pair("2026-11-14T00:00:00Z", "2026-11-28T00:00:00Z")
        );
        assert_eq!(
            span("last_30_days", "UTC", now),
            pair("2026-10-29T00:00:00Z", "2026-11-28T00:00:00Z")
        );
    }

    #[test]
    fn year_boundary() {
        // Just after midnight on New Year's Day.
        let now = "2027-01-01T00:00:00.001Z";
        assert_eq!(
            span("yesterday", "UTC", now),
            pair("2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z")
        );
        assert_eq!(
            span("last_7_days", "UTC", now),
            pair("2026-12-26T00:00:00Z", "2027-01-02T00:00:00Z")
        );
        assert_eq!(
            span("this_month", "UTC", now),
            pair("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z")
        );
        assert_eq!(
            span("last_month", "UTC", now),
            pair("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")
        );
        // The last millisecond of the year is still in December.
        assert_eq!(
            span("this_month", "UTC", "2026-12-31T23:59:59.999Z"),
            pair("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")
        );
    }

    #[test]
    fn month_boundaries_and_first_day_for_last_month() {
        // On the first of a month, last month is the whole previous month,
        // not a 30-day window and not empty.
        assert_eq!(
            span("last_month", "UTC", "2026-03-01T00:00:00Z"),
            pair("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")
        );
        // Leap February.
        assert_eq!(
            span("last_month", "UTC", "2028-03-01T08:00:00Z"),
            pair("2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z")
        );
        // On the 31st, last month (30 days long) still starts on its 1st.
        assert_eq!(
            span("last_month", "UTC", "2026-05-31T23:00:00Z"),
            pair("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
        );
        // On the first day, yesterday is the last day of the previous month.
        assert_eq!(
            span("yesterday", "UTC", "2026-03-01T10:00:00Z"),
            pair("2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z")
        );
        assert_eq!(
            span("this_month", "UTC", "2026-02-28T10:00:00Z"),
            pair("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")
        );
        // Last 30 days across a month end.
        assert_eq!(
            span("last_30_days", "UTC", "2026-03-05T10:00:00Z"),
            pair("2026-02-04T00:00:00Z", "2026-03-06T00:00:00Z")
        );
    }

    #[test]
    fn the_viewers_date_not_utcs() {
        // 23:30 UTC on the 31st is already the 1st in Lagos (UTC+1).
        let now = "2026-10-31T23:30:00Z";
        assert_eq!(
            span("today", "Africa/Lagos", now),
            pair("2026-10-31T23:00:00Z", "2026-11-01T23:00:00Z")
        );
        assert_eq!(
            span("last_month", "Africa/Lagos", now),
            pair("2026-09-30T23:00:00Z", "2026-10-31T23:00:00Z")
        );
        // ...while in UTC it is still October.
        assert_eq!(
            span("this_month", "UTC", now),
            pair("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
        );
    }

    #[test]
    fn lagos_year_boundary() {
        // 23:00 UTC on Dec 31 is midnight of Jan 1 in Lagos.
        assert_eq!(
            span("yesterday", "Africa/Lagos", "2026-12-31T23:00:00Z"),
            pair("2026-12-30T23:00:00Z", "2026-12-31T23:00:00Z")
        );
        assert_eq!(
            span("last_month", "Africa/Lagos", "2026-12-31T23:00:00Z"),
            pair("2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z")
        );
        // One millisecond earlier it is still December there.
        assert_eq!(
            span("this_month", "Africa/Lagos", "2026-12-31T22:59:59.999Z"),
            pair("2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z")
        );
    }

    #[test]
    fn new_york_spring_forward() {
        // DST starts 2026-03-08 at 02:00 EST (-05:00) → 03:00 EDT (-04:00):
        // that day is 23 hours long.
        let now = "2026-03-08T15:00:00Z";
        assert_eq!(
            span("today", "America/New_York", now),
            pair("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z")
        );
        assert_eq!(
            span("yesterday", "America/New_York", now),
            pair("2026-03-07T05:00:00Z", "2026-03-08T05:00:00Z")
        );
        // Seven calendar days, not 7 × 24 hours: 167 hours in all.
        assert_eq!(
            span("last_7_days", "America/New_York", now),
            pair("2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z")
        );
        assert_eq!(
            span("this_month", "America/New_York", now),
            pair("2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z")
        );
    }

    #[test]
    fn new_york_fall_back() {
        // DST ends 2026-11-01 at 02:00 EDT → 01:00 EST: a 25-hour day.
        let now = "2026-11-01T06:30:00Z"; // 01:30 EST, the second 01:30
        assert_eq!(
            span("today", "America/New_York", now),
            pair("2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z")
        );
        assert_eq!(
            span("last_month", "America/New_York", now),
            pair("2026-10-01T04:00:00Z", "2026-11-01T04:00:00Z")
        );
        // Just before local midnight on Oct 31 (04:00 UTC is midnight EDT).
        assert_eq!(
            span("today", "America/New_York", "2026-11-01T03:59:59.999Z"),
            pair("2026-10-31T04:00:00Z", "2026-11-01T04:00:00Z")
        );
    }

    #[test]
    fn day_starting_in_a_dst_gap_starts_when_the_clock_resumes() {
        // Havana springs forward at midnight: 2026-03-08 00:00 does not exist
        // and the day starts at 01:00 CDT (-04:00).
        assert_eq!(
            span("today", "America/Havana", "2026-03-08T12:00:00Z"),
            pair("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z")
        );
    }

    #[test]
    fn custom_ranges() {
        let lagos = time_zone("Africa/Lagos").unwrap();
        // Plain dates: `to` includes its whole day.
        let s = custom(Some("2026-11-01"), Some("2026-11-02"), &lagos).unwrap();
        assert_eq!(s.start, Some(ts("2026-10-31T23:00:00Z")));
        assert_eq!(s.end, Some(ts("2026-11-02T23:00:00Z")));
        // Instants are taken as they are.
        let s = custom(Some("2026-11-01T10:00:00Z"), None, &lagos).unwrap();
        assert_eq!(s.start, Some(ts("2026-11-01T10:00:00Z")));
        assert_eq!(s.end, None);
        // Civil date-times are read in the viewer's zone.
        let s = custom(None, Some("2026-11-01T10:00"), &lagos).unwrap();
        assert_eq!(s.end, Some(ts("2026-11-01T09:00:00Z")));
        // The same plain date is a single day.
        assert!(custom(Some("2026-11-01"), Some("2026-11-01"), &lagos).is_ok());
    }

    #[test]
    fn custom_range_errors_name_the_parameter() {
        let utc = time_zone("UTC").unwrap();
        let e = custom(Some("yesterday-ish"), None, &utc).unwrap_err();
        assert!(e.0.starts_with("from \"yesterday-ish\""), "{e}");
        let e = custom(None, Some("2026-13-01"), &utc).unwrap_err();
        assert!(e.0.starts_with("to \"2026-13-01\""), "{e}");
        let e = custom(Some("2026-11-02"), Some("2026-11-01"), &utc).unwrap_err();
        assert!(e.0.contains("must be before"), "{e}");
        let e = time_zone("Mars/Olympus").unwrap_err();
        assert!(e.0.contains("Mars/Olympus"), "{e}");
        let e = Preset::parse("last_8_days").unwrap_err();
        assert!(e.0.contains("last_8_days"), "{e}");
    }

    #[test]
    fn span_contains_is_half_open() {
        let s = Span {
            start: Some(ts("2026-11-01T00:00:00Z")),
            end: Some(ts("2026-11-02T00:00:00Z")),
        };
        assert!(s.contains(ts("2026-11-01T00:00:00Z")));
        assert!(s.contains(ts("2026-11-01T23:59:59.999Z")));
        assert!(!s.contains(ts("2026-11-02T00:00:00Z")));
        assert!(Span::default().contains(ts("1999-01-01T00:00:00Z")));
    }
}
