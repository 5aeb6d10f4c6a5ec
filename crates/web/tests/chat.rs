//! Live chat over HTTP, as the widget on a provider's site uses it: the status by working
//! hours, conversations that are live-chat tickets, the transcript as server-sent events
//! (public messages only), validation as problem documents, CORS, unknown tokens, the pace
//! limit and a conversation that outlives its ticket. Each runs on SQLite and on PostgreSQL.

mod support;

use reqwest::StatusCode;
use sanad_domain::{Channel, Code, Complexity, Importance, MessageKind, TicketStatus};
use sanad_store::{TicketChanges, TransitionRequest};
use sanad_web::Clock;
use serde_json::{Value, json};
use support::{
    Backend, UiApp, content_type_of, read_events_until, say, spawn_ui_app, training_agent,
};

/// 11:00 in Riyadh on a Sunday: e-training's support calendar (10:00–16:00 every day) is open.
/// Tests that need the team gone advance the clock six hours, to 17:00.
const WORKING: &str = "2026-11-22T08:00:00Z";

/// A page on the provider's own site, which is where the widget's requests come from.
const PROVIDER_SITE: &str = "https://khibra.example.sa";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn chat_url(app: &UiApp, path: &str) -> String {
    app.url(&format!("/o/e-training/chat{path}"))
}

/// Sends JSON from the provider's site, as the widget's `fetch` does (a cross-site request).
async fn post_json(app: &UiApp, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(chat_url(app, path))
        .header("origin", PROVIDER_SITE)
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = content_type_of(&response);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json", "{status} {body}");
    }
    (status, body)
}

async fn get_json(app: &UiApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = client()
        .get(chat_url(app, path))
        .header("origin", PROVIDER_SITE)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Starts a conversation and returns its token and ticket number.
async fn start(app: &UiApp, name: &str, message: &str) -> (String, String) {
    let (status, body) = post_json(
        app,
        "/conversations",
        json!({ "name": name, "email": "salma.otaibi@example.sa", "message": message }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["conversation"].as_str().unwrap().to_owned(),
        body["ticket"].as_str().unwrap().to_owned(),
    )
}

/// The fields named by a problem document's `errors`.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON of every `data:` line read so far.
fn data_lines(seen: &str) -> Vec<Value> {
    seen.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim()).ok())
        .collect()
}

async fn open_stream(app: &UiApp, token: &str, last_event_id: Option<i64>) -> reqwest::Response {
    let mut request = client()
        .get(chat_url(app, &format!("/conversations/{token}/events")))
        .header("origin", PROVIDER_SITE);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    response
}

// ---- the tests ----------------------------------------------------------------------------------

async fn status_follows_the_working_calendar(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let (status, headers, body) = get_json(&app, "/status").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["online"], json!(true), "{body}");
    assert_eq!(body["language"], "ar");
    assert_eq!(body["direction"], "rtl");
    assert_eq!(body["first_response"], "سنرد خلال 48 ساعة عمل.");
    assert_eq!(body["texts"]["title"], "تحدّث معنا");
    assert_eq!(body["texts"]["ticket"], "رقم طلبك {number}.");
    // Every text the widget uses is there, and none is a missing message's key.
    for key in [
        "launcher",
        "title",
        "close",
        "online",
        "offline",
        "name",
        "email",
        "email-optional",
        "message",
        "start",
        "leave",
        "send",
        "ticket",
        "error",
        "error-name",
        "error-email",
        "error-phone",
        "error-message",
        "error-busy",
        "ended",
    ] {
        let text = body["texts"][key].as_str().unwrap_or_default();
        assert!(
            !text.is_empty() && !text.starts_with("chat-"),
            "{key}: {text:?}"
        );
    }

    let (_, _, english) = get_json(&app, "/status?lang=en-GB").await;
    assert_eq!(english["language"], "en");
    assert_eq!(english["direction"], "ltr");
    assert_eq!(
        english["first_response"],
        "We will answer within 48 working hours."
    );
    assert_eq!(english["texts"]["title"], "Chat with us");

    // At 17:00 in Riyadh the team has gone home: the widget shows the offline form.
    app.clock.advance(jiff::SignedDuration::from_hours(6));
    let (_, _, later) = get_json(&app, "/status").await;
    assert_eq!(later["online"], json!(false), "{later}");

    // An organization without a live-chat target promises an answer without a time.
    let (status, _, diplomas) = get_json_at(&app, "/o/diplomas/chat/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(diplomas["first_response"], "سنرد عليك في أقرب وقت ممكن.");
    // Seed 004 publishes conduct rules: the widget shows them before the first message.
    let rules = diplomas["etiquette"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|rule| rule == "الالتزام بالاحترام المتبادل وعدم استخدام أي عبارات غير لائقة."),
        "{diplomas}"
    );
    assert_eq!(diplomas["texts"]["etiquette"], "آداب التواصل");

    // Unknown organizations have no chat; neither has one whose administrator turned it off.
    let (status, headers, _) = get_json_at(&app, "/o/nobody/chat/status").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    app.store
        .set_channel_setting(
            app.training.id,
            &sanad_store::ChannelSetting {
                channel: Channel::LiveChat,
                state: sanad_store::ChannelState::Disabled,
                address: String::new(),
            },
        )
        .await
        .unwrap();
    let (status, _, _) = get_json(&app, "/status").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn get_json_at(app: &UiApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = client().get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn the_script_is_served_cacheable_to_any_site(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let response = client()
        .get(chat_url(&app, "/widget.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript"),
        "{headers:?}"
    );
    assert_eq!(headers["cache-control"], "public, max-age=3600");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let script = response.text().await.unwrap();
    assert!(script.contains("attachShadow"), "{script}");
    assert!(!script.contains("innerHTML") && !script.contains("eval("));
    // A browser that has it revalidates cheaply.
    let again = client()
        .get(chat_url(&app, "/widget.js"))
        .header("if-none-match", headers["etag"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let unknown = client()
        .get(app.url("/o/nobody/chat/widget.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn a_conversation_is_one_live_chat_ticket(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let (token, number) = start(&app, "سلمى العتيبي", "لا أستطيع فتح الدرس الثالث في الدورة").await;
    assert!(token.starts_with("sanad_chat_"), "{token}");
    let detail = app
        .store
        .ticket_detail(app.training.id, &number)
        .await
        .unwrap()
        .expect("the ticket exists");
    assert_eq!(detail.ticket.channel, Channel::LiveChat);
    assert_eq!(detail.ticket.requester.name, "سلمى العتيبي");
    assert_eq!(
        detail.ticket.requester.email.as_deref(),
        Some("salma.otaibi@example.sa")
    );
    assert_eq!(detail.ticket.subject, "لا أستطيع فتح الدرس الثالث في الدورة");
    // The second message, again from the provider's site, lands on the same ticket.
    let (status, sent) = post_json(
        &app,
        &format!("/conversations/{token}/messages"),
        json!({ "message": "يظهر لي خطأ 403 عند فتحه." }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["ticket"], json!(number));
    assert_eq!(sent["message"]["from"], "visitor");
    assert_eq!(sent["message"]["text"], "يظهر لي خطأ 403 عند فتحه.");
    let detail = app
        .store
        .ticket_detail(app.training.id, &number)
        .await
        .unwrap()
        .unwrap();
    let texts: Vec<_> = detail
        .messages
        .iter()
        .map(|m| (m.kind, m.body.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                MessageKind::RequesterMessage,
                "لا أستطيع فتح الدرس الثالث في الدورة"
            ),
            (MessageKind::RequesterMessage, "يظهر لي خطأ 403 عند فتحه."),
        ]
    );
    // One ticket for the conversation: nothing else was created.
    assert_eq!(app.store.count_tickets(app.training.id).await.unwrap(), 1);
}

async fn the_stream_carries_public_messages_and_never_notes(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let agent = training_agent(&app).await;
    let (token, number) = start(&app, "سلمى العتيبي", "متى تصدر شهادة الدورة؟").await;
    say(
        &app,
        &app.training,
        &number,
        MessageKind::InternalNote,
        "ملاحظة داخلية: الشهادات متأخرة هذا الأسبوع",
        &agent,
    )
    .await;
    say(
        &app,
        &app.training,
        &number,
        MessageKind::PublicReply,
        "أهلًا سلمى، تصدر الشهادة خلال يومي عمل.",
        &agent,
    )
    .await;
    // The backlog: the visitor's message and the reply, with the ticket first.
    let mut stream = open_stream(&app, &token, None).await;
    let mut seen = String::new();
    read_events_until(
        &mut stream,
        &mut seen,
        &[
            "event: ticket",
            "متى تصدر شهادة الدورة؟",
            "تصدر الشهادة خلال يومي عمل",
        ],
    )
    .await;
    // Then what is written while the stream is open: a note (never sent) and a reply.
    say(
        &app,
        &app.training,
        &number,
        MessageKind::InternalNote,
        "ملاحظة داخلية ثانية لا يراها الزائر",
        &agent,
    )
    .await;
    say(
        &app,
        &app.training,
        &number,
        MessageKind::PublicReply,
        "وصلتني الموافقة الآن، ستجدين الشهادة في صفحتك.",
        &agent,
    )
    .await;
    read_events_until(&mut stream, &mut seen, &["ستجدين الشهادة في صفحتك"]).await;
    assert!(!seen.contains("ملاحظة داخلية"), "{seen}");
    let lines = data_lines(&seen);
    let ticket = lines
        .iter()
        .find(|line| line.get("ticket").is_some())
        .unwrap();
    assert_eq!(ticket["ticket"], json!(number));
    let messages: Vec<&Value> = lines
        .iter()
        .filter(|line| line.get("id").is_some())
        .collect();
    let summary: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["author"].as_str().unwrap()))
        .collect();
    let team = format!("فريق {}", app.training.name);
    assert_eq!(
        summary,
        [
            ("visitor", "أنت"),
            ("agent", team.as_str()),
            ("agent", team.as_str()),
        ]
    );
    assert!(
        messages[0]["at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-22T08:00:00")
    );
    // A reconnecting stream resumes after the last event it saw.
    let first_reply = messages[1]["id"].as_i64().unwrap();
    let mut resumed = open_stream(&app, &token, Some(first_reply)).await;
    let mut again = String::new();
    read_events_until(&mut resumed, &mut again, &["ستجدين الشهادة في صفحتك"]).await;
    assert!(!again.contains("متى تصدر شهادة الدورة؟"), "{again}");
    assert!(!again.contains("تصدر الشهادة خلال يومي عمل"), "{again}");
}

async fn bad_input_is_a_problem_naming_the_field(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let cases = [
        (json!({ "message": "مرحبا" }), "name"),
        (json!({ "name": "  ", "message": "مرحبا" }), "name"),
        (json!({ "name": 5, "message": "مرحبا" }), "name"),
        (json!({ "name": "سلمى" }), "message"),
        (
            json!({ "name": "سلمى", "message": "ا".repeat(4_001) }),
            "message",
        ),
        (
            json!({ "name": "سلمى", "email": "not-an-address", "message": "مرحبا" }),
            "email",
        ),
        (
            json!({ "name": "سلمى", "phone": "12", "message": "مرحبا" }),
            "phone",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = post_json(&app, "/conversations", body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(fields(&problem), [field], "{body}: {problem}");
    }
    // Several mistakes are reported together.
    let (_, problem) = post_json(&app, "/conversations", json!({ "email": "x" })).await;
    assert_eq!(fields(&problem), ["name", "email", "message"], "{problem}");
    // A message of exactly the limit is accepted.
    let (status, _) = post_json(
        &app,
        "/conversations",
        json!({ "name": "سلمى", "message": "ا".repeat(4_000) }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Outside working hours someone must be able to answer later: an address is required.
    app.clock.advance(jiff::SignedDuration::from_hours(6));
    let (status, problem) = post_json(
        &app,
        "/conversations",
        json!({ "name": "سلمى", "message": "مرحبا" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["email"], "{problem}");
    let (status, offline) = post_json(
        &app,
        "/conversations",
        json!({ "name": "سلمى", "email": "salma.otaibi@example.sa", "message": "مرحبا" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{offline}");
    // The same rules for later messages.
    let token = offline["conversation"].as_str().unwrap();
    let (status, problem) = post_json(
        &app,
        &format!("/conversations/{token}/messages"),
        json!({ "message": "   " }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["message"], "{problem}");
}

async fn preflight_and_unknown_tokens(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    for path in ["/conversations", "/conversations/sanad_chat_x/messages"] {
        let response = client()
            .request(reqwest::Method::OPTIONS, chat_url(&app, path))
            .header("origin", PROVIDER_SITE)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert!(
            headers["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        assert!(
            headers["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("content-type")
        );
        // No cookie is ever set on these routes.
        assert!(headers.get("set-cookie").is_none());
    }
    for token in ["sanad_chat_unknown", "not-a-token"] {
        let (status, problem) = post_json(
            &app,
            &format!("/conversations/{token}/messages"),
            json!({ "message": "مرحبا" }),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        let (status, _, _) = get_json(&app, &format!("/conversations/{token}/events")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // A desk or portal session secret is not a conversation token.
    let (status, _) = post_json(
        &app,
        &format!(
            "/conversations/{}/messages",
            sanad_store::secrets::generate_token()
        ),
        json!({ "message": "مرحبا" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A conversation of one organization is unknown to another.
    let (token, _) = start(&app, "سلمى العتيبي", "مرحبا").await;
    let response = client()
        .post(app.url(&format!("/o/diplomas/chat/conversations/{token}/messages")))
        .json(&json!({ "message": "مرحبا" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn a_conversation_is_paced(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let (token, _) = start(&app, "سلمى العتيبي", "رسالة 1").await;
    let path = format!("/conversations/{token}/messages");
    for n in 2..=20 {
        let (status, body) =
            post_json(&app, &path, json!({ "message": format!("رسالة {n}") })).await;
        assert_eq!(status, StatusCode::CREATED, "message {n}: {body}");
    }
    let (status, problem) = post_json(&app, &path, json!({ "message": "رسالة 21" })).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    // A minute later the visitor may write again.
    app.clock.advance(jiff::SignedDuration::from_secs(61));
    let (status, _) = post_json(&app, &path, json!({ "message": "رسالة 21" })).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn a_conversation_outlives_a_ticket_resolved_long_ago(backend: Backend) {
    let app = spawn_ui_app(backend, WORKING).await;
    let agent = training_agent(&app).await;
    let (token, number) = start(&app, "سلمى العتيبي", "نسيت كلمة المرور").await;
    let now = app.clock.now();
    app.store
        .change_ticket(
            &app.training,
            &number,
            &TicketChanges {
                category: Some(Code::parse("platform-technical").unwrap()),
                complexity: Some(Complexity::Routine),
                importance: Some(Importance::Medium),
                departments: Some(vec![Code::parse("technical-support").unwrap()]),
                ..TicketChanges::default()
            },
            &agent,
            now,
        )
        .await
        .unwrap();
    for to in [TicketStatus::InProgress, TicketStatus::Resolved] {
        app.store
            .transition_ticket(
                &app.training,
                &number,
                &TransitionRequest {
                    to,
                    reason: None,
                    merge_into: None,
                },
                &agent,
                now,
            )
            .await
            .unwrap();
    }
    // Eight days later the seven-day reopen window has passed: the store starts a new ticket,
    // and the conversation (and its stream) follow it.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 8));
    let mut stream = open_stream(&app, &token, None).await;
    let mut seen = String::new();
    read_events_until(&mut stream, &mut seen, &["نسيت كلمة المرور"]).await;
    let (status, sent) = post_json(
        &app,
        &format!("/conversations/{token}/messages"),
        json!({ "message": "نسيتها مرة أخرى" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let new_number = sent["ticket"].as_str().unwrap().to_owned();
    assert_ne!(new_number, number);
    let detail = app
        .store
        .ticket_detail(app.training.id, &new_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.ticket.channel, Channel::LiveChat);
    assert_eq!(detail.ticket.requester.name, "سلمى العتيبي");
    assert_eq!(detail.messages.len(), 1);
    say(
        &app,
        &app.training,
        &new_number,
        MessageKind::PublicReply,
        "أرسلنا رابط إعادة التعيين إلى بريدك.",
        &agent,
    )
    .await;
    read_events_until(
        &mut stream,
        &mut seen,
        &[
            new_number.as_str(),
            "نسيتها مرة أخرى",
            "أرسلنا رابط إعادة التعيين",
        ],
    )
    .await;
    // The next message goes to the new ticket too.
    let (_, sent) = post_json(
        &app,
        &format!("/conversations/{token}/messages"),
        json!({ "message": "شكرًا" }),
    )
    .await;
    assert_eq!(sent["ticket"], json!(new_number));
}

on_both_backends!(
    status_follows_the_working_calendar,
    the_script_is_served_cacheable_to_any_site,
    a_conversation_is_one_live_chat_ticket,
    the_stream_carries_public_messages_and_never_notes,
    bad_input_is_a_problem_naming_the_field,
    preflight_and_unknown_tokens,
    a_conversation_is_paced,
    a_conversation_outlives_a_ticket_resolved_long_ago,
);
