//! The providers' webhooks, end to end over HTTP on both backends: Meta's verification
//! handshake and X's CRC challenge, signatures checked before anything is stored (401 and an
//! untouched database otherwise), real-shaped payloads becoming tickets, and duplicate
//! deliveries storing one message.

mod support;

use sanad_channels::signature::{sha256_base64_signature_header, sha256_hex_signature_header};
use sanad_domain::Channel;
use sanad_store::{ChannelSetting, ChannelState};
use support::{Backend, UiApp, spawn_ui_app};

const START: &str = "2026-11-22T06:00:00Z";
const META_APP_SECRET: &str = "meta-app-secret-for-tests";
const X_CONSUMER_SECRET: &str = "x-consumer-secret-for-tests";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../channels/tests/fixtures/cloud/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn enable(app: &UiApp, channel: Channel, settings: serde_json::Value) {
    let org = &app.diplomas;
    app.store
        .set_channel_setting(
            org.id,
            &ChannelSetting {
                channel,
                state: ChannelState::Enabled,
                address: "+966500000090".into(),
            },
        )
        .await
        .unwrap();
    app.store
        .set_channel_credentials(org.id, channel, &settings, START.parse().unwrap())
        .await
        .unwrap();
}

async fn enable_all(app: &UiApp) {
    enable(
        app,
        Channel::Whatsapp,
        serde_json::json!({
            "phone_number_id": "106540352242922",
            "access_token": "whatsapp-access-token",
            "app_secret": META_APP_SECRET,
            "verify_token": "verify-me",
        }),
    )
    .await;
    enable(
        app,
        Channel::Facebook,
        serde_json::json!({
            "page_id": "104000000000001",
            "page_access_token": "page-token",
            "app_secret": META_APP_SECRET,
            "verify_token": "verify-me",
        }),
    )
    .await;
    enable(
        app,
        Channel::X,
        serde_json::json!({
            "account_user_id": "1500000000000000001",
            "consumer_secret": X_CONSUMER_SECRET,
            "user_access_token": "x-user-token",
        }),
    )
    .await;
}

async fn post(
    app: &UiApp,
    path: &str,
    body: &[u8],
    signature: Option<(&str, String)>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some((name, value)) = signature {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

fn meta_signature(body: &[u8]) -> Option<(&'static str, String)> {
    Some((
        "x-hub-signature-256",
        sha256_hex_signature_header(META_APP_SECRET.as_bytes(), body),
    ))
}

async fn tickets(app: &UiApp) -> Vec<sanad_store::TicketSummary> {
    app.store
        .list_tickets(app.diplomas.id, &sanad_store::TicketFilter::default())
        .await
        .unwrap()
        .tickets
}

async fn whatsapp_messages_become_tickets_once_and_only_when_signed(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = reqwest::Client::new();
    // Not enabled yet: the hook is not there.
    let response = post(&app, "/hooks/diplomas/whatsapp", b"{}", None).await;
    assert_eq!(response.status(), 404);
    enable_all(&app).await;

    let verify = |token: &'static str| {
        client
            .get(app.url(&format!(
                "/hooks/diplomas/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
            )))
            .send()
    };
    let response = verify("verify-me").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "1158201444");
    assert_eq!(verify("wrong-token").await.unwrap().status(), 403);

    let body = fixture("whatsapp_text.json");
    // Unsigned, or signed with another secret: refused, nothing stored.
    let response = post(&app, "/hooks/diplomas/whatsapp", &body, None).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let forged = Some((
        "x-hub-signature-256",
        sha256_hex_signature_header(b"another-secret", &body),
    ));
    assert_eq!(
        post(&app, "/hooks/diplomas/whatsapp", &body, forged)
            .await
            .status(),
        401
    );
    assert!(tickets(&app).await.is_empty());

    // Signed: one ticket; the provider's retry of the same payload stores nothing more.
    for _ in 0..2 {
        let response = post(
            &app,
            "/hooks/diplomas/whatsapp",
            &body,
            meta_signature(&body),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let stored = tickets(&app).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].channel, Channel::Whatsapp);
    assert_eq!(stored[0].requester.name, "نورة الفهد");
    let detail = app
        .store
        .ticket_detail(app.diplomas.id, &stored[0].number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.messages.len(), 1);
    assert!(detail.messages[0].body.contains("شهادة دورة السلامة"));

    // Unknown message types are recorded, never an error; several messages in one payload.
    for name in [
        "whatsapp_unknown_types.json",
        "whatsapp_several_messages.json",
        "whatsapp_statuses_out_of_order.json",
    ] {
        let body = fixture(name);
        let response = post(
            &app,
            "/hooks/diplomas/whatsapp",
            &body,
            meta_signature(&body),
        )
        .await;
        assert_eq!(response.status(), 200, "{name}");
    }
    // A signed body that is not the documented shape is a 400 naming what is wrong.
    let garbage = br#"{"object":"whatsapp_business_account","entry":"not a list"}"#;
    let response = post(
        &app,
        "/hooks/diplomas/whatsapp",
        garbage,
        meta_signature(garbage),
    )
    .await;
    assert_eq!(response.status(), 400);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("entry"),
        "{problem}"
    );
}

async fn messenger_and_x_direct_messages_become_tickets(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    enable_all(&app).await;
    let client = reqwest::Client::new();

    let body = fixture("messenger_text.json");
    assert_eq!(
        post(&app, "/hooks/diplomas/facebook", &body, None)
            .await
            .status(),
        401
    );
    let response = post(
        &app,
        "/hooks/diplomas/facebook",
        &body,
        meta_signature(&body),
    )
    .await;
    assert_eq!(response.status(), 200);
    let echoes = fixture("messenger_echo_and_postback.json");
    let response = post(
        &app,
        "/hooks/diplomas/facebook",
        &echoes,
        meta_signature(&echoes),
    )
    .await;
    assert_eq!(response.status(), 200);
    let facebook: Vec<_> = tickets(&app)
        .await
        .into_iter()
        .filter(|t| t.channel == Channel::Facebook)
        .collect();
    assert!(!facebook.is_empty());

    // X's CRC challenge: the answer is the HMAC of the token under the consumer secret.
    let response = client
        .get(app.url("/hooks/diplomas/x?crc_token=challenge-token-123"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        answer["response_token"],
        sha256_base64_signature_header(X_CONSUMER_SECRET.as_bytes(), b"challenge-token-123")
    );

    let body = fixture("x_direct_messages.json");
    let signature = sha256_base64_signature_header(X_CONSUMER_SECRET.as_bytes(), &body);
    let wrong = sha256_base64_signature_header(b"not-the-secret", &body);
    assert_eq!(
        post(
            &app,
            "/hooks/diplomas/x",
            &body,
            Some(("x-twitter-webhooks-signature", wrong))
        )
        .await
        .status(),
        401
    );
    for _ in 0..2 {
        let response = post(
            &app,
            "/hooks/diplomas/x",
            &body,
            Some(("x-twitter-webhooks-signature", signature.clone())),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let from_x: Vec<_> = tickets(&app)
        .await
        .into_iter()
        .filter(|t| t.channel == Channel::X)
        .collect();
    assert_eq!(
        from_x.len(),
        1,
        "two messages of one sender continue one ticket"
    );
    let detail = app
        .store
        .ticket_detail(app.diplomas.id, &from_x[0].number)
        .await
        .unwrap()
        .unwrap();
    let messages_before = detail.messages.len();
    assert!(messages_before >= 2, "{messages_before}");
    // The same payload again (a duplicate delivery) adds nothing.
    post(
        &app,
        "/hooks/diplomas/x",
        &body,
        Some(("x-twitter-webhooks-signature", signature)),
    )
    .await;
    let detail = app
        .store
        .ticket_detail(app.diplomas.id, &from_x[0].number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.messages.len(), messages_before);
}

on_both_backends!(
    whatsapp_messages_become_tickets_once_and_only_when_signed,
    messenger_and_x_direct_messages_become_tickets,
);
