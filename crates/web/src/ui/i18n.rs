//! The pages' languages. Every string a person reads comes from `locales/<lang>/main.ftl`, so a
//! translator edits text files and never Rust or HTML; Fluent picks the Arabic plural forms
//! (zero, one, two, few, many, other) from the number.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ar",
        // Fluent wraps every interpolated value in Unicode isolation marks by default; the
        // templates isolate values where the direction can differ (`<bdi>`), and stray marks
        // would end up inside copied ticket numbers.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ARABIC: LanguageIdentifier = langid!("ar");
static ENGLISH: LanguageIdentifier = langid!("en");

/// A language the pages are written in. Arabic comes first: it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ar,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }

    /// The other language, offered by the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ar => Lang::En,
            Lang::En => Lang::Ar,
        }
    }

    fn identifier(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Ar => &ARABIC,
            Lang::En => &ENGLISH,
        }
    }

    /// Picks the Arabic or English of a pair of stored names.
    pub fn pick<'a>(self, arabic: &'a str, english: &'a str) -> &'a str {
        match self {
            Lang::Ar => arabic,
            Lang::En if english.is_empty() => arabic,
            Lang::En => english,
        }
    }
}

/// A number that chooses a plural form; templates pass their fields by reference.
pub trait Count {
    fn count(&self) -> i64;
}

impl Count for i64 {
    fn count(&self) -> i64 {
        *self
    }
}

impl Count for i32 {
    fn count(&self) -> i64 {
        i64::from(*self)
    }
}

impl Count for u32 {
    fn count(&self) -> i64 {
        i64::from(*self)
    }
}

impl Count for usize {
    fn count(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: Count> Count for &T {
    fn count(&self) -> i64 {
        (**self).count()
    }
}

/// Looks strings up in one language. Templates hold one and call `t`, `t1` or `n`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// A message without arguments.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.lang.identifier(), key)
    }

    /// A message with one text argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        let mut arguments: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        arguments.insert(
            Cow::Owned(name.to_owned()),
            FluentValue::from(value.to_owned()),
        );
        LOCALES.lookup_with_args(self.lang.identifier(), key, &arguments)
    }

    /// A message with a `$count` argument, so that Fluent chooses the plural form.
    pub fn n(&self, key: &str, count: impl Count) -> String {
        let count = count.count();
        let mut arguments: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        arguments.insert(Cow::Borrowed("count"), FluentValue::from(count));
        LOCALES.lookup_with_args(self.lang.identifier(), key, &arguments)
    }

    /// A message with `$count` and one more text argument.
    pub fn n1(&self, key: &str, count: impl Count, name: &str, value: &str) -> String {
        let count = count.count();
        let mut arguments: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        arguments.insert(Cow::Borrowed("count"), FluentValue::from(count));
        arguments.insert(
            Cow::Owned(name.to_owned()),
            FluentValue::from(value.to_owned()),
        );
        LOCALES.lookup_with_args(self.lang.identifier(), key, &arguments)
    }

    /// "field: before → after", worded per language (an arrow would point the wrong way in
    /// right-to-left text).
    pub fn change(&self, field: &str, before: &str, after: &str) -> String {
        let mut arguments: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        arguments.insert(Cow::Borrowed("field"), FluentValue::from(field.to_owned()));
        arguments.insert(
            Cow::Borrowed("before"),
            FluentValue::from(before.to_owned()),
        );
        arguments.insert(Cow::Borrowed("after"), FluentValue::from(after.to_owned()));
        LOCALES.lookup_with_args(self.lang.identifier(), "event-change", &arguments)
    }

    /// The display name of a value of one of the domain's string enumerations, from the
    /// message `<prefix>-<value>` (e.g. `status-in_progress`).
    pub fn value(&self, prefix: &str, value: &str) -> String {
        self.t(&format!("{prefix}-{value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_plural_forms_follow_the_number() {
        let arabic = Tr::new(Lang::Ar);
        let cases = [
            (1, "ساعة واحدة"),
            (2, "ساعتان"),
            (3, "3 ساعات"),
            (10, "10 ساعات"),
            (11, "11 ساعة"),
            (24, "24 ساعة"),
            (100, "100 ساعة"),
        ];
        for (count, expected) in cases {
            assert_eq!(arabic.n("left-hours", count), expected, "{count}");
        }
        let english = Tr::new(Lang::En);
        assert_eq!(english.n("left-hours", 1), "1 hour");
        assert_eq!(english.n("left-hours", 24), "24 hours");
    }

    /// Every message of one language exists in the other, so no page shows a raw key.
    #[test]
    fn both_languages_define_the_same_messages() {
        let keys = |lang: &str| -> std::collections::BTreeSet<String> {
            let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            let mut text = String::new();
            for entry in std::fs::read_dir(directory).unwrap() {
                text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
                text.push('\n');
            }
            text.lines()
                .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .filter_map(|line| line.split_once('=').map(|(key, _)| key.trim().to_owned()))
                .collect()
        };
        let arabic = keys("ar");
        let english = keys("en");
        let only_arabic: Vec<_> = arabic.difference(&english).collect();
        let only_english: Vec<_> = english.difference(&arabic).collect();
        assert!(
            only_arabic.is_empty(),
            "missing in English: {only_arabic:?}"
        );
        assert!(
            only_english.is_empty(),
            "missing in Arabic: {only_english:?}"
        );
    }
}
