//! Rate limits on what anyone may send without signing in, over HTTP on the test clock: new
//! requests from the portal, live-chat conversations, help-centre feedback and tracking codes in
//! a link. Each limit is per client address (the connection's, never `X-Forwarded-For`), is
//! answered with 429 and `Retry-After`, and lifts once the window has passed. Each test runs on
//! SQLite and on PostgreSQL; the counts live in the database, shared by every instance.

mod support;

use jiff::SignedDuration;
use reqwest::StatusCode;
use sanad_domain::knowledge::{ArticleLanguage, ArticleStatus};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use support::{
    Backend, UiApp, article_input, between, browser, create_article, csrf_of, get_text,
    spawn_ui_app,
};

const START: &str = "2026-11-22T08:00:00Z";

/// A browser-like client whose connections come from another loopback address, so the server
/// sees a second client.
fn browser_from(address: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(address))
        .build()
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> i64 {
    response
        .headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Files one new request through e-training's portal form.
async fn submit(
    app: &UiApp,
    client: &reqwest::Client,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let (_, page) = get_text(client, &app.url("/o/e-training/new")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "technical_issue")
        .text("subject", "لا يفتح الاختبار")
        .text("body", "تظهر صفحة فارغة عند فتح الاختبار.")
        .text("name", "سلمى العمري")
        .text("email", "salma@example.sa")
        .text("phone", "0500000123")
        .text("requester_type", "trainee");
    let mut request = client.post(app.url("/o/e-training/new")).multipart(form);
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

async fn portal_submissions_are_limited_per_client_address(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    for _ in 0..5 {
        assert_eq!(
            submit(&app, &client, None).await.status(),
            StatusCode::CREATED
        );
    }
    app.clock.advance(SignedDuration::from_mins(30));
    for _ in 0..5 {
        assert_eq!(
            submit(&app, &client, None).await.status(),
            StatusCode::CREATED
        );
    }
    // The eleventh within the hour is refused; the first five leave the window in 30 minutes.
    let refused = submit(&app, &client, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 30 * 60);
    assert!(refused.text().await.unwrap().contains("Too many attempts"));
    // A forwarded-for header is anyone's to write, so it changes nothing.
    let spoofed = submit(&app, &client, Some("203.0.113.7")).await;
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.store.count_tickets(app.training.id).await.unwrap(), 10);
    // Another address has its own count.
    let neighbour = browser_from(Ipv4Addr::new(127, 0, 0, 2));
    assert_eq!(
        submit(&app, &neighbour, None).await.status(),
        StatusCode::CREATED
    );
    // Once the first five have left the window, five more fit, and no more.
    app.clock
        .advance(SignedDuration::from_mins(30) + SignedDuration::from_secs(1));
    for _ in 0..5 {
        assert_eq!(
            submit(&app, &client, None).await.status(),
            StatusCode::CREATED
        );
    }
    assert_eq!(
        submit(&app, &client, None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(app.store.count_tickets(app.training.id).await.unwrap(), 16);
}

async fn chat_conversations_are_limited_with_a_problem_document(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = reqwest::Client::new();
    let start = || async {
        client
            .post(app.url("/o/e-training/chat/conversations"))
            .header("origin", "https://khibra.example.sa")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({"name": "سلمى", "email": "salma@example.sa", "message": "مرحبا"}))
            .send()
            .await
            .unwrap()
    };
    for _ in 0..10 {
        assert_eq!(start().await.status(), StatusCode::CREATED);
    }
    let refused = start().await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 3600);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    assert_eq!(problem["type"], "urn:sanad:problem:too-many-requests");
    app.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(start().await.status(), StatusCode::CREATED);
}

async fn help_centre_feedback_is_limited(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    create_article(
        &app,
        &article_input(
            Some("reset-password"),
            ArticleLanguage::Ar,
            "استعادة كلمة المرور",
            "اضغط «نسيت كلمة المرور» في صفحة الدخول.",
            None,
            ArticleStatus::Published,
        ),
    )
    .await;
    let client = browser();
    let (status, page) = get_text(&client, &app.url("/o/diplomas/kb/reset-password")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let judge = |verdict: &'static str| {
        let client = client.clone();
        let csrf = csrf.clone();
        let url = app.url("/o/diplomas/kb/reset-password/feedback");
        async move {
            client
                .post(url)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("verdict", verdict),
                    ("comment", ""),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for index in 0..30 {
        let verdict = if index % 2 == 0 {
            "helpful"
        } else {
            "not_helpful"
        };
        assert_eq!(judge(verdict).await.status(), StatusCode::SEE_OTHER);
    }
    let refused = judge("helpful").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&refused), 3600);
    app.clock.advance(SignedDuration::from_hours(1));
    assert_eq!(judge("helpful").await.status(), StatusCode::SEE_OTHER);
}

async fn tracking_codes_in_a_link_are_throttled_per_ticket_number(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let requester = browser();
    let receipt = submit(&app, &requester, None).await;
    assert_eq!(receipt.status(), StatusCode::CREATED);
    let receipt = receipt.text().await.unwrap();
    let number = between(&receipt, "id=\"receipt-number\">", "<");
    let code = between(&receipt, "id=\"receipt-code\">", "<");
    let link = |code: &str| app.url(&format!("/o/e-training/track/{number}?code={code}"));
    // Guessing codes through the link, from several addresses, counts against the number.
    for index in 0..10u8 {
        let guesser = browser_from(Ipv4Addr::new(127, 0, 1, index + 1));
        let (status, _) = get_text(&guesser, &link("AAAAA-AAAAA")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let owner = browser_from(Ipv4Addr::new(127, 0, 2, 1));
    let blocked = owner.get(link(&code)).send().await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&blocked), 15 * 60);
    app.clock
        .advance(SignedDuration::from_mins(15) + SignedDuration::from_secs(1));
    let opened = owner.get(link(&code)).send().await.unwrap();
    assert_eq!(
        opened.status(),
        StatusCode::SEE_OTHER,
        "the right code works again"
    );
}

on_both_backends!(
    portal_submissions_are_limited_per_client_address,
    chat_conversations_are_limited_with_a_problem_document,
    help_centre_feedback_is_limited,
    tracking_codes_in_a_link_are_throttled_per_ticket_number,
);
