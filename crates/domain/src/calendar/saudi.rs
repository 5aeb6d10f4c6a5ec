//! Saudi public holidays, computed from the Umm al-Qura calendar.
//!
//! The two Eids move through the Gregorian year, so a training provider would otherwise have
//! to look up and type their dates every year. These functions produce the dates for a Hijri
//! year and render them in the calendar file's `holidays = [...]` syntax, for an operator to
//! review and paste. The official announcement still wins: the government may announce a
//! holiday that starts earlier (often from the last days of Ramadan) or lasts longer, so the
//! output is a starting point, not an authority.

use icu_calendar::Date as HijriDate;
use icu_calendar::cal::{Hijri, Iso};
use jiff::civil::Date;

/// The first and last Hijri years covered by the Umm al-Qura tables shipped in `icu_calendar`.
/// Outside them the crate falls back to an arithmetic approximation, which may be a day or two
/// off the official calendar, so those years are refused rather than guessed.
pub const UMM_AL_QURA_YEARS: std::ops::RangeInclusive<i32> = 1300..=1600;

/// A public holiday: an inclusive range of Gregorian dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicHoliday {
    /// The Arabic name, as shown to staff.
    pub name_ar: &'static str,
    /// The English name, for logs and English-speaking staff.
    pub name_en: &'static str,
    /// The first day off.
    pub first: Date,
    /// The last day off (inclusive).
    pub last: Date,
}

impl PublicHoliday {
    /// The entry as written in a calendar file's `holidays` list: `"2026-09-23"` for one day
    /// or `"2026-03-20..2026-03-23"` for a range.
    pub fn toml_entry(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}..{}", self.first, self.last)
        }
    }
}

/// Why the holidays of a Hijri year could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolidayError {
    /// The year lies outside the Umm al-Qura tables.
    #[error(
        "Hijri year {year} is outside the Umm al-Qura tables ({}..={} AH); its dates would only be approximate",
        UMM_AL_QURA_YEARS.start(),
        UMM_AL_QURA_YEARS.end()
    )]
    YearOutOfRange { year: i32 },
    /// A date conversion failed; this indicates a bug rather than bad input.
    #[error("could not convert {what}: {reason}")]
    Conversion { what: String, reason: String },
}

/// The Saudi public holidays whose dates fall within the Umm al-Qura Hijri year `hijri_year`,
/// sorted by first date:
///
/// * Eid al-Fitr, 1–4 Shawwal. The government holiday often begins a day or two earlier, in
///   the last days of Ramadan, but that start is announced each year, so only the Eid days
///   themselves are listed.
/// * Eid al-Adha, 9 Dhu al-Hijjah (the Day of Arafah) to 13 Dhu al-Hijjah.
/// * Founding Day, 22 February (a holiday since 2022), and National Day, 23 September (a
///   holiday since 2005), for each Gregorian year that overlaps the Hijri year, when that
///   date falls within the Hijri year. Listing only the dates inside the year means that
///   consecutive Hijri years never list the same day twice.
pub fn saudi_public_holidays(hijri_year: i32) -> Result<Vec<PublicHoliday>, HolidayError> {
    if !UMM_AL_QURA_YEARS.contains(&hijri_year) {
        return Err(HolidayError::YearOutOfRange { year: hijri_year });
    }
    let year_first = gregorian(hijri_year, 1, 1)?;
    let last_month_length = hijri(hijri_year, 12, 1)?.days_in_month();
    let year_last = gregorian(hijri_year, 12, last_month_length)?;

    let mut holidays = vec![
        PublicHoliday {
            name_ar: "عيد الفطر",
            name_en: "Eid al-Fitr",
            first: gregorian(hijri_year, 10, 1)?,
            last: gregorian(hijri_year, 10, 4)?,
        },
        PublicHoliday {
            name_ar: "عيد الأضحى",
            name_en: "Eid al-Adha",
            first: gregorian(hijri_year, 12, 9)?,
            last: gregorian(hijri_year, 12, 13)?,
        },
    ];
    for year in year_first.year()..=year_last.year() {
        let fixed = [
            (2022, 2, 22, "يوم التأسيس", "Founding Day"),
            (2005, 9, 23, "اليوم الوطني", "National Day"),
        ];
        for (since, month, day, name_ar, name_en) in fixed {
            if year < since {
                continue;
            }
            let date = Date::new(year, month, day).map_err(|e| HolidayError::Conversion {
                what: format!("{year}-{month:02}-{day:02}"),
                reason: e.to_string(),
            })?;
            if (year_first..=year_last).contains(&date) {
                holidays.push(PublicHoliday {
                    name_ar,
                    name_en,
                    first: date,
                    last: date,
                });
            }
        }
    }
    holidays.sort_by_key(|h| h.first);
    Ok(holidays)
}

/// Renders holidays as the calendar file's line, for example
/// `holidays = ["2026-02-22", "2026-03-20..2026-03-23"]`.
pub fn holidays_toml_line(holidays: &[PublicHoliday]) -> String {
    let entries: Vec<String> = holidays
        .iter()
        .map(|h| format!("\"{}\"", h.toml_entry()))
        .collect();
    format!("holidays = [{}]", entries.join(", "))
}

fn hijri(
    year: i32,
    month: u8,
    day: u8,
) -> Result<HijriDate<Hijri<icu_calendar::cal::hijri::UmmAlQura>>, HolidayError> {
    HijriDate::try_new_hijri_with_calendar(year, month, day, Hijri::new_umm_al_qura()).map_err(
        |e| HolidayError::Conversion {
            what: format!("{day} / {month} / {year} AH"),
            reason: e.to_string(),
        },
    )
}

/// The Gregorian date of an Umm al-Qura Hijri date.
fn gregorian(year: i32, month: u8, day: u8) -> Result<Date, HolidayError> {
    let iso = hijri(year, month, day)?.to_calendar(Iso);
    let what = || format!("{day} / {month} / {year} AH");
    let conversion = |reason: String| HolidayError::Conversion {
        what: what(),
        reason,
    };
    let gregorian_year =
        i16::try_from(iso.year().extended_year()).map_err(|e| conversion(e.to_string()))?;
    let gregorian_month =
        i8::try_from(iso.month().ordinal).map_err(|e| conversion(e.to_string()))?;
    let gregorian_day =
        i8::try_from(iso.day_of_month().0).map_err(|e| conversion(e.to_string()))?;
    Date::new(gregorian_year, gregorian_month, gregorian_day).map_err(|e| conversion(e.to_string()))
}

/// A day of the Umm al-Qura calendar, as printed beside a Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HijriDay {
    pub year: i32,
    /// 1 (Muharram) to 12 (Dhu al-Hijjah).
    pub month: u8,
    pub day: u8,
}

/// The Umm al-Qura date of a Gregorian date, or `None` outside the calendar's tables (where
/// any date shown would be a guess).
pub fn hijri_day(date: Date) -> Option<HijriDay> {
    let iso = icu_calendar::Date::try_new_iso(
        i32::from(date.year()),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()?;
    let hijri = iso.to_calendar(Hijri::new_umm_al_qura());
    let year = hijri.year().extended_year();
    if !UMM_AL_QURA_YEARS.contains(&year) {
        return None;
    }
    Some(HijriDay {
        year,
        month: hijri.month().ordinal,
        day: hijri.day_of_month().0,
    })
}

#[cfg(test)]
mod hijri_day_tests {
    use super::*;

    #[test]
    fn gregorian_dates_map_to_their_umm_al_qura_days() {
        let cases = [
            // The dependency notes record 2026-11-22 as 12 Jumada al-Akhirah 1448.
            (jiff::civil::date(2026, 11, 22), (1448, 6, 12)),
            // Saudi National Day 2025 fell on 1 Rabi al-Akhir 1447.
            (jiff::civil::date(2025, 9, 23), (1447, 4, 1)),
        ];
        for (gregorian, (year, month, day)) in cases {
            assert_eq!(
                hijri_day(gregorian),
                Some(HijriDay { year, month, day }),
                "{gregorian}"
            );
        }
    }
}
