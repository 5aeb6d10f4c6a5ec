//! Supervisors from a regulator over HTTP, on SQLite and on PostgreSQL: a supervisor of one
//! organization sees nothing of another (pages and API), sees no personal data until the
//! organization grants it, uses only their own tokens and sessions, and changes nothing.

mod support;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sanad_domain::MessageKind;
use sanad_store::{Actor, RequesterContact, TicketChanges};
use sanad_web::Clock;
use support::{
    Backend, PASSWORD, UiApp, Visitor, browser, csrf_of, get_text, routed_ticket, say, spawn_ui_app,
};

const START: &str = "2026-11-22T08:00:00Z";
const AUDITOR: &str = "auditor@ncel.example.sa";
const AGENT_NAME: &str = "نورة القحطاني";
const REQUESTER_NAME: &str = "ليلى الحمدان";

on_both_backends!(
    the_api_shows_only_granted_organizations_and_personal_data_only_when_granted,
    supervisor_pages_are_isolated_from_organizations_and_read_only,
);

/// A supervisor account with the shared test password, granted nothing yet.
async fn auditor(app: &UiApp) -> i64 {
    let hash = sanad_web::ui::auth::hash_password(PASSWORD).unwrap();
    app.store
        .create_supervisor(
            &sanad_domain::EmailAddress::parse(AUDITOR).unwrap(),
            &sanad_domain::PersonName::parse("سعاد المراقبة").unwrap(),
            Some(&hash),
            app.clock.now(),
        )
        .await
        .unwrap()
        .id
}

/// A diplomas complaint from Layla, assigned to Noura, who answered it in public.
async fn answered_complaint(app: &UiApp) -> String {
    let number = routed_ticket(
        app,
        sanad_domain::TicketKind::Complaint,
        "تأخر إصدار الشهادة",
        "لم تصلني شهادة الدبلوم بعد.",
        RequesterContact::Email(sanad_domain::EmailAddress::parse("layla@example.sa").unwrap()),
        "student-support",
    )
    .await;
    let users = app.store.users(app.diplomas.id).await.unwrap();
    let noura = users.iter().find(|user| user.name == AGENT_NAME).unwrap();
    app.store
        .change_ticket(
            &app.diplomas,
            &number,
            &TicketChanges {
                assignee_id: Some(Some(noura.id)),
                ..TicketChanges::default()
            },
            &Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(30));
    say(
        app,
        &app.diplomas,
        &number,
        MessageKind::PublicReply,
        "نعمل على إصدارها اليوم.",
        &Actor::Staff {
            id: noura.id,
            name: noura.name.clone(),
        },
    )
    .await;
    number
}

async fn grant_as_admin(app: &UiApp, admin: &Visitor<'_>, personal_data: &str) {
    let response = admin
        .submit(
            "/o/diplomas/desk/admin/supervision",
            &[("email", AUDITOR), ("personal_data", personal_data)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, page) = admin.get("/o/diplomas/desk/admin/supervision").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(AUDITOR), "{page}");
    let _ = app;
}

async fn api_get(app: &UiApp, token: &str, path: &str) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn the_api_shows_only_granted_organizations_and_personal_data_only_when_granted(
    backend: Backend,
) {
    let app = spawn_ui_app(backend, START).await;
    let supervisor_id = auditor(&app).await;
    let number = answered_complaint(&app).await;
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_supervisor_token(
            supervisor_id,
            "ncel feed",
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();

    // Before any grant the supervisor reads nothing.
    let (status, body) = api_get(&app, &secret, "/api/v1/supervision/organizations").await;
    assert_eq!(status, StatusCode::OK);
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(listed["organizations"], serde_json::json!([]));
    let (status, _) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/diplomas/report",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Diplomas grants figures only (through its administration page).
    let admin = Visitor::signed_in(&app, "admin@example.sa").await;
    grant_as_admin(&app, &admin, "hidden").await;
    let (_, body) = api_get(&app, &secret, "/api/v1/supervision/organizations").await;
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        listed["organizations"],
        serde_json::json!([{"slug": "diplomas", "name": "منصة الدبلومات", "personal_data": "hidden"}])
    );
    // The other organization stays invisible, by report and in the comparison.
    let (status, body) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/e-training/report",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = api_get(&app, &secret, "/api/v1/supervision/comparison").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let comparison: serde_json::Value = serde_json::from_str(&body).unwrap();
    let organizations = comparison["organizations"].as_array().unwrap();
    assert_eq!(organizations.len(), 1);
    assert_eq!(organizations[0]["organization"]["slug"], "diplomas");
    assert_eq!(organizations[0]["volume"], 1);

    // Figures are there; names and contacts are not.
    let (status, body) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/diplomas/report",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        report["volume_by_kind"],
        serde_json::json!([{"key": "complaint", "count": 1}])
    );
    assert_eq!(report["first_response"]["count"], 1);
    assert_eq!(report["first_response"]["median_seconds"], 30 * 60);
    assert_eq!(report["workload"][0]["agent"], "agent-1");
    assert_eq!(report["workload"][0]["public_replies"], 1);
    for personal in [AGENT_NAME, REQUESTER_NAME, "layla@example.sa"] {
        assert!(!body.contains(personal), "{personal} leaked: {body}");
    }
    // Ticket numbers are not personal data; the complaint is counted, not shown.
    assert!(!body.contains("لم تصلني"), "{body}");
    let _ = number;

    // With personal data granted, staff are named.
    grant_as_admin(&app, &admin, "granted").await;
    let (_, body) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/diplomas/report",
    )
    .await;
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["organization"]["personal_data"], "granted");
    assert_eq!(report["workload"][0]["agent"], AGENT_NAME);

    // Bad input is a problem, not a failure.
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/supervision/organizations/diplomas/report?from=2026-13-01"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()[reqwest::header::CONTENT_TYPE],
        "application/problem+json"
    );
    let (status, _) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/diplomas/report?from=2026-11-30&to=2026-11-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Read-only: nothing but GET.
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/supervision/organizations"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    // Tokens do not cross: an organization token is unknown here, a supervisor token is
    // unknown to the organizations' API.
    let org_secret = sanad_store::secrets::generate_token();
    app.store
        .create_api_token(
            app.diplomas.id,
            "integration",
            &sanad_store::secrets::token_digest(&org_secret),
            app.clock.now(),
        )
        .await
        .unwrap();
    let (status, _) = api_get(&app, &org_secret, "/api/v1/supervision/organizations").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api_get(&app, &secret, "/api/v1/tickets").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api_get(&app, &secret, "/api/v1/search?q=test").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A second provider's grant puts both side by side, each with its own figures.
    app.store
        .grant_supervision(
            app.training.id,
            &sanad_domain::EmailAddress::parse(AUDITOR).unwrap(),
            sanad_domain::permissions::PersonalDataAccess::Hidden,
            None,
            app.clock.now(),
        )
        .await
        .unwrap();
    let (_, body) = api_get(&app, &secret, "/api/v1/supervision/comparison").await;
    let comparison: serde_json::Value = serde_json::from_str(&body).unwrap();
    let side_by_side: Vec<(String, i64)> = comparison["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["organization"]["slug"].as_str().unwrap().to_owned(),
                entry["volume"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        side_by_side,
        [("e-training".to_owned(), 0), ("diplomas".to_owned(), 1)],
        "{body}"
    );

    // Taking the grant back ends access at once.
    let (_, page) = admin.get("/o/diplomas/desk/admin/supervision").await;
    let response = admin
        .client
        .post(app.url(&format!(
            "/o/diplomas/desk/admin/supervision/{supervisor_id}/revoke"
        )))
        .form(&[("_csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = api_get(
        &app,
        &secret,
        "/api/v1/supervision/organizations/diplomas/report",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Signs the auditor in on the supervisors' page; returns the client and the response.
async fn supervisor_sign_in(app: &UiApp, password: &str) -> (reqwest::Client, reqwest::Response) {
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/supervision/login")).await;
    let response = client
        .post(app.url("/supervision/login"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("email", AUDITOR),
            ("password", password),
            ("next", "/supervision"),
        ])
        .send()
        .await
        .unwrap();
    (client, response)
}

async fn supervisor_pages_are_isolated_from_organizations_and_read_only(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    auditor(&app).await;
    answered_complaint(&app).await;

    // Without a session the supervision pages send to their own sign-in.
    let anonymous = browser();
    let response = anonymous.get(app.url("/supervision")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        "/supervision/login?next=/supervision"
    );

    let (_, response) = supervisor_sign_in(&app, "wrong-password-123").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (client, response) = supervisor_sign_in(&app, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/supervision");

    let (status, page) = get_text(&client, &app.url("/supervision")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"no-organizations\""), "{page}");

    // An agent may not grant access; the administrator may.
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    let (status, _) = agent.get("/o/diplomas/desk/admin/supervision").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = Visitor::signed_in(&app, "admin@example.sa").await;
    // An address without a supervisor account is refused with a reason.
    let response = admin
        .submit(
            "/o/diplomas/desk/admin/supervision",
            &[("email", "someone@example.sa"), ("personal_data", "hidden")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    grant_as_admin(&app, &admin, "hidden").await;

    let (status, page) = get_text(&client, &app.url("/supervision?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-org=\"diplomas\""), "{page}");
    assert!(!page.contains("data-org=\"e-training\""), "{page}");
    assert!(!page.contains("التدريب الإلكتروني"), "{page}");

    // One organization's report: figures, no names, and no way into the other one.
    let (status, page) = get_text(&client, &app.url("/supervision/o/diplomas?lang=en")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"personal-data-hidden\""), "{page}");
    assert!(page.contains("Agent 1"), "{page}");
    for personal in [AGENT_NAME, REQUESTER_NAME, "layla@example.sa"] {
        assert!(!page.contains(personal), "{personal} leaked: {page}");
    }
    let (status, _) = get_text(&client, &app.url("/supervision/o/e-training")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_text(&client, &app.url("/supervision/o/no-such-org")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A mistyped day is explained on the page.
    let (status, page) = get_text(&client, &app.url("/supervision?lang=en&from=yesterday")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“yesterday” is not a date"), "{page}");

    // A supervisor's session opens no organization's desk, and a staff session opens no
    // supervision page.
    let response = client
        .get(app.url("/o/diplomas/desk"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/o/diplomas/login"),
    );
    let response = admin
        .client
        .get(app.url("/supervision"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // Tokens: created once, shown once, usable on the API, revocable.
    let (_, page) = get_text(&client, &app.url("/supervision/tokens")).await;
    let response = client
        .post(app.url("/supervision/tokens"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("name", "NCEL dashboard"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let token = support::between(&page, "id=\"new-token\">", "<");
    assert!(token.starts_with("sanad_"), "{token}");
    let (status, _) = api_get(
        &app,
        &token,
        "/api/v1/supervision/organizations/diplomas/report",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = get_text(&client, &app.url("/supervision/tokens")).await;
    assert!(!page.contains(&token), "a token is shown only once");
    let revoke = support::between(&page, "action=\"/supervision/tokens/", "/revoke");
    let response = client
        .post(app.url(&format!("/supervision/tokens/{revoke}/revoke")))
        .form(&[("_csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = api_get(&app, &token, "/api/v1/supervision/organizations").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Signing out ends the session.
    let (_, page) = get_text(&client, &app.url("/supervision")).await;
    let response = client
        .post(app.url("/supervision/logout"))
        .form(&[("_csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = client.get(app.url("/supervision")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
