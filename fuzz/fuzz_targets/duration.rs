//! Any UTF-8 text as a duration expression (`48 working hours`, `same working day`): the
//! parser must accept it or say why, never panic, and an accepted expression must print in
//! its canonical spelling and read back to the same value, because policies are stored and
//! shown as that text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanad_domain::calendar::DurationExpr;
use sanad_domain::policy::{Lang, duration_phrase};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match DurationExpr::parse(text) {
        Ok(expr) => {
            let canonical = expr.to_string();
            assert_eq!(DurationExpr::parse(&canonical), Ok(expr), "{canonical:?}");
            // The policy page spells every duration out in both languages.
            assert!(!duration_phrase(&expr, Lang::Ar).is_empty());
            assert!(!duration_phrase(&expr, Lang::En).is_empty());
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
