//! The conduct policy over HTTP, on SQLite and on PostgreSQL: the etiquette before the submit
//! button, an abusive request flagged (the words highlighted) and reviewed, the agent's
//! cancellation with its reason, the requester's portal showing it, violations visible to the
//! director but not to an agent, and the administrator's lexicon editor with line-numbered
//! errors.

mod support;

use reqwest::StatusCode;
use support::{Backend, UiApp, Visitor, between, browser, csrf_of, get_text, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

/// Submits a request on the diplomas portal as Fahd; returns the receipt's browser (which
/// follows the ticket) and the ticket number.
async fn submit(app: &UiApp, subject: &str, body: &str) -> (reqwest::Client, String) {
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/diplomas/new")).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf_of(&page))
        .text("kind", "inquiry")
        .text("subject", subject.to_owned())
        .text("body", body.to_owned())
        .text("name", "فهد الدوسري")
        .text("email", "fahd@example.sa")
        .text("phone", "")
        .text("requester_type", "trainee")
        .text("etiquette", "accepted");
    let response = client
        .post(app.url("/o/diplomas/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt = response.text().await.unwrap();
    let number = between(&receipt, "id=\"receipt-number\">", "<");
    (client, number)
}

async fn the_conduct_flow(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;

    // The etiquette rules of the live policy come before the submit button.
    let (_, form) = get_text(&browser(), &app.url("/o/diplomas/new?lang=en")).await;
    let rule = form
        .find("Be mutually respectful and use no inappropriate language.")
        .expect("seed 004's etiquette is on the form");
    let submit_button = form
        .find("type=\"submit\" class=\"button button-primary\"")
        .unwrap();
    assert!(rule < submit_button);

    // An abusive request is received as usual and flagged.
    let (requester, number) = submit(&app, "الشهادة متأخرة", "أنتم أغبياء & <b>لا</b> تردون").await;
    let ticket_path = format!("/o/diplomas/desk/tickets/{number}");
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    let (status, page) = agent.get(&ticket_path).await;
    assert_eq!(status, StatusCode::OK);
    let flags = between(&page, "id=\"conduct-flags\"", "</section>");
    assert!(flags.contains("<mark>أغبياء</mark>"), "{flags}");
    assert!(
        flags.contains("&#38;") || flags.contains("&amp;"),
        "the message is escaped: {flags}"
    );
    assert!(!flags.contains("<b>"), "{flags}");
    assert!(
        page.contains("نُبّه عليه وفق سياسة آداب التواصل"),
        "the timeline explains the flag"
    );
    assert!(
        !page.contains("id=\"conduct-requester\""),
        "agents do not see violations"
    );
    let (_, queue) = agent.get("/o/diplomas/desk").await;
    assert!(
        queue.contains("href=\"/o/diplomas/desk/conduct/flagged\""),
        "the queues link the flagged list"
    );
    let (_, flagged) = agent.get("/o/diplomas/desk/conduct/flagged").await;
    assert!(flagged.contains(&number), "{flagged}");

    // The regulator only reads: reviewing is refused.
    let regulator = Visitor::signed_in(&app, "regulator@example.sa").await;
    let refused = regulator
        .post(
            "/o/diplomas/desk/account",
            &format!("{ticket_path}/conduct/review"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The agent reviews the flag.
    let reviewed = agent
        .post(&ticket_path, &format!("{ticket_path}/conduct/review"), &[])
        .await;
    assert_eq!(reviewed.status(), StatusCode::SEE_OTHER);
    let (_, flagged) = agent.get("/o/diplomas/desk/conduct/flagged").await;
    assert!(!flagged.contains(&number), "{flagged}");
    assert!(flagged.contains("id=\"conduct-flagged-empty\""));

    // Cancelling needs a reason; with one, the ticket is cancelled.
    let status_action = format!("{ticket_path}/status");
    let without = agent
        .post(
            &ticket_path,
            &status_action,
            &[("to", "cancelled"), ("reason", "  ")],
        )
        .await;
    assert!(without.status().is_client_error(), "{}", without.status());
    let reason = "استخدام ألفاظ مسيئة للموظفين";
    let cancelled = agent
        .post(
            &ticket_path,
            &status_action,
            &[("to", "cancelled"), ("reason", reason)],
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);

    // The requester's portal shows the cancellation and its reason.
    let (status, mine) =
        get_text(&requester, &app.url(&format!("/o/diplomas/track/{number}"))).await;
    assert_eq!(status, StatusCode::OK);
    let notice = between(&mine, "id=\"cancelled-for-conduct\"", "</div>");
    assert!(notice.contains(reason), "{notice}");
    assert!(mine.contains("ملغى") || mine.contains("ملغي"), "{mine}");

    // The director sees the violation on the requester's card and in the list.
    let director = Visitor::signed_in(&app, "director@example.sa").await;
    let (_, page) = director.get(&ticket_path).await;
    let card = between(&page, "id=\"conduct-requester\"", "</section>");
    assert!(card.contains("مخالفة واحدة مسجلة"), "{card}");
    assert!(card.contains(reason) && card.contains(&number), "{card}");
    let (status, list) = director.get("/o/diplomas/desk/conduct/violations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("فهد الدوسري") && list.contains(reason),
        "{list}"
    );
    // An agent may not see that list.
    let (status, _) = agent.get("/o/diplomas/desk/conduct/violations").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_lexicon_is_edited_by_an_administrator(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let page = "/o/diplomas/desk/admin/conduct";
    let agent = Visitor::signed_in(&app, "agent.students@example.sa").await;
    assert_eq!(agent.get(page).await.0, StatusCode::FORBIDDEN);

    let admin = Visitor::signed_in(&app, "admin@example.sa").await;
    let (status, editor) = admin.get(page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        editor.contains("القائمة الافتراضية المرفقة بالنظام هي المعمول بها"),
        "{editor}"
    );
    assert!(
        editor.contains("أغبياء"),
        "the default list is shown for editing"
    );

    // A broken line is reported with its number and nothing is saved.
    let broken = admin.submit(page, &[("source", "تافه\n\nidiot *\n")]).await;
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = broken.text().await.unwrap();
    let error = between(&html, "id=\"conduct-source-error\">", "</p>");
    assert!(error.contains("السطر 3"), "{error}");
    assert!(html.contains("idiot *"), "what was typed is kept");
    assert!(
        !app.store
            .conduct_lexicon(app.diplomas.id)
            .await
            .unwrap()
            .custom
    );

    let saved = admin
        .submit(page, &[("source", "# قائمتنا\r\nتافه\r\nrubbish*\r\n")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stored = app.store.conduct_lexicon(app.diplomas.id).await.unwrap();
    assert!(stored.custom);
    assert_eq!(stored.source, "# قائمتنا\nتافه\nrubbish*\n");
    let (_, editor) = admin.get(&format!("{page}?done=saved")).await;
    assert!(editor.contains("مدخلان"), "{editor}");

    // The new list applies to the next message: its words are flagged, the default's are not.
    let (_, number) = submit(&app, "طلب", "ردكم تافه وأنتم أغبياء").await;
    let (_, ticket) = agent
        .get(&format!("/o/diplomas/desk/tickets/{number}"))
        .await;
    let flags = between(&ticket, "id=\"conduct-flags\"", "</section>");
    assert!(flags.contains("<mark>تافه</mark>"), "{flags}");
    assert!(!flags.contains("<mark>أغبياء</mark>"), "{flags}");

    // Back to the default.
    let reset = admin
        .submit(page, &[("source", ""), ("reset", "default")])
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    assert!(
        !app.store
            .conduct_lexicon(app.diplomas.id)
            .await
            .unwrap()
            .custom
    );
}

on_both_backends!(the_conduct_flow, the_lexicon_is_edited_by_an_administrator);
