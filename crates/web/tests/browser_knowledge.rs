//! The knowledge base in a real browser: Chromium driven through ChromeDriver against the real
//! server on a simulated clock. A reader searches the Arabic help centre with diacritics, opens
//! the article and finds it helpful; a requester typing a subject is shown suggestions, opens
//! one and says it solved the problem (a deflection, checked in the store); an agent puts an
//! article's link into a reply and sends it; an editor writes an Arabic article, links its
//! English translation and publishes it. The knowledge-base pages pass axe (WCAG 2.1 AA) and
//! do not scroll sideways on a phone.

#[path = "support/browser.rs"]
mod browser_support;
mod support;

use browser_support::{Browser, ChromeDriver, sign_in};
use sanad_domain::knowledge::{ArticleLanguage, ArticleStatus, SuggestionOutcome};
use sanad_domain::{
    Channel, EmailAddress, MessageKind, PersonName, RequesterType, Subject, TicketKind,
};
use sanad_store::{Actor, KbArticle, NewRequester, NewTicket, RequesterContact, secrets};
use sanad_web::Clock;
use serde_json::json;
use std::time::Duration;
use support::{
    Backend, UiApp, article_input, create_article, create_kb_category, figures_of,
    newest_comment_of, outcome_counts, outcomes_of, spawn_ui_app,
};

const START: &str = "2026-11-22T08:00:00Z";

// ---- the browser ----------------------------------------------------------------------------------

/// What the knowledge-base tests do in a browser, besides what `support/browser.rs` gives.
impl Browser {
    async fn value(&self, css: &str) -> String {
        self.element(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Waits (up to 20 s) until `css` matches something.
    async fn wait_for(&self, css: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self.exists(css).await {
            assert!(
                std::time::Instant::now() < deadline,
                "`{css}` never appeared on {}:\n{}",
                self.url().await,
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How wide the page is, and whether it scrolls sideways at the window's width.
    async fn scrolls_sideways(&self) -> Option<String> {
        let layout = self
            .js("return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth };")
            .await;
        let scroll = layout["scroll"].as_u64().unwrap_or(u64::MAX);
        let inner = layout["inner"].as_u64().unwrap_or(0);
        (scroll > inner).then(|| format!("{} is {scroll} px wide in {inner} px", "the page"))
    }
}

// ---- data set up through the store ------------------------------------------------------------------

const RESET_AR_TITLE: &str = "إعادة تعيين كلمة المرور";
const RESET_AR_BODY: &str = "# الخطوات\n\n1. افتح صفحة الدخول واضغط «نسيت كلمة المرور».\n2. اتبع الرابط المرسل إلى بريدك واختر كلمة مرور جديدة.\n\nإن لم يصلك البريد خلال عشر دقائق فتحقق من مجلد الرسائل غير المرغوب فيها.";
const RESET_EN_TITLE: &str = "How to reset your password";

struct Seeded {
    reset_ar: KbArticle,
    certificate_en: KbArticle,
}

/// The diplomas help centre: a category, a published Arabic article with its English
/// translation, and an English draft waiting for its Arabic version.
async fn seed(app: &UiApp) -> Seeded {
    create_kb_category(
        app,
        "accounts",
        "الحساب والشهادات",
        "Account and certificates",
        1,
    )
    .await;
    // Every article is filed under `accounts`.
    let create = async |slug: Option<&str>, language, title: &str, body: &str, status| {
        let input = article_input(slug, language, title, body, Some("accounts"), status);
        create_article(app, &input).await
    };
    let reset_ar = create(
        Some("reset-password"),
        ArticleLanguage::Ar,
        RESET_AR_TITLE,
        RESET_AR_BODY,
        ArticleStatus::Published,
    )
    .await;
    let reset_en = create(
        None,
        ArticleLanguage::En,
        RESET_EN_TITLE,
        "Open the sign-in page, choose **Forgot password** and follow the link we e-mail you.",
        ArticleStatus::Published,
    )
    .await;
    app.store
        .link_kb_translation(app.diplomas.id, reset_ar.id, reset_en.id, app.clock.now())
        .await
        .unwrap();
    let certificate_en = create(
        None,
        ArticleLanguage::En,
        "How to get your certificate",
        "Certificates are issued within two working days of passing the final exam.",
        ArticleStatus::Draft,
    )
    .await;
    Seeded {
        reset_ar,
        certificate_en,
    }
}

/// A technical request of a trainee, for the agent to answer.
async fn request(app: &UiApp) -> String {
    app.store
        .create_ticket(
            &app.diplomas,
            &NewTicket {
                kind: TicketKind::TechnicalIssue,
                channel: Channel::Email,
                subject: Subject::parse("لا أستطيع الدخول إلى المنصة").unwrap(),
                body: sanad_domain::MessageBody::parse("نسيت كلمة المرور ولم يصلني رابط.").unwrap(),
                category: None,
                requester: NewRequester {
                    name: PersonName::parse("ليان العتيبي").unwrap(),
                    contact: RequesterContact::Email(
                        EmailAddress::parse("layan@example.sa").unwrap(),
                    ),
                    requester_type: RequesterType::Trainee,
                },
                attachments: Vec::new(),
            },
            None,
            &Actor::NewRequester {
                name: "ليان العتيبي".into(),
            },
            app.clock.now(),
        )
        .await
        .unwrap()
        .ticket
        .number
}

// ---- (a) the Arabic help centre ---------------------------------------------------------------------

async fn a_reader_finds_an_arabic_article_with_diacritics_and_finds_it_helpful(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let chrome = ChromeDriver::start().await;
    let reader = chrome.browser(1280).await;
    reader.go(&app.url("/o/diplomas")).await;
    reader.click("nav a[href='/o/diplomas/kb']").await;
    reader.wait_for_url("/o/diplomas/kb").await;
    assert_eq!(
        reader.js("return document.documentElement.dir").await,
        json!("rtl")
    );
    assert!(reader.body_text().await.contains("الحساب والشهادات"));

    // Results come as the reader types (htmx), with the words marked.
    reader.fill("#kb-q", "كَلِمَةُ المُرُور").await;
    reader.wait_for("#kb-results mark").await;
    let marked = reader.text("#kb-results mark").await;
    assert!(["كلمة", "المرور"].contains(&marked.as_str()), "{marked}");
    assert!(
        reader.url().await.contains("q="),
        "the address follows the search, so it can be shared"
    );
    reader
        .click("#kb-results a[href='/o/diplomas/kb/reset-password']")
        .await;
    reader.wait_for_url("/o/diplomas/kb/reset-password").await;
    assert_eq!(reader.text("#kb-article-title").await, RESET_AR_TITLE);
    assert!(reader.exists("#kb-article-body h2").await);
    assert_eq!(reader.text("#kb-translation-link").await, "اقرأ بالإنجليزية");

    reader.click("#kb-helpful").await;
    reader.wait_for("#kb-feedback-thanks").await;
    reader.wait_for_text("#kb-your-verdict", "أفادتك").await;
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!((figures.helpful, figures.not_helpful), (1, 0));
    // Changing one's mind replaces the verdict.
    reader.click("#kb-not-helpful").await;
    reader.wait_for_text("#kb-your-verdict", "لم تفدك").await;
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!((figures.helpful, figures.not_helpful), (0, 1));

    // The translation is one click away, in English.
    reader.click("#kb-translation-link").await;
    reader.wait_for_url("how-to-reset-your-password").await;
    assert_eq!(reader.text("#kb-article-title").await, RESET_EN_TITLE);
    assert_eq!(
        reader.js("return document.documentElement.lang").await,
        json!("en")
    );
    reader.quit().await;
}

// ---- (b) suggestions and a deflection -------------------------------------------------------------

async fn suggestions_while_typing_lead_to_a_recorded_deflection(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let chrome = ChromeDriver::start().await;
    let requester = chrome.browser(1280).await;
    requester.go(&app.url("/o/diplomas/new")).await;
    let visit = requester.value("#kb-visit").await;
    assert!(visit.len() > 40, "{visit}");
    assert!(!requester.exists("#kb-suggestions li").await);
    // A long description is typed first: only its beginning is sent along. The listener is on
    // `window`, the last stop of the event, so it sees the parameters as the page's script left
    // them.
    let sent = requester
        .js_async(
            "const done = arguments[arguments.length - 1];
             window.addEventListener('htmx:configRequest', (event) => {
               if (event.detail.elt.id === 'kb-suggestions') { window.kbSentBody = event.detail.parameters.body; }
             });
             const body = document.getElementById('body');
             body.value = 'أكتب هنا وصفًا طويلًا للمشكلة التي أواجهها منذ أيام. '.repeat(40);
             body.dispatchEvent(new Event('input', { bubbles: true }));
             setTimeout(() => done(window.kbSentBody || null), 1000);",
        )
        .await;
    assert_eq!(
        sent.as_str().map(|body| body.chars().count()),
        Some(300),
        "the description is cut before it is sent: {sent}"
    );
    requester.fill("#subject", "نسيت كلمة المرور").await;
    requester.wait_for("#kb-suggestions li a").await;
    let link = requester.element("#kb-suggestions li a").await;
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.contains("/o/diplomas/kb/reset-password?from=suggestion&visit="),
        "{href}"
    );
    let digest = secrets::token_digest(&visit);
    let shown = outcomes_of(&app, &app.diplomas, &digest).await;
    assert_eq!(shown[0], (SuggestionOutcome::Shown, 1));

    // The suggestion opens in a new tab, so the form keeps what was typed.
    let form_window = requester.driver.window().await.unwrap();
    link.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let article_window = loop {
        let windows = requester.driver.windows().await.unwrap();
        if let Some(other) = windows.into_iter().find(|window| *window != form_window) {
            break other;
        }
        assert!(std::time::Instant::now() < deadline, "no new tab opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    requester
        .driver
        .switch_to_window(article_window)
        .await
        .unwrap();
    requester.wait_for("#kb-solved").await;
    requester.click("#kb-solved").await;
    requester.wait_for(".kb-solved-confirmation").await;
    assert!(
        requester
            .body_text()
            .await
            .contains("يسعدنا أن المقالة أفادتك")
    );

    let outcomes = outcomes_of(&app, &app.diplomas, &digest).await;
    assert_eq!(outcomes, outcome_counts([1, 1, 1, 0]));
    let deflection = app
        .store
        .kb_deflection(
            app.diplomas.id,
            app.clock.now() - jiff::SignedDuration::from_hours(24 * 30),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            deflection.visits_with_suggestions,
            deflection.deflected_visits
        ),
        (1, 1)
    );
    let figures = figures_of(&app, seeded.reset_ar.id).await;
    assert_eq!(
        (figures.suggested, figures.opened, figures.deflected),
        (1, 1, 1)
    );
    // The form in the first tab still holds the subject.
    requester
        .driver
        .switch_to_window(form_window)
        .await
        .unwrap();
    assert_eq!(requester.value("#subject").await, "نسيت كلمة المرور");
    requester.quit().await;
}

// ---- (c) an article's link in a reply -------------------------------------------------------------

async fn an_agent_inserts_an_article_link_into_a_reply(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    seed(&app).await;
    let number = request(&app).await;
    let chrome = ChromeDriver::start().await;
    let agent = chrome.browser(1280).await;
    sign_in(&agent, &app, "diplomas", "agent.students@example.sa").await;
    agent
        .go(&app.url(&format!("/o/diplomas/desk/tickets/{number}")))
        .await;
    agent.expect_no_error_page().await;
    agent
        .fill("#reply-body", "مرحبًا ليان، هذه المقالة تشرح الخطوات:")
        .await;
    agent.click("#kb-picker > summary").await;
    agent.fill("#kb-picker-q", "كلمة المرور").await;
    agent
        .wait_for("#kb-picker-results button[data-kb-insert]")
        .await;
    agent
        .click("#kb-picker-results button[data-kb-insert]")
        .await;
    let link = format!("[{RESET_AR_TITLE}](http://127.0.0.1:8080/o/diplomas/kb/reset-password)");
    let typed = agent.value("#reply-body").await;
    assert_eq!(
        typed,
        format!("مرحبًا ليان، هذه المقالة تشرح الخطوات: {link}")
    );
    assert!(
        agent.url().await.ends_with(&number),
        "searching the picker never sends the reply"
    );
    agent.click("#send-reply").await;
    agent.wait_for_url("#timeline").await;
    agent.expect_no_error_page().await;
    let detail = app
        .store
        .ticket_detail(app.diplomas.id, &number)
        .await
        .unwrap()
        .unwrap();
    let reply = detail
        .messages
        .iter()
        .rfind(|message| message.kind == MessageKind::PublicReply)
        .expect("the reply was sent");
    assert!(reply.body.contains(&link), "{}", reply.body);
    agent.quit().await;
}

// ---- (d) an editor writes, links and publishes ------------------------------------------------------

async fn an_editor_writes_an_arabic_article_links_its_translation_and_publishes_it(
    backend: Backend,
) {
    let app = spawn_ui_app(backend, START).await;
    let seeded = seed(&app).await;
    let chrome = ChromeDriver::start().await;
    let editor = chrome.browser(1280).await;
    sign_in(&editor, &app, "diplomas", "lead.students@example.sa").await;
    editor.click("nav a[href='/o/diplomas/desk/kb']").await;
    editor.wait_for_url("/o/diplomas/desk/kb").await;
    editor.click("#kb-new-article").await;
    editor.wait_for_url("/o/diplomas/desk/kb/new").await;
    editor.fill("#kb-title", "طريقة الحصول على الشهادة").await;
    editor.choose("#kb-language", "ar").await;
    editor.choose("#kb-category", "accounts").await;
    editor.fill("#kb-slug", "get-your-certificate").await;
    editor
        .fill(
            "#kb-body",
            "تصدر الشهادة خلال يومي عمل من اجتياز الاختبار النهائي، وتجدها في صفحة «شهاداتي».",
        )
        .await;
    editor.click("#kb-save").await;
    let url = editor.wait_for_url("done=created").await;
    assert_eq!(editor.text("#kb-article-status").await, "مسودة");

    editor
        .choose(
            "#kb-translation-other",
            &seeded.certificate_en.id.to_string(),
        )
        .await;
    editor.click("#kb-link").await;
    editor.wait_for_url("done=linked").await;
    assert_eq!(
        editor.text("#kb-linked-translation").await,
        "How to get your certificate"
    );
    editor.click("#kb-move-published").await;
    editor.wait_for_url("done=status").await;
    assert_eq!(editor.text("#kb-article-status").await, "منشورة");

    let id: i64 = url
        .split("/articles/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .expect("the article's id in the address");
    let stored = app
        .store
        .kb_article(app.diplomas.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ArticleStatus::Published);
    assert_eq!(stored.language, ArticleLanguage::Ar);
    assert_eq!(stored.slug, "get-your-certificate");
    assert_eq!(
        stored.translation.map(|t| t.id),
        Some(seeded.certificate_en.id)
    );

    // The public reads it now, in the help centre's search too; the English translation is a
    // draft still, so no link to it is offered yet.
    editor.click("#kb-public-link").await;
    editor
        .wait_for_url("/o/diplomas/kb/get-your-certificate")
        .await;
    assert_eq!(
        editor.text("#kb-article-title").await,
        "طريقة الحصول على الشهادة"
    );
    let reader = chrome.browser(1280).await;
    reader.go(&app.url("/o/diplomas/kb?q=الشهادة")).await;
    reader
        .wait_for("#kb-results a[href='/o/diplomas/kb/get-your-certificate']")
        .await;
    reader
        .go(&app.url("/o/diplomas/kb/get-your-certificate"))
        .await;
    assert!(!reader.exists("#kb-translation-link").await);
    app.store
        .set_kb_article_status(
            app.diplomas.id,
            seeded.certificate_en.id,
            ArticleStatus::Published,
            app.clock.now(),
        )
        .await
        .unwrap();
    reader
        .go(&app.url("/o/diplomas/kb/get-your-certificate"))
        .await;
    assert_eq!(reader.text("#kb-translation-link").await, "اقرأ بالإنجليزية");
    reader.quit().await;
    editor.quit().await;
}

// ---- accessibility and layout --------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_pages_pass_axe_and_fit_a_phone() {
    let app = spawn_ui_app(Backend::Sqlite, START).await;
    let seeded = seed(&app).await;
    let number = request(&app).await;
    app.store
        .record_kb_feedback(
            app.diplomas.id,
            seeded.reset_ar.id,
            &secrets::token_digest("another-reader"),
            sanad_domain::knowledge::FeedbackVerdict::Helpful,
            None,
            app.clock.now(),
        )
        .await
        .unwrap();
    let chrome = ChromeDriver::start().await;
    let browser = chrome.browser(1280).await;
    let mut violations = Vec::new();
    let mut overflowing = Vec::new();
    let mut checked = 0;
    let mut check = async |name: &str| {
        checked += 1;
        browser.expect_no_error_page().await;
        violations.extend(browser.axe_violations(name).await);
        browser.resize(360, 900).await;
        if let Some(problem) = browser.scrolls_sideways().await {
            overflowing.push(format!("{name} at 360 px: {problem}"));
        }
        browser.resize(1280, 900).await;
    };
    for lang in ["ar", "en"] {
        browser
            .go(&app.url(&format!("/o/diplomas/kb?lang={lang}")))
            .await;
        check(&format!("help centre ({lang})")).await;
        browser
            .go(&app.url("/o/diplomas/kb?q=%D9%83%D9%84%D9%85%D8%A9"))
            .await;
        check(&format!("search results ({lang})")).await;
        browser.go(&app.url("/o/diplomas/kb/reset-password")).await;
        check(&format!("article ({lang})")).await;
        browser.go(&app.url("/o/diplomas/new")).await;
        browser.fill("#subject", "نسيت كلمة المرور").await;
        browser.wait_for("#kb-suggestions li").await;
        check(&format!("new request with suggestions ({lang})")).await;
        let visit = browser.value("#kb-visit").await;
        browser
            .go(&app.url(&format!(
                "/o/diplomas/kb/reset-password?from=suggestion&visit={visit}"
            )))
            .await;
        check(&format!("article opened from a suggestion ({lang})")).await;
    }
    sign_in(&browser, &app, "diplomas", "admin@example.sa").await;
    for lang in ["ar", "en"] {
        browser
            .go(&app.url(&format!("/o/diplomas/desk/kb?lang={lang}")))
            .await;
        check(&format!("editors' list ({lang})")).await;
        browser
            .go(&app.url(&format!(
                "/o/diplomas/desk/kb/articles/{}",
                seeded.reset_ar.id
            )))
            .await;
        check(&format!("editor ({lang})")).await;
        browser.go(&app.url("/o/diplomas/desk/kb/new")).await;
        check(&format!("new article ({lang})")).await;
        browser.go(&app.url("/o/diplomas/desk/kb/categories")).await;
        check(&format!("categories ({lang})")).await;
        browser
            .go(&app.url(&format!(
                "/o/diplomas/desk/kb/links?q=password&ticket={number}"
            )))
            .await;
        check(&format!("links without script ({lang})")).await;
        browser
            .go(&app.url(&format!("/o/diplomas/desk/tickets/{number}")))
            .await;
        browser.click("#kb-picker > summary").await;
        browser.fill("#kb-picker-q", "password").await;
        browser
            .wait_for("#kb-picker-results button[data-kb-insert]")
            .await;
        check(&format!("reply with the article picker ({lang})")).await;
    }
    browser.quit().await;
    assert_eq!(checked, 2 * 5 + 2 * 6, "every page was checked");
    assert!(
        violations.is_empty(),
        "axe found {} WCAG 2.1 AA violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
    assert!(
        overflowing.is_empty(),
        "pages scroll sideways:\n{}",
        overflowing.join("\n")
    );
}

/// Without JavaScript the help centre still searches (a plain GET form), articles take
/// verdicts, and the new-request form sends (without suggestions).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_centre_works_without_javascript() {
    let app = spawn_ui_app(Backend::Sqlite, START).await;
    let seeded = seed(&app).await;
    let chrome = ChromeDriver::start().await;
    let reader = chrome.browser_without_javascript(1280).await;
    reader.go(&app.url("/o/diplomas/kb")).await;
    reader.fill("#kb-q", "اعادة تعيين").await;
    reader.click("#kb-search-submit").await;
    reader.wait_for_url("q=").await;
    reader.wait_for("#kb-results mark, #kb-results a").await;
    reader
        .click("#kb-results a[href='/o/diplomas/kb/reset-password']")
        .await;
    reader.wait_for_url("/o/diplomas/kb/reset-password").await;
    reader.click(".kb-feedback-more > summary").await;
    reader
        .fill("#kb-comment", "أريد الخطوات على تطبيق الجوال.")
        .await;
    reader.click("#kb-send-comment").await;
    reader.wait_for("#kb-feedback-thanks").await;
    assert_eq!(
        newest_comment_of(&app, seeded.reset_ar.id).await.as_deref(),
        Some("أريد الخطوات على تطبيق الجوال.")
    );
    reader.go(&app.url("/o/diplomas/new")).await;
    reader.fill("#subject", "نسيت كلمة المرور").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        !reader.exists("#kb-suggestions li").await,
        "no suggestions without script"
    );
    reader.quit().await;
}

on_both_backends!(
    a_reader_finds_an_arabic_article_with_diacritics_and_finds_it_helpful,
    suggestions_while_typing_lead_to_a_recorded_deflection,
    an_agent_inserts_an_article_link_into_a_reply,
    an_editor_writes_an_arabic_article_links_its_translation_and_publishes_it,
);
