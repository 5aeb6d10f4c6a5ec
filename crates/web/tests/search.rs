//! Ticket search over HTTP, on SQLite and on PostgreSQL: the stable `GET /api/v1/search` shape
//! with organization and personal tokens (each seeing only what it may), its problems for bad
//! input, and the desk's search page with highlighted excerpts.

mod support;

use reqwest::StatusCode;
use sanad_store::{Actor, NewRequester, NewTicket, RequesterContact, TicketChanges};
use sanad_web::Clock;
use serde_json::Value;
use support::{Backend, PASSWORD, UiApp, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

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
    let now = app.clock.now();
    let created = app
        .store
        .create_ticket(
            &app.diplomas,
            &NewTicket {
                kind,
                channel: sanad_domain::Channel::Email,
                subject: sanad_domain::Subject::parse(subject).unwrap(),
                body: sanad_domain::MessageBody::parse(body).unwrap(),
                category: None,
                requester: NewRequester {
                    name: sanad_domain::PersonName::parse("ليلى الحمدان").unwrap(),
                    contact: RequesterContact::Both(
                        sanad_domain::EmailAddress::parse("layla@example.sa").unwrap(),
                        sanad_domain::PhoneNumber::parse("+966555010203").unwrap(),
                    ),
                    requester_type: sanad_domain::RequesterType::Trainee,
                },
                attachments: Vec::new(),
            },
            None,
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    app.store
        .change_ticket(
            &app.diplomas,
            &created.ticket.number,
            &TicketChanges {
                departments: Some(vec![sanad_domain::Code::parse(department).unwrap()]),
                ..TicketChanges::default()
            },
            &Actor::System,
            now,
        )
        .await
        .unwrap();
    created.ticket.number
}

async fn organization_token(app: &UiApp) -> String {
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_api_token(
            app.diplomas.id,
            "search tests",
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();
    secret
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
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
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
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/tickets"))
        .bearer_auth(&student_agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Another organization's token finds nothing of this one.
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_api_token(
            app.training.id,
            "other",
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();
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
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/search?q=test&limit=500"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/search?q=test"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/search?q=test"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
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
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = client
        .get(app.url("/o/diplomas/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = login.find(marker).unwrap() + marker.len();
    let csrf = &login[start..start + login[start..].find('"').unwrap()];
    let response = client
        .post(app.url("/o/diplomas/login"))
        .form(&[
            ("_csrf", csrf),
            ("email", "agent.students@example.sa"),
            ("password", PASSWORD),
            ("next", "/o/diplomas/desk"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());

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
    let fragment = client
        .get(app.url("/o/diplomas/desk/search?q=الجوا"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fragment.starts_with("<section id=\"search-results\""),
        "{fragment}"
    );
    assert!(fragment.contains("<mark>الجوال</mark>"), "{fragment}");
    // Words that cannot be searched are explained on the page.
    let html = client
        .get(app.url("/o/diplomas/desk/search?q=؟؟"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
}
