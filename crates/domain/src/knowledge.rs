//! The knowledge base's rules: article addresses, languages and statuses with the moves between
//! them, titles and Markdown bodies, category codes and names, readers' verdicts, what happened
//! to a suggestion, when two articles may be linked as translations, and the one Markdown link
//! the editors and agents insert.
//!
//! Like the rest of the domain, everything here is parsed once at the edge into a type that
//! cannot hold an invalid value, and nothing here reads the clock or does I/O.

use crate::text::TextError;
use thiserror::Error;

string_enum! {
    /// The language an article is written in. Arabic comes first: it is the default of every
    /// page, and the language most requesters read.
    pub enum ArticleLanguage: "article language" {
        Ar => "ar",
        En => "en",
    }
}

impl ArticleLanguage {
    /// The language of the article's translation (there are exactly two).
    pub fn other(self) -> ArticleLanguage {
        match self {
            ArticleLanguage::Ar => ArticleLanguage::En,
            ArticleLanguage::En => ArticleLanguage::Ar,
        }
    }
}

string_enum! {
    /// Where an article is in its life. Only published articles are shown to the public,
    /// suggested to requesters or linked in replies; drafts are being written; archived ones
    /// are kept for the record and hidden everywhere but the editors' list.
    pub enum ArticleStatus: "article status" {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
    }
}

/// A change of status an editor asks for, checked by [`ArticleStatus::check_transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// The article already has the status asked for; nothing changes.
    Unchanged,
    /// The article moves to the new status.
    Moves,
}

impl ArticleStatus {
    /// Whether an article may go from `self` to `to`. A draft is published or archived; a
    /// published article is taken back to draft (unpublished) or archived; an archived article
    /// comes back only as a draft, so that it is read again before the public sees it.
    pub fn check_transition(self, to: ArticleStatus) -> Result<StatusChange, KnowledgeError> {
        use ArticleStatus::*;
        match (self, to) {
            (from, to) if from == to => Ok(StatusChange::Unchanged),
            (Draft, Published)
            | (Draft, Archived)
            | (Published, Draft)
            | (Published, Archived)
            | (Archived, Draft) => Ok(StatusChange::Moves),
            (from, to) => Err(KnowledgeError::IllegalStatusChange { from, to }),
        }
    }

    /// The statuses an editor can move an article to from `self`, in the order the buttons
    /// are shown.
    pub fn next_statuses(self) -> &'static [ArticleStatus] {
        use ArticleStatus::*;
        match self {
            Draft => &[Published, Archived],
            Published => &[Draft, Archived],
            Archived => &[Draft],
        }
    }
}

string_enum! {
    /// A reader's answer to "was this helpful?".
    pub enum FeedbackVerdict: "feedback verdict" {
        Helpful => "helpful",
        NotHelpful => "not_helpful",
    }
}

string_enum! {
    /// What happened to an article suggested while a requester typed a ticket.
    pub enum SuggestionOutcome: "suggestion outcome" {
        /// It was listed beside the form.
        Shown => "shown",
        /// The requester opened it from the list.
        Opened => "opened",
        /// The requester said it answered them and they need not submit the ticket.
        Deflected => "deflected",
        /// The requester submitted the ticket anyway (recorded once per visit, no article).
        Submitted => "submitted",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KnowledgeError {
    #[error(
        "'{0}' is not a valid article address: use 3 to 80 lower-case latin letters, digits and single hyphens, starting and ending with a letter or digit"
    )]
    BadSlug(String),
    #[error("'{0}' is reserved for the help centre's own pages; choose another article address")]
    ReservedSlug(String),
    #[error(
        "'{0}' is not a valid category code: use 2 to 63 lower-case latin letters, digits and single hyphens, starting with a letter"
    )]
    BadCategoryCode(String),
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is {length} characters long; at most {max} are allowed")]
    TooLong {
        field: &'static str,
        length: usize,
        max: usize,
    },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("an article cannot go from {from} to {to}")]
    IllegalStatusChange {
        from: ArticleStatus,
        to: ArticleStatus,
    },
    #[error("an article cannot be its own translation")]
    SelfTranslation,
    #[error("a translation must be in the other language; both articles are in {0}")]
    SameLanguage(ArticleLanguage),
    #[error("article {0} is already linked to another translation; unlink it first")]
    AlreadyLinked(i64),
}

/// Slugs the help centre's own addresses use (`/o/<org>/kb/suggest`, `/kb/files/…`), which an
/// article can therefore never have.
pub const RESERVED_SLUGS: &[&str] = &["suggest", "files", "search", "new"];

/// An article's address in its organization's help centre, e.g. `reset-your-password`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ArticleSlug(String);

impl ArticleSlug {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, KnowledgeError> {
        let bytes = raw.as_bytes();
        let valid = (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&bytes.len())
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && !raw.contains("--")
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !valid {
            return Err(KnowledgeError::BadSlug(raw.to_owned()));
        }
        if RESERVED_SLUGS.contains(&raw) {
            return Err(KnowledgeError::ReservedSlug(raw.to_owned()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The address made from a title written in latin letters ("How to reset your password?"
    /// gives `how-to-reset-your-password`), or `None` when too little of the title is latin to
    /// make one (an Arabic title): Arabic is never transliterated, because no one spelling of
    /// it in latin letters is the one people would guess.
    pub fn from_title(title: &str) -> Option<ArticleSlug> {
        let mut slug = String::with_capacity(title.len());
        for character in title.chars() {
            if character.is_ascii_alphanumeric() {
                slug.push(character.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        if slug.len() > Self::MAX_CHARS {
            // Cut at a hyphen, so that no word is cut in half.
            let cut = slug[..Self::MAX_CHARS]
                .rfind('-')
                .unwrap_or(Self::MAX_CHARS);
            slug.truncate(cut);
        }
        let slug = slug.trim_matches('-');
        ArticleSlug::parse(slug).ok()
    }

    /// The address of the `number`th article when its title gives none: `article-7`.
    pub fn numbered(number: i64) -> ArticleSlug {
        ArticleSlug(format!("article-{}", number.max(1)))
    }

    /// The same address with `-2`, `-3`, … appended, for when the first choice is taken; the
    /// base is shortened if needed so the result stays within the limit.
    pub fn with_suffix(&self, suffix: u32) -> ArticleSlug {
        let tail = format!("-{suffix}");
        let room = Self::MAX_CHARS - tail.len();
        let mut base = self.0.clone();
        if base.len() > room {
            base.truncate(room);
            while base.ends_with('-') {
                base.pop();
            }
        }
        ArticleSlug(format!("{base}{tail}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ArticleSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A knowledge-base category's stable code, e.g. `accounts` (names may change, codes do not).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct KbCategoryCode(String);

impl KbCategoryCode {
    pub fn parse(raw: &str) -> Result<Self, KnowledgeError> {
        let bytes = raw.as_bytes();
        let valid = (2..=63).contains(&bytes.len())
            && bytes[0].is_ascii_lowercase()
            && bytes[bytes.len() - 1] != b'-'
            && !raw.contains("--")
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(KnowledgeError::BadCategoryCode(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KbCategoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rules of all free text (see [`crate::text`]), with the knowledge base's errors.
fn parse_text(
    field: &'static str,
    raw: &str,
    max: usize,
    lines: Lines,
) -> Result<String, KnowledgeError> {
    crate::text::parse_text(field, raw, max, lines == Lines::Allowed).map_err(|error| match error {
        TextError::Empty { field } => KnowledgeError::Empty { field },
        TextError::TooLong { field, length, max } => KnowledgeError::TooLong { field, length, max },
        TextError::ControlCharacter { field } => KnowledgeError::ControlCharacter { field },
    })
}

/// Whether a text may span several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    Single,
    Allowed,
}

macro_rules! knowledge_text {
    ($(#[$meta:meta])* $name:ident, $field:literal, $max:expr, $lines:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, KnowledgeError> {
                parse_text($field, raw, $max, $lines).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

knowledge_text!(
    /// An article's title: one line, shown as the page's heading and in search results.
    ArticleTitle, "title", 200, Lines::Single
);
knowledge_text!(
    /// An article's body in Markdown. Raw HTML in it is shown as text, never as markup. The
    /// limit keeps a page readable and its search entry small; a longer text is several
    /// articles.
    ArticleBody, "body", 50_000, Lines::Allowed
);
knowledge_text!(
    /// A category's name in one language.
    KbCategoryName, "name", 120, Lines::Single
);
knowledge_text!(
    /// What a reader who found an article unhelpful says was missing.
    FeedbackComment, "comment", 2_000, Lines::Allowed
);

/// One side of a proposed translation link: an article, its language and the article it is
/// linked to already, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TranslationSide {
    pub id: i64,
    pub language: ArticleLanguage,
    pub linked_to: Option<i64>,
}

/// Whether two articles may be linked as translations of each other: they are two different
/// articles in the two languages, and neither is linked to a third one (a pair is the whole
/// group, since there are two languages). Linking a pair that is already linked is allowed and
/// changes nothing.
pub fn check_translation_link(
    article: TranslationSide,
    other: TranslationSide,
) -> Result<(), KnowledgeError> {
    if article.id == other.id {
        return Err(KnowledgeError::SelfTranslation);
    }
    if article.language == other.language {
        return Err(KnowledgeError::SameLanguage(article.language));
    }
    for (side, partner) in [(article, other), (other, article)] {
        if side.linked_to.is_some_and(|linked| linked != partner.id) {
            return Err(KnowledgeError::AlreadyLinked(side.id));
        }
    }
    Ok(())
}

/// A Markdown link to `target` reading `text`: `[text](target)`. Brackets and backslashes in
/// the text are escaped so that a title such as "Exams [2026]" stays one link, and characters
/// that would end or break the destination are percent-encoded.
pub fn markdown_link(text: &str, target: &str) -> String {
    let mut label = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if matches!(character, '[' | ']' | '\\' | '*' | '_' | '`') {
            label.push('\\');
        }
        if !character.is_control() {
            label.push(character);
        }
    }
    let mut destination = String::with_capacity(target.len());
    for character in target.chars() {
        match character {
            ' ' => destination.push_str("%20"),
            '(' => destination.push_str("%28"),
            ')' => destination.push_str("%29"),
            '<' => destination.push_str("%3C"),
            '>' => destination.push_str("%3E"),
            c if c.is_control() => {}
            c => destination.push(c),
        }
    }
    format!("[{label}]({destination})")
}

/// A Markdown image: `![text](target)`, escaped as [`markdown_link`].
pub fn markdown_image(text: &str, target: &str) -> String {
    format!("!{}", markdown_link(text, target))
}

/// Of the visits in which suggestions were shown, how many ended with the requester saying an
/// article answered them and submitting nothing: the share of tickets the knowledge base saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deflection {
    pub visits_with_suggestions: i64,
    pub deflected_visits: i64,
}

impl Deflection {
    /// The share in whole percent, rounded to the nearest; `None` before any visit.
    pub fn percent(&self) -> Option<i64> {
        if self.visits_with_suggestions <= 0 {
            return None;
        }
        let deflected = self.deflected_visits.clamp(0, self.visits_with_suggestions);
        Some((deflected * 100 + self.visits_with_suggestions / 2) / self.visits_with_suggestions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_latin_and_bounded() {
        assert_eq!(
            ArticleSlug::parse("reset-your-password").unwrap().as_str(),
            "reset-your-password"
        );
        assert!(ArticleSlug::parse("2fa-setup").is_ok());
        for bad in [
            "ab",
            "Reset",
            "reset--password",
            "-reset",
            "reset-",
            "إعادة",
            "reset password",
            "reset_password",
        ] {
            assert_eq!(
                ArticleSlug::parse(bad),
                Err(KnowledgeError::BadSlug(bad.to_owned())),
                "{bad}"
            );
        }
        assert!(ArticleSlug::parse(&"a".repeat(80)).is_ok());
        assert!(ArticleSlug::parse(&"a".repeat(81)).is_err());
        assert_eq!(
            ArticleSlug::parse("suggest"),
            Err(KnowledgeError::ReservedSlug("suggest".into()))
        );
        assert!(ArticleSlug::parse("files").is_err());
    }

    #[test]
    fn slugs_come_from_latin_titles_and_never_from_arabic_ones() {
        let slug = |title: &str| ArticleSlug::from_title(title).map(|s| s.as_str().to_owned());
        assert_eq!(
            slug("How to reset your password?").as_deref(),
            Some("how-to-reset-your-password")
        );
        assert_eq!(
            slug("  Exams: rescheduling (2026)  ").as_deref(),
            Some("exams-rescheduling-2026")
        );
        assert_eq!(slug("كيف أعيد تعيين كلمة المرور؟"), None);
        // A few latin letters in an Arabic title are not enough for an address.
        assert_eq!(slug("شهادة PD"), None);
        assert_eq!(slug("Zoom في الفصول الافتراضية").as_deref(), Some("zoom"));
        assert_eq!(slug("Search").as_deref(), None, "reserved");
        let long = slug(&"certificate ".repeat(20)).unwrap();
        assert!(long.len() <= ArticleSlug::MAX_CHARS, "{long}");
        assert!(long.ends_with("certificate"), "{long}");
        assert_eq!(ArticleSlug::numbered(7).as_str(), "article-7");
        assert_eq!(ArticleSlug::numbered(0).as_str(), "article-1");
    }

    #[test]
    fn suffixed_slugs_stay_valid() {
        let base = ArticleSlug::parse("reset-password").unwrap();
        assert_eq!(base.with_suffix(2).as_str(), "reset-password-2");
        let long = ArticleSlug::parse(&format!("{}-b", "a".repeat(78))).unwrap();
        let suffixed = long.with_suffix(12);
        assert_eq!(suffixed.as_str().len(), 80);
        assert!(ArticleSlug::parse(suffixed.as_str()).is_ok(), "{suffixed}");
    }

    #[test]
    fn status_moves_follow_the_editorial_rules() {
        use ArticleStatus::*;
        let allowed = [
            (Draft, Published),
            (Draft, Archived),
            (Published, Draft),
            (Published, Archived),
            (Archived, Draft),
        ];
        for from in ArticleStatus::ALL {
            for to in ArticleStatus::ALL {
                let result = from.check_transition(*to);
                if from == to {
                    assert_eq!(result, Ok(StatusChange::Unchanged));
                } else if allowed.contains(&(*from, *to)) {
                    assert_eq!(result, Ok(StatusChange::Moves), "{from} → {to}");
                    assert!(from.next_statuses().contains(to));
                } else {
                    assert_eq!(
                        result,
                        Err(KnowledgeError::IllegalStatusChange {
                            from: *from,
                            to: *to
                        })
                    );
                    assert!(!from.next_statuses().contains(to));
                }
            }
        }
        assert_eq!(
            Archived
                .check_transition(Published)
                .unwrap_err()
                .to_string(),
            "an article cannot go from archived to published"
        );
    }

    #[test]
    fn titles_bodies_and_names_are_trimmed_and_bounded() {
        assert_eq!(
            ArticleTitle::parse("  إعادة تعيين كلمة المرور ")
                .unwrap()
                .as_str(),
            "إعادة تعيين كلمة المرور"
        );
        assert_eq!(
            ArticleTitle::parse(" "),
            Err(KnowledgeError::Empty { field: "title" })
        );
        assert_eq!(
            ArticleTitle::parse("a\nb"),
            Err(KnowledgeError::ControlCharacter { field: "title" })
        );
        assert!(ArticleBody::parse("# خطوات\n\n1. افتح الصفحة\n2. اضغط").is_ok());
        let long = "ب".repeat(ArticleBody::MAX_CHARS + 1);
        assert_eq!(
            ArticleBody::parse(&long),
            Err(KnowledgeError::TooLong {
                field: "body",
                length: ArticleBody::MAX_CHARS + 1,
                max: ArticleBody::MAX_CHARS
            })
        );
        assert!(KbCategoryName::parse("الحسابات").is_ok());
        assert!(FeedbackComment::parse("لم تذكر المقالة خطوات الجوال.").is_ok());
        assert!(KbCategoryCode::parse("accounts").is_ok());
        assert_eq!(
            KbCategoryCode::parse("Accounts"),
            Err(KnowledgeError::BadCategoryCode("Accounts".into()))
        );
    }

    #[test]
    fn languages_verdicts_and_outcomes_have_one_spelling() {
        assert_eq!("ar".parse::<ArticleLanguage>(), Ok(ArticleLanguage::Ar));
        assert_eq!(ArticleLanguage::Ar.other(), ArticleLanguage::En);
        assert!("fr".parse::<ArticleLanguage>().is_err());
        assert_eq!(
            "not_helpful".parse::<FeedbackVerdict>(),
            Ok(FeedbackVerdict::NotHelpful)
        );
        assert_eq!(SuggestionOutcome::Deflected.as_str(), "deflected");
        assert_eq!(
            "published".parse::<ArticleStatus>(),
            Ok(ArticleStatus::Published)
        );
    }

    #[test]
    fn translations_pair_one_article_per_language() {
        let side = |id, language, linked_to| TranslationSide {
            id,
            language,
            linked_to,
        };
        use ArticleLanguage::*;
        assert_eq!(
            check_translation_link(side(1, Ar, None), side(2, En, None)),
            Ok(())
        );
        assert_eq!(
            check_translation_link(side(1, Ar, Some(2)), side(2, En, Some(1))),
            Ok(()),
            "linking again changes nothing"
        );
        assert_eq!(
            check_translation_link(side(1, Ar, None), side(1, Ar, None)),
            Err(KnowledgeError::SelfTranslation)
        );
        assert_eq!(
            check_translation_link(side(1, Ar, None), side(2, Ar, None)),
            Err(KnowledgeError::SameLanguage(Ar))
        );
        assert_eq!(
            check_translation_link(side(1, Ar, Some(3)), side(2, En, None)),
            Err(KnowledgeError::AlreadyLinked(1))
        );
        assert_eq!(
            check_translation_link(side(1, Ar, None), side(2, En, Some(4))),
            Err(KnowledgeError::AlreadyLinked(2))
        );
    }

    #[test]
    fn markdown_links_keep_titles_and_targets_intact() {
        assert_eq!(
            markdown_link(
                "إعادة تعيين كلمة المرور",
                "https://desk.example.sa/o/a/kb/reset"
            ),
            "[إعادة تعيين كلمة المرور](https://desk.example.sa/o/a/kb/reset)"
        );
        assert_eq!(
            markdown_link("Exams [2026] *new*", "/o/a/kb/files/3/my file (1).pdf"),
            "[Exams \\[2026\\] \\*new\\*](/o/a/kb/files/3/my%20file%20%281%29.pdf)"
        );
        assert_eq!(markdown_image("screen", "/x.png"), "![screen](/x.png)");
    }

    #[test]
    fn deflection_is_a_share_of_visits_with_suggestions() {
        assert_eq!(Deflection::default().percent(), None);
        let figure = Deflection {
            visits_with_suggestions: 3,
            deflected_visits: 1,
        };
        assert_eq!(figure.percent(), Some(33));
        let figure = Deflection {
            visits_with_suggestions: 8,
            deflected_visits: 5,
        };
        assert_eq!(figure.percent(), Some(63));
    }
}
