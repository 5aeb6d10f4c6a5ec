//! The knowledge base over HTTP (no browser), on SQLite and on PostgreSQL: what the public may
//! read (published articles and their files; drafts and archived articles are 404 unless a staff
//! member is signed in), the help centre's search, "was this helpful?" once per reader, the public
//! search API and its problems, suggestions beside the new-request form counted once per visit,
//! deflections and submissions, who may write and publish, categories and translations managed
//! from the desk, and the reply's article picker.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use sanad_domain::knowledge::{
    ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, KbCategoryCode,
    KbCategoryName, SuggestionOutcome,
};
use sanad_store::{
    KbArticle, KbArticleInput, KbCategoryInput, NewAttachment, Organization, secrets,
};
use sanad_web::Clock;
use serde_json::Value;
use support::{Backend, PASSWORD, UiApp, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `_csrf` field in a page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let to = text[from..].find(end).unwrap() + from;
    text[from..to].to_owned()
}

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

async fn get_text(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// A client signed in to the diplomas desk as `email`.
async fn signed_in(app: &UiApp, email: &str) -> reqwest::Client {
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/diplomas/login")).await;
    let response = client
        .post(app.url("/o/diplomas/login"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/o/diplomas/desk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
    client
}

/// Posts a form with the CSRF token of the page at `page_path`.
async fn post_form(
    client: &reqwest::Client,
    app: &UiApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, page) = get_text(client, &app.url(page_path)).await;
    let csrf = csrf_of(&page);
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client
        .post(app.url(action))
        .form(&all)
        .send()
        .await
        .unwrap()
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

fn article_input(
    slug: Option<&str>,
    language: ArticleLanguage,
    title: &str,
    body: &str,
    category: Option<&str>,
    status: ArticleStatus,
) -> KbArticleInput {
    KbArticleInput {
        slug: slug.map(|slug| ArticleSlug::parse(slug).unwrap()),
        language,
        title: ArticleTitle::parse(title).unwrap(),
        body: ArticleBody::parse(body).unwrap(),
        category: category.map(|code| KbCategoryCode::parse(code).unwrap()),
        status,
    }
}

async fn seed(app: &UiApp) -> Seeded {
    let store = &app.store;
    let org: &Organization = &app.diplomas;
    let now = app.clock.now();
    store
        .create_kb_category(
            org.id,
            &KbCategoryCode::parse("accounts").unwrap(),
            &KbCategoryInput {
                name_ar: KbCategoryName::parse("الحساب وتسجيل الدخول").unwrap(),
                name_en: KbCategoryName::parse("Account and sign-in").unwrap(),
                position: 1,
            },
            now,
        )
        .await
        .unwrap();
    let create = |input: KbArticleInput| async move {
        store
            .create_kb_article(org.id, &input, None, now)
            .await
            .unwrap()
    };
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
    let picture = store
        .add_kb_attachments(
            org.id,
            reset_ar.id,
            &[NewAttachment {
                filename: "صفحة الدخول.png".into(),
                content_type: "image/png".into(),
                bytes: b"\x89PNG\r\n\x1a\nsign-in-page".to_vec(),
            }],
            now,
        )
        .await
        .unwrap();
    let draft_file = store
        .add_kb_attachments(
            org.id,
            draft.id,
            &[NewAttachment {
                filename: "form.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7 form".to_vec(),
            }],
            now,
        )
        .await
        .unwrap();
    let reset_ar = store
        .kb_article(org.id, reset_ar.id)
        .await
        .unwrap()
        .unwrap();
    let reset_en = store
        .kb_article(org.id, reset_en.id)
        .await
        .unwrap()
        .unwrap();
    Seeded {
        reset_ar,
        reset_en,
        draft,
        archived,
        picture_id: picture[0].id,
        draft_file_id: draft_file[0].id,
    }
}

// ---- the public help centre ---------------------------------------------------------------------

async fn the_public_reads_published_articles_only(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let public = browser();

    let (status, home) = get_text(&public, &app.url("/o/diplomas/kb")).await;
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
    let (_, english) = get_text(&public, &app.url("/o/diplomas/kb?lang=en")).await;
    assert!(english.contains(RESET_EN_TITLE));
    assert!(english.contains("Account and sign-in"));

    let (status, page) = get_text(&public, &app.url("/o/diplomas/kb/reset-password")).await;
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
    let (status, page) = get_text(
        &public,
        &app.url(&format!("/o/diplomas/kb/{}", seeded.reset_en.slug)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Read in Arabic"));
    assert!(page.contains("<strong>Forgot password</strong>"));

    for hidden in [
        &seeded.draft.slug,
        &seeded.archived.slug,
        &"no-such-article".to_owned(),
    ] {
        let (status, _) = get_text(&public, &app.url(&format!("/o/diplomas/kb/{hidden}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{hidden}");
    }
    let (status, _) = get_text(&public, &app.url("/o/no-such-org/kb")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_text(&public, &app.url("/o/e-training/kb/reset-password")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's help centre"
    );

    // Files: a published article's picture is shown in the page; a draft's file is not public.
    let response = public
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
        public.get(&draft_file).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // Signed-in staff read drafts (with a notice) and their files, to check them.
    let agent = signed_in(&app, "agent.students@example.sa").await;
    let (status, page) = get_text(&agent, &app.url("/o/diplomas/kb/exam-rescheduling")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"kb-preview-notice\""));
    assert!(!page.contains("id=\"kb-helpful\""), "no verdicts on drafts");
    let response = agent.get(&draft_file).send().await.unwrap();
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
    let public = browser();
    let url = |q: &str| {
        app.url(&format!(
            "/o/diplomas/kb?q={}",
            sanad_web::ui::page_error::form_urlencoded_component(q)
        ))
    };
    let (status, page) = get_text(&public, &url("إِعَادَةُ تَعْيِين")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/o/diplomas/kb/reset-password\""),
        "{page}"
    );
    assert!(
        !page.contains("exam-rescheduling"),
        "the draft with the same word is not found"
    );
    let (_, page) = get_text(&public, &url("كَلِمَةُ المُرُور")).await;
    assert!(
        page.contains("<mark>كلمة</mark> <mark>المرور</mark>"),
        "the words are highlighted in the excerpt: {page}"
    );
    assert!(page.contains("<h1>"), "a whole page without htmx");
    // htmx asks for the results only.
    let fragment = public
        .get(url("المرور"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fragment
            .trim_start()
            .starts_with("<section id=\"kb-results\""),
        "{fragment}"
    );
    assert!(fragment.contains("reset-password"));
    // English words find the English article, marked as English on the Arabic page.
    let (_, page) = get_text(&public, &url("forgot password")).await;
    assert!(page.contains(RESET_EN_TITLE), "{page}");
    assert!(page.contains("الإنجليزية"));
    let (_, page) = get_text(&public, &url("zzzz")).await;
    assert!(page.contains("id=\"kb-nothing\""));
    // An empty box lists the categories; a search too long says why.
    let (_, page) = get_text(&public, &url("   ")).await;
    assert!(page.contains("الحساب وتسجيل الدخول"));
    let (status, page) = get_text(&public, &url(&"كلمة ".repeat(60))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("role=\"alert\""), "{page}");
}

async fn a_reader_judges_an_article_once_and_may_change_their_mind(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let article = "/o/diplomas/kb/reset-password";
    let feedback = "/o/diplomas/kb/reset-password/feedback";
    let reader = browser();
    let response = post_form(
        &reader,
        &app,
        article,
        feedback,
        &[("verdict", "not_helpful")],
    )
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
    let (_, page) = get_text(&reader, &app.url(&format!("{article}?done=feedback"))).await;
    assert!(page.contains("id=\"kb-feedback-thanks\""));
    assert!(page.contains("id=\"kb-your-verdict\""));
    // The same reader changes their mind, with a comment this time: still one verdict.
    for verdict in ["helpful", "helpful"] {
        post_form(&reader, &app, article, feedback, &[("verdict", verdict)]).await;
    }
    let figures = app
        .store
        .kb_article_figures(app.diplomas.id, seeded.reset_ar.id)
        .await
        .unwrap();
    assert_eq!((figures.helpful, figures.not_helpful), (1, 0));
    let another = browser();
    let response = post_form(
        &another,
        &app,
        article,
        feedback,
        &[
            ("verdict", "not_helpful"),
            ("comment", "لا يذكر ما أفعله إن لم يصل البريد."),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let figures = app
        .store
        .kb_article_figures(app.diplomas.id, seeded.reset_ar.id)
        .await
        .unwrap();
    assert_eq!((figures.helpful, figures.not_helpful), (1, 1));
    let comments = app
        .store
        .kb_feedback_comments(app.diplomas.id, seeded.reset_ar.id, 5)
        .await
        .unwrap();
    assert_eq!(
        comments[0].comment.as_deref(),
        Some("لا يذكر ما أفعله إن لم يصل البريد.")
    );
    let (_, page) = get_text(&another, &app.url(article)).await;
    assert!(page.contains("id=\"kb-helpful-count\""));

    // Bad input is refused clearly; drafts take no verdicts; forms need their token.
    let response = post_form(&another, &app, article, feedback, &[("verdict", "maybe")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let long = "ك".repeat(2_001);
    let response = post_form(
        &another,
        &app,
        article,
        feedback,
        &[("verdict", "not_helpful"), ("comment", long.as_str())],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = post_form(
        &another,
        &app,
        article,
        "/o/diplomas/kb/exam-rescheduling/feedback",
        &[("verdict", "helpful")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = another
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
    app.store
        .create_kb_article(
            app.diplomas.id,
            &article_input(
                None,
                ArticleLanguage::En,
                "Signing in for the first time",
                "If you cannot remember it, see how to reset your password.",
                None,
                ArticleStatus::Published,
            ),
            None,
            app.clock.now(),
        )
        .await
        .unwrap();
    let body: Value = client
        .get(query_url(
            &app,
            "/api/v1/kb/search",
            &[("org", "diplomas"), ("q", "reset password")],
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let body: Value = client
        .get(query_url(
            &app,
            "/api/v1/kb/search",
            &[("org", "diplomas"), ("q", "password"), ("lang", "ar")],
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["results"], serde_json::json!([]));
    let body: Value = client
        .get(query_url(
            &app,
            "/api/v1/kb/search",
            &[("org", "diplomas"), ("q", "جدولة")],
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["results"],
        serde_json::json!([]),
        "the draft stays hidden"
    );
    // The endpoint is in the OpenAPI document.
    let document: Value = client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let requester = browser();
    let (_, form) = get_text(&requester, &app.url("/o/diplomas/new")).await;
    let visit = between(&form, "name=\"kb_visit\" id=\"kb-visit\" value=\"", "\"");
    assert!(visit.len() >= 40, "a random visit token: {visit}");
    assert!(form.contains("hx-get=\"/o/diplomas/kb/suggest\""));
    let (_, again) = get_text(&requester, &app.url("/o/diplomas/new")).await;
    assert_ne!(
        between(&again, "name=\"kb_visit\" id=\"kb-visit\" value=\"", "\""),
        visit,
        "every visit has its own token"
    );

    // As the requester types (htmx sends the form's fields), the list is asked for repeatedly.
    for subject in ["نسيت", "نسيت كلمة", "نسيت كلمة المرور ولا أستطيع الدخول"]
    {
        let response = requester
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
    let outcomes = app
        .store
        .kb_visit_outcomes(app.diplomas.id, &digest)
        .await
        .unwrap();
    assert_eq!(outcomes[0], (SuggestionOutcome::Shown, 1), "{outcomes:?}");
    // The documented form of the call: `q` and `visit`.
    let list = requester
        .get(query_url(
            &app,
            "/o/diplomas/kb/suggest",
            &[("q", "password"), ("visit", visit.as_str())],
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&seeded.reset_en.slug), "{list}");
    assert_eq!(
        app.store
            .kb_visit_outcomes(app.diplomas.id, &digest)
            .await
            .unwrap()[0],
        (SuggestionOutcome::Shown, 2)
    );
    // Nothing typed, nothing listed; no token, nothing counted.
    let empty = requester
        .get(app.url("/o/diplomas/kb/suggest?subject=&body="))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(empty.trim(), "");
    let list = requester
        .get(app.url("/o/diplomas/kb/suggest?q=password&visit=%3Cscript%3E"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&seeded.reset_en.slug), "still listed: {list}");
    let figures = app
        .store
        .kb_article_figures(app.diplomas.id, seeded.reset_en.id)
        .await
        .unwrap();
    assert_eq!(
        figures.suggested, 1,
        "a token this server did not make counts nothing"
    );
}

async fn a_deflection_and_a_submission_are_recorded_per_visit(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let requester = browser();
    let (_, form) = get_text(&requester, &app.url("/o/e-training/new")).await;
    let visit = between(&form, "name=\"kb_visit\" id=\"kb-visit\" value=\"", "\"");
    let digest = secrets::token_digest(&visit);

    // The diplomas visit: shown, opened, then "this solved my problem".
    let (_, diplomas_form) = get_text(&requester, &app.url("/o/diplomas/new")).await;
    let solved_visit = between(
        &diplomas_form,
        "name=\"kb_visit\" id=\"kb-visit\" value=\"",
        "\"",
    );
    let solved_digest = secrets::token_digest(&solved_visit);
    requester
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
    let (status, page) = get_text(&requester, &app.url(&opened)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"kb-solved\""),
        "the article offers to end the visit"
    );
    let (_, plain) = get_text(&requester, &app.url("/o/diplomas/kb/reset-password")).await;
    assert!(
        !plain.contains("id=\"kb-solved\""),
        "only when opened from a suggestion"
    );
    let response = post_form(
        &requester,
        &app,
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
    let (_, thanks) = get_text(
        &requester,
        &app.url("/o/diplomas/kb/reset-password?done=solved"),
    )
    .await;
    assert!(thanks.contains("class=\"notice notice-success kb-solved-confirmation\""));
    let outcomes = app
        .store
        .kb_visit_outcomes(app.diplomas.id, &solved_digest)
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            (SuggestionOutcome::Shown, 1),
            (SuggestionOutcome::Opened, 1),
            (SuggestionOutcome::Deflected, 1),
            (SuggestionOutcome::Submitted, 0)
        ]
    );
    let figures = app
        .store
        .kb_article_figures(app.diplomas.id, seeded.reset_ar.id)
        .await
        .unwrap();
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
    let response = post_form(
        &requester,
        &app,
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
        .post(app.url("/o/e-training/new"))
        .multipart(submission)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let outcomes = app
        .store
        .kb_visit_outcomes(app.training.id, &digest)
        .await
        .unwrap();
    assert_eq!(outcomes[3], (SuggestionOutcome::Submitted, 1));
}

// ---- the editors ------------------------------------------------------------------------------------

async fn editors_publish_specialists_draft_and_agents_read(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let draft_page = format!("/o/diplomas/desk/kb/articles/{}", seeded.draft.id);
    let status_action = format!("{draft_page}/status");

    // An agent reads the list with its figures, and nothing more.
    let agent = signed_in(&app, "agent.students@example.sa").await;
    let (status, list) = get_text(&agent, &app.url("/o/diplomas/desk/kb")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("id=\"kb-deflection\""));
    assert!(list.contains(RESET_AR_TITLE) && list.contains("إعادة جدولة الاختبار"));
    assert!(!list.contains("id=\"kb-new-article\""));
    assert!(
        list.contains("href=\"/o/diplomas/desk/kb\""),
        "the desk navigation"
    );
    let (status, _) = get_text(&agent, &app.url("/o/diplomas/desk/kb/new")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = get_text(&agent, &app.url(&draft_page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"kb-read-only\""));
    let response = post_form(
        &agent,
        &app,
        &draft_page,
        &status_action,
        &[("to", "published")],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "an agent cannot publish"
    );
    let response = post_form(
        &agent,
        &app,
        &draft_page,
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
        app.store
            .kb_article(app.diplomas.id, seeded.draft.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ArticleStatus::Draft
    );
    let (status, _) = get_text(&agent, &app.url("/o/diplomas/desk/kb/categories")).await;
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
    let specialist = signed_in(&app, "specialist@example.sa").await;
    let response = post_form(
        &specialist,
        &app,
        "/o/diplomas/desk/kb/new",
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
    let created = app
        .store
        .kb_article(app.diplomas.id, created_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        created.slug, "article-5",
        "an Arabic title gets a numbered address"
    );
    assert_eq!(created.category_code.as_deref(), Some("accounts"));
    let created_page = format!("/o/diplomas/desk/kb/articles/{created_id}");
    let response = post_form(
        &specialist,
        &app,
        &created_page,
        &format!("{created_page}/status"),
        &[("to", "published")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = post_form(
        &specialist,
        &app,
        &created_page,
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
    let lead = signed_in(&app, "lead.students@example.sa").await;
    let response = post_form(
        &lead,
        &app,
        "/o/diplomas/desk/kb/new",
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
    let response = post_form(
        &lead,
        &app,
        "/o/diplomas/desk/kb/new",
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
    let response = post_form(
        &lead,
        &app,
        &draft_page,
        &status_action,
        &[("to", "published")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = get_text(&browser(), &app.url("/o/diplomas/kb/exam-rescheduling")).await;
    assert_eq!(status, StatusCode::OK, "published: the public reads it");
    let response = post_form(
        &lead,
        &app,
        &draft_page,
        &status_action,
        &[("to", "archived")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = post_form(
        &lead,
        &app,
        &draft_page,
        &status_action,
        &[("to", "published")],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "archived goes back to draft first"
    );
    let (status, _) = get_text(&browser(), &app.url("/o/diplomas/kb/exam-rescheduling")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn categories_translations_and_files_are_managed_from_the_desk(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let director = signed_in(&app, "director@example.sa").await;
    let categories = "/o/diplomas/desk/kb/categories";
    let response = post_form(
        &director,
        &app,
        categories,
        categories,
        &[
            ("code", "exams"),
            ("name_ar", "الاختبارات"),
            ("name_en", "Exams"),
            ("position", "2"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = post_form(
        &director,
        &app,
        categories,
        categories,
        &[
            ("code", "exams"),
            ("name_ar", "مكرر"),
            ("name_en", "Again"),
            ("position", ""),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = post_form(
        &director,
        &app,
        categories,
        &format!("{categories}/exams"),
        &[
            ("name_ar", "الاختبارات والتقييم"),
            ("name_en", "Exams"),
            ("position", "x"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = post_form(
        &director,
        &app,
        categories,
        &format!("{categories}/exams"),
        &[
            ("name_ar", "الاختبارات والتقييم"),
            ("name_en", "Exams"),
            ("position", "0"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_text(&director, &app.url(categories)).await;
    assert!(page.contains("الاختبارات والتقييم"));

    // The draft gets an English translation, written and linked from its page.
    let response = post_form(
        &director,
        &app,
        "/o/diplomas/desk/kb/new",
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
    let (_, page) = get_text(&director, &app.url(&draft_page)).await;
    assert!(
        page.contains(&format!("<option value=\"{english_id}\">")),
        "a candidate"
    );
    let translation = format!("{draft_page}/translation");
    let response = post_form(
        &director,
        &app,
        &draft_page,
        &translation,
        &[
            ("action", "link"),
            ("other", seeded.reset_en.id.to_string().as_str()),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CONFLICT,
        "already another's translation"
    );
    let response = post_form(
        &director,
        &app,
        &draft_page,
        &translation,
        &[
            ("action", "link"),
            ("other", english_id.to_string().as_str()),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let draft = app
        .store
        .kb_article(app.diplomas.id, seeded.draft.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(draft.translation.map(|t| t.id), Some(english_id));

    // Files: uploaded within the portal's limits, offered as Markdown, removed.
    let (_, page_text) = get_text(&director, &app.url(&draft_page)).await;
    let upload = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page_text))
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\nexam".to_vec())
                .file_name("موعد الاختبار.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let response = director
        .post(app.url(&format!("{draft_page}/attachments")))
        .multipart(upload)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let refused = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page_text))
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"#!/bin/sh".to_vec())
                .file_name("run.sh")
                .mime_str("application/x-sh")
                .unwrap(),
        );
    let response = director
        .post(app.url(&format!("{draft_page}/attachments")))
        .multipart(refused)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let files = app
        .store
        .kb_attachments(app.diplomas.id, seeded.draft.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 2);
    let (_, page) = get_text(&director, &app.url(&draft_page)).await;
    assert!(
        page.contains(&format!(
            "![موعد الاختبار.png](/o/diplomas/kb/files/{}/",
            files[1].id
        )),
        "the Markdown of a picture"
    );
    let response = post_form(
        &director,
        &app,
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
    let response = post_form(
        &director,
        &app,
        &draft_page,
        &format!("{categories}/exams/archive"),
        &[],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn the_reply_picker_offers_published_articles_with_public_links(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let agent = signed_in(&app, "agent.students@example.sa").await;
    let fragment = agent
        .get(query_url(
            &app,
            "/o/diplomas/desk/kb/picker",
            &[("q", "إعادة")],
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let (status, page) = get_text(
        &agent,
        &app.url("/o/diplomas/desk/kb/links?q=password&ticket=DP-2026-000001"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!(
        "http://127.0.0.1:8080/o/diplomas/kb/{}",
        seeded.reset_en.slug
    )));
    assert!(page.contains("href=\"/o/diplomas/desk/tickets/DP-2026-000001#reply\""));
    let (status, _) = get_text(&browser(), &app.url("/o/diplomas/desk/kb/picker?q=a")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "staff only");
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })+
        }
    };
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
