//! Uploads whose bytes disagree with their declared type are refused with a field error, and
//! every answer, pages and API alike, carries the security headers. Both backends.

mod support;

use reqwest::StatusCode;
use support::{Backend, browser, csrf_of, get_text, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

async fn a_program_named_as_a_picture_is_refused(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/e-training/new")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "technical_issue")
        .text("subject", "صورة الخطأ")
        .text("body", "أرفقت صورة الشاشة.")
        .text("name", "سلمى العمري")
        .text("email", "salma@example.sa")
        .text("phone", "0500000123")
        .text("requester_type", "trainee")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec())
                .file_name("screen.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let response = client
        .post(app.url("/o/e-training/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let at = html
        .find("id=\"attachments-error\"")
        .expect("the field's error");
    let near: String = html[at..].chars().take(400).collect();
    assert!(
        near.contains("screen.png") && near.contains("لا يطابق نوعه"),
        "{near}"
    );
    assert_eq!(app.store.count_tickets(app.training.id).await.unwrap(), 0);
}

async fn api_answers_carry_the_security_headers(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = reqwest::Client::new();
    for (path, status) in [
        ("/api/v1/tickets", StatusCode::UNAUTHORIZED),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
        ("/api/openapi.json", StatusCode::OK),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
        assert!(
            headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()")
        );
        // The test server's public address is plain HTTP, so no HSTS.
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
    }
    // Pages keep their own, stricter policy and get the rest too.
    let page = client.get(app.url("/o/e-training")).send().await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert!(!policy.contains("unsafe-inline"));
    assert_eq!(page.headers()["cross-origin-opener-policy"], "same-origin");
}

on_both_backends!(
    a_program_named_as_a_picture_is_refused,
    api_answers_carry_the_security_headers,
);
