//! The reports page and its exports over HTTP, on both backends and a test clock: a director
//! sees the figures of tickets made on the clock, downloads the CSV (parsed back with the csv
//! crate) and the workbook (opened with calamine); agents and team leads are refused; a date
//! that is not one gets a clear message, not an error page.

mod support;

use reqwest::StatusCode;
use sanad_domain::{Channel, MessageKind, TicketKind};
use sanad_store::{Actor, NewRequester, NewTicket, RequesterContact};
use sanad_web::Clock;
use support::{
    Backend, PASSWORD, UiApp, browser, get_text, register_ticket, say, sign_in, spawn_ui_app,
};

on_both_backends!(
    a_director_reads_and_downloads_the_report,
    only_managers_see_reports_and_bad_dates_are_explained
);

/// Sunday 22 November 2026, 11:00 in Riyadh.
const START: &str = "2026-11-22T08:00:00Z";

fn ticket(kind: TicketKind, channel: Channel, email: &str) -> NewTicket {
    NewTicket {
        kind,
        channel,
        subject: sanad_domain::Subject::parse("تأخر إصدار الشهادة").unwrap(),
        body: sanad_domain::MessageBody::parse("أنهيت الدبلوم ولم تصدر الشهادة بعد.").unwrap(),
        category: None,
        requester: NewRequester {
            name: sanad_domain::PersonName::parse("ليلى الحمدان").unwrap(),
            contact: RequesterContact::Email(sanad_domain::EmailAddress::parse(email).unwrap()),
            requester_type: sanad_domain::RequesterType::Trainee,
        },
        attachments: Vec::new(),
    }
}

/// Two e-mailed complaints and a WhatsApp question; the first complaint is answered two hours
/// after it arrived.
async fn some_tickets(app: &UiApp) -> String {
    let first = register_ticket(
        app,
        &ticket(TicketKind::Complaint, Channel::Email, "layla@example.sa"),
    )
    .await;
    app.clock.advance(jiff::SignedDuration::from_mins(30));
    register_ticket(
        app,
        &ticket(TicketKind::Complaint, Channel::Email, "huda@example.sa"),
    )
    .await;
    register_ticket(
        app,
        &ticket(TicketKind::Inquiry, Channel::Whatsapp, "omar@example.sa"),
    )
    .await;
    app.clock.advance(jiff::SignedDuration::from_mins(90));
    let users = app.store.users(app.diplomas.id).await.unwrap();
    let noura = users
        .iter()
        .find(|user| user.email == "agent.students@example.sa")
        .unwrap();
    let agent = Actor::Staff {
        id: noura.id,
        name: noura.name.clone(),
    };
    say(
        app,
        &app.diplomas,
        &first,
        MessageKind::PublicReply,
        "نعمل على إصدار شهادتك.",
        &agent,
    )
    .await;
    first
}

async fn a_director_reads_and_downloads_the_report(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    some_tickets(&app).await;
    let director = browser();
    sign_in(&app, &director, "director@example.sa", PASSWORD).await;

    let (status, html) = get_text(&director, &app.url("/o/diplomas/desk/reports?lang=en")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Service-level compliance"), "{html}");
    assert!(
        html.contains("Elapsed (calendar) hours"),
        "the page says the times are elapsed time"
    );
    assert!(html.contains("<svg"), "the figures are charted");
    assert!(
        html.contains("/o/diplomas/desk/reports.csv?from="),
        "{html}"
    );
    let channels = &html[html
        .find("id=\"table-volume_channel\"")
        .expect("the channel table")..];
    let channels = &channels[..channels.find("</table>").unwrap()];
    assert!(
        channels.contains("<td>Email</td><td class=\"num\">2</td>"),
        "{channels}"
    );
    assert!(
        channels.contains("<td>WhatsApp</td><td class=\"num\">1</td>"),
        "{channels}"
    );
    let (_, arabic) = get_text(&director, &app.url("/o/diplomas/desk/reports?lang=ar")).await;
    assert!(arabic.contains("dir=\"rtl\""));
    assert!(arabic.contains("الالتزام بمستويات الخدمة"));

    // The CSV: a byte-order mark, then one row per figure.
    let response = director
        .get(app.url("/o/diplomas/desk/reports.csv?from=2026-11-01&to=2026-11-30&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("report-diplomas-2026-11-01-2026-11-30.csv")
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "Excel needs the byte-order mark to read UTF-8"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["section", "row", "column", "value"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let value = |section: &str, row: &str, column: &str| -> String {
        rows.iter()
            .find(|r| r[0] == section && r[1] == row && r[2] == column)
            .unwrap_or_else(|| panic!("no {section}/{row}/{column} in {rows:?}"))[3]
            .clone()
    };
    assert_eq!(value("volume_channel", "Email", "Tickets"), "2");
    assert_eq!(value("volume_channel", "WhatsApp", "Tickets"), "1");
    assert_eq!(value("volume_kind", "Complaint", "Tickets"), "2");
    assert_eq!(value("volume_kind", "Inquiry", "Tickets"), "1");
    // One first reply, two hours after arrival.
    assert_eq!(value("times", "First public reply", "Tickets"), "1");
    assert_eq!(
        value("times", "First public reply", "Median (elapsed hours)"),
        "2.00"
    );
    // The answered e-mail met its first-response target; the others still run.
    assert_eq!(value("compliance", "First response", "Met"), "1");
    assert_eq!(value("backlog", "Registered", "Tickets"), "3");
    assert_eq!(value("survey", "0", "Answered"), "0");

    // The workbook, in Arabic: one worksheet per section, numbers as numbers.
    let response = director
        .get(app.url("/o/diplomas/desk/reports.xlsx?from=2026-11-01&to=2026-11-30&lang=ar"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    for section in [
        "compliance",
        "times",
        "backlog",
        "aging",
        "escalations",
        "breaches",
        "satisfaction",
        "volume_kind",
        "volume_channel",
        "workload",
    ] {
        assert!(
            names.iter().any(|name| name == section),
            "no worksheet {section} in {names:?}"
        );
    }
    let sheet = workbook.worksheet_range("volume_channel").unwrap();
    assert_eq!(
        sheet.get_value((0, 0)),
        Some(&Data::String("الطلبات الواردة بحسب القناة".into()))
    );
    assert_eq!(
        sheet.get_value((3, 1)),
        Some(&Data::String("الطلبات".into())),
        "headers are in the page language"
    );
    let cells: Vec<(String, f64)> = (4..sheet.height() as u32)
        .filter_map(
            |row| match (sheet.get_value((row, 0)), sheet.get_value((row, 1))) {
                (Some(Data::String(label)), Some(Data::Float(count))) => {
                    Some((label.clone(), *count))
                }
                _ => None,
            },
        )
        .collect();
    assert_eq!(cells.len(), 2, "{cells:?}");
    assert!(
        cells.contains(&("البريد الإلكتروني".to_owned(), 2.0)),
        "{cells:?}"
    );
    assert!(cells.contains(&("واتساب".to_owned(), 1.0)), "{cells:?}");
    let times = workbook.worksheet_range("times").unwrap();
    assert_eq!(
        times.get_value((4, 1)),
        Some(&Data::Float(1.0)),
        "one first reply"
    );
    assert_eq!(
        times.get_value((4, 2)),
        Some(&Data::Float(2.0)),
        "two elapsed hours"
    );
    assert!(app.clock.now() > START.parse().unwrap());
}

async fn only_managers_see_reports_and_bad_dates_are_explained(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    for email in ["agent.students@example.sa", "lead.students@example.sa"] {
        let client = browser();
        sign_in(&app, &client, email, PASSWORD).await;
        for path in [
            "/o/diplomas/desk/reports",
            "/o/diplomas/desk/reports.csv",
            "/o/diplomas/desk/reports.xlsx",
        ] {
            let (status, _) = get_text(&client, &app.url(path)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} {path}");
        }
        let (_, desk) = get_text(&client, &app.url("/o/diplomas/desk")).await;
        assert!(!desk.contains("/desk/reports"), "no link for {email}");
    }
    let director = browser();
    sign_in(&app, &director, "director@example.sa", PASSWORD).await;
    let (_, desk) = get_text(&director, &app.url("/o/diplomas/desk")).await;
    assert!(
        desk.contains("/o/diplomas/desk/reports"),
        "the director's navigation links the reports"
    );
    let (status, html) = get_text(
        &director,
        &app.url("/o/diplomas/desk/reports?from=2026-02-30&lang=en"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("“2026-02-30” is not a date; write it as YYYY-MM-DD"),
        "{html}"
    );
    let (status, html) = get_text(
        &director,
        &app.url("/o/diplomas/desk/reports?from=2026-11-20&to=2026-11-01&lang=en"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("The start date must not be after the end date."),
        "{html}"
    );
    let (status, html) = get_text(
        &director,
        &app.url("/o/diplomas/desk/reports.csv?from=2024-01-01&to=2026-11-01&lang=en"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("A report covers at most 400 days"), "{html}");
}
