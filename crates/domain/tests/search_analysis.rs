//! Search analysis, table by table: what each input normalizes, stems and indexes to, how
//! queries parse, how documents rank and what excerpts show.
//!
//! Each table row reads `check(input, expected)`; a failing table reports every wrong row at
//! once, so a change to the analyzer shows its whole effect in one run.

use sanad_domain::search::{
    ANALYZER_VERSION, MAX_QUERY_CHARS, MAX_QUERY_TERMS, QueryTerm, SearchQuery, SearchQueryError,
    Snippet, index_terms, normalize, phone_terms, score, snippet, stem, tokens,
};

/// Runs `f` over every row and fails once, listing every row whose result differs.
fn table<I: std::fmt::Debug, E: std::fmt::Debug, T: std::fmt::Debug + PartialEq<E>>(
    name: &str,
    rows: &[(I, E)],
    f: impl Fn(&I) -> T,
) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(input, expected)| {
            let actual = f(input);
            (actual != *expected)
                .then(|| format!("  {input:?}: expected {expected:?}, got {actual:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} rows wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

fn query(raw: &str) -> SearchQuery {
    SearchQuery::parse(raw).unwrap_or_else(|e| panic!("{raw:?} should parse: {e}"))
}

fn term(stem: &str, surface: &str, prefix: bool) -> QueryTerm {
    QueryTerm {
        stem: stem.to_owned(),
        surface: surface.to_owned(),
        prefix,
    }
}

/// The snippet with highlighted words in [brackets].
fn marked(snippet: &Snippet) -> String {
    snippet
        .segments
        .iter()
        .map(|s| {
            if s.highlighted {
                format!("[{}]", s.text)
            } else {
                s.text.clone()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// normalize
// ---------------------------------------------------------------------------------------------

#[test]
fn normalize_folds_each_rule() {
    table(
        "normalize",
        &[
            // Alef forms.
            ("أحمد", "احمد".to_owned()),
            ("إبراهيم", "ابراهيم".to_owned()),
            ("آمنة", "امنه".to_owned()),
            ("ٱلحمد", "الحمد".to_owned()),
            // Alef maqsura and taa marbuta.
            ("مستشفى", "مستشفي".to_owned()),
            ("على", "علي".to_owned()),
            ("مدرسة", "مدرسه".to_owned()),
            // Hamza carriers and the lone hamza.
            ("مؤسسة", "موسسه".to_owned()),
            ("مسائل", "مسايل".to_owned()),
            ("إلغاء", "الغا".to_owned()),
            ("جزء", "جز".to_owned()),
            // Tashkeel, superscript alef, Quranic marks, tatweel.
            ("الشَّهَادَةُ", "الشهاده".to_owned()),
            ("مُعَلِّمٌ", "معلم".to_owned()),
            ("هٰذا", "هذا".to_owned()),
            ("الرَّحِيمِ۝", "الرحيم".to_owned()),
            ("شـــهادة", "شهاده".to_owned()),
            ("مـرحـبـاً", "مرحبا".to_owned()),
            // Persian letters.
            ("کتاب", "كتاب".to_owned()),
            ("ایران", "ايران".to_owned()),
            // Digits.
            ("٠١٢٣٤٥٦٧٨٩", "0123456789".to_owned()),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789".to_owned()),
            ("رقم ٥٥٥", "رقم 555".to_owned()),
            // Presentation forms (NFKC): ﻻ lam-alef, ﷲ, isolated/final letters.
            ("ﻻ", "لا".to_owned()),
            ("ﺍﻟﺸﻬﺎﺩﺓ", "الشهاده".to_owned()),
            ("ﷲ", "الله".to_owned()),
            ("ﻷ", "لا".to_owned()),
            // Full-width forms.
            ("ＥＴ－２０２６", "et-2026".to_owned()),
            // Latin case, mixed text, punctuation kept.
            ("HELLO World", "hello world".to_owned()),
            ("Certificate شهادة #12", "certificate شهاده #12".to_owned()),
            ("É", "é".to_owned()),
            ("", String::new()),
        ],
        |s| normalize(s),
    );
}

#[test]
fn composed_and_decomposed_hamza_meet() {
    // ا + U+0654 (hamza above) is composed by NFKC into أ, then folded.
    assert_eq!(normalize("\u{0627}\u{0654}حمد"), "احمد");
    assert_eq!(normalize("\u{064A}\u{0654}"), "ي");
}

// ---------------------------------------------------------------------------------------------
// tokens
// ---------------------------------------------------------------------------------------------

#[test]
fn tokens_keep_marks_and_byte_ranges() {
    let text = "تم إصدار الشَّهَادَةِ، شكراً! customer's e-mail";
    let found = tokens(text);
    let words: Vec<(&str, &str)> = found
        .iter()
        .map(|t| (t.original, t.normalized.as_str()))
        .collect();
    assert_eq!(
        words,
        [
            ("تم", "تم"),
            ("إصدار", "اصدار"),
            ("الشَّهَادَةِ", "الشهاده"),
            ("شكراً", "شكرا"),
            ("customer's", "customer"),
            ("e", "e"),
            ("mail", "mail"),
        ]
    );
    for token in &found {
        assert_eq!(&text[token.start..token.end], token.original);
    }
}

#[test]
fn tokens_split_where_arabic_meets_latin() {
    let words: Vec<String> = tokens("بالـPDF والـiPhone 15")
        .into_iter()
        .map(|t| t.normalized)
        .collect();
    assert_eq!(words, ["بال", "pdf", "وال", "iphone", "15"]);
}

#[test]
fn tokens_skip_lone_marks() {
    assert!(tokens("ـــ ، ؟").is_empty());
    assert!(tokens("").is_empty());
}

// ---------------------------------------------------------------------------------------------
// stem
// ---------------------------------------------------------------------------------------------

#[test]
fn arabic_stems_conflate_inflections() {
    table(
        "arabic stem",
        &[
            // شهادة (certificate)
            ("الشهاده", "شهاد"),
            ("شهاده", "شهاد"),
            ("شهادات", "شهاد"),
            ("بالشهاده", "شهاد"),
            ("والشهادات", "شهاد"),
            ("شهادتي", "شهاد"),
            ("شهادتكم", "شهاد"),
            ("للشهاده", "شهاد"),
            // معلم (teacher)
            ("المعلم", "معلم"),
            ("معلم", "معلم"),
            ("المعلمين", "معلم"),
            ("معلمون", "معلم"),
            ("معلميها", "معلم"),
            // دورة (course)
            ("الدوره", "دور"),
            ("دوره", "دور"),
            ("دورات", "دور"),
            ("بالدوره", "دور"),
            ("دورتي", "دور"),
            // اختبار (test)
            ("الاختبار", "اختبار"),
            ("اختبار", "اختبار"),
            ("اختبارات", "اختبار"),
            // منصة (platform)
            ("منصه", "منص"),
            ("المنصه", "منص"),
            ("منصات", "منص"),
            // Pronouns common in replies.
            ("طلبكم", "طلب"),
            ("حسابك", "حساب"),
            ("فريقنا", "فريق"),
            ("بياناتي", "بيان"),
            ("رسالتي", "رسال"),
            ("الرساله", "رسال"),
            // -ية / -ي adjectives meet.
            ("التعليميه", "تعليم"),
            ("تعليمي", "تعليم"),
            // A leading و that is a root letter stays; with the article it is the conjunction.
            ("وزاره", "وزار"),
            ("الوزاره", "وزار"),
            ("والوزاره", "وزار"),
            ("وثيقه", "وثيق"),
            ("الوثيقه", "وثيق"),
            // والدة keeps its و (only 2 letters would follow the article).
            ("والده", "والد"),
            ("الوالده", "والد"),
            // إلكتروني / الإلكتروني (after folding: الكتروني / الالكتروني), with -ون cut too.
            ("الكتروني", "كتر"),
            ("الالكتروني", "كتر"),
            ("بالالكتروني", "كتر"),
            // إلغاء / الإلغاء, آلية / الآلية.
            ("الغا", "غا"),
            ("الالغا", "غا"),
            ("اليه", "يه"),
            ("الاليه", "يه"),
            // Plurals of 3-letter nouns in ة meet their singular.
            ("لغات", "لغه"),
            ("لغه", "لغه"),
            ("اللغه", "لغه"),
            ("مرات", "مره"),
            // Short words are never cut down.
            ("بيت", "بيت"),
            ("بيتي", "بيت"),
            ("مره", "مره"),
            ("كلي", "كلي"),
            ("من", "من"),
            ("ال", "ال"),
            // A ت that belongs to the word stays (ثابتة → ثابته).
            ("ثابته", "ثابت"),
            ("ثابت", "ثابت"),
            // Words with digits are identifiers.
            ("2026م", "2026م"),
        ],
        |s| stem(s),
    );
}

#[test]
fn english_stems_are_snowball() {
    table(
        "english stem",
        &[
            ("connection", "connect"),
            ("connecting", "connect"),
            ("connected", "connect"),
            ("connections", "connect"),
            ("certificates", "certif"),
            ("certificate", "certif"),
            ("certification", "certif"),
            ("courses", "cours"),
            ("course", "cours"),
            ("training", "train"),
            ("trained", "train"),
            ("payments", "payment"),
            ("registration", "registr"),
            ("registered", "regist"),
            ("customer's", "custom"),
            ("don't", "dont"),
            ("login", "login"),
            ("email", "email"),
            ("café", "café"),
        ],
        |s| stem(s),
    );
}

#[test]
fn other_words_are_unchanged() {
    table(
        "other stem",
        &[
            ("2026", "2026"),
            ("000123", "000123"),
            ("a4", "a4"),
            ("iphone15", "iphone15"),
            ("中文", "中文"),
            ("", ""),
        ],
        |s| stem(s),
    );
}

// ---------------------------------------------------------------------------------------------
// index_terms
// ---------------------------------------------------------------------------------------------

#[test]
fn index_terms_cases() {
    table(
        "index_terms",
        &[
            // Ticket numbers: the pieces and the compacted whole.
            ("ET-2026-000123", "et 2026 000123 et2026000123"),
            ("(ET-2026-000123).", "et 2026 000123 et2026000123"),
            (
                "تذكرة ET-2026-000123 مفتوحة",
                "تذكر تذكره et 2026 000123 et2026000123 مفتوح مفتوحه",
            ),
            // Phones.
            ("+966-55-512-3456", "966 55 512 3456 966555123456"),
            ("٠٥٥٥١٢٣٤٥٦", "0555123456"),
            // Other identifiers.
            ("v1.2", "v1 2 v12"),
            ("e-mail", "e mail email"),
            // Not identifiers: other punctuation, or spaces.
            ("x,y", "x y"),
            ("ET 2026", "et 2026"),
            // Stop words are left out, Arabic and English, with a leading و too.
            (
                "the certificate of the course",
                "certif certificate cours course",
            ),
            ("في الشهادة من المعلم", "شهاد الشهاده معلم المعلم"),
            ("وفي ومن", ""),
            // على is a stop word, the name علي is not; إلى is, آلي (automatic) is not.
            ("على", ""),
            ("علي", "علي"),
            ("إلى", ""),
            ("آلي", "الي"),
            // Surface only when it differs from the stem.
            ("معلم", "معلم"),
            ("login", "login"),
            ("logins", "login logins"),
            // A word starting with و also indexes its stem without the و.
            ("وشهادتي", "وشهاد وشهادتي شهاد"),
            ("وزارة", "وزار وزاره زار"),
            // Diacritics and tatweel disappear.
            ("الشَّهَـادَة", "شهاد الشهاده"),
            // Mixed scripts split.
            ("بالـPDF", "pdf"),
            ("", ""),
            ("؟!…", ""),
        ],
        |s| index_terms(s),
    );
}

#[test]
fn index_terms_are_safe_for_both_tokenizers() {
    let text = "Customer's e-mail: ahmed.ali@example.com — رقم الهاتف ٠٥٥٥١٢٣٤٥٦، \
                الشَّهَادَة‌ها ﷺ ½ İstanbul naïve हिंदी";
    for term in index_terms(text).split(' ') {
        assert!(!term.is_empty(), "empty term in {:?}", index_terms(text));
        assert!(
            term.chars().all(char::is_alphanumeric),
            "term {term:?} has a character a tokenizer would split on"
        );
        assert_eq!(term, term.to_lowercase());
    }
}

#[test]
fn phone_terms_cases() {
    table(
        "phone_terms",
        &[
            (
                "+966555123456",
                "966555123456 0555123456 555123456".to_owned(),
            ),
            (
                "+966112345678",
                "966112345678 0112345678 112345678".to_owned(),
            ),
            ("+14155550123", "14155550123".to_owned()),
            (
                "+٩٦٦٥٥٥١٢٣٤٥٦",
                "966555123456 0555123456 555123456".to_owned(),
            ),
            ("", String::new()),
        ],
        |s| phone_terms(s),
    );
}

/// Pins the analyzer's output on a text that exercises every rule. If this fails, analysis
/// output changed: bump `ANALYZER_VERSION` (so stored indexes are rebuilt) and update both
/// values here together.
#[test]
fn analyzer_version_pins_the_output() {
    let reference = "وشهاداتكم في الإلكترونية على Certificates' ET-2026-000123 بالـPDF ٠٥٥ علي";
    assert_eq!(
        (ANALYZER_VERSION, index_terms(reference)),
        (
            1,
            "وشهاد وشهاداتكم شهاد كتر الالكترونيه certif certificates et 2026 000123 \
             et2026000123 pdf 055 علي"
                .to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// SearchQuery::parse
// ---------------------------------------------------------------------------------------------

#[test]
fn query_terms_cases() {
    table(
        "parse",
        &[
            // The last term is a prefix unless the input ends in whitespace.
            ("شهادة", vec![term("شهاد", "شهاده", true)]),
            ("شهادة ", vec![term("شهاد", "شهاده", false)]),
            (
                "شهادة الدورة",
                vec![term("شهاد", "شهاده", false), term("دور", "الدوره", true)],
            ),
            // One character is too short to be a prefix.
            (
                "شهادة ت",
                vec![term("شهاد", "شهاده", false), term("ت", "ت", false)],
            ),
            // Identifiers become one compacted term.
            (
                "ET-2026-000123",
                vec![term("et2026000123", "et2026000123", true)],
            ),
            (
                "ET-2026-000123 certificate",
                vec![
                    term("et2026000123", "et2026000123", false),
                    term("certif", "certificate", true),
                ],
            ),
            (
                "+966555123456 ",
                vec![term("966555123456", "966555123456", false)],
            ),
            // Stop words drop, unless nothing else is left.
            (
                "مشكلة في الشهادة ",
                vec![term("مشكل", "مشكله", false), term("شهاد", "الشهاده", false)],
            ),
            ("the", vec![term("the", "the", true)]),
            (
                "في من",
                vec![term("في", "في", false), term("من", "من", true)],
            ),
            // A trailing stop word leaves no prefix term.
            (
                "certificate the",
                vec![term("certif", "certificate", false)],
            ),
            // Duplicates collapse, by stem.
            ("شهادة الشهادات شهادتي", vec![term("شهاد", "شهاده", false)]),
            ("Login login LOGIN ", vec![term("login", "login", false)]),
            // Diacritics and case fold as in the index.
            ("الشَّهَادَة ", vec![term("شهاد", "الشهاده", false)]),
        ],
        |raw| query(raw).terms().to_vec(),
    );
}

#[test]
fn query_errors() {
    assert_eq!(SearchQuery::parse(""), Err(SearchQueryError::Empty));
    assert_eq!(SearchQuery::parse("   "), Err(SearchQueryError::Empty));
    assert_eq!(SearchQuery::parse("؟!- …"), Err(SearchQueryError::Empty));
    let long = "ا".repeat(MAX_QUERY_CHARS + 1);
    assert_eq!(
        SearchQuery::parse(&long),
        Err(SearchQueryError::TooLong {
            length: MAX_QUERY_CHARS + 1,
            max: MAX_QUERY_CHARS
        })
    );
    assert!(SearchQuery::parse(&"ا".repeat(MAX_QUERY_CHARS)).is_ok());
    let many = (1..=13)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        SearchQuery::parse(&many),
        Err(SearchQueryError::TooManyTerms {
            count: 13,
            max: MAX_QUERY_TERMS
        })
    );
    let twelve = (1..=12)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(query(&twelve).terms().len(), 12);
    // Stop words and duplicates do not count.
    let repeated = format!("{twelve} w1 w2 the في");
    assert_eq!(query(&repeated).terms().len(), 12);
}

#[test]
fn query_term_matching() {
    let exact = term("شهاد", "شهاده", false);
    let prefix = term("شهاد", "شها", true);
    let short_stem = term("a", "ab", true);
    table(
        "matches",
        &[
            ("شهاد", (true, true, false)),
            ("شهاده", (true, true, false)),
            ("الشهاده", (false, false, false)),
            ("شهادات", (false, true, false)),
            ("شها", (false, true, false)),
            ("abc", (false, false, true)),
            ("axe", (false, false, false)),
        ],
        |indexed| {
            (
                exact.matches(indexed),
                prefix.matches(indexed),
                short_stem.matches(indexed),
            )
        },
    );
}

/// Whether a query finds a text, by the definition the store uses: every query term matches
/// some indexed term.
fn finds(raw_query: &str, text: &str) -> bool {
    let q = query(raw_query);
    let terms = index_terms(text);
    q.terms()
        .iter()
        .all(|t| terms.split(' ').any(|indexed| t.matches(indexed)))
}

#[test]
fn queries_find_other_forms() {
    table(
        "finds",
        &[
            ("شهادة |لم تصلني الشهادات بعد", true),
            ("الشهادة |أين شهادتي؟", true),
            ("شهادة |وشهادتي لم تصل", true),
            ("وزارة |خطاب الوزارة", true),
            ("الوزارة |من وزارة التعليم", true),
            ("إلكتروني |البريد الالكتروني", true),
            ("الإلكتروني |بريد إلكتروني", true),
            ("الغاء |طلب إلغاء التسجيل", true),
            ("معلم |المعلمين في القاعة", true),
            ("certificates |my certificate is missing", true),
            ("connecting |connection refused", true),
            ("ET-2026-000123 |بخصوص التذكرة ET-2026-000123", true),
            ("ET-2026-0001|بخصوص التذكرة ET-2026-000123", true),
            ("et 2026 000123 |ET-2026-000123", true),
            ("0555123456 |+966-55-512-3456", false),
            ("شهادة دورة |شهادة الاختبار", false),
            ("شها|الشهادة", true),
            ("cert|Certificates", true),
            ("علي |تواصل مع علي", true),
            ("علي |اضغط على الزر", false),
        ],
        |row| {
            let (q, text) = row.split_once('|').expect("row has a |");
            finds(q, text)
        },
    );
}

// ---------------------------------------------------------------------------------------------
// score
// ---------------------------------------------------------------------------------------------

fn doc_score(raw_query: &str, subject: &str, body: &str) -> f64 {
    let subject = index_terms(subject);
    let body = index_terms(body);
    score(&query(raw_query), &[(3.0, &subject), (1.0, &body)])
}

#[test]
fn score_requires_every_term() {
    assert_eq!(doc_score("شهادة دورة ", "شهادة الاختبار", "لا شيء هنا"), 0.0);
    assert!(doc_score("شهادة دورة ", "شهادة", "الدورة") > 0.0);
    assert_eq!(doc_score("payment ", "", ""), 0.0);
    assert_eq!(score(&query("x"), &[]), 0.0);
}

#[test]
fn subject_outweighs_body() {
    let in_subject = doc_score("شهادة ", "الشهادة", "السلام عليكم");
    let in_body = doc_score("شهادة ", "استفسار", "الشهادة الشهادة الشهادة الشهادة");
    assert!(
        in_subject > in_body,
        "subject {in_subject} should beat body {in_body}"
    );
}

#[test]
fn more_occurrences_score_higher_but_saturate() {
    let once = doc_score("payment ", "", "payment failed");
    let twice = doc_score("payment ", "", "payment failed, payment again");
    let ten = doc_score("payment ", "", &"payment ".repeat(10));
    let hundred = doc_score("payment ", "", &"payment ".repeat(100));
    assert!(once < twice && twice < ten && ten < hundred);
    assert!(
        hundred < 2.0,
        "saturates below weight plus bonus: {hundred}"
    );
}

#[test]
fn phrase_scores_higher() {
    let phrase = doc_score("شهادة الدورة ", "", "لم تصل شهادة الدورة حتى الآن ولا الرد");
    let apart = doc_score(
        "شهادة الدورة ",
        "",
        "لم تصل شهادة حتى الآن ولا الرد على الدورة",
    );
    let reversed = doc_score("شهادة الدورة ", "", "الدورة انتهت ولم تصل شهادة");
    assert!(phrase > apart, "phrase {phrase} vs apart {apart}");
    assert!(apart > 0.0);
    assert_eq!(apart, reversed);
    let english = doc_score("payment failed ", "", "my payment failed twice");
    let english_apart = doc_score("payment failed ", "", "payment was declined and failed");
    assert!(english > english_apart);
    // One unrelated word in between breaks the phrase, even a one-term word.
    let one_between = doc_score("payment failed ", "", "payment card failed");
    let adjacent = doc_score("payment failed ", "", "payment failed card");
    assert!(adjacent > one_between);
    // A dropped stop word does not: "مشكلة في الشهادة" is the phrase "مشكلة الشهادة".
    let across_stop = doc_score("مشكلة الشهادة ", "", "عندي مشكلة في الشهادة");
    let apart_stop = doc_score("مشكلة الشهادة ", "", "عندي مشكلة كبيرة الشهادة");
    assert!(across_stop > apart_stop);
    // Words with three terms (stem, surface, stem without و) still count as adjacent.
    let waw = doc_score("شهادة الدورة ", "", "وشهادتي الدورة");
    let waw_apart = doc_score("شهادة الدورة ", "", "وشهادتي ثم الدورة");
    assert!(waw > waw_apart, "{waw} vs {waw_apart}");
}

#[test]
fn prefix_terms_score() {
    assert!(doc_score("شها", "", "الشهادة") > 0.0);
    assert!(doc_score("certif", "certificates", "") > 0.0);
    assert_eq!(doc_score("certi ", "certificates", ""), 0.0);
}

#[test]
fn score_is_deterministic_and_ignores_bad_weights() {
    let terms = index_terms("payment failed");
    let q = query("payment");
    let a = score(&q, &[(1.0, &terms), (f64::NAN, &terms), (-2.0, &terms)]);
    let b = score(&q, &[(1.0, &terms)]);
    assert_eq!(a, b);
    assert_eq!(a.to_bits(), score(&q, &[(1.0, &terms)]).to_bits());
}

// ---------------------------------------------------------------------------------------------
// snippet
// ---------------------------------------------------------------------------------------------

#[test]
fn snippet_highlights_the_original_word_with_its_diacritics() {
    let s = snippet("تم إصدار الشَّهَادَةِ بنجاح", &query("شهادة "), 80);
    assert_eq!(marked(&s), "تم إصدار [الشَّهَادَةِ] بنجاح");
    assert!(
        s.segments
            .iter()
            .any(|seg| seg.highlighted && seg.text == "الشَّهَادَةِ")
    );
}

#[test]
fn snippet_cases() {
    let long_arabic = "السلام عليكم ورحمة الله وبركاته، أكتب إليكم بخصوص التسجيل في البرنامج \
                       التدريبي الذي بدأ الشهر الماضي، وقد واجهت صعوبات كثيرة في الدخول إلى \
                       المنصة الإلكترونية، ثم بعد انتهاء الدورة لم تصلني الشهادة حتى الآن رغم \
                       مرور أسبوعين، أرجو المساعدة.";
    table(
        "snippet",
        &[
            // Window around a later match, cut on both sides.
            (
                (long_arabic, "الشهادة الدورة ", 60),
                "…ثم بعد انتهاء [الدورة] لم تصلني [الشهادة] حتى الآن رغم مرور…".to_owned(),
            ),
            // No match: the beginning.
            (
                (long_arabic, "payment ", 40),
                "السلام عليكم ورحمة الله وبركاته، أكتب…".to_owned(),
            ),
            // Whole text fits: no ellipsis, whitespace collapsed.
            (
                ("  my   payment\n\nfailed  ", "payment ", 100),
                "my [payment] failed".to_owned(),
            ),
            // Identifier pieces are highlighted when the compacted form matches.
            (
                ("بخصوص ET-2026-000123 شكرا", "ET-2026-000123 ", 100),
                "بخصوص [ET]-[2026]-[000123] شكرا".to_owned(),
            ),
            // Prefix terms highlight.
            (
                ("Certificates and courses", "cert", 100),
                "[Certificates] and courses".to_owned(),
            ),
            // The cluster with more distinct terms wins over an earlier single match.
            (
                (
                    "payment here. lots of unrelated words in between here. payment failed today",
                    "payment failed ",
                    30,
                ),
                "…here. [payment] [failed] today".to_owned(),
            ),
            // Trailing punctuation is kept when the text ends in the window.
            (
                ("هل وصلت الشهادة؟", "شهادة ", 50),
                "هل وصلت [الشهادة]؟".to_owned(),
            ),
            // A word longer than the budget is cut inside.
            (
                ("abcdefghijklmnopqrstuvwxyz", "zzz ", 10),
                "abcdefgh…".to_owned(),
            ),
        ],
        |&(text, q, max)| marked(&snippet(text, &query(q), max)),
    );
}

#[test]
fn snippet_respects_max_length_and_char_boundaries() {
    let text = "بدأت الدورة التدريبية في الأسبوع الماضي وحضرت جميع المحاضرات، لكن عند محاولة \
                تنزيل الشهادة من المنصة ظهرت رسالة خطأ، وحاولت مرة أخرى بعد ساعة فلم تنجح \
                المحاولة، وأرجو إرسال الشهادة إلى بريدي الإلكتروني.";
    for raw in ["الشهادة ", "المنصة خطأ", "payment ", "بريد", "إلكتروني"]
    {
        let q = query(raw);
        for max in [0, 1, 2, 3, 5, 10, 17, 25, 40, 64, 100, 500] {
            let s = snippet(text, &q, max);
            let plain = s.plain_text();
            assert!(
                plain.chars().count() <= max,
                "{raw:?} at {max}: {} chars: {plain:?}",
                plain.chars().count()
            );
            assert!(!plain.contains("  "), "whitespace collapsed: {plain:?}");
            for segment in &s.segments {
                assert!(!segment.text.is_empty());
                if segment.highlighted {
                    assert!(
                        text.contains(&segment.text),
                        "highlight is an original word"
                    );
                }
            }
            if max >= 10 {
                assert!(!s.is_empty());
            }
        }
    }
    assert!(snippet(text, &query("x"), 0).is_empty());
}

#[test]
fn snippet_of_empty_text() {
    assert!(snippet("", &query("x"), 50).is_empty());
    assert_eq!(snippet("   ", &query("x"), 50).plain_text(), "");
    assert_eq!(snippet("!!! ???", &query("x"), 5).plain_text(), "!!!…");
}

#[test]
fn snippet_serializes() {
    let s = snippet("my payment failed", &query("payment "), 100);
    let json = serde_json::to_value(&s).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({"segments": [
            {"text": "my ", "highlighted": false},
            {"text": "payment", "highlighted": true},
            {"text": " failed", "highlighted": false},
        ]})
    );
}

/// A small deterministic generator of awkward texts: Arabic letters, marks and tatweel,
/// presentation forms, apostrophes, separators, whitespace of several kinds, digits of three
/// systems, Latin with combining marks, emoji and joiners.
fn awkward_texts() -> Vec<String> {
    const PIECES: &[&str] = &[
        "ا",
        "ل",
        "ش",
        "ه",
        "ة",
        "ى",
        "و",
        "ء",
        "أ",
        "\u{064E}",
        "\u{0651}",
        "\u{0654}",
        "ـ",
        "ﻻ",
        "ﷺ",
        "'",
        "’",
        "-",
        "/",
        ".",
        "+",
        "_",
        ":",
        " ",
        "  ",
        "\n",
        "\t",
        "\u{00A0}",
        "\u{3000}",
        "0",
        "٥",
        "۷",
        "a",
        "Z",
        "e\u{0301}",
        "İ",
        "😀",
        "\u{200D}",
        "\u{200C}",
        "\u{00AD}",
        "،",
        "؟",
        "(",
        ")",
        "…",
        "s",
    ];
    let mut state: u64 = 0x5EED;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    (0..400)
        .map(|_| {
            let length = next() % 40;
            (0..length).map(|_| PIECES[next() % PIECES.len()]).collect()
        })
        .collect()
}

#[test]
fn awkward_texts_never_break_the_rules() {
    let queries: Vec<SearchQuery> = ["شه", "ال", "a", "es ", "ﻻ", "0", "ET-1"]
        .iter()
        .map(|q| query(q))
        .collect();
    for text in awkward_texts() {
        let terms = index_terms(&text);
        for term in terms.split(' ').filter(|t| !t.is_empty()) {
            assert!(
                term.chars().all(char::is_alphanumeric),
                "{text:?} gave term {term:?}"
            );
        }
        assert!(!terms.starts_with(' ') && !terms.ends_with(' ') && !terms.contains("  "));
        for token in tokens(&text) {
            assert_eq!(&text[token.start..token.end], token.original);
            assert!(!token.normalized.is_empty());
        }
        for q in &queries {
            let fields = [(3.0, terms.as_str()), (1.0, terms.as_str())];
            let s = score(q, &fields);
            assert!(s.is_finite() && s >= 0.0);
            for max in [3, 8, 20, 60] {
                let excerpt = snippet(&text, q, max);
                assert!(
                    excerpt.plain_text().chars().count() <= max,
                    "{text:?} at {max}"
                );
                for segment in excerpt.segments.iter().filter(|s| s.highlighted) {
                    assert!(text.contains(&segment.text));
                }
            }
        }
        let _ = SearchQuery::parse(&text);
    }
}
