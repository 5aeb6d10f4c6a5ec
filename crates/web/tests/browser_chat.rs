//! The live-chat widget in a real browser: Chromium, driven through ChromeDriver, opens a page of
//! the provider's own site (another origin, served by the test) whose only Sanad content is the
//! script tag. The visitor chats with the team in the right-to-left panel, an agent's reply
//! arrives while the panel is open, a reload continues the chat, an English page gets the
//! left-to-right panel, axe finds no WCAG 2.1 AA violation, and after working hours the widget
//! offers the form that promises an answer. With `SANAD_SCREENSHOTS=<directory>` it saves
//! pictures of the widget there.

#[path = "support/browser.rs"]
mod browser_support;
mod support;

use browser_support::{Browser, ChromeDriver};
use sanad_domain::{Channel, MessageKind};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Backend, UiApp, say, spawn_ui_app, training_agent};
use thirtyfour::prelude::*;

/// 11:00 in Riyadh: e-training's support team is at work (10:00–16:00).
const WORKING: &str = "2026-11-22T08:00:00Z";

// ---- the widget in the browser -------------------------------------------------------------------

/// Finds an element inside the widget's shadow root (`null` while the widget is not drawn).
const IN_WIDGET: &str = "const host = document.getElementById('sanad-chat'); \
     return host && host.shadowRoot.querySelector(arguments[0]);";

/// What the chat test does in a browser: it looks inside the widget's shadow root.
impl Browser {
    /// The element `css` of the widget, waiting (up to 20 s) for the widget to draw it.
    async fn widget(&self, css: &str) -> WebElement {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .driver
                .execute(IN_WIDGET, vec![json!(css)])
                .await
                .ok()
                .and_then(|result| result.element().ok());
            if let Some(element) = found {
                return element;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the widget never showed `{css}`"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Evaluates `expression` with `root` bound to the widget's shadow root.
    async fn in_widget(&self, expression: &str) -> Value {
        self.js(&format!(
            "const root = document.getElementById('sanad-chat').shadowRoot; return {expression};"
        ))
        .await
    }

    /// Waits (up to 20 s) until the widget's text contains `text`.
    async fn wait_for_widget_text(&self, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let shown = self
                .js("const host = document.getElementById('sanad-chat'); return host ? host.shadowRoot.textContent : '';")
                .await;
            let shown = shown.as_str().unwrap_or_default();
            if shown.contains(text) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} never appeared in the widget; it shows: {shown}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The conversation the widget keeps in the tab's session storage.
    async fn kept_conversation(&self) -> Value {
        self.js(
            "const key = Object.keys(sessionStorage).find((k) => k.startsWith('sanad-chat ')); \
                 return key ? JSON.parse(sessionStorage.getItem(key)) : null;",
        )
        .await
    }

    /// Saves a picture of the page as `<name>.png` in `$SANAD_SCREENSHOTS`, when it is set.
    async fn picture(&self, name: &str) {
        if let Some(directory) = std::env::var_os("SANAD_SCREENSHOTS") {
            let directory = std::path::PathBuf::from(directory);
            std::fs::create_dir_all(&directory).unwrap();
            self.driver
                .screenshot(&directory.join(format!("{name}.png")))
                .await
                .unwrap();
        }
    }
}

// ---- the provider's site ------------------------------------------------------------------------

/// Serves the provider's pages on another origin (`localhost`, another port): an Arabic page at
/// `/` and an English one at `/en`, each holding nothing of Sanad's but the script tag.
async fn provider_site(app: &UiApp) -> String {
    let script = app.url("/o/e-training/chat/widget.js");
    let page = |lang: &str, dir: &str, title: &str, text: &str| {
        format!(
            "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
             <title>{title}</title><style>body{{font:20px serif;color:#222}}\
             button{{background:red!important}}</style></head>\
             <body><main><h1>{title}</h1><p>{text}</p></main>\
             <script src=\"{script}\" defer></script></body></html>"
        )
    };
    let arabic = page(
        "ar",
        "rtl",
        "مركز الخبرة للتدريب الإلكتروني",
        "دورات في البرمجة وتحليل البيانات.",
    );
    let english = page(
        "en",
        "ltr",
        "Khibra e-Training Center",
        "Courses in programming and data analysis.",
    );
    let site = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(arabic) }),
        )
        .route(
            "/en",
            axum::routing::get(move || async move { axum::response::Html(english) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, site).await });
    // `localhost` and not 127.0.0.1, where Sanad is: another host as well as another port.
    format!("http://localhost:{port}")
}

async fn assert_accessible(browser: &Browser, state: &str) {
    let result = browser.axe().await;
    assert!(result["error"].is_null(), "axe failed: {}", result["error"]);
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 0,
        "axe checked nothing"
    );
    assert_eq!(
        result["violations"],
        json!([]),
        "axe found WCAG 2.1 AA violations with the widget {state}"
    );
}

// ---- the test -----------------------------------------------------------------------------------

async fn a_visitor_chats_with_the_team_from_the_providers_site(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let agent = training_agent(&app).await;
    let site = provider_site(&app).await;
    let chrome = ChromeDriver::start().await;
    let browser = chrome.browser(1280).await;
    browser.go(&format!("{site}/")).await;

    // The launcher, right-to-left, in the inline-end corner (the left in Arabic); the page's
    // own `button { background: red }` does not reach it.
    let launcher = browser.widget("button.l").await;
    assert_eq!(
        launcher.attr("aria-label").await.unwrap().as_deref(),
        Some("تحدّث مع فريق الدعم")
    );
    assert_eq!(
        launcher.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    let look = browser
        .in_widget(
            "{ dir: getComputedStyle(root.querySelector('div')).direction, \
                    background: getComputedStyle(root.querySelector('.l')).backgroundColor, \
                    left: root.querySelector('.l').getBoundingClientRect().left }",
        )
        .await;
    assert_eq!(look["dir"], "rtl", "{look}");
    assert_eq!(look["background"], "rgb(11, 95, 89)", "{look}");
    assert!(look["left"].as_f64().unwrap() < 640.0, "{look}");

    // Opening it shows the dialog and puts the focus on the first field.
    launcher.click().await.unwrap();
    let panel = browser
        .in_widget(
            "{ hidden: root.querySelector('[role=dialog]').hidden, \
                    focused: root.activeElement && root.activeElement.id, \
                    dir: getComputedStyle(root.querySelector('[role=dialog]')).direction, \
                    left: root.querySelector('[role=dialog]').getBoundingClientRect().left, \
                    note: root.querySelector('.n').textContent }",
        )
        .await;
    assert_eq!(panel["hidden"], json!(false), "{panel}");
    assert_eq!(panel["focused"], "name", "{panel}");
    assert_eq!(panel["dir"], "rtl", "{panel}");
    assert!(panel["left"].as_f64().unwrap() < 640.0, "{panel}");
    assert!(
        panel["note"]
            .as_str()
            .unwrap()
            .contains("سنرد خلال 48 ساعة عمل"),
        "{panel}"
    );
    assert_accessible(&browser, "open on its first form").await;

    // The visitor writes; the conversation is a live-chat ticket with their name.
    browser
        .widget("#name")
        .await
        .send_keys("سلمى العتيبي")
        .await
        .unwrap();
    browser
        .widget("#message")
        .await
        .send_keys("لا يعمل رابط الاختبار النهائي")
        .await
        .unwrap();
    browser.widget("form .s").await.click().await.unwrap();
    browser
        .wait_for_widget_text("لا يعمل رابط الاختبار النهائي")
        .await;
    let kept = browser.kept_conversation().await;
    let number = kept["ticket"].as_str().expect("a ticket number").to_owned();
    assert!(
        kept["token"]
            .as_str()
            .is_some_and(|token| token.starts_with("sanad_chat_")),
        "{kept}"
    );
    browser.wait_for_widget_text(&number).await;
    let detail = app
        .store
        .ticket_detail(app.training.id, &number)
        .await
        .unwrap()
        .expect("the chat is a ticket");
    assert_eq!(detail.ticket.channel, Channel::LiveChat);
    assert_eq!(detail.ticket.requester.name, "سلمى العتيبي");
    let focused = browser
        .in_widget("root.activeElement && root.activeElement.id")
        .await;
    assert_eq!(focused, "reply");

    // The agent answers from the desk; the answer arrives in the open panel.
    say(
        &app,
        &app.training,
        &number,
        MessageKind::PublicReply,
        "أهلًا سلمى، أعدنا تفعيل الرابط، جرّبيه الآن.",
        &agent,
    )
    .await;
    browser
        .wait_for_widget_text("أعدنا تفعيل الرابط، جرّبيه الآن.")
        .await;
    browser
        .wait_for_widget_text(&format!("فريق {}", app.training.name))
        .await;

    // Enter sends the next message onto the same ticket.
    let reply = browser.widget("#reply").await;
    reply.send_keys("نجح الأمر، شكرًا").await.unwrap();
    reply.send_keys(Key::Enter).await.unwrap();
    browser.wait_for_widget_text("نجح الأمر، شكرًا").await;
    let detail = app
        .store
        .ticket_detail(app.training.id, &number)
        .await
        .unwrap()
        .unwrap();
    let from_visitor: Vec<&str> = detail
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::RequesterMessage)
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        from_visitor,
        ["لا يعمل رابط الاختبار النهائي", "نجح الأمر، شكرًا"]
    );
    assert_accessible(&browser, "open on a conversation").await;
    browser.picture("chat-widget-ar").await;

    // Escape closes the panel and gives the focus back to the launcher.
    browser
        .widget("#reply")
        .await
        .send_keys(Key::Escape)
        .await
        .unwrap();
    let closed = browser
        .in_widget(
            "{ hidden: root.querySelector('[role=dialog]').hidden, \
                    focused: root.activeElement && root.activeElement.className, \
                    expanded: root.querySelector('.l').getAttribute('aria-expanded') }",
        )
        .await;
    assert_eq!(
        closed,
        json!({ "hidden": true, "focused": "l", "expanded": "false" })
    );

    // A reload continues the conversation: the transcript comes back from the stream.
    browser.go(&format!("{site}/")).await;
    browser.widget("button.l").await.click().await.unwrap();
    browser
        .wait_for_widget_text("أعدنا تفعيل الرابط، جرّبيه الآن.")
        .await;
    browser.wait_for_widget_text("نجح الأمر، شكرًا").await;
    let lines = browser
        .in_widget("root.querySelectorAll('.g p').length")
        .await;
    assert_eq!(lines, json!(3), "each message is shown once");

    // An English page of the same site gets the English, left-to-right widget, in the right
    // corner, still on the same conversation and still open, as the visitor left it.
    browser.go(&format!("{site}/en")).await;
    let launcher = browser.widget("button.l").await;
    assert_eq!(
        launcher.attr("aria-label").await.unwrap().as_deref(),
        Some("Chat with the support team")
    );
    assert_eq!(
        launcher.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    browser
        .wait_for_widget_text(&format!("{} team", app.training.name))
        .await;
    let english = browser
        .in_widget(
            "{ dir: getComputedStyle(root.querySelector('[role=dialog]')).direction, \
                    left: root.querySelector('[role=dialog]').getBoundingClientRect().left }",
        )
        .await;
    assert_eq!(english["dir"], "ltr", "{english}");
    assert!(english["left"].as_f64().unwrap() > 640.0, "{english}");
    browser.picture("chat-widget-en").await;

    // After working hours a new visitor gets the form that promises an answer, and must leave
    // an address.
    app.clock.advance(jiff::SignedDuration::from_hours(6));
    browser.js("sessionStorage.clear(); return null;").await;
    browser.go(&format!("{site}/")).await;
    browser.widget("button.l").await.click().await.unwrap();
    browser
        .wait_for_widget_text("نحن خارج أوقات العمل الآن")
        .await;
    let required = browser
        .in_widget("root.querySelector('#email').required")
        .await;
    assert_eq!(required, json!(true));
    browser
        .widget("#name")
        .await
        .send_keys("فهد الزهراني")
        .await
        .unwrap();
    browser
        .widget("#email")
        .await
        .send_keys("fahad.zahrani@example.sa")
        .await
        .unwrap();
    browser
        .widget("#message")
        .await
        .send_keys("أريد تغيير موعد الاختبار")
        .await
        .unwrap();
    browser.widget("form .s").await.click().await.unwrap();
    browser
        .wait_for_widget_text("أريد تغيير موعد الاختبار")
        .await;
    let offline = browser.kept_conversation().await;
    let offline_number = offline["ticket"].as_str().unwrap().to_owned();
    assert_ne!(offline_number, number);
    browser
        .wait_for_widget_text(&format!("رقم طلبك {offline_number}."))
        .await;
    browser.wait_for_widget_text("سنرد خلال 48 ساعة عمل.").await;
    browser.picture("chat-widget-offline-ar").await;
    let detail = app
        .store
        .ticket_detail(app.training.id, &offline_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.ticket.channel, Channel::LiveChat);
    assert_eq!(
        detail.ticket.requester.email.as_deref(),
        Some("fahad.zahrani@example.sa")
    );
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_visitor_chats_with_the_team_from_the_providers_site() {
    a_visitor_chats_with_the_team_from_the_providers_site(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_visitor_chats_with_the_team_from_the_providers_site() {
    a_visitor_chats_with_the_team_from_the_providers_site(Backend::Postgres).await;
}
