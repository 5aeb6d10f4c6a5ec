//! Ticket search over HTTP, on SQLite and on PostgreSQL: the stable `GET /api/v1/search` shape
//! with organization and personal tokens (each seeing only what it may), its problems for bad
//! input, and the desk's search page with highlighted excerpts.

mod support;

use reqwest::StatusCode;
use sanad_store::RequesterContact;
use sanad_web::Clock;
use serde_json::Value;
use support::{
    Backend, UiApp, content_type_of, get_text, routed_ticket, signed_in, spawn_ui_app, text_of,
};

const START: &str = "2026-11-22T08:00:00Z";

on_both_backends!(
    the_search_api_answers_best_first_in_the_stable_shape,
    personal_tokens_see_only_what_their_holder_sees,
    bad_searches_are_problems_not_errors,
    the_desk_search_page_highlights_what_matched,
);

/// Registers a ticket in diplomas and routes it to `department`; returns its number.
async fn ticket(
    app: &UiApp,
    kind: sanad_domain::TicketKind,
    subject: &str,
    body: &str,
    department: &str,
) -> String {
    let contact = RequesterContact::Both(
        sanad_domain::EmailAddress::parse("layla@example.sa").unwrap(),
        sanad_domain::PhoneNumber::parse("+966555010203").unwrap(),
    );
    routed_ticket(app, kind, subject, body, contact, department).await
}

/// A new API token of the organization `org_id`.
async fn api_token(app: &UiApp, org_id: i64, name: &str) -> String {
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_api_token(
            org_id,
            name,
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();
    secret
}

async fn organization_token(app: &UiApp) -> String {
    api_token(app, app.diplomas.id, "search tests").await
}

/// The status of a `GET` of `path`, with `token` as the bearer if there is one.
async fn status_of(app: &UiApp, path: &str, token: Option<&str>) -> StatusCode {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status()
}

async fn personal_token(app: &UiApp, email: &str) -> String {
    let holder = app
        .store
        .staff_credentials(app.diplomas.id, email)
        .await
        .unwrap()
        .unwrap();
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_personal_api_token(
            app.diplomas.id,
            holder.user.id,
            "my token",
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();
    secret
}

async fn search(app: &UiApp, token: &str, query: &str) -> (StatusCode, Value, String) {
    let response = reqwest::Client::new()
        .get(reqwest::Url::parse_with_params(&app.url("/api/v1/search"), &[("q", query)]).unwrap())
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = content_type_of(&response);
    (status, response.json().await.unwrap(), content_type)
}

fn numbers(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["number"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_search_api_answers_best_first_in_the_stable_shape(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let in_subject = ticket(
        &app,
        sanad_domain::TicketKind::Inquiry,
        "لم تصلني شهادة الدورة",
        "أكملت الدورة منذ شهر.",
        "student-support",
    )
    .await;
    let in_body = ticket(
        &app,
        sanad_domain::TicketKind::Inquiry,
        "استفسار عام",
        "متى تصدر الشَّهادات المعتمدة؟",
        "student-support",
    )
    .await;
    ticket(
        &app,
        sanad_domain::TicketKind::Inquiry,
        "رسوم الفصل",
        "متى موعد السداد؟",
        "financial-support",
    )
    .await;
    let token = organization_token(&app).await;

    let (status, body, _) = search(&app, &token, "الشهادة").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The word in the subject ranks above the word in a message.
    assert_eq!(numbers(&body), vec![in_subject.clone(), in_body.clone()]);
    let first = &body["results"][0];
    assert_eq!(first["subject"], "لم تصلني شهادة الدورة");
    assert!(
        first["snippet"].as_str().unwrap().contains("شهادة"),
        "{first}"
    );
    let second = &body["results"][1];
    assert!(
        second["snippet"].as_str().unwrap().contains("الشَّهادات"),
        "the excerpt keeps the requester's diacritics: {second}"
    );
    assert!(
        second["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|part| part["highlighted"] == true && part["text"] == "الشَّهادات"),
        "{second}"
    );
    // A ticket number and a phone number in Arabic-Indic digits find their ticket.
    let (_, body, _) = search(&app, &token, &in_body).await;
    assert_eq!(numbers(&body).first(), Some(&in_body));
    let (_, body, _) = search(&app, &token, "٠٥٥٥٠١٠٢٠٣").await;
    assert_eq!(
        numbers(&body).len(),
        3,
        "the requester's phone finds all three tickets: {body}"
    );
    // The OpenAPI document describes the endpoint.
    let document: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["paths"]["/api/v1/search"]["get"].is_object());
}

async fn personal_tokens_see_only_what_their_holder_sees(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let finance_complaint = ticket(
        &app,
        sanad_domain::TicketKind::Complaint,
        "خصم مكرر على البطاقة",
        "تم خصم مبلغ الفصل مرتين.",
        "financial-support",
    )
    .await;
    let finance_inquiry = ticket(
        &app,
        sanad_domain::TicketKind::Inquiry,
        "خصم الطلاب",
        "هل يوجد خصم للطلاب؟",
        "financial-support",
    )
    .await;

    let organization = organization_token(&app).await;
    let (_, body, _) = search(&app, &organization, "خصم").await;
    assert_eq!(numbers(&body).len(), 2);

    // An agent of student support may not see a complaint of financial support.
    let student_agent = personal_token(&app, "agent.students@example.sa").await;
    let (status, body, _) = search(&app, &student_agent, "خصم").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(numbers(&body), vec![finance_inquiry.clone()]);
    // An agent of financial support sees both.
    let finance_agent = personal_token(&app, "agent.finance@example.sa").await;
    let (_, body, _) = search(&app, &finance_agent, "خصم").await;
    let mut found = numbers(&body);
    found.sort();
    let mut expected = vec![finance_complaint, finance_inquiry];
    expected.sort();
    assert_eq!(found, expected);

    // Personal tokens are refused where results do not follow their holder's visibility.
    assert_eq!(
        status_of(&app, "/api/v1/tickets", Some(&student_agent)).await,
        StatusCode::FORBIDDEN
    );
    // Another organization's token finds nothing of this one.
    let secret = api_token(&app, app.training.id, "other").await;
    let (_, body, _) = search(&app, &secret, "خصم").await;
    assert!(numbers(&body).is_empty());
}

async fn bad_searches_are_problems_not_errors(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let token = organization_token(&app).await;
    for (query, expected) in [
        ("", "q is required"),
        ("   ", "q is required"),
        ("!!! ؟؟", "q:"),
        (&"كلمة ".repeat(60), "q:"),
    ] {
        let (status, body, content_type) = search(&app, &token, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}: {body}");
        assert_eq!(content_type, "application/problem+json");
        assert!(
            body["detail"].as_str().unwrap().contains(expected),
            "{query:?}: {body}"
        );
    }
    assert_eq!(
        status_of(&app, "/api/v1/search?q=test&limit=500", Some(&token)).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status_of(&app, "/api/v1/search?q=test", None).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(&app, "/api/v1/search?q=test", Some("not-a-token")).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn the_desk_search_page_highlights_what_matched(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let number = ticket(
        &app,
        sanad_domain::TicketKind::Inquiry,
        "رابط المحاضرة لا يعمل",
        "رابط المحاضرة <script>alert(1)</script> لا يفتح على الجوال",
        "student-support",
    )
    .await;
    let client = signed_in(&app, "agent.students@example.sa").await;

    let page = client
        .get(app.url("/o/diplomas/desk/search?q=محاضره"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(&number), "{html}");
    assert!(html.contains("<mark>المحاضرة</mark>"), "{html}");
    assert!(!html.contains("<script>alert(1)"), "user text is escaped");
    // The htmx request gets only the results.
    let fragment = text_of(
        client
            .get(app.url("/o/diplomas/desk/search?q=الجوا"))
            .header("hx-request", "true"),
    )
    .await;
    assert!(
        fragment.starts_with("<section id=\"search-results\""),
        "{fragment}"
    );
    assert!(fragment.contains("<mark>الجوال</mark>"), "{fragment}");
    // Words that cannot be searched are explained on the page.
    let (_, html) = get_text(&client, &app.url("/o/diplomas/desk/search?q=؟؟")).await;
    assert!(html.contains("role=\"alert\""), "{html}");
}
