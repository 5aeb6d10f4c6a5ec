//! Black-box tests of the pages over HTTP (no browser): security headers, CSRF, sign-in with
//! throttling and one-time codes, the portal's validation, confidentiality of complaints with
//! its audit, and the weight of the first page. Each runs on SQLite and on PostgreSQL.

mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION};
use sanad_store::{NewRequester, NewTicket, RequesterContact};
use sanad_web::Clock;
use support::{
    Backend, PASSWORD, UiApp, between, browser, csrf_of, get_text, read_events_until,
    register_ticket, routed_ticket, sign_in, spawn_ui_app,
};

const START: &str = "2026-11-22T08:00:00Z";

async fn complaint_routed_to(app: &UiApp, department: &str) -> String {
    routed_ticket(
        app,
        sanad_domain::TicketKind::Complaint,
        "رسوم مكررة على البطاقة",
        "خُصم مبلغ الفصل مرتين.",
        RequesterContact::Email(sanad_domain::EmailAddress::parse("layla@example.sa").unwrap()),
        department,
    )
    .await
}

async fn pages_carry_security_headers_and_a_csrf_cookie(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    let response = client.get(app.url("/o/diplomas")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("sanad_csrf=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")),
        "{cookies:?}"
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    let english = client
        .get(app.url("/o/diplomas?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\" dir=\"ltr\">"));
    // The choice is remembered.
    let (_, again) = get_text(&client, &app.url("/o/diplomas/track")).await;
    assert!(again.contains("dir=\"ltr\""));
    let (status, _) = get_text(&client, &app.url("/o/no-such-provider")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn forms_without_the_csrf_token_or_from_another_site_are_refused(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/diplomas/login")).await;
    let token = csrf_of(&page);
    let missing = client
        .post(app.url("/o/diplomas/login"))
        .form(&[("email", "admin@example.sa"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let wrong = client
        .post(app.url("/o/diplomas/login"))
        .form(&[
            ("_csrf", "x".repeat(token.len()).as_str()),
            ("email", "admin@example.sa"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let cross_site = client
        .post(app.url("/o/diplomas/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("_csrf", token.as_str()),
            ("email", "admin@example.sa"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let same_site = client
        .post(app.url("/o/diplomas/login"))
        .header("origin", app.base.as_str())
        .form(&[
            ("_csrf", token.as_str()),
            ("email", "admin@example.sa"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::SEE_OTHER);
}

async fn sign_in_is_throttled_after_repeated_failures(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    for _ in 0..5 {
        let response = sign_in(
            &app,
            &client,
            "agent.students@example.sa",
            "wrong password!",
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let page = response.text().await.unwrap();
        assert!(page.contains("غير صحيحة"), "{page}");
    }
    // The right password no longer helps until the window has passed.
    let blocked = sign_in(&app, &client, "agent.students@example.sa", PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
    // Another person is not affected.
    let other = sign_in(&app, &client, "director@example.sa", PASSWORD).await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    let later = sign_in(&app, &client, "agent.students@example.sa", PASSWORD).await;
    assert_eq!(later.status(), StatusCode::SEE_OTHER);
    assert_eq!(later.headers()[LOCATION], "/o/diplomas/desk");
    let (status, desk) = get_text(&client, &app.url("/o/diplomas/desk")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(desk.contains("نورة القحطاني"));
    // Signing out ends the session.
    let csrf = csrf_of(&desk);
    let out = client
        .post(app.url("/o/diplomas/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(app.url("/o/diplomas/desk"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(
        after.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/o/diplomas/login?next=")
    );
}

async fn a_one_time_code_is_required_when_enabled(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let credentials = app
        .store
        .staff_credentials(app.diplomas.id, "admin@example.sa")
        .await
        .unwrap()
        .unwrap();
    let secret = sanad_web::ui::auth::new_totp_secret();
    app.store
        .set_user_totp(app.diplomas.id, credentials.user.id, Some(&secret))
        .await
        .unwrap();
    let client = browser();
    let response = sign_in(&app, &client, "admin@example.sa", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/o/diplomas/login/code"), "{location}");
    // The half-signed-in session does not open the desk.
    let desk = client
        .get(app.url("/o/diplomas/desk"))
        .send()
        .await
        .unwrap();
    assert_eq!(desk.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_text(&client, &app.url(&location)).await;
    let csrf = csrf_of(&page);
    let wrong = client
        .post(app.url("/o/diplomas/login/code"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", "000000"),
            ("next", "/o/diplomas/desk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let code = sanad_web::ui::auth::totp_code_at(&secret, app.clock.now()).unwrap();
    let right = client
        .post(app.url("/o/diplomas/login/code"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("next", "/o/diplomas/desk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let (status, _) = get_text(&client, &app.url("/o/diplomas/desk")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn the_portal_explains_every_invalid_field(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/diplomas/new")).await;
    assert!(
        page.contains("آداب التواصل"),
        "seed 004's etiquette is shown"
    );
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "complaint")
        .text("subject", "")
        .text("body", "نص")
        .text("name", "سلمى")
        .text("email", "not-an-address")
        .text("phone", "")
        .text("requester_type", "trainee")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec())
                .file_name("setup.exe")
                .mime_str("application/x-msdownload")
                .unwrap(),
        );
    let response = client
        .post(app.url("/o/diplomas/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    for (field, text) in [
        ("subject-error", "هذا الحقل مطلوب"),
        ("email-error", "ليس بريدًا إلكترونيًا صحيحًا"),
        ("attachments-error", "setup.exe"),
        ("etiquette-error", "آداب التواصل"),
    ] {
        let at = html
            .find(&format!("id=\"{field}\""))
            .unwrap_or_else(|| panic!("no {field} in {html}"));
        let near: String = html[at..].chars().take(300).collect();
        assert!(near.contains(text), "{field}: {near}");
    }
    // What was typed is kept.
    assert!(html.contains("value=\"سلمى\""));
    assert!(html.contains("value=\"not-an-address\""));
    assert_eq!(
        app.store.count_tickets(app.diplomas.id).await.unwrap(),
        0,
        "nothing was stored"
    );
}

async fn a_submission_gives_a_receipt_and_the_code_opens_the_ticket(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/e-training/new")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "technical_issue")
        .text("subject", "لا يظهر الاختبار النهائي")
        .text("body", "عند فتح الاختبار تظهر صفحة فارغة.")
        .text("name", "سلمى العمري")
        .text("email", "salma@example.sa")
        .text("phone", "0500000123")
        .text("requester_type", "trainee")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 test".to_vec())
                .file_name("لقطة.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = client
        .post(app.url("/o/e-training/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt = response.text().await.unwrap();
    assert!(receipt.contains("سنرد خلال 48 ساعة عمل"), "{receipt}");
    let number = between(&receipt, "id=\"receipt-number\">", "<");
    let code = between(&receipt, "id=\"receipt-code\">", "<");
    assert!(number.starts_with("ET-2026-"), "{number}");
    // The receipt's browser follows the ticket at once.
    let (status, mine) =
        get_text(&client, &app.url(&format!("/o/e-training/track/{number}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.contains("لا يظهر الاختبار النهائي"));
    assert!(mine.contains("لقطة.pdf"));
    // Another browser needs the code; a wrong one is refused.
    let stranger = browser();
    let (status, _) = get_text(
        &stranger,
        &app.url(&format!("/o/e-training/track/{number}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, track) = get_text(&stranger, &app.url("/o/e-training/track")).await;
    let wrong = stranger
        .post(app.url("/o/e-training/track"))
        .form(&[
            ("_csrf", csrf_of(&track).as_str()),
            ("number", number.as_str()),
            ("code", "AAAAA-AAAAA"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let typed = code.to_lowercase().replace('-', " ");
    let right = stranger
        .post(app.url("/o/e-training/track"))
        .form(&[
            ("_csrf", csrf_of(&track).as_str()),
            ("number", number.to_lowercase().as_str()),
            ("code", typed.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let (status, seen) = get_text(
        &stranger,
        &app.url(&format!("/o/e-training/track/{number}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(seen.contains("لا يظهر الاختبار النهائي"));
    // The magic link works too, and redirects away from the code.
    let linked = browser();
    let response = linked
        .get(app.url(&format!("/o/e-training/track/{number}?code={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        format!("/o/e-training/track/{number}").as_str()
    );
    // The session for one ticket does not open another organization's ticket.
    let (status, _) = get_text(&client, &app.url(&format!("/o/diplomas/track/{number}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn complaints_stay_within_their_departments_and_every_view_is_audited(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let number = complaint_routed_to(&app, "financial-support").await;
    let path = format!("/o/diplomas/desk/tickets/{number}");

    let outsider = browser();
    sign_in(&app, &outsider, "agent.students@example.sa", PASSWORD).await;
    let (status, _) = get_text(&outsider, &app.url(&path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, queue) = get_text(&outsider, &app.url("/o/diplomas/desk?queue=open")).await;
    assert!(!queue.contains(&number), "the queue must not list it");
    let (status, _) = get_text(&outsider, &app.url(&format!("{path}/timeline"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let regulator = browser();
    sign_in(&app, &regulator, "regulator@example.sa", PASSWORD).await;
    let (status, _) = get_text(&regulator, &app.url(&path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for email in ["agent.finance@example.sa", "director@example.sa"] {
        let insider = browser();
        sign_in(&app, &insider, email, PASSWORD).await;
        let (status, page) = get_text(&insider, &app.url(&path)).await;
        assert_eq!(status, StatusCode::OK, "{email}");
        assert!(page.contains("رسوم مكررة على البطاقة"));
    }
    let views = app.store.ticket_views(app.diplomas.id, 10).await.unwrap();
    let mut viewers: Vec<&str> = views.iter().map(|view| view.user_name.as_str()).collect();
    viewers.sort_unstable();
    assert_eq!(viewers, vec!["Yousef Haddad", "هيفاء الراشد"]);
    assert!(views.iter().all(|view| view.ticket_number == number));
}

async fn the_first_page_weighs_under_200_kilobytes(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    // Count what a browser downloads for the portal's first page: the HTML, every stylesheet,
    // script and font it references (fonts are referenced from the stylesheet), compressed as
    // the server sends them.
    let client = reqwest::Client::new();
    let fetch = |url: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(url)
                .header("accept-encoding", "gzip")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let bytes = response.bytes().await.unwrap();
            bytes.len()
        }
    };
    let html = reqwest::get(app.url("/o/diplomas"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut total = fetch(app.url("/o/diplomas")).await;
    let assets: Vec<String> = html
        .split('"')
        .filter(|piece| piece.starts_with("/assets/"))
        .map(str::to_owned)
        .collect();
    assert!(assets.iter().any(|a| a.ends_with("sanad.css")));
    let mut css_url = String::new();
    for asset in &assets {
        total += fetch(app.url(asset)).await;
        if asset.ends_with(".css") {
            css_url = asset.clone();
        }
    }
    // An Arabic page with Latin digits uses the Arabic and Latin regular and bold faces.
    let directory = css_url.rsplit_once('/').unwrap().0.to_owned();
    for font in [
        "plex-arabic-arabic-400.woff2",
        "plex-arabic-arabic-700.woff2",
        "plex-arabic-latin-400.woff2",
        "plex-arabic-latin-700.woff2",
    ] {
        total += fetch(app.url(&format!("{directory}/{font}"))).await;
    }
    println!("first page transfer: {total} bytes");
    assert!(total < 200 * 1024, "the first page weighs {total} bytes");
}

async fn a_ticket_page_hears_who_else_is_on_it_and_what_changed(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let number = complaint_routed_to(&app, "financial-support").await;
    let path = format!("/o/diplomas/desk/tickets/{number}");
    let director = browser();
    sign_in(&app, &director, "director@example.sa", PASSWORD).await;
    let finance = browser();
    sign_in(&app, &finance, "agent.finance@example.sa", PASSWORD).await;
    // The finance agent has the ticket open.
    let (status, page) = get_text(&finance, &app.url(&path)).await;
    assert_eq!(status, StatusCode::OK);
    // The director's page listens.
    let mut live = director
        .get(app.url(&format!("{path}/live")))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    assert!(
        live.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut seen = String::new();
    read_events_until(&mut live, &mut seen, &["event: presence", "Yousef Haddad"]).await;
    // The agent replies; the director's page is told.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "public_reply")
        .text("body", "راجعنا الخصم المكرر وسنعيد المبلغ خلال يومي عمل.")
        .text("then", "");
    let reply = finance
        .post(app.url(&format!("{path}/reply")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    read_events_until(&mut live, &mut seen, &["event: changed"]).await;
    // And the timeline fragment the page then fetches has the reply.
    let (status, timeline) = get_text(&director, &app.url(&format!("{path}/timeline"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(timeline.contains("سنعيد المبلغ خلال يومي عمل"), "{timeline}");
}

on_both_backends!(
    pages_carry_security_headers_and_a_csrf_cookie,
    forms_without_the_csrf_token_or_from_another_site_are_refused,
    sign_in_is_throttled_after_repeated_failures,
    a_one_time_code_is_required_when_enabled,
    the_portal_explains_every_invalid_field,
    a_submission_gives_a_receipt_and_the_code_opens_the_ticket,
    complaints_stay_within_their_departments_and_every_view_is_audited,
    the_first_page_weighs_under_200_kilobytes,
    a_ticket_page_hears_who_else_is_on_it_and_what_changed,
    the_ticket_page_lists_what_was_sent_to_the_requester_with_every_attempt,
    administrators_set_channel_credentials_without_a_secret_ever_shown,
    the_log_contact_form_recognises_a_known_caller,
);

async fn the_ticket_page_lists_what_was_sent_to_the_requester_with_every_attempt(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    app.store
        .set_channel_setting(
            app.diplomas.id,
            &sanad_store::ChannelSetting {
                channel: sanad_domain::Channel::Email,
                state: sanad_store::ChannelState::Enabled,
                address: "support@example.sa".into(),
            },
        )
        .await
        .unwrap();
    let number = complaint_routed_to(&app, "financial-support").await;
    let now = app.clock.now();
    let lease = jiff::SignedDuration::from_mins(5);
    let claimed = app
        .store
        .claim_outbox("pages-test", now, lease, 10)
        .await
        .unwrap();
    assert!(!claimed.is_empty(), "the receipt waits in the outbox");
    let receipt = claimed
        .iter()
        .find(|item| item.kind == sanad_domain::notifications::RequesterNotification::Receipt)
        .expect("a receipt")
        .clone();
    assert_eq!(receipt.recipient, "layla@example.sa");
    // The first attempt fails for now; the second, ten minutes later, is accepted.
    let retry_at = now + jiff::SignedDuration::from_mins(10);
    app.store
        .record_outbox_attempt(
            &receipt,
            &sanad_store::AttemptOutcome::TransientFailure {
                detail: "421 4.7.0 try again later".into(),
                retry_at: Some(retry_at),
            },
            now,
        )
        .await
        .unwrap();
    for other in claimed.iter().filter(|item| item.id != receipt.id) {
        app.store
            .record_outbox_attempt(
                other,
                &sanad_store::AttemptOutcome::PermanentFailure {
                    detail: "550 5.1.1 mailbox unavailable".into(),
                },
                now,
            )
            .await
            .unwrap();
    }
    let path = format!("/o/diplomas/desk/tickets/{number}");
    let finance = browser();
    sign_in(&app, &finance, "agent.finance@example.sa", PASSWORD).await;
    // While it waits, the page says when the next attempt is due.
    let (status, page) = get_text(&finance, &app.url(&path)).await;
    assert_eq!(status, StatusCode::OK);
    let section = between(&page, "id=\"deliveries\"", "</section>");
    assert!(section.contains("ما أُرسل إلى المستفيد"), "{section}");
    assert!(section.contains("إشعار الاستلام"), "{section}");
    assert!(section.contains("قيد الإرسال"), "{section}");
    assert!(section.contains("المحاولة التالية في"), "{section}");
    assert!(section.contains(&retry_at.to_string()), "{section}");
    assert!(section.contains("421 4.7.0 try again later"), "{section}");

    let again = app
        .store
        .claim_outbox("pages-test", retry_at, lease, 10)
        .await
        .unwrap();
    let receipt = again
        .iter()
        .find(|item| item.id == receipt.id)
        .expect("the receipt is due again")
        .clone();
    assert_eq!(receipt.attempts, 1);
    app.store
        .record_outbox_attempt(
            &receipt,
            &sanad_store::AttemptOutcome::Delivered {
                provider_message_id: Some("4XyZq@smtp.example.sa".into()),
                detail: "250 2.0.0 queued as 4XyZq".into(),
                mail_message_id: Some("receipt-1@example.sa".into()),
            },
            retry_at,
        )
        .await
        .unwrap();
    let (status, page) = get_text(&finance, &app.url(&path)).await;
    assert_eq!(status, StatusCode::OK);
    let section = between(&page, "id=\"deliveries\"", "</section>");
    let receipt_entry = section
        .split("<li class=\"delivery\">")
        .find(|entry| entry.contains("إشعار الاستلام"))
        .unwrap_or_else(|| panic!("no receipt in {section}"));
    assert!(
        receipt_entry.contains("<details>"),
        "a delivered one stays folded: {receipt_entry}"
    );
    assert!(
        receipt_entry.contains("layla@example.sa"),
        "{receipt_entry}"
    );
    assert!(
        receipt_entry.contains("البريد الإلكتروني"),
        "{receipt_entry}"
    );
    assert!(receipt_entry.contains("status-done"), "{receipt_entry}");
    assert!(
        !receipt_entry.contains("المحاولة التالية في"),
        "{receipt_entry}"
    );
    let first = receipt_entry
        .find("المحاولة 1")
        .expect("attempt 1 is listed");
    let second = receipt_entry
        .find("المحاولة 2")
        .expect("attempt 2 is listed");
    assert!(first < second, "attempts in order: {receipt_entry}");
    assert!(receipt_entry[first..second].contains("421 4.7.0 try again later"));
    assert!(receipt_entry[first..second].contains("تعذّرت مؤقتًا"));
    assert!(receipt_entry[second..].contains("250 2.0.0 queued as 4XyZq"));
    assert!(receipt_entry[second..].contains("نجحت"));
    assert!(
        receipt_entry.contains(&now.to_string()) && receipt_entry.contains(&retry_at.to_string())
    );
    // A notification given up on is unfolded, so a failure is seen at once.
    for entry in section.split("<li class=\"delivery\">").skip(1) {
        if entry.contains("550 5.1.1 mailbox unavailable") {
            assert!(entry.contains("<details open>"), "{entry}");
            assert!(entry.contains("تعذّر الإرسال"), "{entry}");
        }
    }
    let (_, english) = get_text(&finance, &app.url(&format!("{path}?lang=en"))).await;
    assert!(english.contains("Sent to the requester"));
    assert!(english.contains("Attempt 2"));
    // Staff who may not see the complaint see nothing of what was sent either.
    let outsider = browser();
    sign_in(&app, &outsider, "agent.students@example.sa", PASSWORD).await;
    let (status, refused) = get_text(&outsider, &app.url(&path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!refused.contains("layla@example.sa"));
}

async fn post_credentials(
    app: &UiApp,
    client: &reqwest::Client,
    channel: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut form = vec![("_csrf", csrf)];
    form.extend_from_slice(fields);
    let response = client
        .post(app.url(&format!("/o/diplomas/desk/admin/channels/{channel}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn administrators_set_channel_credentials_without_a_secret_ever_shown(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let admin = browser();
    sign_in(&app, &admin, "admin@example.sa", PASSWORD).await;
    let page_path = "/o/diplomas/desk/admin/channels";
    let (status, page) = get_text(&admin, &app.url(page_path)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&page);
    for channel in ["email", "whatsapp", "facebook", "x", "sms"] {
        assert!(
            page.contains(&format!("id=\"cred-{channel}-form\"")),
            "{channel}"
        );
    }
    assert!(page.contains("id=\"cred-email-smtp-port\""));
    assert!(page.contains("type=\"password\" id=\"cred-email-smtp-password\""));
    assert!(page.contains("<select id=\"cred-email-smtp-security\""));
    assert!(page.contains("type=\"number\" id=\"cred-email-smtp-port\""));
    // The addresses the providers must call, absolute, built from the request.
    for channel in ["whatsapp", "facebook", "x"] {
        assert!(
            page.contains(&format!("{}/hooks/diplomas/{channel}</code>", app.base)),
            "{channel}: {page}"
        );
    }
    assert!(!page.contains("/hooks/diplomas/sms"));
    assert!(between(&page, "id=\"cred-email-state\">", "<").contains("غير مهيّأة"));

    let secret = "Smtp-Secret-9f2c";
    let email = [
        ("address", "support@example.sa"),
        ("display_name", "الدعم الفني"),
        ("smtp.host", "smtp.example.sa"),
        ("smtp.port", "587"),
        ("smtp.security", "start_tls"),
        ("smtp.username", "support"),
        ("smtp.password", secret),
        ("smtp.timeout_seconds", "30"),
        ("imap.host", ""),
        ("imap.port", "993"),
        ("imap.security", "tls"),
        ("imap.folder", "INBOX"),
    ];
    let response = admin
        .post(app.url("/o/diplomas/desk/admin/channels/email"))
        .form(
            &[("_csrf", csrf.as_str())]
                .iter()
                .chain(email.iter())
                .collect::<Vec<_>>(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[LOCATION],
        "/o/diplomas/desk/admin/channels?done=saved#cred-email"
    );
    let stored = app
        .store
        .channel_credentials(app.diplomas.id, sanad_domain::Channel::Email)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored["smtp"]["password"], secret);
    assert_eq!(stored["smtp"]["port"], 587);
    assert_eq!(stored["imap"], serde_json::Value::Null);
    assert!(
        sanad_channels::registry::ChannelConfiguration::parse(
            sanad_domain::Channel::Email,
            &stored
        )
        .is_ok()
    );

    let (_, page) = get_text(&admin, &app.url(page_path)).await;
    assert!(!page.contains(secret), "a stored secret is never shown");
    assert!(!page.contains("\"smtp\""), "the stored JSON is never shown");
    assert!(between(&page, "id=\"cred-email-state\">", "<").contains("مهيّأة"));
    assert!(between(&page, "id=\"cred-email-smtp-password-hint\">", "<").contains("محفوظة"));
    assert!(
        page.contains("value=\"smtp.example.sa\""),
        "other settings are shown"
    );

    // An empty secret keeps the stored one while the rest changes.
    let mut kept = email.to_vec();
    kept.retain(|(name, _)| *name != "smtp.password" && *name != "display_name");
    kept.push(("smtp.password", ""));
    kept.push(("display_name", "مكتب المساعدة"));
    let (status, _) = post_credentials(&app, &admin, "email", &csrf, &kept).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = app
        .store
        .channel_credentials(app.diplomas.id, sanad_domain::Channel::Email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored["smtp"]["password"], secret);
    assert_eq!(stored["display_name"], "مكتب المساعدة");

    // A bad port is explained beside its field; nothing is saved and no secret is echoed.
    let typed = "Typed-Secret-77aa";
    let mut bad = kept.clone();
    bad.retain(|(name, _)| *name != "smtp.port" && *name != "smtp.password");
    bad.push(("smtp.port", "70000"));
    bad.push(("smtp.password", typed));
    let (status, page) = post_credentials(&app, &admin, "email", &csrf, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = between(&page, "id=\"cred-email-smtp-port-error\">", "<");
    assert!(error.contains("65535"), "{error}");
    assert!(page.contains("value=\"70000\""), "what was typed is kept");
    assert!(page.contains("id=\"cred-email-smtp-password-retype\""));
    assert!(
        !page.contains(typed) && !page.contains(secret),
        "no secret in the page"
    );
    let unchanged = app
        .store
        .channel_credentials(app.diplomas.id, sanad_domain::Channel::Email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, stored);

    // A channel whose secrets are all required: missing ones are named, then saved.
    let (status, page) = post_credentials(
        &app,
        &admin,
        "whatsapp",
        &csrf,
        &[
            ("phone_number_id", "109876543210"),
            ("access_token", "EAAG-token-1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"cred-whatsapp-app_secret-error\""));
    assert!(page.contains("id=\"cred-whatsapp-verify_token-error\""));
    assert!(!page.contains("EAAG-token-1"));
    let (status, _) = post_credentials(
        &app,
        &admin,
        "whatsapp",
        &csrf,
        &[
            ("phone_number_id", "109876543210"),
            ("access_token", "EAAG-token-1"),
            ("app_secret", "meta-app-secret-2"),
            ("verify_token", "verify-me-3"),
            ("base_url", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let whatsapp = app
        .store
        .channel_credentials(app.diplomas.id, sanad_domain::Channel::Whatsapp)
        .await
        .unwrap()
        .unwrap();
    assert!(
        sanad_channels::registry::ChannelConfiguration::parse(
            sanad_domain::Channel::Whatsapp,
            &whatsapp
        )
        .is_ok()
    );
    let (_, page) = get_text(&admin, &app.url(page_path)).await;
    for value in ["EAAG-token-1", "meta-app-secret-2", "verify-me-3", secret] {
        assert!(!page.contains(value), "{value} shown");
    }

    // Only administrators see or change connection settings.
    let director = browser();
    sign_in(&app, &director, "director@example.sa", PASSWORD).await;
    let (status, _) = get_text(&director, &app.url(page_path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, desk) = get_text(&director, &app.url("/o/diplomas/desk")).await;
    let (status, _) = post_credentials(
        &app,
        &director,
        "email",
        &csrf_of(&desk),
        &[("smtp.password", "stolen")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = app
        .store
        .channel_credentials(app.diplomas.id, sanad_domain::Channel::Email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after["smtp"]["password"], secret);
}

async fn the_log_contact_form_recognises_a_known_caller(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let inquiry = register_ticket(
        &app,
        &NewTicket {
            kind: sanad_domain::TicketKind::Inquiry,
            channel: sanad_domain::Channel::Phone,
            subject: sanad_domain::Subject::parse("موعد بدء الدبلوم").unwrap(),
            body: sanad_domain::MessageBody::parse("متى يبدأ الفصل القادم؟").unwrap(),
            category: None,
            requester: NewRequester {
                name: sanad_domain::PersonName::parse("Khalid Al-Zahrani").unwrap(),
                contact: RequesterContact::Phone(
                    sanad_domain::PhoneNumber::parse("+966500000013").unwrap(),
                ),
                requester_type: sanad_domain::RequesterType::Trainee,
            },
            attachments: Vec::new(),
        },
    )
    .await;
    let agent = browser();
    sign_in(&app, &agent, "agent.students@example.sa", PASSWORD).await;
    let (_, form) = get_text(&agent, &app.url("/o/diplomas/desk/log-contact")).await;
    assert!(
        form.contains("hx-get=\"/o/diplomas/desk/known-requester\""),
        "{form}"
    );
    assert!(form.contains("id=\"phone-known\""));
    let (status, known) = get_text(
        &agent,
        &app.url("/o/diplomas/desk/known-requester?phone=0500000013"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(known.contains("مستفيد معروف: Khalid Al-Zahrani"), "{known}");
    assert!(
        known.contains(&format!("href=\"/o/diplomas/desk/tickets/{inquiry}\"")),
        "{known}"
    );
    // A complaint the agent may not see is not listed, as in the queues.
    let complaint = complaint_routed_to(&app, "financial-support").await;
    let (_, hidden) = get_text(
        &agent,
        &app.url("/o/diplomas/desk/known-requester?email=layla@example.sa"),
    )
    .await;
    assert!(hidden.contains("ليلى الحمدان"), "{hidden}");
    assert!(hidden.contains("لا تذاكر مفتوحة"), "{hidden}");
    assert!(!hidden.contains(&complaint), "{hidden}");
    let finance = browser();
    sign_in(&app, &finance, "agent.finance@example.sa", PASSWORD).await;
    let (_, shown) = get_text(
        &finance,
        &app.url("/o/diplomas/desk/known-requester?email=layla@example.sa"),
    )
    .await;
    assert!(shown.contains(&complaint), "{shown}");
    for unknown in ["0500000099", "05000", ""] {
        let (status, body) = get_text(
            &agent,
            &app.url(&format!("/o/diplomas/desk/known-requester?phone={unknown}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{unknown}");
        assert!(body.trim().is_empty(), "{unknown}: {body}");
    }
}
