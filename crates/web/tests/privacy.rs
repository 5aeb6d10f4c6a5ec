//! Privacy (PDPL) and the rating rules over HTTP, on both backends: a requester signed in to
//! their ticket downloads their data and asks for erasure; only an administrator sees the
//! requests and carries one out, after which the desk no longer shows who the requester was
//! while the reports count the same; the rating edit window, the follow-up threshold and the
//! retention period are set on the Privacy tab, bad values refused beside their fields; and a
//! rating changed after its window is refused in the page's language. Time is the test clock.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, LOCATION};
use sanad_domain::satisfaction::RatingRules;
use sanad_domain::{EmailAddress, MessageKind, PhoneNumber, TicketKind, TicketStatus};
use sanad_store::{Actor, RequesterContact, TransitionRequest, secrets};
use sanad_web::Clock;
use support::{
    Backend, UiApp, browser, content_type_of, csrf_of, get_text, routed_ticket, say, signed_in,
    spawn_ui_app,
};

const START: &str = "2026-11-22T08:00:00Z";
const PRIVACY: &str = "/o/diplomas/desk/admin/privacy";
const REPORT_CSV: &str = "/o/diplomas/desk/reports.csv?from=2026-11-01&to=2026-11-30&lang=ar";

/// The diplomas administrator, as a ticket actor.
async fn admin_actor(app: &UiApp) -> Actor {
    let admin = app
        .store
        .users(app.diplomas.id)
        .await
        .unwrap()
        .into_iter()
        .find(|user| user.email == "admin@example.sa")
        .unwrap();
    Actor::Staff {
        id: admin.id,
        name: admin.name,
    }
}

/// Layla's ticket with a public reply and an internal note; returns its number.
async fn laylas_ticket(app: &UiApp) -> String {
    let number = routed_ticket(
        app,
        TicketKind::Inquiry,
        "موعد صدور الشهادة",
        "متى تصدر شهادة الدبلوم؟ رقم هويتي 1010101010",
        RequesterContact::Both(
            EmailAddress::parse("layla@example.sa").unwrap(),
            PhoneNumber::parse("0500000101").unwrap(),
        ),
        "student-affairs",
    )
    .await;
    let admin = admin_actor(app).await;
    say(
        app,
        &app.diplomas,
        &number,
        MessageKind::PublicReply,
        "تصدر الشهادة خلال أسبوعين من اعتماد النتائج.",
        &admin,
    )
    .await;
    say(
        app,
        &app.diplomas,
        &number,
        MessageKind::InternalNote,
        "ملاحظة داخلية: راجعت ملفها مع القبول",
        &admin,
    )
    .await;
    number
}

/// A browser signed in to the ticket by the link that carries its tracking code.
async fn requester_of(app: &UiApp, number: &str) -> reqwest::Client {
    let code = sanad_web::ui::portal::new_tracking_code();
    let ticket_id = app
        .store
        .ticket_detail(app.diplomas.id, number)
        .await
        .unwrap()
        .unwrap()
        .ticket
        .id;
    app.store
        .set_tracking_code(
            app.diplomas.id,
            ticket_id,
            &secrets::token_digest(&code),
            app.clock.now(),
        )
        .await
        .unwrap();
    let client = browser();
    let response = client
        .get(app.url(&format!("/o/diplomas/track/{number}?code={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

async fn report_csv(staff: &reqwest::Client, app: &UiApp) -> String {
    let (status, csv) = get_text(staff, &app.url(REPORT_CSV)).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    csv
}

async fn a_requester_exports_and_an_administrator_erases(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let admin = signed_in(&app, "admin@example.sa").await;
    let before_ticket = report_csv(&admin, &app).await;
    let number = laylas_ticket(&app).await;
    let with_ticket = report_csv(&admin, &app).await;
    assert_ne!(
        before_ticket, with_ticket,
        "the report counts the new ticket"
    );

    // The ticket page links to "Your data", which shows what is held.
    let requester = requester_of(&app, &number).await;
    let ticket_path = format!("/o/diplomas/track/{number}");
    let (status, page) = get_text(&requester, &app.url(&ticket_path)).await;
    assert_eq!(status, StatusCode::OK);
    let data_path = format!("{ticket_path}/privacy");
    assert!(page.contains(&format!("href=\"{data_path}\"")), "{page}");
    let (status, page) = get_text(&requester, &app.url(&data_path)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("ليلى الحمدان") && page.contains("layla@example.sa"),
        "{page}"
    );
    let csrf = csrf_of(&page);

    // Someone else's browser gets neither the page nor the file.
    let stranger = browser();
    let (status, _) = get_text(&stranger, &app.url(&data_path)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, track) = get_text(&stranger, &app.url("/o/diplomas/track")).await;
    let refused = stranger
        .post(app.url(&format!("{data_path}/export")))
        .form(&[("_csrf", csrf_of(&track).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The export: a JSON attachment with the public conversation and no internal note.
    let download = requester
        .post(app.url(&format!("{data_path}/export")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert!(content_type_of(&download).starts_with("application/json"));
    let disposition = download.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"personal-data-diplomas-{}-2026-11-22.json\"",
            number.to_lowercase()
        )
    );
    let text = download.text().await.unwrap();
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["requester"]["email"], "layla@example.sa");
    assert_eq!(export["requester"]["name"], "ليلى الحمدان");
    let ticket = &export["tickets"][0];
    assert_eq!(ticket["number"], number.as_str());
    let bodies: Vec<&str> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "متى تصدر شهادة الدبلوم؟ رقم هويتي 1010101010",
            "تصدر الشهادة خلال أسبوعين من اعتماد النتائج."
        ]
    );
    assert_eq!(ticket["messages"][1]["from"], "organization");
    assert!(!text.contains("ملاحظة داخلية"), "{text}");
    assert!(
        !text.contains("مدير النظام"),
        "staff names stay out: {text}"
    );

    // Erasure needs the box ticked; asked twice, it is one request.
    let erasure = app.url(&format!("{data_path}/erasure"));
    let unticked = requester
        .post(&erasure)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unticked
            .text()
            .await
            .unwrap()
            .contains("ضع علامة في المربع لتأكيد طلب الحذف")
    );
    assert!(
        app.store
            .erasure_requests(app.diplomas.id)
            .await
            .unwrap()
            .is_empty()
    );
    for _ in 0..2 {
        let asked = requester
            .post(&erasure)
            .form(&[("_csrf", csrf.as_str()), ("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            asked.headers()[LOCATION],
            format!("{data_path}?done=erasure").as_str()
        );
    }
    let requests = app.store.erasure_requests(app.diplomas.id).await.unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        (
            requests[0].state.as_str(),
            requests[0].requested_via.as_str()
        ),
        ("pending", "portal")
    );
    let (_, page) = get_text(
        &requester,
        &app.url(&format!("{data_path}?done=erasure&lang=en")),
    )
    .await;
    assert!(
        page.contains("Your request for erasure was received")
            && page.contains("statistics")
            && page.contains("id=\"erasure-pending\"")
            && !page.contains("id=\"privacy-erasure\""),
        "{page}"
    );

    // Only administrators open the Privacy tab or export from a ticket.
    for email in ["agent.students@example.sa", "director@example.sa"] {
        let staff = signed_in(&app, email).await;
        let (status, _) = get_text(&staff, &app.url(PRIVACY)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let lead = signed_in(&app, "lead.students@example.sa").await;
    let (_, desk_page) = get_text(
        &lead,
        &app.url(&format!("/o/diplomas/desk/tickets/{number}")),
    )
    .await;
    assert!(!desk_page.contains("id=\"privacy-export-requester\""));

    // The administrator exports from the ticket's requester card and by contact.
    let ticket_desk = format!("/o/diplomas/desk/tickets/{number}");
    let (_, desk_page) = get_text(&admin, &app.url(&ticket_desk)).await;
    let card_export = support::between(&desk_page, "id=\"privacy-export-requester\"", "</form>");
    let action = support::between(
        &desk_page,
        "<form method=\"post\" action=\"/o/diplomas/desk/admin/privacy/requesters/",
        "\"",
    );
    assert!(card_export.contains("_csrf"));
    let staff_csrf = csrf_of(&desk_page);
    let from_card = admin
        .post(app.url(&format!("{PRIVACY}/requesters/{action}")))
        .form(&[("_csrf", staff_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(from_card.status(), StatusCode::OK);
    let from_card: serde_json::Value = from_card.json().await.unwrap();
    assert_eq!(from_card["tickets"][0]["number"], number.as_str());
    let by_phone = admin
        .post(app.url(&format!("{PRIVACY}/export")))
        .form(&[("_csrf", staff_csrf.as_str()), ("contact", "٠٥٠٠٠٠٠١٠١")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_phone.status(), StatusCode::OK);
    let by_phone: serde_json::Value = by_phone.json().await.unwrap();
    assert_eq!(by_phone["requester"]["email"], "layla@example.sa");
    let unknown = admin
        .post(app.url(&format!("{PRIVACY}/export")))
        .form(&[
            ("_csrf", staff_csrf.as_str()),
            ("contact", "nobody@example.sa"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("لا يوجد مستفيد لدى هذه الجهة")
    );

    // The request is listed; carrying it out needs the confirmation, then reports counts.
    let (status, page) = get_text(&admin, &app.url(PRIVACY)).await;
    assert_eq!(status, StatusCode::OK);
    let row = support::between(&page, "id=\"erasure-request-", "</tr>");
    assert!(
        row.contains("ليلى الحمدان") && row.contains("بانتظار التنفيذ"),
        "{row}"
    );
    let carry_out = app.url(&format!("{PRIVACY}/erasures/{}", requests[0].id));
    let csrf = csrf_of(&page);
    let unconfirmed = admin
        .post(&carry_out)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = admin
        .post(&carry_out)
        .form(&[("_csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let location = done.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{PRIVACY}?done=erased&tickets=1&files=0"));
    let (_, page) = get_text(&admin, &app.url(&format!("{location}&lang=en"))).await;
    assert!(
        page.contains("The requester and one ticket were anonymized."),
        "{page}"
    );
    let row = support::between(&page, "id=\"erasure-request-", "</tr>");
    assert!(
        !row.contains("ليلى") && row.contains("Carried out"),
        "{row}"
    );
    let again = admin
        .post(&carry_out)
        .form(&[("_csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("This erasure request has already been carried out.")
    );

    // The desk no longer shows who she was; the reports count the same.
    let (status, desk_page) = get_text(&admin, &app.url(&ticket_desk)).await;
    assert_eq!(status, StatusCode::OK);
    for trace in [
        "ليلى",
        "layla@example.sa",
        "500000101",
        "1010101010",
        "موعد صدور الشهادة",
    ] {
        assert!(!desk_page.contains(trace), "{trace} is still shown");
    }
    assert!(desk_page.contains(sanad_domain::privacy::ERASED_NAME));
    assert_eq!(report_csv(&admin, &app).await, with_ticket);

    // Her portal session ended with the erasure.
    let (status, _) = get_text(&requester, &app.url(&ticket_path)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The privacy log holds the exports, the request and the erasure.
    let (_, page) = get_text(&admin, &app.url(&format!("{PRIVACY}?lang=en"))).await;
    let log = support::between(&page, "id=\"privacy-audit\"", "</table>");
    for action in ["Data exported", "Erasure requested", "Erasure carried out"] {
        assert!(log.contains(action), "{action} in {log}");
    }
}

/// Classifies a ticket and moves it on to resolved, as the system.
async fn resolve(app: &UiApp, number: &str) {
    let classification = sanad_store::TicketChanges {
        category: Some(sanad_domain::Code::parse("certificates").unwrap()),
        complexity: Some(sanad_domain::Complexity::Routine),
        importance: Some(sanad_domain::Importance::Medium),
        ..Default::default()
    };
    app.store
        .change_ticket(
            &app.diplomas,
            number,
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
                number,
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
}

async fn the_settings_round_trip_and_govern_ratings(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let admin = signed_in(&app, "admin@example.sa").await;
    let (status, page) = get_text(&admin, &app.url(PRIVACY)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"edit_window_hours\" value=\"72\"")
            && page.contains("name=\"follow_up_at_or_below\" value=\"2\"")
            && page.contains("name=\"retention_days\" value=\"\""),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let settings = app.url(&format!("{PRIVACY}/settings"));

    let saved = admin
        .post(&settings)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("edit_window_hours", "1"),
            ("follow_up_at_or_below", "3"),
            ("retention_days", "365"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.rating_rules(app.diplomas.id).await.unwrap(),
        RatingRules::new(1, 3).unwrap()
    );
    assert_eq!(
        app.store
            .retention_days(app.diplomas.id)
            .await
            .unwrap()
            .map(|days| days.get()),
        Some(365)
    );
    let (_, page) = get_text(&admin, &app.url(&format!("{PRIVACY}?done=saved"))).await;
    assert!(
        page.contains("name=\"edit_window_hours\" value=\"1\"")
            && page.contains("name=\"follow_up_at_or_below\" value=\"3\"")
            && page.contains("name=\"retention_days\" value=\"365\""),
        "{page}"
    );

    // Every bad value is refused beside its field, and nothing changes.
    let refused = admin
        .post(&settings)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("edit_window_hours", "-5"),
            ("follow_up_at_or_below", "9"),
            ("retention_days", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    for (field, message) in [
        (
            "privacy-edit-window",
            "أدخل عددًا صحيحًا من الساعات من 0 إلى 8784.",
        ),
        ("privacy-threshold", "أدخل درجة من 0 (أبدًا) إلى 5."),
        (
            "privacy-retention",
            "أدخل عددًا صحيحًا من الأيام من 1 إلى 36500",
        ),
    ] {
        let error = support::between(&page, &format!("id=\"{field}-error\">"), "</p>");
        assert!(error.contains(message), "{field}: {error}");
    }
    assert!(page.contains("name=\"edit_window_hours\" value=\"-5\""));
    let words = admin
        .post(&settings)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("edit_window_hours", "a day"),
            ("follow_up_at_or_below", "2"),
            ("retention_days", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(words.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.store.rating_rules(app.diplomas.id).await.unwrap(),
        RatingRules::new(1, 3).unwrap()
    );

    // Others may not change them.
    let agent = signed_in(&app, "agent.students@example.sa").await;
    let (_, any_page) = get_text(&agent, &app.url("/o/diplomas/desk")).await;
    let forbidden = agent
        .post(&settings)
        .form(&[
            ("_csrf", csrf_of(&any_page).as_str()),
            ("edit_window_hours", "100"),
            ("follow_up_at_or_below", "0"),
            ("retention_days", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    // The one-hour window now governs answers: a change after it is refused in Arabic.
    let number = laylas_ticket(&app).await;
    resolve(&app, &number).await;
    let requester = requester_of(&app, &number).await;
    let ticket_path = format!("/o/diplomas/track/{number}");
    let (_, page) = get_text(&requester, &app.url(&ticket_path)).await;
    let csrf = csrf_of(&page);
    let rate = app.url(&format!("{ticket_path}/rate"));
    let answer = |score: &'static str| {
        [
            ("_csrf", csrf.clone()),
            ("handling", score.to_owned()),
            ("clarity", "4".to_owned()),
            ("closure", "4".to_owned()),
            ("comment", String::new()),
        ]
    };
    let first = requester
        .post(&rate)
        .form(&answer("3"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    let late = requester
        .post(&rate)
        .form(&answer("1"))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let body = late.text().await.unwrap();
    assert!(
        body.contains("لم يعد بالإمكان تعديل تقييمك: كان التعديل متاحًا حتى 22 نوفمبر 2026"),
        "{body}"
    );
    assert!(!body.contains("can no longer be changed"), "{body}");

    // Clearing the retention period keeps data again.
    let (_, page) = get_text(&admin, &app.url(PRIVACY)).await;
    let cleared = admin
        .post(&settings)
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("edit_window_hours", "72"),
            ("follow_up_at_or_below", "0"),
            ("retention_days", " "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.retention_days(app.diplomas.id).await.unwrap(),
        None
    );
}

on_both_backends!(
    a_requester_exports_and_an_administrator_erases,
    the_settings_round_trip_and_govern_ratings
);
