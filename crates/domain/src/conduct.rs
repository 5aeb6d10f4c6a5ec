//! The conduct policy's word list (seed 004: "no inappropriate expressions"): a lexicon of
//! abusive words and phrases in Arabic and English, configured per organization, and the check
//! of incoming text against it.
//!
//! A match only *flags* a message for an agent; nothing is refused or dropped on its account,
//! because a word list cannot judge intent (a requester quoting an insult they received must
//! still be heard). Words are compared as search compares them — normalized (diacritics,
//! tatweel, alef and hamza forms, taa marbuta) and stemmed (Arabic clitics such as و and ال,
//! English inflections) — so that «والأغبياء» and «الاغبياء» meet the same entry as «أغبياء».

use crate::search::{Token, stem, tokens};
use thiserror::Error;

/// The most entries one lexicon may hold: enough for any real list, and a bound on the work
/// done for every incoming message.
pub const MAX_LEXICON_ENTRIES: usize = 5_000;
/// The most words in one entry (a phrase).
pub const MAX_WORDS_PER_ENTRY: usize = 6;

/// The lexicon an organization starts with, until an administrator replaces it: a short list
/// of common insults in Arabic and English (see the file's own comments for why it is short).
pub const DEFAULT_LEXICON: &str = include_str!("conduct/default_lexicon.txt");

/// Why a lexicon file was refused, naming the line (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LexiconError {
    #[error("line {line}: {entry:?} has no letter or digit that could be matched")]
    NothingToMatch { line: usize, entry: String },
    #[error("line {line}: {entry:?} has {words} words; an entry has at most {max}")]
    TooManyWords {
        line: usize,
        entry: String,
        words: usize,
        max: usize,
    },
    #[error("line {line}: `*` may only end the last word of an entry (as in `غبي*`)")]
    MisplacedWildcard { line: usize },
    #[error("the lexicon has {entries} entries; at most {max} are allowed")]
    TooManyEntries { entries: usize, max: usize },
}

/// How one word of an entry matches a word of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WordPattern {
    /// The same stem (so every inflection and clitic form of the word).
    Stem(String),
    /// A normalized word beginning with this (the entry's last word ended with `*`), or whose
    /// stem does.
    Prefix(String),
}

impl WordPattern {
    fn matches(&self, token: &Token<'_>, stems: &WordStems) -> bool {
        match self {
            WordPattern::Stem(entry_stem) => {
                stems.stem == *entry_stem || stems.without_conjunction.as_ref() == Some(entry_stem)
            }
            WordPattern::Prefix(start) => {
                token.normalized.starts_with(start.as_str())
                    || stems.stem.starts_with(start.as_str())
                    || stems
                        .without_conjunction
                        .as_ref()
                        .is_some_and(|stem| stem.starts_with(start.as_str()))
            }
        }
    }
}

/// The stems a word of the text is compared by.
struct WordStems {
    stem: String,
    /// The stem without a leading conjunction و or ف («وغبي», «فحمار»). Search keeps these
    /// letters (too many Arabic words begin with them for an index to strip them blindly), but
    /// an insult is short and often follows "and"; the stripped form is only compared, never
    /// shown, and needs at least three letters left, so «وقح» stays «وقح».
    without_conjunction: Option<String>,
}

impl WordStems {
    fn of(normalized: &str) -> Self {
        let without_conjunction = normalized
            .strip_prefix('\u{0648}')
            .or_else(|| normalized.strip_prefix('\u{0641}'))
            .filter(|rest| rest.chars().count() >= 3)
            .map(stem);
        Self {
            stem: stem(normalized),
            without_conjunction,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LexiconEntry {
    /// The entry as configured (shown to the agent as the reason for the flag).
    written: String,
    words: Vec<WordPattern>,
}

/// A parsed lexicon. Build it with [`ConductLexicon::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConductLexicon {
    entries: Vec<LexiconEntry>,
}

/// One place where the text meets an entry of the lexicon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductMatch {
    /// The lexicon entry, as configured.
    pub entry: String,
    /// The words as written in the text, from the first matched word to the last.
    pub found: String,
    /// Byte range of `found` in the checked text.
    pub start: usize,
    pub end: usize,
}

impl ConductLexicon {
    /// Parses a lexicon: one word or phrase a line, in Arabic or English; blank lines and lines
    /// starting with `#` are ignored; a `*` ending the last word matches any word beginning with
    /// it. Repeated entries (after normalization) are kept once.
    pub fn parse(text: &str) -> Result<Self, LexiconError> {
        let mut entries: Vec<LexiconEntry> = Vec::new();
        for (index, raw_line) in text.lines().enumerate() {
            let line = index + 1;
            let written = raw_line.trim();
            if written.is_empty() || written.starts_with('#') {
                continue;
            }
            let (body, wildcard) = match written.strip_suffix('*') {
                Some(body) => (body, true),
                None => (written, false),
            };
            if body.contains('*') {
                return Err(LexiconError::MisplacedWildcard { line });
            }
            let words = tokens(body);
            if words.is_empty() {
                return Err(LexiconError::NothingToMatch {
                    line,
                    entry: written.to_owned(),
                });
            }
            if words.len() > MAX_WORDS_PER_ENTRY {
                return Err(LexiconError::TooManyWords {
                    line,
                    entry: written.to_owned(),
                    words: words.len(),
                    max: MAX_WORDS_PER_ENTRY,
                });
            }
            // A `*` separated from its word by a space ("غبي *") would silently widen to every
            // word; only a `*` touching the last word counts.
            if wildcard && body.ends_with(char::is_whitespace) {
                return Err(LexiconError::MisplacedWildcard { line });
            }
            let last = words.len() - 1;
            let patterns: Vec<WordPattern> = words
                .iter()
                .enumerate()
                .map(|(position, word)| {
                    if wildcard && position == last {
                        WordPattern::Prefix(word.normalized.clone())
                    } else {
                        WordPattern::Stem(stem(&word.normalized))
                    }
                })
                .collect();
            if entries.iter().any(|entry| entry.words == patterns) {
                continue;
            }
            entries.push(LexiconEntry {
                written: written.to_owned(),
                words: patterns,
            });
        }
        if entries.len() > MAX_LEXICON_ENTRIES {
            return Err(LexiconError::TooManyEntries {
                entries: entries.len(),
                max: MAX_LEXICON_ENTRIES,
            });
        }
        Ok(Self { entries })
    }

    /// The shipped default lexicon, parsed.
    pub fn default_lexicon() -> Self {
        // The shipped file is checked by a unit test, so a parse error here is a build defect;
        // an empty lexicon (flagging nothing) is the harmless fallback all the same.
        Self::parse(DEFAULT_LEXICON).unwrap_or_default()
    }

    /// The entries as configured, in the order of the file.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|entry| entry.written.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every place where `text` meets an entry, in the order of the text (an entry of several
    /// words matches those words in a row). Overlapping matches of different entries are all
    /// reported: the agent sees each reason.
    pub fn check(&self, text: &str) -> Vec<ConductMatch> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let words = tokens(text);
        let stems: Vec<WordStems> = words
            .iter()
            .map(|word| WordStems::of(&word.normalized))
            .collect();
        let mut matches = Vec::new();
        for start in 0..words.len() {
            for entry in &self.entries {
                let length = entry.words.len();
                if start + length > words.len() {
                    continue;
                }
                let all_match = entry.words.iter().enumerate().all(|(offset, pattern)| {
                    pattern.matches(&words[start + offset], &stems[start + offset])
                });
                if all_match {
                    let (from, to) = (words[start].start, words[start + length - 1].end);
                    matches.push(ConductMatch {
                        entry: entry.written.clone(),
                        found: text[from..to].to_owned(),
                        start: from,
                        end: to,
                    });
                }
            }
        }
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEXICON: &str = "\
# Words an organization does not accept from anyone (fictional sample list).
غبي
أغبياء
حقير*
كلام فارغ
idiot
shut up
stupid*
";

    fn found(text: &str) -> Vec<String> {
        ConductLexicon::parse(LEXICON)
            .unwrap()
            .check(text)
            .into_iter()
            .map(|matched| matched.found)
            .collect()
    }

    #[test]
    fn words_match_in_every_spelling_search_accepts() {
        let check = |text: &str, expected: &[&str]| assert_eq!(found(text), expected, "{text:?}");
        check("أنت غبي", &["غبي"]);
        // Diacritics, tatweel and hamza forms.
        check("أنت غَبِيّ", &["غَبِيّ"]);
        check("انتم اغبيـاء", &["اغبيـاء"]);
        // Clitics: and, the.
        check("والأغبياء لا يفهمون", &["والأغبياء"]);
        // A conjunction alone (search keeps it), with at least three letters left.
        check("متأخر وغبي", &["وغبي"]);
        check("فحقيرة", &["فحقيرة"]);
        check("وبي", &[]);
        // A prefix entry: any word beginning with it.
        check("تصرف حقيرة جدا", &["حقيرة"]);
        // Phrases match their words in a row, whatever the spacing and punctuation.
        check("هذا كلام   فارغ!", &["كلام   فارغ"]);
        check("كلام مفيد وليس فارغ", &[]);
        // English: case and inflection.
        check("You IDIOTS", &["IDIOTS"]);
        check("please shut up now", &["shut up"]);
        check("a stupidly slow page", &["stupidly"]);
        // Nothing abusive.
        check("شكراً على المساعدة، الشهادة لم تصل", &[]);
        check("the exam was hard", &[]);
    }

    #[test]
    fn a_match_reports_the_entry_and_where_it_is() {
        let lexicon = ConductLexicon::parse(LEXICON).unwrap();
        let text = "قلت له: غبي";
        let matches = lexicon.check(text);
        assert_eq!(matches.len(), 1);
        assert_eq!(matches[0].entry, "غبي");
        assert_eq!(&text[matches[0].start..matches[0].end], "غبي");
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        let check = |text: &str, expected: LexiconError| {
            assert_eq!(ConductLexicon::parse(text), Err(expected), "{text:?}")
        };
        check(
            "غبي\n!!!\n",
            LexiconError::NothingToMatch {
                line: 2,
                entry: "!!!".into(),
            },
        );
        check("a*b\n", LexiconError::MisplacedWildcard { line: 1 });
        check("\n\nغبي *\n", LexiconError::MisplacedWildcard { line: 3 });
        check(
            "one two three four five six seven\n",
            LexiconError::TooManyWords {
                line: 1,
                entry: "one two three four five six seven".into(),
                words: 7,
                max: MAX_WORDS_PER_ENTRY,
            },
        );
        let too_many: String = (0..=MAX_LEXICON_ENTRIES)
            .map(|index| format!("word{index}\n"))
            .collect();
        check(
            &too_many,
            LexiconError::TooManyEntries {
                entries: MAX_LEXICON_ENTRIES + 1,
                max: MAX_LEXICON_ENTRIES,
            },
        );
    }

    #[test]
    fn the_default_lexicon_parses_and_flags_only_insults() {
        let lexicon = ConductLexicon::parse(DEFAULT_LEXICON).expect("the shipped lexicon parses");
        assert!(lexicon.len() > 40, "{}", lexicon.len());
        assert_eq!(ConductLexicon::default_lexicon(), lexicon);
        let flagged = |text: &str| !lexicon.check(text).is_empty();
        assert!(flagged("أنتم أغبياء ولا تفهمون"));
        assert!(flagged("موظفيكم حَمِير"));
        assert!(flagged("you are all IDIOTS"));
        assert!(flagged("this is fucking slow"));
        // Ordinary complaints, however angry, are not flagged.
        assert!(!flagged("تأخرت الشهادة شهرين ولم يرد أحد، هذا غير مقبول"));
        assert!(!flagged(
            "The certificate is late and nobody answers my e-mails."
        ));
        assert!(
            !flagged("تدريب الكلاب البوليسية"),
            "the plural of dog is not an insult"
        );
    }

    #[test]
    fn comments_blanks_and_repeats_are_not_entries() {
        let lexicon = ConductLexicon::parse("# a comment\n\n  غبي  \nغَبِي\nidiot\nIdiot\n").unwrap();
        assert_eq!(lexicon.len(), 2);
        assert!(ConductLexicon::parse("").unwrap().is_empty());
        assert!(ConductLexicon::parse("").unwrap().check("غبي").is_empty());
    }
}
