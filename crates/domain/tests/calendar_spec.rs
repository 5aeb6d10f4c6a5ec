//! The calendar file contract, duration expressions and Saudi public holidays.

use jiff::Timestamp;
use jiff::civil::date;
use sanad_domain::calendar::{
    CalendarSpec, CalendarsSpec, DurationError, DurationExpr, HolidayError, WorkingCalendar,
    holidays_toml_line, saudi_public_holidays,
};

/// The example from the published contract, verbatim. Its inline table spans two lines, which
/// TOML 1.1 allows and TOML 1.0 does not.
const CONTRACT_EXAMPLE: &str = r#"
[[calendars]]
name = "support"
timezone = "Asia/Riyadh"                 # any IANA zone; DST handled
hours = { sun = ["08:00-16:00"], mon = ["08:00-16:00"], tue = ["08:00-16:00"],
          wed = ["08:00-16:00"], thu = ["08:00-16:00"] }   # several windows a day allowed; "24:00" ends a day
holidays = ["2026-09-23", "2026-03-19..2026-03-24"]        # dates and inclusive ranges, local
extra = ["2026-11-21T18:00..2026-11-21T21:00"]             # extra working windows (local times), e.g. live course sessions
"#;

fn instant(text: &str) -> Timestamp {
    text.parse().expect("valid instant in test")
}

#[test]
fn the_contract_example_builds() {
    let file: CalendarsSpec = toml::from_str(CONTRACT_EXAMPLE).expect("contract example parses");
    let calendars = file.build().expect("contract example is valid");
    assert_eq!(calendars.len(), 1);
    let support = &calendars[0];
    assert_eq!(support.name(), "support");
    assert_eq!(support.time_zone().iana_name(), Some("Asia/Riyadh"));
    // Thursday 15:00 plus two working hours: one on Thursday, one in Saturday's extra window.
    let due = support
        .deadline(
            instant("2026-11-19T15:00:00+03:00"),
            &DurationExpr::WorkingHours(2),
        )
        .expect("deadline exists");
    assert_eq!(support.format_in_zone(due), "2026-11-21T19:00:00+03:00");
}

/// Builds a calendar from the body of one `[[calendars]]` table and returns the error text.
fn spec_error(body: &str) -> String {
    let text = format!("[[calendars]]\n{body}");
    let file: CalendarsSpec = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => return e.to_string(),
    };
    match file.build() {
        Ok(_) => panic!("expected this spec to be rejected:\n{body}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn broken_specs_are_rejected_with_precise_messages() {
    let base_hours = r#"hours = { sun = ["08:00-16:00"] }"#;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("name = \"  \"\ntimezone = \"Asia/Riyadh\"\n{base_hours}"),
            vec!["calendar name must not be empty"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyad\"\n{base_hours}"),
            vec![
                "calendar \"s\"",
                "timezone \"Asia/Riyad\" is not a known IANA time zone",
            ],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { mun = [\"08:00-16:00\"] }".into(),
            vec![
                "unknown day key \"mun\"",
                "expected one of sun, mon, tue, wed, thu, fri, sat",
            ],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { sun = [\"8-16\"] }".into(),
            vec![
                "hours.sun window \"8-16\" is invalid",
                "expected HH:MM-HH:MM",
            ],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { mon = [\"16:00-08:00\"] }".into(),
            vec![
                "hours.mon window \"16:00-08:00\"",
                "the end 08:00 is not after the start 16:00",
            ],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { tue = [\"08:00-25:00\"] }".into(),
            vec!["hours.tue window \"08:00-25:00\"", "expected HH:MM-HH:MM"],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { wed = [\"08:60-09:00\"] }".into(),
            vec!["hours.wed window \"08:60-09:00\"", "expected HH:MM-HH:MM"],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { wed = [\"24:00-24:00\"] }".into(),
            vec!["cannot start at 24:00"],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { thu = [\"08:00-12:00\", \"11:00-15:00\"] }".into(),
            vec!["hours.thu windows \"08:00-12:00\" and \"11:00-15:00\" overlap"],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { thu = [\"20:00-24:00\", \"08:00-09:00\", \"22:00-23:00\"] }".into(),
            vec!["windows \"20:00-24:00\" and \"22:00-23:00\" overlap"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nholidays = [\"2026-02-30\"]"),
            vec!["holidays entry \"2026-02-30\" is invalid", "not a calendar date"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nholidays = [\"23/09/2026\"]"),
            vec![
                "holidays entry \"23/09/2026\"",
                "expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD",
            ],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nholidays = [\"2026-03-24..2026-03-19\"]"),
            vec!["the range ends (2026-03-19) before it starts (2026-03-24)"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nextra = [\"2026-11-21T18:00\"]"),
            vec![
                "extra window \"2026-11-21T18:00\" is invalid",
                "expected YYYY-MM-DDTHH:MM..YYYY-MM-DDTHH:MM",
            ],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nextra = [\"2026-11-21T21:00..2026-11-21T18:00\"]"),
            vec!["the end 2026-11-21T18:00:00 is not after the start 2026-11-21T21:00:00"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nextra = [\"2026-11-21T25:00..2026-11-22T01:00\"]"),
            vec!["bad time of day \"25:00\""],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = { fri = [] }".into(),
            vec!["calendar \"s\" has no working time"],
        ),
        (
            "name = \"s\"\ntimezone = \"Asia/Riyadh\"".into(),
            vec!["has no working time"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\nholiday = [\"2026-09-23\"]"),
            vec!["unknown field `holiday`"],
        ),
        (
            format!("name = \"s\"\ntimezone = \"Asia/Riyadh\"\n{base_hours}\n[[calendars]]\nname = \"s\"\ntimezone = \"UTC\"\n{base_hours}"),
            vec!["calendar name \"s\" is defined more than once"],
        ),
    ];
    assert!(cases.len() >= 10);
    for (body, fragments) in cases {
        let message = spec_error(&body);
        for fragment in fragments {
            assert!(
                message.contains(fragment),
                "error for\n{body}\nwas {message:?}; expected it to contain {fragment:?}"
            );
        }
    }
}

#[test]
fn a_spec_can_be_built_directly() {
    let spec = CalendarSpec {
        name: "direct".into(),
        timezone: "UTC".into(),
        hours: [("sat".to_owned(), vec!["10:00-11:00".to_owned()])]
            .into_iter()
            .collect(),
        holidays: vec![],
        extra: vec![],
    };
    let calendar = WorkingCalendar::from_spec(&spec).expect("valid spec");
    // Saturday 2026-11-21 10:00–11:00 UTC.
    let due = calendar
        .deadline(
            instant("2026-11-20T12:00:00Z"),
            &DurationExpr::WorkingMinutes(30),
        )
        .expect("deadline exists");
    assert_eq!(calendar.format_in_zone(due), "2026-11-21T10:30:00+00:00");
}

#[test]
fn duration_expressions_parse() {
    let cases = [
        ("48 working hours", DurationExpr::WorkingHours(48)),
        ("  48   Working\tHOURS ", DurationExpr::WorkingHours(48)),
        ("1 working hour", DurationExpr::WorkingHours(1)),
        ("2 working hour", DurationExpr::WorkingHours(2)),
        ("30 working minutes", DurationExpr::WorkingMinutes(30)),
        ("1 working minute", DurationExpr::WorkingMinutes(1)),
        ("3 working days", DurationExpr::WorkingDays(3)),
        ("1 Working Day", DurationExpr::WorkingDays(1)),
        ("90 minutes", DurationExpr::CalendarMinutes(90)),
        ("1 minute", DurationExpr::CalendarMinutes(1)),
        ("0 hours", DurationExpr::CalendarHours(0)),
        ("2 days", DurationExpr::CalendarDays(2)),
        ("007 days", DurationExpr::CalendarDays(7)),
        ("same working day", DurationExpr::SameWorkingDay),
        ("SAME   working  DAY", DurationExpr::SameWorkingDay),
        (
            "4294967295 minutes",
            DurationExpr::CalendarMinutes(u32::MAX),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(DurationExpr::parse(text), Ok(expected), "{text:?}");
        assert_eq!(text.parse::<DurationExpr>(), Ok(expected), "{text:?}");
    }
}

#[test]
fn bad_duration_expressions_say_what_was_expected() {
    type IsKind = fn(&DurationError) -> bool;
    let cases: [(&str, IsKind, &str); 12] = [
        (
            "",
            |e| matches!(e, DurationError::Empty),
            "expected for example",
        ),
        (
            "   ",
            |e| matches!(e, DurationError::Empty),
            "empty duration",
        ),
        (
            "abc hours",
            |e| matches!(e, DurationError::ExpectedNumber { .. }),
            "whole number",
        ),
        (
            "-1 hours",
            |e| matches!(e, DurationError::ExpectedNumber { .. }),
            "non-negative",
        ),
        (
            "1.5 hours",
            |e| matches!(e, DurationError::ExpectedNumber { .. }),
            "found \"1.5\"",
        ),
        (
            "4294967296 minutes",
            |e| matches!(e, DurationError::NumberTooLarge { .. }),
            "too large",
        ),
        (
            "4 weeks",
            |e| matches!(e, DurationError::ExpectedUnit { .. }),
            "found \"weeks\"",
        ),
        (
            "4",
            |e| matches!(e, DurationError::ExpectedUnit { .. }),
            "expected a unit after 4",
        ),
        (
            "4 working",
            |e| matches!(e, DurationError::ExpectedUnit { .. }),
            "working hours",
        ),
        (
            "same day",
            |e| matches!(e, DurationError::ExpectedSameWorkingDay { .. }),
            "expected \"same working day\"",
        ),
        (
            "4 hours please",
            |e| matches!(e, DurationError::TrailingInput { .. }),
            "\"please\" after \"4 hours\"",
        ),
        (
            "48hours",
            |e| matches!(e, DurationError::ExpectedNumber { .. }),
            "found \"48hours\"",
        ),
    ];
    for (text, kind, fragment) in cases {
        let error = DurationExpr::parse(text).expect_err(text);
        assert!(kind(&error), "{text:?} gave {error:?}");
        assert!(
            error.to_string().contains(fragment),
            "{text:?}: {error} should contain {fragment:?}"
        );
    }
}

#[test]
fn duration_display_round_trips() {
    for n in [0, 1, 2, 48, u32::MAX] {
        for expr in [
            DurationExpr::CalendarMinutes(n),
            DurationExpr::CalendarHours(n),
            DurationExpr::CalendarDays(n),
            DurationExpr::WorkingMinutes(n),
            DurationExpr::WorkingHours(n),
            DurationExpr::WorkingDays(n),
            DurationExpr::SameWorkingDay,
        ] {
            let text = expr.to_string();
            assert_eq!(DurationExpr::parse(&text), Ok(expr), "{text:?}");
        }
    }
    assert_eq!(DurationExpr::WorkingHours(1).to_string(), "1 working hour");
    assert_eq!(
        DurationExpr::WorkingHours(48).to_string(),
        "48 working hours"
    );
    assert_eq!(DurationExpr::CalendarDays(0).to_string(), "0 days");
    assert_eq!(DurationExpr::SameWorkingDay.to_string(), "same working day");
    let json = serde_json::to_string(&DurationExpr::WorkingDays(3)).expect("serialises");
    assert_eq!(json, "\"3 working days\"");
    let back: DurationExpr = serde_json::from_str("\"3 Working Days\"").expect("deserialises");
    assert_eq!(back, DurationExpr::WorkingDays(3));
    assert!(serde_json::from_str::<DurationExpr>("\"3 fortnights\"").is_err());
}

/// The crate's Umm al-Qura tables are the authority here; these assertions record what they
/// say, and they agree with the published Umm al-Qura calendar.
#[test]
fn umm_al_qura_conversions_match_known_dates() {
    use icu_calendar::Date as IcuDate;
    use icu_calendar::cal::{Hijri, Iso};
    let gregorian = |y, m, d| {
        let iso = IcuDate::try_new_hijri_with_calendar(y, m, d, Hijri::new_umm_al_qura())
            .expect("valid Hijri date")
            .to_calendar(Iso);
        (
            iso.year().extended_year(),
            iso.month().ordinal,
            iso.day_of_month().0,
        )
    };
    // 1 Shawwal 1447 (Eid al-Fitr).
    assert_eq!(gregorian(1447, 10, 1), (2026, 3, 20));
    // 12 Jumada al-Akhirah 1448.
    assert_eq!(gregorian(1448, 6, 12), (2026, 11, 22));
    // The bounds of 1447, which decide which fixed-date holidays belong to it.
    assert_eq!(gregorian(1447, 1, 1), (2025, 6, 26));
    assert_eq!(gregorian(1448, 1, 1), (2026, 6, 16));
}

#[test]
fn saudi_holidays_of_1447() {
    let holidays = saudi_public_holidays(1447).expect("1447 is covered");
    let listed: Vec<(&str, String)> = holidays
        .iter()
        .map(|h| (h.name_en, h.toml_entry()))
        .collect();
    // 1 Muharram 1447 is 2025-06-26 and 1 Muharram 1448 is 2026-06-16, so the year holds
    // National Day 2025 and Founding Day 2026 but not National Day 2026.
    assert_eq!(
        listed,
        vec![
            ("National Day", "2025-09-23".to_owned()),
            ("Founding Day", "2026-02-22".to_owned()),
            ("Eid al-Fitr", "2026-03-20..2026-03-23".to_owned()),
            ("Eid al-Adha", "2026-05-26..2026-05-30".to_owned()),
        ]
    );
    assert_eq!(holidays[2].name_ar, "عيد الفطر");
    assert_eq!(holidays[2].first, date(2026, 3, 20));
    assert_eq!(
        holidays_toml_line(&holidays),
        r#"holidays = ["2025-09-23", "2026-02-22", "2026-03-20..2026-03-23", "2026-05-26..2026-05-30"]"#
    );
}

#[test]
fn rendered_holidays_are_a_valid_calendar_line() {
    let line = holidays_toml_line(&saudi_public_holidays(1447).expect("1447 is covered"));
    let text = format!(
        "[[calendars]]\nname = \"s\"\ntimezone = \"Asia/Riyadh\"\nhours = {{ sun = [\"08:00-16:00\"], mon = [\"08:00-16:00\"], tue = [\"08:00-16:00\"], wed = [\"08:00-16:00\"], thu = [\"08:00-16:00\"] }}\n{line}\n"
    );
    let file: CalendarsSpec = toml::from_str(&text).expect("rendered line parses");
    let calendar = file.build().expect("rendered line is valid").remove(0);
    // Thursday 2026-03-19 15:00 plus two working hours: Eid runs Friday to Monday, so the
    // second hour falls on Tuesday 2026-03-24.
    let due = calendar
        .deadline(
            instant("2026-03-19T15:00:00+03:00"),
            &DurationExpr::WorkingHours(2),
        )
        .expect("deadline exists");
    assert_eq!(calendar.format_in_zone(due), "2026-03-24T09:00:00+03:00");
}

#[test]
fn consecutive_hijri_years_never_repeat_a_holiday() {
    let mut all = Vec::new();
    for year in 1440..=1460 {
        all.extend(saudi_public_holidays(year).expect("covered year"));
    }
    let mut firsts: Vec<_> = all.iter().map(|h| h.first).collect();
    let count = firsts.len();
    firsts.sort();
    firsts.dedup();
    assert_eq!(firsts.len(), count, "a holiday was listed twice");
    // Founding Day is listed only from 2022, when it became a holiday.
    assert!(
        all.iter()
            .filter(|h| h.name_en == "Founding Day")
            .all(|h| h.first.year() >= 2022)
    );
    assert!(all.iter().any(|h| h.first == date(2022, 2, 22)));
}

#[test]
fn years_outside_the_tables_are_refused() {
    for year in [1299, 1601, -5, i32::MAX] {
        assert_eq!(
            saudi_public_holidays(year),
            Err(HolidayError::YearOutOfRange { year })
        );
    }
    assert!(saudi_public_holidays(1300).is_ok());
    assert!(saudi_public_holidays(1600).is_ok());
}
