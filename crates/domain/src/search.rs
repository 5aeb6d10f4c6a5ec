//! Text analysis for full-text search, shared by the SQLite (FTS5) and PostgreSQL backends.
//!
//! The store indexes *pre-analyzed* terms: [`index_terms`] turns a text into space-separated
//! terms that SQLite's `unicode61 remove_diacritics 0` tokenizer and PostgreSQL's
//! `to_tsvector('simple', …)` both split on spaces and keep as they are. Every linguistic
//! decision (folding, stop words, stemming, identifiers) is made here, once, so that both
//! backends find the same tickets. Ranking ([`score`]) and excerpts ([`snippet`]) are computed
//! here too, from the same terms, so results are ordered and highlighted identically whichever
//! database runs underneath.
//!
//! Because every emitted term consists only of letters and digits (no marks, apostrophes or
//! punctuation), the backends' own tokenizers can never split a term into pieces that would no
//! longer match.
//!
//! The store builds its database query from [`SearchQuery::terms`]: each term matches an
//! indexed term equal to its `stem` or its `surface` (in FTS5, `("stem" OR "surface")`), and a
//! prefix term matches any indexed term starting with either (`"stem"*`, or `stem:*` in a
//! PostgreSQL `tsquery`). All terms must match (AND). [`QueryTerm::matches`] is the reference
//! for what a match is.
//!
//! Whenever the output of [`index_terms`] changes for any input, [`ANALYZER_VERSION`] must be
//! bumped so that stored indexes are rebuilt.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Bumped whenever analysis output changes, so stored indexes can be rebuilt.
pub const ANALYZER_VERSION: i32 = 1;

/// The longest query accepted, in characters. A search box is for a few words or an
/// identifier; a pasted paragraph would make an AND query that matches nothing.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most terms a query may have after stop words and duplicates are removed. Each term is
/// one more condition for the database and one more pass in [`score`].
pub const MAX_QUERY_TERMS: usize = 12;

/// Arabic tatweel (kashida), a purely typographic stretch inside words.
const TATWEEL: char = '\u{0640}';

/// How many terms after a match of one query term a match of the next may occur and still
/// count as "adjacent" for the phrase bonus: one word yields up to three terms (stem, surface,
/// and for a word starting with و the stem without it). The terms in between must be the first
/// word's other forms (see [`continues_word`]), so an unrelated word in between breaks the
/// phrase; a dropped stop word leaves no term and does not.
const PHRASE_WINDOW: usize = 3;

/// Saturation constant of the term-frequency curve `tf / (tf + k)`: the first occurrence
/// counts most, repetitions add less and less, so a long body that repeats a word does not
/// outrank a short subject that states it.
const TF_SATURATION: f64 = 1.2;

/// Bonus, times the top field weight, when every query term appears in the highest-weight
/// field (usually the subject): a ticket *about* the query beats one that mentions it.
const TOP_FIELD_BONUS: f64 = 0.5;

/// Bonus, times the weight of the best field where it happens, when the query terms appear
/// adjacent and in order: the person typed a phrase, and a ticket with that phrase is the
/// likeliest one they mean.
const PHRASE_BONUS: f64 = 1.0;

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

/// Folds text for matching: NFKC; Unicode lower-case; removes Arabic diacritics (tashkeel
/// U+064B–U+065F, superscript alef U+0670, Quranic marks U+06D6–U+06ED) and tatweel U+0640;
/// folds alef forms أ إ آ ٱ → ا, alef maqsura ى → ي, taa marbuta ة → ه, hamza carriers ؤ → و
/// and ئ → ي (a lone ء is dropped); Arabic-Indic (U+0660–0669) and Persian (U+06F0–06F9)
/// digits → ASCII digits. Also folds Persian ک → ك and ی → ي.
///
/// People type the same Arabic word with and without hamza, diacritics or a final ة/ه, and
/// with keyboards that produce Persian letters or presentation forms; all of these must meet
/// in one spelling or a search misses tickets that obviously contain the word. Everything else
/// (spaces, punctuation, other scripts' marks) is kept, so the result is still readable text.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return out;
    }
    let mut push = |c: char| {
        if is_arabic_block(c) {
            if let Some(f) = fold_arabic(c) {
                out.push(f);
            }
        } else {
            for lower in c.to_lowercase() {
                if let Some(f) = fold_arabic(lower) {
                    out.push(f);
                }
            }
        }
    };
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().for_each(&mut push);
    } else {
        text.nfkc().for_each(&mut push);
    }
    out
}

/// True for the code points of the Arabic block, where [`fold_arabic`] has work to do and
/// lower-casing has none.
fn is_arabic_block(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// What a character of the Arabic block (U+0600–U+06FF) is, by its Unicode general category.
///
/// Written out because `char::is_alphabetic` takes a slow table search for every non-ASCII
/// character, and Arabic text is nearly all non-ASCII: this table made [`index_terms`] several
/// times faster on Arabic text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArabicClass {
    Letter,
    Digit,
    /// Combining marks (tashkeel, Quranic marks) and the small waw/yeh that annotate them.
    Mark,
    Tatweel,
    /// Punctuation, symbols and format characters (، ؛ ؟ ٪ …): separators.
    Other,
}

fn arabic_class(c: char) -> ArabicClass {
    match c {
        '\u{0620}'..='\u{063F}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}' => ArabicClass::Letter,
        '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => ArabicClass::Digit,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' => ArabicClass::Mark,
        TATWEEL => ArabicClass::Tatweel,
        _ => ArabicClass::Other,
    }
}

/// True for Arabic letters in any Arabic block (base, supplement, extended, presentation
/// forms). Used to tell Arabic words from Latin ones and to split words where the script
/// changes.
fn is_arabic_letter(c: char) -> bool {
    if is_arabic_block(c) {
        return arabic_class(c) == ArabicClass::Letter;
    }
    matches!(c,
        '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}')
        && c.is_alphabetic()
        && !is_combining_mark(c)
}

/// Folds one (already NFKC-normalized, lower-cased) character; `None` drops it.
fn fold_arabic(c: char) -> Option<char> {
    if !is_arabic_block(c) {
        return Some(c);
    }
    Some(match c {
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | TATWEEL => return None,
        // A lone hamza is written or omitted at will (جزء / جز, إلغاء / إلغا).
        '\u{0621}' => return None,
        // آ أ إ ٱ and the rarer wavy-hamza alefs.
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => '\u{0627}',
        '\u{0649}' => '\u{064A}', // ى → ي
        '\u{0629}' => '\u{0647}', // ة → ه
        '\u{0624}' => '\u{0648}', // ؤ → و
        '\u{0626}' => '\u{064A}', // ئ → ي
        '\u{06A9}' => '\u{0643}', // Persian ک → ك
        '\u{06CC}' => '\u{064A}', // Persian ی → ي
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        other => other,
    })
}

/// Characters that may hold a word together although they are neither letters nor digits:
/// zero-width (non-)joiners and the soft hyphen are invisible, so a word containing one must
/// stay one word. They are dropped from the word's normalized form.
fn is_invisible_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{00AD}')
}

/// What a character is to the word splitter: a letter (of which script), another character
/// that belongs to a word (digits, combining marks so that a word with tashkeel stays one word,
/// tatweel, invisible joiners), or a separator. One function answers both questions, because
/// the splitter asks them of every character of every ticket.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Letter(LetterScript),
    WordPart,
    Separator,
}

fn char_class(c: char) -> CharClass {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            CharClass::Letter(LetterScript::Other)
        } else if c.is_ascii_digit() {
            CharClass::WordPart
        } else {
            CharClass::Separator
        };
    }
    if is_arabic_block(c) {
        return match arabic_class(c) {
            ArabicClass::Letter => CharClass::Letter(LetterScript::Arabic),
            ArabicClass::Other => CharClass::Separator,
            ArabicClass::Digit | ArabicClass::Mark | ArabicClass::Tatweel => CharClass::WordPart,
        };
    }
    let mark = is_combining_mark(c);
    if c.is_alphabetic() && !mark {
        if is_arabic_letter(c) {
            CharClass::Letter(LetterScript::Arabic)
        } else {
            CharClass::Letter(LetterScript::Other)
        }
    } else if mark || c.is_numeric() || is_invisible_joiner(c) {
        CharClass::WordPart
    } else {
        CharClass::Separator
    }
}

/// Apostrophes that join two letters into one word (`customer's`, `don't`, `l'école`).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Characters that join the pieces of an identifier (`ET-2026-000123`, `+966-55-512-3456`,
/// `v1.2`, `a/b`, `10:30`), including the Unicode and full-width dashes that word processors
/// and Arabic keyboards substitute for `-`.
fn is_identifier_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '/' | '.' | '+' | '_' | ':' | '\u{2010}'
            ..='\u{2013}'
                | '\u{2212}'
                | '\u{FE63}'
                | '\u{FF0B}'
                | '\u{FF0D}'
                | '\u{FF0E}'
                | '\u{FF0F}'
                | '\u{FF1A}'
                | '\u{FF3F}'
    )
}

/// The script of a letter, for splitting words where Arabic meets Latin (`بالـPDF`). Digits
/// and marks have none and attach to either side.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LetterScript {
    Arabic,
    Other,
}

/// Normalizes one word into `out` as an index term: [`normalize`], then everything that is
/// not a letter or digit is removed (combining marks of other scripts, invisible joiners,
/// apostrophes), and a possessive `'s` is dropped. Returns whether the word's last letter was
/// an alef maqsura (ى), which tells the preposition على from the name علي (see [`is_stop`]).
///
/// Only letters and digits remain because both backends' tokenizers treat anything else as a
/// separator: a term containing a mark or an apostrophe would be split by the database into
/// pieces and never match as a whole.
fn normalize_word_into(word: &str, out: &mut String) -> bool {
    out.clear();
    let mut maqsura = false;
    let mut has_apostrophe = false;
    if word.is_ascii() {
        for b in word.bytes() {
            match b {
                b'A'..=b'Z' => out.push(char::from(b.to_ascii_lowercase())),
                b'a'..=b'z' | b'0'..=b'9' => out.push(char::from(b)),
                b'\'' => {
                    has_apostrophe = true;
                    out.push('\'');
                }
                _ => {}
            }
        }
    } else {
        let mut push = |c: char| {
            let mut keep = |f: char, from: char| {
                if f.is_ascii() {
                    if f.is_ascii_alphanumeric() {
                        out.push(f);
                        maqsura = false;
                    } else if f == '\'' {
                        has_apostrophe = true;
                        out.push('\'');
                    }
                } else if is_arabic_block(f) {
                    if arabic_class(f) == ArabicClass::Letter {
                        out.push(f);
                        maqsura = from == '\u{0649}';
                    }
                } else if f.is_alphanumeric() && !is_combining_mark(f) {
                    out.push(f);
                    maqsura = from == '\u{0649}';
                } else if matches!(f, '\u{2019}' | '\u{02BC}') {
                    has_apostrophe = true;
                    out.push('\'');
                }
            };
            if is_arabic_block(c) {
                if let Some(f) = fold_arabic(c) {
                    keep(f, c);
                }
            } else {
                for lower in c.to_lowercase() {
                    if let Some(f) = fold_arabic(lower) {
                        keep(f, lower);
                    }
                }
            }
        };
        if needs_nfkc(word) {
            word.nfkc().for_each(&mut push);
        } else {
            word.chars().for_each(&mut push);
        }
    }
    if has_apostrophe {
        if let Some(without) = out.strip_suffix("'s") {
            let len = without.len();
            out.truncate(len);
        }
        out.retain(|c| c != '\'');
    }
    maqsura
}

/// Whether a word may change under NFKC. ASCII and the Arabic block are answered without the
/// generic quick check (a hash lookup per character, the largest cost of indexing Arabic
/// text): in the Arabic block only the combining madda and hamzas (U+0653–U+0655), which
/// compose with the letter before them, and the high-hamza letters (U+0675–U+0678), which
/// have compatibility decompositions, are affected.
fn needs_nfkc(word: &str) -> bool {
    for c in word.chars() {
        if c.is_ascii() {
            continue;
        }
        if is_arabic_block(c) {
            if matches!(c, '\u{0653}'..='\u{0655}' | '\u{0675}'..='\u{0678}') {
                return true;
            }
            continue;
        }
        return is_nfkc_quick(word.chars()) != IsNormalized::Yes;
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// One word of the original text: byte range into the original (for highlighting) and its
/// normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The word as written, with its diacritics and tatweel: `&text[start..end]`.
    pub original: &'a str,
    pub start: usize,
    pub end: usize,
    /// The word's normalized form, as an index term: [`normalize`] of the word, with a
    /// possessive `'s` dropped and any character that is not a letter or digit removed
    /// (apostrophes, marks of other scripts, invisible joiners), because the databases'
    /// tokenizers would split a term at such a character.
    pub normalized: String,
}

/// Words are maximal runs of letters, digits, and combining marks/tatweel (so a word with
/// tashkeel stays one word). Everything else separates.
///
/// Three refinements, each because the plain rule would make a common spelling unsearchable:
/// an apostrophe between two letters stays inside the word (`customer's`, `don't`); a word is
/// split where Arabic letters meet Latin ones (`بالـPDF` is `بالـ` and `PDF`); and invisible
/// joiners (ZWJ, ZWNJ, soft hyphen) do not split. Runs whose normalized form is empty (a lone
/// tatweel or stray diacritic) are not words.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut result = Vec::new();
    let mut buffer = String::new();
    for span in WordSpans::new(text) {
        normalize_word_into(&text[span.start..span.end], &mut buffer);
        if buffer.is_empty() {
            continue;
        }
        result.push(Token {
            original: &text[span.start..span.end],
            start: span.start,
            end: span.end,
            normalized: buffer.clone(),
        });
    }
    result
}

/// A word's byte range, and how it relates to the previous word: whether whitespace came in
/// between (a new whitespace-separated chunk starts), and whether the gap consisted only of
/// identifier separators (so the chunk may be an identifier like `ET-2026-000123`).
#[derive(Debug, Clone, Copy)]
struct WordSpan {
    start: usize,
    end: usize,
    new_chunk: bool,
    joined_by_separator: bool,
}

/// Iterates over the words of a text in one pass, without allocating.
struct WordSpans<'a> {
    text: &'a str,
    pos: usize,
    /// End of the previous word, `None` before the first one.
    previous_end: Option<usize>,
}

impl<'a> WordSpans<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            previous_end: None,
        }
    }
}

impl Iterator for WordSpans<'_> {
    type Item = WordSpan;

    fn next(&mut self) -> Option<WordSpan> {
        let text = self.text;
        let rest = &text[self.pos..];
        let (offset, first, first_class) = rest
            .char_indices()
            .map(|(i, c)| (i, c, char_class(c)))
            .find(|&(_, _, class)| class != CharClass::Separator)?;
        let start = self.pos + offset;
        let mut end = start + first.len_utf8();
        let mut script = match first_class {
            CharClass::Letter(s) => Some(s),
            _ => None,
        };
        let mut previous_is_letter = script.is_some();
        let scan_from = end;
        for (i, c) in text[scan_from..].char_indices() {
            let at = scan_from + i;
            match char_class(c) {
                CharClass::Letter(s) => {
                    if script.is_some_and(|p| p != s) {
                        break;
                    }
                    script = Some(s);
                    previous_is_letter = true;
                }
                CharClass::WordPart => previous_is_letter = false,
                CharClass::Separator => {
                    let joins = is_apostrophe(c)
                        && previous_is_letter
                        && text[at + c.len_utf8()..]
                            .chars()
                            .next()
                            .is_some_and(|n| matches!(char_class(n), CharClass::Letter(_)));
                    if !joins {
                        break;
                    }
                    previous_is_letter = false;
                }
            }
            end = at + c.len_utf8();
        }
        let (new_chunk, joined_by_separator) = match self.previous_end {
            None => (true, false),
            Some(previous_end) => {
                let gap = &text[previous_end..start];
                if gap.chars().any(char::is_whitespace) {
                    (true, false)
                } else {
                    let joined = !gap.is_empty() && gap.chars().all(is_identifier_separator);
                    (false, joined)
                }
            }
        };
        self.previous_end = Some(end);
        self.pos = end;
        Some(WordSpan {
            start,
            end,
            new_chunk,
            joined_by_separator,
        })
    }
}

/// Tracks one whitespace-separated chunk while its words go by, to decide whether it is an
/// identifier (two or more words joined only by separators) and to build its compacted form.
#[derive(Default)]
struct Chunk {
    words: usize,
    identifier: bool,
    compact: String,
}

impl Chunk {
    fn reset(&mut self) {
        self.words = 0;
        self.identifier = true;
        self.compact.clear();
    }

    /// Records one word; `span` says how it joins the previous word of the chunk.
    fn add(&mut self, span: &WordSpan, normalized: &str) {
        if self.words > 0 && !span.joined_by_separator {
            self.identifier = false;
        }
        if normalized.is_empty() {
            self.identifier = false;
        }
        self.words += 1;
        self.compact.push_str(normalized);
    }

    /// The compacted form, if the chunk is an identifier.
    fn compacted(&self) -> Option<&str> {
        (self.identifier && self.words >= 2 && !self.compact.is_empty())
            .then_some(self.compact.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Stop words
// ---------------------------------------------------------------------------------------------

/// Whether a normalized word is a stop word, left out of indexes and (usually) queries because
/// nearly every ticket contains it.
///
/// Arabic stop words also match with a leading conjunction و (`وفي`, `ومن`). The entries that
/// end in ى (على, إلى) count only when the word was written with ى (`maqsura`), because their
/// normalized forms are also the name علي and the adjective آلي ("automatic"), which people
/// do search for. Lone clitics (`و`, `بالـ` split from a Latin word) carry no meaning either.
fn is_stop(word: &str, maqsura: bool) -> bool {
    fn listed(word: &str, maqsura: bool) -> bool {
        matches!(
            word,
            // Arabic (normalized), from the published list.
            "في" | "من" | "عن" | "ان" | "هذا" | "هذه" | "ذلك" | "التي" | "الذي" | "او" | "مع"
                | "ما" | "لا"
                // Clitics left alone, e.g. by splitting "بالـPDF".
                | "و" | "ف" | "ب" | "ل" | "ك" | "ال" | "بال" | "وال" | "كال" | "فال" | "لل"
                // English.
                | "the" | "a" | "an" | "of" | "to" | "in" | "on" | "and" | "or" | "is" | "are"
                | "was" | "for" | "with" | "at" | "by" | "it" | "this" | "that" | "be"
        ) || (maqsura && matches!(word, "علي" | "الي"))
    }
    listed(word, maqsura)
        || word
            .strip_prefix('\u{0648}')
            .is_some_and(|rest| !rest.is_empty() && listed(rest, maqsura))
}

// ---------------------------------------------------------------------------------------------
// Stemming
// ---------------------------------------------------------------------------------------------

/// Which stemmer a normalized word gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordKind {
    Arabic,
    Latin,
    /// Digits, identifiers with digits, mixed or other scripts: left as they are.
    Other,
}

fn word_kind(word: &str) -> WordKind {
    let (mut arabic, mut latin) = (false, false);
    for c in word.chars() {
        if c.is_ascii_alphabetic() || c == '\'' {
            latin = true;
        } else if c.is_ascii() {
            // Digits (and anything else) make the word an identifier, not a word to stem:
            // "a4", "v2", "2026م" must stay exactly as typed.
            return WordKind::Other;
        } else if is_arabic_letter(c) {
            arabic = true;
        } else if matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
            && c.is_alphabetic()
        {
            latin = true;
        } else {
            return WordKind::Other;
        }
    }
    match (arabic, latin) {
        (true, false) => WordKind::Arabic,
        (false, true) => WordKind::Latin,
        _ => WordKind::Other,
    }
}

/// Stem of one normalized word: Arabic-script words → a light Arabic stemmer; Latin words →
/// Snowball English (also drops a trailing possessive 's); digits and anything else unchanged.
///
/// The Arabic stemmer is a light one in the spirit of Larkey's light10: it removes the
/// article, attached prepositions and common suffixes but never guesses roots, because root
/// extraction conflates unrelated words and a helpdesk search must above all find the ticket
/// someone remembers. Words containing digits are identifiers (`v2`, `a4`) and stay as they
/// are. On a normalized word (ة is already ه, alefs are folded), the Arabic rules are:
///
/// 1. Prefix. A leading conjunction و is removed only together with an article that follows
///    it (وال، وبال، ولل…) and only when at least 3 letters remain (so والدة "mother" keeps
///    its و); otherwise one article-like prefix (بال كال فال لل ال) is removed when at least 2
///    letters remain. If an article was removed and what remains starts with ال again, that
///    ال is removed too: after alef folding, إلكتروني and الإلكتروني are الكتروني and
///    الالكتروني, and removing ال from both (كتروني) is what makes them meet.
///
///    A bare leading و is *not* removed here, unlike light10: it is as often the first root
///    letter (وزارة، وثيقة، وظيفة، وقت) as the conjunction, and removing it would make وزارة and
///    الوزارة different stems. [`index_terms`] indexes the stem without و as well, so
///    وشهادتي is still found by شهادة.
/// 2. Suffixes, repeatedly (at most three times), the first that fits of (longest first)
///    كما هما ها ان ات ون ين يه كم نا ه ي ك, while the word has at least 4 letters and at least
///    3 letters would remain: a 3-letter word is never cut, and no stem is shorter than 3
///    letters from suffix removal. The list is light10's plus the pronouns كم (your, plural),
///    نا (our), ك (your) and the duals, which are everywhere in helpdesk replies (طلبكم,
///    حسابك, فريقنا). Repetition peels a pronoun and then a plural (بياناتي → بيانات → بيان)
///    and cuts a word the same way in all its forms (مشترك, مشتركة). One exception: ات
///    leaving 2 letters is replaced by ه (لغات → لغه, like لغة; مرات → مره, like مرة), because
///    the singular of such a 3-letter feminine noun is never cut.
/// 3. If the last suffix removed was a pronoun and the stem now ends in ت, that ت is the taa
///    marbuta of the noun (شهادة + ي = شهادتي) and is removed as ة would have been, when at least
///    3 letters remain (4 after ه, which may itself have been a ة: ثابتة must stay ثابت).
pub fn stem(normalized_word: &str) -> String {
    let mut out = String::with_capacity(normalized_word.len());
    push_stem(normalized_word, &mut out);
    out
}

/// Appends the stem of a normalized word to `out` (see [`stem`]); index_terms calls this
/// with its one output buffer so that stemming allocates nothing for Arabic words.
fn push_stem(word: &str, out: &mut String) {
    match word_kind(word) {
        WordKind::Arabic => push_arabic_stem(word, out),
        WordKind::Latin => push_english_stem(word, out),
        WordKind::Other => out.push_str(word),
    }
}

fn push_english_stem(word: &str, out: &mut String) {
    let mut word: Cow<'_, str> = Cow::Borrowed(word);
    if word.contains('\'') {
        let trimmed = word.strip_suffix("'s").unwrap_or(&word);
        word = Cow::Owned(trimmed.replace('\'', ""));
    }
    let stemmed = Stemmer::create(Algorithm::English).stem(&word);
    out.push_str(&stemmed);
}

/// A suffix the Arabic stemmer removes, and whether it is an attached pronoun (my, your, her,
/// our…), after which a final ت is the taa marbuta of the noun it was attached to.
struct Suffix {
    text: &'static str,
    chars: usize,
    pronoun: bool,
}

const fn suffix(text: &'static str, chars: usize, pronoun: bool) -> Suffix {
    Suffix {
        text,
        chars,
        pronoun,
    }
}

/// Suffixes, longest first (ties in the order light10 uses). Light10's list (ها ان ات ون ين
/// يه ه ي) plus the pronouns كم (your, plural), نا (our), ك (your), كما and هما (dual), which are
/// everywhere in helpdesk replies (طلبكم, حسابك, فريقنا).
const SUFFIXES: &[Suffix] = &[
    suffix("كما", 3, true),
    suffix("هما", 3, true),
    suffix("ها", 2, true),
    suffix("ان", 2, false),
    suffix("ات", 2, false),
    suffix("ون", 2, false),
    suffix("ين", 2, false),
    suffix("يه", 2, false),
    suffix("كم", 2, true),
    suffix("نا", 2, true),
    suffix("ه", 1, true),
    suffix("ي", 1, true),
    suffix("ك", 1, true),
];

/// Article-like prefixes, longest first: the article with an attached preposition (بـ كـ فـ)
/// or لـ + article (للـ).
const ARTICLES: &[&str] = &["بال", "كال", "فال", "لل", "ال"];

/// Removes one article-like prefix if at least `min_rest` letters remain; returns the rest.
fn strip_article(word: &str, chars: usize, min_rest: usize) -> Option<(&str, usize)> {
    ARTICLES.iter().find_map(|article| {
        let rest = word.strip_prefix(article)?;
        let rest_chars = chars - article.chars().count();
        (rest_chars >= min_rest).then_some((rest, rest_chars))
    })
}

/// The light Arabic stemmer, on a normalized word (ة is already ه, alefs are folded); the
/// rules, and why, are listed on [`stem`].
fn push_arabic_stem(word: &str, out: &mut String) {
    let mut w = word;
    let mut n = w.chars().count();

    // 1. Prefixes.
    let mut stripped_article = false;
    if let Some(rest) = w.strip_prefix('\u{0648}')
        && let Some((after, chars)) = strip_article(rest, n - 1, 3)
    {
        (w, n) = (after, chars);
        stripped_article = true;
    }
    if !stripped_article && let Some((after, chars)) = strip_article(w, n, 2) {
        (w, n) = (after, chars);
        stripped_article = true;
    }
    if stripped_article
        && n >= 4
        && let Some(after) = w.strip_prefix("ال")
    {
        (w, n) = (after, n - 2);
    }

    // 2. Suffixes.
    let mut last_pronoun: Option<&Suffix> = None;
    for _ in 0..3 {
        if n < 4 {
            break;
        }
        let Some(s) = SUFFIXES
            .iter()
            .find(|s| w.ends_with(s.text) && (n - s.chars >= 3 || (s.text == "ات" && n == 4)))
        else {
            break;
        };
        w = &w[..w.len() - s.text.len()];
        n -= s.chars;
        if n == 2 {
            // ات on a 4-letter word: the plural of a 3-letter noun in ة.
            out.push_str(w);
            out.push('\u{0647}');
            return;
        }
        last_pronoun = s.pronoun.then_some(s);
    }

    // 3. The taa marbuta before a pronoun.
    if let Some(s) = last_pronoun {
        let min = if s.text == "ه" { 5 } else { 4 };
        if n >= min
            && let Some(before) = w.strip_suffix('\u{062A}')
        {
            w = before;
        }
    }
    out.push_str(w);
}

/// For a normalized Arabic word that starts with و and has at least 4 letters, the word
/// without it: the stem of that is indexed too, since the و may be the conjunction "and"
/// (وشهادتي is "and my certificate"), which the stemmer itself keeps (see [`stem`]).
fn without_conjunction(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('\u{0648}')?;
    (rest.chars().count() >= 3 && word_kind(word) == WordKind::Arabic).then_some(rest)
}

// ---------------------------------------------------------------------------------------------
// Index terms
// ---------------------------------------------------------------------------------------------

/// The terms to index for a text, space-separated, in document order: for each word, its
/// stem, and also its normalized surface form when that differs from the stem (so type-ahead
/// prefixes of the surface form match). Stop words are left out. In addition, every
/// whitespace-separated chunk that contains letters/digits joined by separators (- / . + _ :)
/// also yields its compacted form (normalized, separators removed), so "ET-2026-000123"
/// indexes "et", "2026", "000123" and "et2026000123", and "+966-55-512-3456" indexes "966",
/// "55", "512", "3456" and "966555123456".
///
/// An Arabic word starting with و (4 letters or more) also yields the stem of the word without
/// the و, when that differs, because the و may be the conjunction (see [`stem`]).
/// The compacted form follows the chunk's last word.
///
/// This runs over every ticket during a bulk import, so it allocates only its output and two
/// scratch buffers, whatever the length of the text.
pub fn index_terms(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut word = String::with_capacity(64);
    let mut chunk = Chunk::default();
    chunk.reset();
    for span in WordSpans::new(text) {
        if span.new_chunk {
            if let Some(compact) = chunk.compacted() {
                push_term(&mut out, compact);
            }
            chunk.reset();
        }
        let maqsura = normalize_word_into(&text[span.start..span.end], &mut word);
        chunk.add(&span, &word);
        if word.is_empty() || is_stop(&word, maqsura) {
            continue;
        }
        push_word_terms(&word, &mut out);
    }
    if let Some(compact) = chunk.compacted() {
        push_term(&mut out, compact);
    }
    out
}

fn push_term(out: &mut String, term: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(term);
}

/// Appends one word's terms: stem, surface (if different), stem without a leading و (if
/// different from both).
fn push_word_terms(word: &str, out: &mut String) {
    if !out.is_empty() {
        out.push(' ');
    }
    let stem_start = out.len();
    push_stem(word, out);
    let stem_end = out.len();
    if out[stem_start..] != *word {
        out.push(' ');
        out.push_str(word);
    }
    if let Some(rest) = without_conjunction(word) {
        let mark = out.len();
        out.push(' ');
        push_stem(rest, out);
        let alternative = &out[mark + 1..];
        if alternative == &out[stem_start..stem_end] || alternative == word {
            out.truncate(mark);
        }
    }
}

/// Extra terms for a phone number stored as E.164 (e.g. "+966555123456"): international
/// digits "966555123456", and for Saudi numbers (+966) the national forms "0555123456" and
/// "555123456". Other countries: just the digits. Returned space-separated, ready to append to
/// index terms.
///
/// People search for a caller by the number as they know it, which in Saudi Arabia is usually
/// the national form with a leading 0; the stored number is international.
pub fn phone_terms(e164: &str) -> String {
    let digits: String = e164
        .chars()
        .filter_map(|c| match fold_arabic(c) {
            Some(d) if d.is_ascii_digit() => Some(d),
            _ => None,
        })
        .collect();
    match digits.strip_prefix("966") {
        Some(national) if !national.is_empty() => {
            format!("{digits} 0{national} {national}")
        }
        _ => digits,
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// One condition of a search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The stem of what was typed (for an identifier, its compacted form).
    pub stem: String,
    /// The normalized form of what was typed.
    pub surface: String,
    /// Whether indexed terms merely starting with `stem` or `surface` match (type-ahead on
    /// the word still being typed).
    pub prefix: bool,
}

impl QueryTerm {
    /// True if an indexed term (one item of [`index_terms`] output) satisfies this query term:
    /// equal to stem or surface, or for a prefix term, starts with stem or surface.
    ///
    /// A stem shorter than 2 characters is not used as a prefix, since it would match nearly
    /// every term.
    pub fn matches(&self, indexed_term: &str) -> bool {
        if self.prefix {
            (self.stem.chars().nth(1).is_some() && indexed_term.starts_with(&self.stem))
                || indexed_term.starts_with(&self.surface)
        } else {
            indexed_term == self.stem || indexed_term == self.surface
        }
    }
}

/// A parsed search query: at least one and at most [`MAX_QUERY_TERMS`] terms, all of which
/// must match (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<QueryTerm>,
}

/// Why a search query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchQueryError {
    #[error("the search has no words to look for")]
    Empty,
    #[error("the search is {length} characters long; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the search has {count} distinct words; at most {max} are allowed")]
    TooManyTerms { count: usize, max: usize },
}

/// A term as parsed, before stop words and duplicates are decided.
struct Candidate {
    term: QueryTerm,
    stop: bool,
}

impl SearchQuery {
    /// Parses what a person typed. Each word becomes a term (stem + normalized surface);
    /// identifier-like chunks (as in [`index_terms`]) become one compacted term instead of
    /// their pieces. Stop words are dropped unless the query has nothing else. The LAST term is
    /// a prefix term (type-ahead) when its surface has at least 2 characters and the raw input
    /// does not end in whitespace; all others must match exactly. Duplicate terms collapse.
    /// Empty/only punctuation → `Err(Empty)`.
    ///
    /// "The last term" is the term made from the last word typed: when that word is a dropped
    /// stop word, no term is a prefix, since the word before it was finished. Terms collapse
    /// when their stems are equal, because they then match the same words.
    pub fn parse(raw: &str) -> Result<Self, SearchQueryError> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length > MAX_QUERY_CHARS {
            return Err(SearchQueryError::TooLong {
                length,
                max: MAX_QUERY_CHARS,
            });
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut chunk_words: Vec<Candidate> = Vec::new();
        let mut chunk = Chunk::default();
        chunk.reset();
        let mut word = String::new();
        let flush = |chunk: &Chunk, words: &mut Vec<Candidate>, out: &mut Vec<Candidate>| {
            if let Some(compact) = chunk.compacted() {
                words.clear();
                out.push(Candidate {
                    term: QueryTerm {
                        stem: compact.to_owned(),
                        surface: compact.to_owned(),
                        prefix: false,
                    },
                    stop: false,
                });
            } else {
                out.append(words);
            }
        };
        for span in WordSpans::new(trimmed) {
            if span.new_chunk {
                flush(&chunk, &mut chunk_words, &mut candidates);
                chunk.reset();
            }
            let maqsura = normalize_word_into(&trimmed[span.start..span.end], &mut word);
            chunk.add(&span, &word);
            if word.is_empty() {
                continue;
            }
            chunk_words.push(Candidate {
                term: QueryTerm {
                    stem: stem(&word),
                    surface: word.clone(),
                    prefix: false,
                },
                stop: is_stop(&word, maqsura),
            });
        }
        flush(&chunk, &mut chunk_words, &mut candidates);

        if candidates.is_empty() {
            return Err(SearchQueryError::Empty);
        }
        let open_ended = !raw.ends_with(char::is_whitespace);
        if let Some(last) = candidates.last_mut()
            && open_ended
            && last.term.surface.chars().nth(1).is_some()
        {
            last.term.prefix = true;
        }
        let only_stop_words = candidates.iter().all(|c| c.stop);
        let mut terms: Vec<QueryTerm> = Vec::new();
        for candidate in candidates {
            if candidate.stop && !only_stop_words {
                continue;
            }
            if terms.iter().any(|t| t.stem == candidate.term.stem) {
                continue;
            }
            terms.push(candidate.term);
        }
        if terms.len() > MAX_QUERY_TERMS {
            return Err(SearchQueryError::TooManyTerms {
                count: terms.len(),
                max: MAX_QUERY_TERMS,
            });
        }
        Ok(Self { terms })
    }

    /// The terms, in the order typed; only the last can be a prefix term.
    pub fn terms(&self) -> &[QueryTerm] {
        &self.terms
    }

    /// The same query with its type-ahead term matched as a whole word, or `None` when it has
    /// no prefix term. Searching this first is much cheaper for a word already typed in full
    /// (a prefix of a common word expands to every form of it), and enough when it finds a
    /// full page.
    pub fn as_whole_words(&self) -> Option<SearchQuery> {
        if !self.terms.iter().any(|term| term.prefix) {
            return None;
        }
        let terms = self
            .terms
            .iter()
            .map(|term| QueryTerm {
                prefix: false,
                ..term.clone()
            })
            .collect();
        Some(SearchQuery { terms })
    }

    /// Bit `k` is set when query term `k` matches `indexed_term`.
    fn match_mask(&self, indexed_term: &str) -> u16 {
        let mut mask = 0;
        for (k, term) in self.terms.iter().enumerate() {
            if term.matches(indexed_term) {
                mask |= 1 << k;
            }
        }
        mask
    }
}

// ---------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------

/// Relevance of one document for a query, computed from its indexed fields (each field = an
/// [`index_terms`] string, with a weight, e.g. subject 3.0, body 1.0). Every query term must
/// match somewhere or the score is 0 (AND semantics). Per term and field:
/// `weight * tf/(tf+1.2)` (saturated term frequency). A bonus when every term appears in the
/// highest-weight field, and a bonus when the terms appear adjacent and in order somewhere
/// (phrase). Deterministic, f64.
///
/// `tf` counts matching indexed terms, so a word whose stem and surface both match counts
/// twice: a word typed exactly as in the query weighs a little more than another form of it.
/// "Adjacent" means in consecutive words, ignoring dropped stop words. Fields whose weight is not a positive
/// number are ignored. There is no inverse document frequency: scores compare documents for
/// one query, and the backends do not share corpus statistics.
pub fn score(query: &SearchQuery, fields: &[(f64, &str)]) -> f64 {
    let n = query.terms.len();
    if n == 0 {
        return 0.0;
    }
    let usable = |w: f64| w.is_finite() && w > 0.0;
    let top_weight = fields
        .iter()
        .map(|&(w, _)| w)
        .filter(|&w| usable(w))
        .fold(f64::NEG_INFINITY, f64::max);
    let mut found = [false; MAX_QUERY_TERMS];
    let mut base = 0.0;
    let mut all_in_top = false;
    let mut phrase_weight: f64 = 0.0;
    let mut positions: Vec<Vec<usize>> = vec![Vec::new(); if n >= 2 { n } else { 0 }];
    let mut field_terms: Vec<&str> = Vec::new();
    for &(weight, field) in fields {
        if !usable(weight) {
            continue;
        }
        let mut tf = [0u32; MAX_QUERY_TERMS];
        positions.iter_mut().for_each(Vec::clear);
        field_terms.clear();
        field_terms.extend(field.split_ascii_whitespace());
        for (position, term) in field_terms.iter().enumerate() {
            let mut mask = query.match_mask(term);
            while mask != 0 {
                let k = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                tf[k] += 1;
                if let Some(list) = positions.get_mut(k) {
                    list.push(position);
                }
            }
        }
        for (k, &count) in tf[..n].iter().enumerate() {
            if count > 0 {
                let count = f64::from(count);
                base += weight * count / (count + TF_SATURATION);
                found[k] = true;
            }
        }
        if weight == top_weight && tf[..n].iter().all(|&count| count > 0) {
            all_in_top = true;
        }
        if n >= 2 && weight > phrase_weight && has_phrase(&positions, &field_terms) {
            phrase_weight = weight;
        }
    }
    if !found[..n].iter().all(|&f| f) {
        return 0.0;
    }
    let mut total = base;
    if all_in_top {
        total += TOP_FIELD_BONUS * top_weight;
    }
    total + PHRASE_BONUS * phrase_weight
}

/// Whether the query terms occur in order, each in the word right after the previous one;
/// `positions[k]` lists (ascending) where term `k` matched in `terms`.
fn has_phrase(positions: &[Vec<usize>], terms: &[&str]) -> bool {
    let Some((first, rest)) = positions.split_first() else {
        return false;
    };
    let mut scratch = String::new();
    let mut reachable: Vec<usize> = first.clone();
    for next in rest {
        reachable = next
            .iter()
            .copied()
            .filter(|&p| {
                let from = p.saturating_sub(PHRASE_WINDOW);
                let i = reachable.partition_point(|&q| q < from);
                reachable[i..].iter().take_while(|&&q| q < p).any(|&q| {
                    (q + 1..p).all(|m| continues_word(terms[m - 1], terms[m], &mut scratch))
                })
            })
            .collect();
        if reachable.is_empty() {
            return false;
        }
    }
    true
}

/// Whether `term` is another form of the word whose form `previous` comes right before it in
/// [`index_terms`] output: its surface (whose stem is `previous`), or its stem without a
/// leading و.
fn continues_word(previous: &str, term: &str, scratch: &mut String) -> bool {
    scratch.clear();
    push_stem(term, scratch);
    if scratch == previous {
        return true;
    }
    without_conjunction(previous).is_some_and(|rest| {
        scratch.clear();
        push_stem(rest, scratch);
        scratch == term
    })
}

// ---------------------------------------------------------------------------------------------
// Snippets
// ---------------------------------------------------------------------------------------------

/// A piece of a snippet: plain text, or one original word that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnippetSegment {
    pub text: String,
    pub highlighted: bool,
}

/// A short excerpt of a text around what matched, as alternating plain and highlighted
/// segments, so the page can mark the matches without parsing HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    pub segments: Vec<SnippetSegment>,
}

impl Snippet {
    /// The excerpt without highlighting.
    pub fn plain_text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// True when there is nothing to show (an empty text, or a budget too small for a word).
    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(|s| s.text.is_empty())
    }
}

/// One word of the text being excerpted.
struct SnippetWord {
    start: usize,
    end: usize,
    /// Which query terms the word matches.
    mask: u16,
    /// Position of its first character in the whitespace-collapsed text.
    position: usize,
    /// Its length in characters.
    chars: usize,
}

/// A short excerpt of `text` around the densest cluster of matching words, at most about
/// `max_chars` characters, cut at word boundaries, whitespace collapsed, with "…" where cut.
/// Segments alternate plain/highlighted; a highlighted segment is exactly one original word
/// that matches a query term (matching by its stem or normalized surface, prefix-aware). If
/// nothing matches, the beginning of the text.
///
/// The excerpt, ellipses included, is never longer than `max_chars` characters (two are
/// reserved for the ellipses). The densest cluster is the window that covers the most
/// distinct query terms, then the most matching words, then comes first; context is added
/// evenly on both sides. The pieces of an identifier (`ET-2026-000123`) are highlighted when
/// the query's compacted identifier matches it. A single word longer than the whole budget is
/// cut inside, at a character boundary.
pub fn snippet(text: &str, query: &SearchQuery, max_chars: usize) -> Snippet {
    let budget = max_chars.saturating_sub(2);
    if budget == 0 {
        return Snippet::default();
    }
    let words = snippet_words(text, query);
    let mut out = SnippetBuilder::new(budget);
    if words.is_empty() {
        out.push_plain_collapsed(text.trim());
        return out.finish(false);
    }
    let total = collapsed_len(text);
    let last = words.len() - 1;
    let start_of = |a: usize| if a == 0 { 0 } else { words[a].position };
    let end_of = |b: usize| {
        if b == last {
            total
        } else {
            words[b].position + words[b].chars
        }
    };
    let fits = |a: usize, b: usize| end_of(b) - start_of(a) <= budget;

    // The window with the most distinct terms, then the most matching words.
    let mut counts = [0u32; 16];
    let (mut distinct, mut matched) = (0usize, 0usize);
    let mut best: Option<(usize, usize, usize, usize)> = None;
    let mut left = 0;
    for right in 0..words.len() {
        let mask = words[right].mask;
        if mask != 0 {
            matched += 1;
            for (k, count) in counts.iter_mut().enumerate() {
                if mask & (1 << k) != 0 {
                    *count += 1;
                    if *count == 1 {
                        distinct += 1;
                    }
                }
            }
        }
        while left <= right && !fits(left, right) {
            let mask = words[left].mask;
            if mask != 0 {
                matched -= 1;
                for (k, count) in counts.iter_mut().enumerate() {
                    if mask & (1 << k) != 0 {
                        *count -= 1;
                        if *count == 0 {
                            distinct -= 1;
                        }
                    }
                }
            }
            left += 1;
        }
        if left > right || mask == 0 {
            continue;
        }
        if best.is_none_or(|(d, m, _, _)| (distinct, matched) > (d, m)) {
            best = Some((distinct, matched, left, right));
        }
    }

    let (mut a, mut b) = match best {
        Some((_, _, left, right)) => {
            let first = (left..=right)
                .find(|&i| words[i].mask != 0)
                .unwrap_or(right);
            (first, right)
        }
        // Nothing matched: the beginning. Or every match is a word longer than the whole
        // budget: the first of them, cut inside.
        None => {
            let first = words.iter().position(|w| w.mask != 0).unwrap_or(0);
            (first, first)
        }
    };
    // Context, one word at a time on each side in turn.
    if fits(a, b) {
        loop {
            let mut grew = false;
            if a > 0 && fits(a - 1, b) {
                a -= 1;
                grew = true;
            }
            if b < last && fits(a, b + 1) {
                b += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
    }

    if a > 0 {
        out.push_ellipsis();
    }
    let mut cursor = if a == 0 { 0 } else { words[a].start };
    for (i, word) in words.iter().enumerate().take(b + 1).skip(a) {
        let mut gap = &text[cursor..word.start];
        if i == 0 {
            gap = gap.trim_start();
        }
        out.push_plain_collapsed(gap);
        let original = &text[word.start..word.end];
        if word.mask != 0 {
            out.push_highlighted(original);
        } else {
            out.push_plain_collapsed(original);
        }
        cursor = word.end;
    }
    if b == last {
        out.push_plain_collapsed(text[cursor..].trim_end());
    }
    out.finish(b < last)
}

/// The words of a text with the query terms each matches, by stem, surface or (for words
/// starting with و) the stem without it; the pieces of an identifier chunk also match what its
/// compacted form matches.
fn snippet_words(text: &str, query: &SearchQuery) -> Vec<SnippetWord> {
    let mut words: Vec<SnippetWord> = Vec::new();
    let mut normalized = String::new();
    let mut scratch = String::new();
    let mut chunk = Chunk::default();
    chunk.reset();
    let mut chunk_first = 0;
    let close_chunk = |chunk: &Chunk, words: &mut Vec<SnippetWord>, first: usize| {
        if let Some(compact) = chunk.compacted() {
            let mask = query.match_mask(compact);
            if mask != 0 {
                words[first..].iter_mut().for_each(|w| w.mask |= mask);
            }
        }
    };
    for span in WordSpans::new(text) {
        if span.new_chunk {
            close_chunk(&chunk, &mut words, chunk_first);
            chunk.reset();
            chunk_first = words.len();
        }
        normalize_word_into(&text[span.start..span.end], &mut normalized);
        chunk.add(&span, &normalized);
        if normalized.is_empty() {
            continue;
        }
        let mut mask = query.match_mask(&normalized);
        scratch.clear();
        push_stem(&normalized, &mut scratch);
        mask |= query.match_mask(&scratch);
        if let Some(rest) = without_conjunction(&normalized) {
            scratch.clear();
            push_stem(rest, &mut scratch);
            mask |= query.match_mask(&scratch);
        }
        words.push(SnippetWord {
            start: span.start,
            end: span.end,
            mask,
            position: 0,
            chars: text[span.start..span.end].chars().count(),
        });
    }
    close_chunk(&chunk, &mut words, chunk_first);

    // Positions in the collapsed text: leading and trailing whitespace gone, every run of
    // whitespace inside one space. Words contain no whitespace, so each keeps its length.
    let mut next = 0;
    let mut position = 0;
    let mut pending_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            pending_space = position > 0;
            continue;
        }
        if pending_space {
            position += 1;
            pending_space = false;
        }
        if next < words.len() && words[next].start == i {
            words[next].position = position;
            next += 1;
        }
        position += 1;
    }
    words
}

/// The length in characters of `text` with whitespace collapsed and trimmed.
fn collapsed_len(text: &str) -> usize {
    let mut length = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = length > 0;
        } else {
            length += usize::from(pending_space) + 1;
            pending_space = false;
        }
    }
    length
}

/// Accumulates snippet segments within a character budget, merging plain pieces and
/// collapsing whitespace.
struct SnippetBuilder {
    segments: Vec<SnippetSegment>,
    plain: String,
    remaining: usize,
    cut: bool,
    last_was_space: bool,
}

impl SnippetBuilder {
    fn new(budget: usize) -> Self {
        Self {
            segments: Vec::new(),
            plain: String::new(),
            remaining: budget,
            cut: false,
            last_was_space: false,
        }
    }

    fn push_ellipsis(&mut self) {
        self.plain.push('…');
    }

    /// Appends text with whitespace runs collapsed to one space, as far as the budget allows.
    fn push_plain_collapsed(&mut self, text: &str) {
        for c in text.chars() {
            if self.cut {
                return;
            }
            let c = if c.is_whitespace() {
                if self.last_was_space {
                    continue;
                }
                ' '
            } else {
                c
            };
            if self.remaining == 0 {
                self.cut = true;
                return;
            }
            self.remaining -= 1;
            self.last_was_space = c == ' ';
            self.plain.push(c);
        }
    }

    fn push_highlighted(&mut self, word: &str) {
        if self.cut {
            return;
        }
        if !self.plain.is_empty() {
            self.segments.push(SnippetSegment {
                text: std::mem::take(&mut self.plain),
                highlighted: false,
            });
        }
        let chars = word.chars().count();
        let text = if chars <= self.remaining {
            self.remaining -= chars;
            word.to_owned()
        } else {
            let end = word
                .char_indices()
                .nth(self.remaining)
                .map_or(word.len(), |(i, _)| i);
            self.remaining = 0;
            self.cut = true;
            word[..end].to_owned()
        };
        self.last_was_space = false;
        if !text.is_empty() {
            self.segments.push(SnippetSegment {
                text,
                highlighted: true,
            });
        }
    }

    /// Ends the snippet, with "…" if the text goes on or a piece was cut.
    fn finish(mut self, more_follows: bool) -> Snippet {
        if more_follows || self.cut {
            self.plain.push('…');
        }
        if !self.plain.is_empty() {
            self.segments.push(SnippetSegment {
                text: self.plain,
                highlighted: false,
            });
        }
        Snippet {
            segments: self.segments,
        }
    }
}
