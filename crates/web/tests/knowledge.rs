//! The knowledge base over HTTP (no browser), on SQLite and on PostgreSQL: what the public may
//! read (published articles and their files; drafts and archived articles are 404 unless a staff
//! member is signed in), the help centre's search, "was this helpful?" once per reader, the public
//! search API and its problems, suggestions beside the new-request form counted once per visit,
//! deflections and submissions, who may write and publish, categories and translations managed
//! from the desk, and the reply's article picker.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use sanad_domain::knowledge::{ArticleLanguage, ArticleStatus, SuggestionOutcome};
use sanad_store::{KbArticle, KbArticleInput, NewAttachment, Organization, secrets};
use sanad_web::Clock;
use serde_json::Value;
use support::{
    Backend, PASSWORD, UiApp, Visitor, article_input, article_of, between, create_article,
    create_kb_category, csrf_of, figures_of, get_text, json_of, newest_comment_of, outcome_counts,
    outcomes_of, spawn_ui_app, text_of,
};

const START: &str = "2026-11-22T08:00:00Z";

/// `path` with `pairs` as its query string, percent-encoded.
fn query_url(app: &UiApp, path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{key}={}",
                sanad_web::ui::page_error::form_urlencoded_component(value)
            )
        })
        .collect();
    app.url(&format!("{path}?{}", query.join("&")))
}

/// The visit token in a new-request form.
fn visit_of(form: &str) -> String {
    between(form, "name=\"kb_visit\" id=\"kb-visit\" value=\"", "\"")
}

const RESET_AR_TITLE: &str = "إعادة تعيين كلمة المرور";
const RESET_AR_BODY: &str = "# الخطوات\n\nإذا نسيت كلمة المرور فافتح صفحة الدخول واضغط «نسيت كلمة المرور»، ثم اتبع الرابط المرسل إلى بريدك.\n\n<script>alert('x')</script>";
const RESET_EN_TITLE: &str = "How to reset your password";
const RESET_EN_BODY: &str =
    "Open the sign-in page, choose **Forgot password** and follow the link we e-mail you.";

/// The diplomas provider's articles: a published Arabic article with its English translation
/// and a picture, a draft with a file, and an archived article.
struct Seeded {
    reset_ar: KbArticle,
    reset_en: KbArticle,
    draft: KbArticle,
    archived: KbArticle,
    picture_id: i64,
    draft_file_id: i64,
}

async fn seed(app: &UiApp) -> Seeded {
    let store = &app.store;
    let org: &Organization = &app.diplomas;
    let now = app.clock.now();
    create_kb_category(
        app,
        "accounts",
        "الحساب وتسجيل الدخول",
        "Account and sign-in",
        1,
    )
    .await;
    let create = async |input: KbArticleInput| create_article(app, &input).await;
    let reset_ar = create(article_input(
        Some("reset-password"),
        ArticleLanguage::Ar,
        RESET_AR_TITLE,
        RESET_AR_BODY,
        Some("accounts"),
        ArticleStatus::Published,
    ))
    .await;
    let reset_en = create(article_input(
        None,
        ArticleLanguage::En,
        RESET_EN_TITLE,
        RESET_EN_BODY,
        Some("accounts"),
        ArticleStatus::Published,
    ))
    .await;
    store
        .link_kb_translation(org.id, reset_ar.id, reset_en.id, now)
        .await
        .unwrap();
    let draft = create(article_input(
        Some("exam-rescheduling"),
        ArticleLanguage::Ar,
        "إعادة جدولة الاختبار",
        "يمكن تأجيل موعد الاختبار مرة واحدة قبل موعده بثمانٍ وأربعين ساعة.",
        None,
        ArticleStatus::Draft,
    ))
    .await;
    let archived = create(article_input(
        Some("old-timetable"),
        ArticleLanguage::Ar,
        "جدول الفصل الماضي",
        "انتهى العمل بهذا الجدول.",
        None,
        ArticleStatus::Published,
    ))
    .await;
    store
        .set_kb_article_status(org.id, archived.id, ArticleStatus::Archived, now)
        .await
        .unwrap();
    // Attaches one file to an article; returns the attachment's id.
    let attach = async |article_id: i64, filename: &str, content_type: &str, bytes: &[u8]| {
        let files = [NewAttachment {
            filename: filename.into(),
            content_type: content_type.into(),
            bytes: bytes.to_vec(),
        }];
        let stored = store.add_kb_attachments(org.id, article_id, &files, now);
        stored.await.unwrap()[0].id
    };
    let picture_id = attach(
        reset_ar.id,
        "صفحة الدخول.png",
        "image/png",
        b"\x89PNG\r\n\x1a\nsign-in-page",
    )
    .await;
    let draft_file_id = attach(draft.id, "form.pdf", "application/pdf", b"%PDF-1.7 form").await;
    Seeded {
        reset_ar: article_of(app, reset_ar.id).await,
        reset_en: article_of(app, reset_en.id).await,
        draft,
        archived,
        picture_id,
        draft_file_id,
    }
}

// ---- the public help centre ---------------------------------------------------------------------

async fn the_public_reads_published_articles_only(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let public = Visitor::anonymous(&app);

    let (status, home) = public.get("/o/diplomas/kb").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("الحساب وتسجيل الدخول"),
        "the category heading"
    );
    assert!(home.contains(RESET_AR_TITLE));
    assert!(
        !home.contains(RESET_EN_TITLE),
        "an English article with an Arabic translation is not listed twice"
    );
    assert!(!home.contains("إعادة جدولة الاختبار"), "no draft");
    assert!(!home.contains("جدول الفصل الماضي"), "no archived article");
    assert!(
        home.contains("href=\"/o/diplomas/kb\""),
        "the portal links the help centre"
    );
    let (_, english) = public.get("/o/diplomas/kb?lang=en").await;
    assert!(english.contains(RESET_EN_TITLE));
    assert!(english.contains("Account and sign-in"));

    let (status, page) = public.get("/o/diplomas/kb/reset-password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<h2>الخطوات</h2>"),
        "headings move below the title"
    );
    assert!(page.contains("&lt;script&gt;"), "raw HTML is shown as text");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("lang=\"ar\" dir=\"rtl\""));
    assert!(page.contains("اقرأ بالإنجليزية"), "the translation link");
    assert!(page.contains(&format!(
        "href=\"/o/diplomas/kb/{}?lang=en\"",
        seeded.reset_en.slug
    )));
    assert!(page.contains("id=\"kb-helpful\""), "was this helpful?");
    let picture_href = format!("/o/diplomas/kb/files/{}/", seeded.picture_id);
    assert!(page.contains(&picture_href), "the attachment is listed");
    let (status, page) = public
        .get(&format!("/o/diplomas/kb/{}", seeded.reset_en.slug))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Read in Arabic"));
    assert!(page.contains("<strong>Forgot password</strong>"));

    for hidden in [
        &seeded.draft.slug,
        &seeded.archived.slug,
        &"no-such-article".to_owned(),
    ] {
        let (status, _) = public.get(&format!("/o/diplomas/kb/{hidden}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{hidden}");
    }
    let (status, _) = public.get("/o/no-such-org/kb").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = public.get("/o/e-training/kb/reset-password").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's help centre"
    );

    // Files: a published article's picture is shown in the page; a draft's file is not public.
    let response = public
        .client
        .get(app.url(&format!("{picture_href}x.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "image/png");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let draft_file = app.url(&format!(
        "/o/diplomas/kb/files/{}/form.pdf",
        seeded.draft_file_id
    ));
    assert_eq!(
        public
            .client
            .get(&draft_file)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Signed-in staff read drafts (with a notice) and their files, to check them.
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    let (status, page) = agent.get("/o/diplomas/kb/exam-rescheduling").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"kb-preview-notice\""));
    assert!(!page.contains("id=\"kb-helpful\""), "no verdicts on drafts");
    let response = agent.client.get(&draft_file).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
}

async fn the_help_centre_searches_arabic_with_diacritics(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    seed(&app).await;
    let public = Visitor::anonymous(&app);
    let url = |q: &str| query_url(&app, "/o/diplomas/kb", &[("q", q)]);
    let (status, page) = get_text(&public.client, &url("إِعَادَةُ تَعْيِين")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/o/diplomas/kb/reset-password\""),
        "{page}"
    );
    assert!(
        !page.contains("exam-rescheduling"),
        "the draft with the same word is not found"
    );
    let (_, page) = get_text(&public.client, &url("كَلِمَةُ المُرُور")).await;
    assert!(
        page.contains("<mark>كلمة</mark> <mark>المرور</mark>"),
        "the words are highlighted in the excerpt: {page}"
    );
    assert!(page.contains("<h1>"), "a whole page without htmx");
    // htmx asks for the results only.
    let fragment = text_of(
        public
            .client
            .get(url("المرور"))
            .header("HX-Request", "true"),
    )
    .await;
    assert!(
        fragment
            .trim_start()
            .starts_with("<section id=\"kb-results\""),
        "{fragment}"
    );
    assert!(fragment.contains("reset-password"));
    // English words find the English article, marked as English on the Arabic page.
    let (_, page) = get_text(&public.client, &url("forgot password")).await;
    assert!(page.contains(RESET_EN_TITLE), "{page}");
    assert!(page.contains("الإنجليزية"));
    let (_, page) = get_text(&public.client, &url("zzzz")).await;
    assert!(page.contains("id=\"kb-nothing\""));
    // An empty box lists the categories; a search too long says why.
    let (_, page) = get_text(&public.client, &url("   ")).await;
    assert!(page.contains("الحساب وتسجيل الدخول"));
    let (status, page) = get_text(&public.client, &url(&"كلمة ".repeat(60))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("role=\"alert\""), "{page}");
}

async fn a_reader_judges_an_article_once_and_may_change_their_mind(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let article = "/o/diplomas/kb/reset-password";
    let feedback = "/o/diplomas/kb/reset-password/feedback";
    let reader = Visitor::anonymous(&app);
    let response = reader
        .post(article, feedback, &[("verdict", "not_helpful")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        "/o/diplomas/kb/reset-password?done=feedback#feedback"
    );
    assert!(
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|cookie| cookie.to_str().unwrap().starts_with("sanad_kb_reader=")),
        "the reader gets an anonymous cookie"
    );
    let (_, page) = reader.get(&format!("{article}?done=feedback")).await;
    assert!(page.contains("id=\"kb-feedback-thanks\""));
    assert!(page.contains("id=\"kb-your-verdict\""));
    // The same reader changes their mind, with a comment this time: still one verdict.
    for verdict in ["helpful", "helpful"] {
        reader
            .post(article, feedback, &[("verdict", verdict)])
            .await;
    }
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!((figures.helpful, figures.not_helpful), (1, 0));
    let another = Visitor::anonymous(&app);
    let response = another
        .post(
            article,
            feedback,
            &[
                ("verdict", "not_helpful"),
                ("comment", "لا يذكر ما أفعله إن لم يصل البريد."),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!((figures.helpful, figures.not_helpful), (1, 1));
    assert_eq!(
        newest_comment_of(&app, seeded.reset_ar.id).await.as_deref(),
        Some("لا يذكر ما أفعله إن لم يصل البريد.")
    );
    let (_, page) = another.get(article).await;
    assert!(page.contains("id=\"kb-helpful-count\""));

    // Bad input is refused clearly; drafts take no verdicts; forms need their token.
    let response = another
        .post(article, feedback, &[("verdict", "maybe")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let long = "ك".repeat(2_001);
    let response = another
        .post(
            article,
            feedback,
            &[("verdict", "not_helpful"), ("comment", long.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = another
        .post(
            article,
            "/o/diplomas/kb/exam-rescheduling/feedback",
            &[("verdict", "helpful")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = another
        .client
        .post(app.url(feedback))
        .form(&[("verdict", "helpful")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

// ---- the public search API ----------------------------------------------------------------------

async fn the_search_api_answers_best_first_without_a_token(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let client = reqwest::Client::new();
    let response = client
        .get(query_url(
            &app,
            "/api/v1/kb/search",
            &[("org", "diplomas"), ("q", "كَلِمَة المُرور")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{body}");
    let first = &results[0];
    assert_eq!(first["slug"], "reset-password");
    assert_eq!(first["title"], RESET_AR_TITLE);
    assert_eq!(first["language"], "ar");
    assert_eq!(first["path"], "/o/diplomas/kb/reset-password");
    let snippet = first["snippet"].as_str().unwrap();
    assert!(snippet.contains("كلمة المرور"), "{snippet}");
    assert!(
        !snippet.contains("**") && !snippet.contains('#'),
        "plain text, without Markdown: {snippet}"
    );
    assert!(
        first["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|part| part["highlighted"] == true),
        "{first}"
    );

    // Best first: the article with the words in its title comes before one that mentions them.
    create_article(
        &app,
        &article_input(
            None,
            ArticleLanguage::En,
            "Signing in for the first time",
            "If you cannot remember it, see how to reset your password.",
            None,
            ArticleStatus::Published,
        ),
    )
    .await;
    let body: Value = json_of(client.get(query_url(
        &app,
        "/api/v1/kb/search",
        &[("org", "diplomas"), ("q", "reset password")],
    )))
    .await;
    let slugs: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            seeded.reset_en.slug.as_str(),
            "signing-in-for-the-first-time"
        ]
    );
    // A language filter, and drafts never found.
    let body: Value = json_of(client.get(query_url(
        &app,
        "/api/v1/kb/search",
        &[("org", "diplomas"), ("q", "password"), ("lang", "ar")],
    )))
    .await;
    assert_eq!(body["results"], serde_json::json!([]));
    let body: Value = json_of(client.get(query_url(
        &app,
        "/api/v1/kb/search",
        &[("org", "diplomas"), ("q", "جدولة")],
    )))
    .await;
    assert_eq!(
        body["results"],
        serde_json::json!([]),
        "the draft stays hidden"
    );
    // The endpoint is in the OpenAPI document.
    let document: Value = json_of(client.get(app.url("/api/openapi.json"))).await;
    assert!(document["paths"]["/api/v1/kb/search"]["get"].is_object());
}

/// A query string's pairs.
type Query<'a> = &'a [(&'a str, &'a str)];

async fn the_search_api_explains_bad_requests_as_problems(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    seed(&app).await;
    let client = reqwest::Client::new();
    let long = "كلمة ".repeat(60);
    let cases: [(Query<'_>, StatusCode, &str); 7] = [
        (
            &[("org", "diplomas")],
            StatusCode::BAD_REQUEST,
            "q is required",
        ),
        (
            &[("org", "diplomas"), ("q", "  ")],
            StatusCode::BAD_REQUEST,
            "q is required",
        ),
        (&[("q", "كلمة")], StatusCode::BAD_REQUEST, "org is required"),
        (
            &[("org", "no-such-org"), ("q", "كلمة")],
            StatusCode::NOT_FOUND,
            "no-such-org",
        ),
        (
            &[("org", "diplomas"), ("q", "كلمة"), ("lang", "fr")],
            StatusCode::BAD_REQUEST,
            "lang",
        ),
        (
            &[("org", "diplomas"), ("q", "كلمة"), ("limit", "0")],
            StatusCode::BAD_REQUEST,
            "limit",
        ),
        (
            &[("org", "diplomas"), ("q", long.as_str())],
            StatusCode::BAD_REQUEST,
            "characters",
        ),
    ];
    for (query, status, detail) in cases {
        let response = client
            .get(query_url(&app, "/api/v1/kb/search", query))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{query:?}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "application/problem+json",
            "{query:?}"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{query:?}: {problem}"
        );
    }
    let response = client
        .get(app.url("/api/v1/kb/search?org=diplomas&q=a&limit=many"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

// ---- suggestions, deflections and submissions ------------------------------------------------------

async fn suggestions_are_listed_and_counted_once_per_visit(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let requester = Visitor::anonymous(&app);
    let (_, form) = requester.get("/o/diplomas/new").await;
    let visit = visit_of(&form);
    assert!(visit.len() >= 40, "a random visit token: {visit}");
    assert!(form.contains("hx-get=\"/o/diplomas/kb/suggest\""));
    let (_, again) = requester.get("/o/diplomas/new").await;
    assert_ne!(visit_of(&again), visit, "every visit has its own token");

    // As the requester types (htmx sends the form's fields), the list is asked for repeatedly.
    for subject in ["نسيت", "نسيت كلمة", "نسيت كلمة المرور ولا أستطيع الدخول"]
    {
        let response = requester
            .client
            .get(query_url(
                &app,
                "/o/diplomas/kb/suggest",
                &[
                    ("subject", subject),
                    ("body", ""),
                    ("kb_visit", visit.as_str()),
                ],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let list = response.text().await.unwrap();
        assert!(
            list.contains("<li class=\"kb-suggestion\">"),
            "{subject}: {list}"
        );
        assert!(
            list.contains(&format!(
                "href=\"/o/diplomas/kb/reset-password?from=suggestion&#38;visit={visit}\""
            )) || list.contains(&format!(
                "href=\"/o/diplomas/kb/reset-password?from=suggestion&amp;visit={visit}\""
            )),
            "{list}"
        );
        assert!(!list.contains("exam-rescheduling"), "no drafts");
    }
    let digest = secrets::token_digest(&visit);
    let outcomes = outcomes_of(&app, &app.diplomas, &digest).await;
    assert_eq!(outcomes[0], (SuggestionOutcome::Shown, 1), "{outcomes:?}");
    // The documented form of the call: `q` and `visit`.
    let list = text_of(requester.client.get(query_url(
        &app,
        "/o/diplomas/kb/suggest",
        &[("q", "password"), ("visit", visit.as_str())],
    )))
    .await;
    assert!(list.contains(&seeded.reset_en.slug), "{list}");
    assert_eq!(
        outcomes_of(&app, &app.diplomas, &digest).await[0],
        (SuggestionOutcome::Shown, 2)
    );
    // Nothing typed, nothing listed; no token, nothing counted.
    let empty = text_of(
        requester
            .client
            .get(app.url("/o/diplomas/kb/suggest?subject=&body=")),
    )
    .await;
    assert_eq!(empty.trim(), "");
    let list = text_of(
        requester
            .client
            .get(app.url("/o/diplomas/kb/suggest?q=password&visit=%3Cscript%3E")),
    )
    .await;
    assert!(list.contains(&seeded.reset_en.slug), "still listed: {list}");
    let figures = figures_of(&app, seeded.reset_en.id).await;
    assert_eq!(
        figures.suggested, 1,
        "a token this server did not make counts nothing"
    );
}

async fn a_deflection_and_a_submission_are_recorded_per_visit(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let requester = Visitor::anonymous(&app);
    let (_, form) = requester.get("/o/e-training/new").await;
    let visit = visit_of(&form);
    let digest = secrets::token_digest(&visit);

    // The diplomas visit: shown, opened, then "this solved my problem".
    let (_, diplomas_form) = requester.get("/o/diplomas/new").await;
    let solved_visit = visit_of(&diplomas_form);
    let solved_digest = secrets::token_digest(&solved_visit);
    requester
        .client
        .get(query_url(
            &app,
            "/o/diplomas/kb/suggest",
            &[
                ("subject", "كلمة المرور"),
                ("kb_visit", solved_visit.as_str()),
            ],
        ))
        .send()
        .await
        .unwrap();
    let opened = format!("/o/diplomas/kb/reset-password?from=suggestion&visit={solved_visit}");
    let (status, page) = requester.get(&opened).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"kb-solved\""),
        "the article offers to end the visit"
    );
    let (_, plain) = requester.get("/o/diplomas/kb/reset-password").await;
    assert!(
        !plain.contains("id=\"kb-solved\""),
        "only when opened from a suggestion"
    );
    let response = requester
        .post(
            &opened,
            "/o/diplomas/kb/reset-password/solved",
            &[("visit", solved_visit.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        "/o/diplomas/kb/reset-password?done=solved#solved"
    );
    let (_, thanks) = requester
        .get("/o/diplomas/kb/reset-password?done=solved")
        .await;
    assert!(thanks.contains("class=\"notice notice-success kb-solved-confirmation\""));
    let outcomes = outcomes_of(&app, &app.diplomas, &solved_digest).await;
    assert_eq!(outcomes, outcome_counts([1, 1, 1, 0]));
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!((figures.opened, figures.deflected), (1, 1));
    let deflection = app
        .store
        .kb_deflection(
            app.diplomas.id,
            app.clock.now() - jiff::SignedDuration::from_hours(24),
        )
        .await
        .unwrap();
    assert_eq!(deflection.percent(), Some(100));
    // A forged visit is refused clearly.
    let response = requester
        .post(
            &opened,
            "/o/diplomas/kb/reset-password/solved",
            &[("visit", "x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The e-training visit ends in a submitted request.
    let submission = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&form))
        .text("kb_visit", visit.clone())
        .text("kind", "technical_issue")
        .text("subject", "لا يظهر الاختبار النهائي")
        .text("body", "عند فتح الاختبار تظهر صفحة فارغة.")
        .text("name", "سلمى العمري")
        .text("email", "salma@example.sa")
        .text("requester_type", "trainee");
    let response = requester
        .client
        .post(app.url("/o/e-training/new"))
        .multipart(submission)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let outcomes = outcomes_of(&app, &app.training, &digest).await;
    assert_eq!(outcomes[3], (SuggestionOutcome::Submitted, 1));
}

// ---- the editors ------------------------------------------------------------------------------------

async fn editors_publish_specialists_draft_and_agents_read(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let draft_page = format!("/o/diplomas/desk/kb/articles/{}", seeded.draft.id);
    let status_action = format!("{draft_page}/status");
    // Asks for the draft to move `to` a status, as `who`.
    let move_draft = async |who: &Visitor<'_>, to: &str| {
        who.post(&draft_page, &status_action, &[("to", to)])
            .await
            .status()
    };

    // An agent reads the list with its figures, and nothing more.
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    let (status, list) = agent.get("/o/diplomas/desk/kb").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("id=\"kb-deflection\""));
    assert!(list.contains(RESET_AR_TITLE) && list.contains("إعادة جدولة الاختبار"));
    assert!(!list.contains("id=\"kb-new-article\""));
    assert!(
        list.contains("href=\"/o/diplomas/desk/kb\""),
        "the desk navigation"
    );
    let (status, _) = agent.get("/o/diplomas/desk/kb/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = agent.get(&draft_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"kb-read-only\""));
    assert_eq!(
        move_draft(&agent, "published").await,
        StatusCode::FORBIDDEN,
        "an agent cannot publish"
    );
    let response = agent
        .submit(
            &draft_page,
            &[
                ("title", "تغيير"),
                ("language", "ar"),
                ("body", "نص"),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        article_of(&app, seeded.draft.id).await.status,
        ArticleStatus::Draft
    );
    let (status, _) = agent.get("/o/diplomas/desk/kb/categories").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A specialist writes drafts but cannot publish them.
    app.store
        .create_user(
            app.diplomas.id,
            &sanad_store::NewUser {
                email: sanad_domain::EmailAddress::parse("specialist@example.sa").unwrap(),
                name: sanad_domain::PersonName::parse("ريم الزهراني").unwrap(),
                role: sanad_domain::StaffRole::Specialist,
                departments: Vec::new(),
                password_hash: Some(sanad_web::ui::auth::hash_password(PASSWORD).unwrap()),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    let specialist = Visitor::signed_in(&app, "specialist@example.sa").await;
    let response = specialist
        .submit(
            "/o/diplomas/desk/kb/new",
            &[
                ("title", "الحضور في الفصول الافتراضية"),
                ("slug", ""),
                ("language", "ar"),
                ("category", "accounts"),
                ("body", "يُسجَّل حضورك عند دخولك الفصل الافتراضي."),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.ends_with("?done=created"), "{location}");
    let created_id: i64 = between(&location, "/articles/", "?").parse().unwrap();
    let created = article_of(&app, created_id).await;
    assert_eq!(
        created.slug, "article-5",
        "an Arabic title gets a numbered address"
    );
    assert_eq!(created.category_code.as_deref(), Some("accounts"));
    let created_page = format!("/o/diplomas/desk/kb/articles/{created_id}");
    let response = specialist
        .post(
            &created_page,
            &format!("{created_page}/status"),
            &[("to", "published")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = specialist
        .submit(
            &created_page,
            &[
                ("title", "الحضور في الفصول الافتراضية"),
                ("language", "ar"),
                ("body", "نص"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A team lead publishes; the form explains every invalid field.
    let lead = Visitor::signed_in(&app, "lead.students@example.sa").await;
    let response = lead
        .submit(
            "/o/diplomas/desk/kb/new",
            &[
                ("title", " "),
                ("slug", "Bad Slug"),
                ("language", "fr"),
                ("body", ""),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    for field in [
        "kb-title-error",
        "kb-slug-error",
        "kb-language-error",
        "kb-body-error",
    ] {
        assert!(page.contains(&format!("id=\"{field}\"")), "{field}");
    }
    let response = lead
        .submit(
            "/o/diplomas/desk/kb/new",
            &[
                ("title", "Taken"),
                ("slug", "reset-password"),
                ("language", "en"),
                ("body", "Text."),
                ("status", "draft"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"kb-slug-error\"")
    );
    assert_eq!(move_draft(&lead, "published").await, StatusCode::SEE_OTHER);
    let (status, _) = Visitor::anonymous(&app)
        .get("/o/diplomas/kb/exam-rescheduling")
        .await;
    assert_eq!(status, StatusCode::OK, "published: the public reads it");
    assert_eq!(move_draft(&lead, "archived").await, StatusCode::SEE_OTHER);
    assert_eq!(
        move_draft(&lead, "published").await,
        StatusCode::CONFLICT,
        "archived goes back to draft first"
    );
    let (status, _) = Visitor::anonymous(&app)
        .get("/o/diplomas/kb/exam-rescheduling")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn categories_translations_and_files_are_managed_from_the_desk(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let director = Visitor::signed_in(&app, "director@example.sa").await;
    let categories = "/o/diplomas/desk/kb/categories";
    // Creates the category `exams`, then saves it as `name_ar` at `position`.
    let create = async |name_ar: &str, name_en: &str, position: &str| {
        let fields = [
            ("code", "exams"),
            ("name_ar", name_ar),
            ("name_en", name_en),
            ("position", position),
        ];
        director.submit(categories, &fields).await.status()
    };
    let save = async |name_ar: &str, position: &str| {
        let fields = [
            ("name_ar", name_ar),
            ("name_en", "Exams"),
            ("position", position),
        ];
        let action = format!("{categories}/exams");
        director.post(categories, &action, &fields).await.status()
    };
    assert_eq!(
        create("الاختبارات", "Exams", "2").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        create("مكرر", "Again", "").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        save("الاختبارات والتقييم", "x").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(save("الاختبارات والتقييم", "0").await, StatusCode::SEE_OTHER);
    let (_, page) = director.get(categories).await;
    assert!(page.contains("الاختبارات والتقييم"));

    // The draft gets an English translation, written and linked from its page.
    let response = director
        .submit(
            "/o/diplomas/desk/kb/new",
            &[
                ("title", "Rescheduling an exam"),
                ("language", "en"),
                ("category", "exams"),
                (
                    "body",
                    "An exam can be moved once, up to 48 hours before it starts.",
                ),
                ("status", "draft"),
            ],
        )
        .await;
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let english_id: i64 = between(&location, "/articles/", "?").parse().unwrap();
    let draft_page = format!("/o/diplomas/desk/kb/articles/{}", seeded.draft.id);
    let (_, page) = director.get(&draft_page).await;
    assert!(
        page.contains(&format!("<option value=\"{english_id}\">")),
        "a candidate"
    );
    let translation = format!("{draft_page}/translation");
    let link = async |other: i64| {
        let other = other.to_string();
        let fields = [("action", "link"), ("other", other.as_str())];
        director
            .post(&draft_page, &translation, &fields)
            .await
            .status()
    };
    assert_eq!(
        link(seeded.reset_en.id).await,
        StatusCode::CONFLICT,
        "already another's translation"
    );
    assert_eq!(link(english_id).await, StatusCode::SEE_OTHER);
    let draft = article_of(&app, seeded.draft.id).await;
    assert_eq!(draft.translation.map(|t| t.id), Some(english_id));

    // Files: uploaded within the portal's limits, offered as Markdown, removed.
    let (_, page_text) = director.get(&draft_page).await;
    // Uploads one file with the token of the draft's page.
    let upload = async |name: &str, mime: &str, bytes: &[u8]| {
        let file = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf_of(&page_text))
            .part("attachments", file);
        let action = app.url(&format!("{draft_page}/attachments"));
        let response = director.client.post(action).multipart(form).send();
        response.await.unwrap().status()
    };
    assert_eq!(
        upload("موعد الاختبار.png", "image/png", b"\x89PNG\r\n\x1a\nexam").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        upload("run.sh", "application/x-sh", b"#!/bin/sh").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let files = app
        .store
        .kb_attachments(app.diplomas.id, seeded.draft.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 2);
    let (_, page) = director.get(&draft_page).await;
    assert!(
        page.contains(&format!(
            "![موعد الاختبار.png](/o/diplomas/kb/files/{}/",
            files[1].id
        )),
        "the Markdown of a picture"
    );
    let response = director
        .post(
            &draft_page,
            &format!("{draft_page}/attachments/{}/remove", files[0].id),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .kb_attachments(app.diplomas.id, seeded.draft.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let response = director
        .post(&draft_page, &format!("{categories}/exams/archive"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn the_reply_picker_offers_published_articles_with_public_links(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    let fragment = text_of(agent.client.get(query_url(
        &app,
        "/o/diplomas/desk/kb/picker",
        &[("q", "إعادة")],
    )))
    .await;
    let link = format!("[{RESET_AR_TITLE}](http://127.0.0.1:8080/o/diplomas/kb/reset-password)");
    assert!(
        fragment.contains(&format!("data-kb-insert=\"{link}\"")),
        "{fragment}"
    );
    assert!(
        !fragment.contains("exam-rescheduling"),
        "drafts cannot be opened by a requester, so they are not offered"
    );
    // Without script, the same links on a page of their own, with the way back.
    let (status, page) = agent
        .get("/o/diplomas/desk/kb/links?q=password&ticket=DP-2026-000001")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!(
        "http://127.0.0.1:8080/o/diplomas/kb/{}",
        seeded.reset_en.slug
    )));
    assert!(page.contains("href=\"/o/diplomas/desk/tickets/DP-2026-000001#reply\""));
    let (status, _) = Visitor::anonymous(&app)
        .get("/o/diplomas/desk/kb/picker?q=a")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "staff only");
}

on_both_backends!(
    the_public_reads_published_articles_only,
    the_help_centre_searches_arabic_with_diacritics,
    a_reader_judges_an_article_once_and_may_change_their_mind,
    the_search_api_answers_best_first_without_a_token,
    the_search_api_explains_bad_requests_as_problems,
    suggestions_are_listed_and_counted_once_per_visit,
    a_deflection_and_a_submission_are_recorded_per_visit,
    editors_publish_specialists_draft_and_agents_read,
    categories_translations_and_files_are_managed_from_the_desk,
    the_reply_picker_offers_published_articles_with_public_links,
);
