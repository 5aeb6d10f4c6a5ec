//! Satisfaction over HTTP on both backends: the resolution notification's rendered text holds a
//! rating link; following it signs the requester in to that ticket and opens the three-part
//! rating form; an answer is checked field by field, recorded with the invitation's channel,
//! changed while the window is open and shown read-only after. Time is the test clock.

mod support;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sanad_channels::notify::{NotificationSettings, RenderInput, render};
use sanad_domain::notifications::RequesterNotification;
use sanad_domain::{Channel, EmailAddress, TicketKind, TicketStatus};
use sanad_store::{
    Actor, AnsweredVia, ChannelSetting, ChannelState, RequesterContact, TransitionRequest,
};
use sanad_web::Clock;
use support::{Backend, UiApp, browser, csrf_of, get_text, routed_ticket, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

/// A resolved ticket of Layla's in diplomas, with e-mail enabled; returns its number.
async fn resolved(app: &UiApp) -> String {
    app.store
        .set_channel_setting(
            app.diplomas.id,
            &ChannelSetting {
                channel: Channel::Email,
                state: ChannelState::Enabled,
                address: "help@diplomas.example.sa".into(),
            },
        )
        .await
        .unwrap();
    let number = routed_ticket(
        app,
        TicketKind::Inquiry,
        "موعد صدور الشهادة",
        "متى تصدر شهادة الدبلوم؟",
        RequesterContact::Email(EmailAddress::parse("layla@example.sa").unwrap()),
        "student-affairs",
    )
    .await;
    let classification = sanad_store::TicketChanges {
        category: Some(sanad_domain::Code::parse("certificates").unwrap()),
        complexity: Some(sanad_domain::Complexity::Routine),
        importance: Some(sanad_domain::Importance::Medium),
        ..Default::default()
    };
    app.store
        .change_ticket(
            &app.diplomas,
            &number,
            &classification,
            &Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();
    for status in [TicketStatus::InProgress, TicketStatus::Resolved] {
        app.store
            .transition_ticket(
                &app.diplomas,
                &number,
                &TransitionRequest {
                    to: status,
                    reason: None,
                    merge_into: None,
                },
                &Actor::System,
                app.clock.now(),
            )
            .await
            .unwrap();
    }
    number
}

/// The rating link in the resolution notification as the outbox worker renders it.
async fn rating_link_of(app: &UiApp) -> (String, String) {
    let items = app
        .store
        .claim_outbox(
            "test",
            app.clock.now(),
            jiff::SignedDuration::from_mins(5),
            50,
        )
        .await
        .unwrap();
    let item = items
        .iter()
        .find(|item| item.kind == RequesterNotification::Resolved)
        .expect("a resolution notification");
    let context = app.store.outbox_context(item).await.unwrap();
    let policy = app.store.policy_in_force(&app.diplomas).await.unwrap();
    let departments = app.store.departments(app.diplomas.id).await.unwrap();
    let settings = NotificationSettings {
        public_url: app.base.clone(),
        mail_domain: "desk.example.sa".into(),
    };
    let message = render(&RenderInput {
        item,
        context: &context,
        organization: &app.diplomas,
        policy: policy.as_deref(),
        departments: &departments,
        settings: &settings,
        now: app.clock.now(),
    })
    .unwrap();
    let html = message.html.clone().unwrap_or_default();
    let link = message
        .text
        .split_whitespace()
        .find(|word| word.contains("/o/diplomas/rate/"))
        .unwrap_or_else(|| panic!("no rating link in:\n{}", message.text))
        .to_owned();
    assert!(html.contains(&link), "the HTML part carries the same link");
    (link, message.text)
}

async fn the_resolution_notification_links_to_a_working_rating_form(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let number = resolved(&app).await;
    let (link, text) = rating_link_of(&app).await;
    assert!(
        text.contains("قيّم الخدمة") && text.contains("Rate the service"),
        "{text}"
    );

    // A guessed link opens nothing.
    let stranger = browser();
    let guessed = stranger
        .get(app.url("/o/diplomas/rate/sanad_guessed"))
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::NOT_FOUND);

    // The link signs the requester in to this ticket and opens the form, without a code.
    let client = browser();
    let response = client.get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/o/diplomas/track/{number}?via=email#rating")
    );
    let (status, page) = get_text(&client, &app.url(&location)).await;
    assert_eq!(status, StatusCode::OK);
    for field in ["handling", "clarity", "closure"] {
        assert_eq!(
            page.matches(&format!("name=\"{field}\"")).count(),
            5,
            "five choices for {field}"
        );
    }
    assert!(page.contains("name=\"via\" value=\"email\""), "{page}");
    assert!(page.contains("ما مدى وضوح الإجراءات؟"));

    // Every missing score is named at once.
    let rate = app.url(&format!("/o/diplomas/track/{number}/rate"));
    let csrf = csrf_of(&page);
    let refused = client
        .post(&rate)
        .form(&[("_csrf", csrf.as_str()), ("handling", "4"), ("comment", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("لوضوح الإجراءات") && body.contains("للإغلاق"),
        "{body}"
    );
    assert!(!body.contains("للتعامل مع طلبك"), "{body}");
    assert_eq!(
        app.store
            .satisfaction(app.diplomas.id, ticket_id(&app, &number).await)
            .await
            .unwrap(),
        None
    );

    let answered = client
        .post(&rate)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("handling", "5"),
            ("clarity", "2"),
            ("closure", "4"),
            ("comment", "الإجراء طويل"),
            ("via", "email"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let record = app
        .store
        .satisfaction(app.diplomas.id, ticket_id(&app, &number).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            record.handling.get(),
            record.clarity.get(),
            record.closure.get(),
            record.overall.get()
        ),
        (5, 2, 4, 4)
    );
    assert_eq!(
        record.answered_via,
        Some(AnsweredVia::Invitation(Channel::Email))
    );
    assert_eq!(record.comment, "الإجراء طويل");

    // The page shows the answer, still open to change.
    let (_, page) = get_text(&client, &app.url(&format!("/o/diplomas/track/{number}"))).await;
    assert!(
        page.contains("name=\"clarity\" value=\"2\" required checked"),
        "{page}"
    );
    assert!(page.contains("id=\"rate-window\""));
    let changed = client
        .post(&rate)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("handling", "5"),
            ("clarity", "4"),
            ("closure", "4"),
            ("comment", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let record = app
        .store
        .satisfaction(app.diplomas.id, ticket_id(&app, &number).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.clarity.get(), record.answered_via),
        (4, Some(AnsweredVia::Portal))
    );

    // After the 72-hour window the answer is shown read-only and a change is refused.
    app.clock.advance(jiff::SignedDuration::from_hours(73));
    let (_, page) = get_text(&client, &app.url(&format!("/o/diplomas/track/{number}"))).await;
    assert!(
        page.contains("id=\"rate-answer\"") && !page.contains("name=\"clarity\""),
        "{page}"
    );
    let late = client
        .post(&rate)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("handling", "1"),
            ("clarity", "1"),
            ("closure", "1"),
            ("comment", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let record = app
        .store
        .satisfaction(app.diplomas.id, ticket_id(&app, &number).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.handling.get(), 5);

    // The desk's ticket page shows the answer to staff.
    let staff = support::signed_in(&app, "admin@example.sa").await;
    let (status, desk) = get_text(
        &staff,
        &app.url(&format!("/o/diplomas/desk/tickets/{number}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        desk.contains("id=\"ticket-rating\"") && desk.contains("وضوح الإجراءات"),
        "{desk}"
    );
}

async fn ticket_id(app: &UiApp, number: &str) -> i64 {
    app.store
        .ticket_detail(app.diplomas.id, number)
        .await
        .unwrap()
        .unwrap()
        .ticket
        .id
}

on_both_backends!(the_resolution_notification_links_to_a_working_rating_form);
