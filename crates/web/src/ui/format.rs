//! How times, deadlines and durations read on a page: in the organization's zone, the
//! Gregorian date with the Umm al-Qura date beside it, and durations in words with the right
//! plural forms.

use super::i18n::{Lang, Tr};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sanad_domain::calendar::{DurationExpr, hijri_day};

/// A moment as a page shows it.
#[derive(Debug, Clone)]
pub struct ShownTime {
    /// `2026-11-22T10:30:00Z`, for `<time datetime>` and the countdown script.
    pub machine: String,
    /// `22 نوفمبر 2026، 10:30 ص` or `22 November 2026, 10:30`.
    pub gregorian: String,
    /// `12 جمادى الآخرة 1448 هـ`, or empty outside the Umm al-Qura tables.
    pub hijri: String,
}

pub fn shown_time(at: Timestamp, zone: &TimeZone, tr: &Tr) -> ShownTime {
    let local = at.to_zoned(zone.clone());
    let date = local.date();
    let month = tr.t(&format!("month-{}", date.month()));
    let clock = match tr.lang {
        Lang::Ar => {
            let (hour, half) = match local.hour() {
                0 => (12, "ص"),
                hour @ 1..=11 => (hour, "ص"),
                12 => (12, "م"),
                hour => (hour - 12, "م"),
            };
            format!("{hour}:{:02} {half}", local.minute())
        }
        Lang::En => format!("{:02}:{:02}", local.hour(), local.minute()),
    };
    let gregorian = match tr.lang {
        Lang::Ar => format!("{} {month} {}، {clock}", date.day(), date.year()),
        Lang::En => format!("{} {month} {}, {clock}", date.day(), date.year()),
    };
    let hijri = hijri_day(date)
        .map(|day| {
            let month = tr.t(&format!("hijri-month-{}", day.month));
            match tr.lang {
                Lang::Ar => format!("{} {month} {} هـ", day.day, day.year),
                Lang::En => format!("{} {month} {} AH", day.day, day.year),
            }
        })
        .unwrap_or_default();
    ShownTime {
        machine: at.to_string(),
        gregorian,
        hijri,
    }
}

/// A short date without the time, for lists.
pub fn short_date(at: Timestamp, zone: &TimeZone) -> String {
    let local = at.to_zoned(zone.clone());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// A policy duration after "within": `خلال 24 ساعة عمل`, `within 3 working days`.
pub fn within_words(duration: &DurationExpr, tr: &Tr) -> String {
    sanad_domain::policy::within_phrase(duration, policy_lang(tr.lang))
}

pub fn policy_lang(lang: Lang) -> sanad_domain::policy::Lang {
    match lang {
        Lang::Ar => sanad_domain::policy::Lang::Ar,
        Lang::En => sanad_domain::policy::Lang::En,
    }
}

/// The time left until (or past) a deadline in the largest sensible unit, for queue rows and
/// the first render of a countdown (the script then keeps it current).
pub fn time_left(now: Timestamp, deadline: Timestamp, tr: &Tr) -> String {
    let seconds = deadline.as_second() - now.as_second();
    let magnitude = seconds.abs();
    let text = if magnitude >= 86_400 {
        tr.n("left-days", magnitude / 86_400)
    } else if magnitude >= 3_600 {
        tr.n("left-hours", magnitude / 3_600)
    } else {
        tr.n("left-minutes", (magnitude / 60).max(1))
    };
    if seconds >= 0 {
        tr.t1("left-remaining", "span", &text)
    } else {
        tr.t1("left-overdue", "span", &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riyadh() -> TimeZone {
        TimeZone::get("Asia/Riyadh").unwrap()
    }

    #[test]
    fn times_show_in_the_organization_zone_with_the_hijri_date() {
        let at: Timestamp = "2026-11-22T07:30:00Z".parse().unwrap();
        let arabic = shown_time(at, &riyadh(), &Tr::new(Lang::Ar));
        assert_eq!(arabic.gregorian, "22 نوفمبر 2026، 10:30 ص");
        assert_eq!(arabic.hijri, "12 جمادى الآخرة 1448 هـ");
        let english = shown_time(at, &riyadh(), &Tr::new(Lang::En));
        assert_eq!(english.gregorian, "22 November 2026, 10:30");
        assert_eq!(english.hijri, "12 Jumada al-Akhirah 1448 AH");
        let evening: Timestamp = "2026-11-22T19:05:00Z".parse().unwrap();
        assert_eq!(
            shown_time(evening, &riyadh(), &Tr::new(Lang::Ar)).gregorian,
            "22 نوفمبر 2026، 10:05 م"
        );
    }

    #[test]
    fn time_left_uses_the_largest_unit() {
        let now: Timestamp = "2026-11-22T07:00:00Z".parse().unwrap();
        let english = Tr::new(Lang::En);
        let cases = [
            ("2026-11-22T09:30:00Z", "2 hours left"),
            ("2026-11-24T07:00:00Z", "2 days left"),
            ("2026-11-22T06:15:00Z", "45 minutes overdue"),
        ];
        for (deadline, expected) in cases {
            assert_eq!(
                time_left(now, deadline.parse().unwrap(), &english),
                expected
            );
        }
    }
}
