//! The pages in a real browser: Chromium driven through ChromeDriver (WebDriver), against the
//! real server on a simulated clock. A requester and an agent take a request from the form to
//! its rating; escalations reach the director; complaints stay inside their departments; the
//! Arabic pages are right-to-left without horizontal scrolling at phone and desk widths; axe
//! finds no WCAG 2.1 AA violation; the forms work with JavaScript turned off.
//!
//! Each test starts its own ChromeDriver on a free port and gives every browser session a fresh
//! profile directory, so tests run in parallel. With `SANAD_SCREENSHOTS=<directory>`, the
//! `screenshots` test saves pictures of the main pages in both languages.

#[path = "support/browser.rs"]
mod browser_support;
mod support;

use browser_support::{Browser, ChromeDriver, sign_in};
use jiff::SignedDuration;
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageBody, MessageKind, PersonName,
    PhoneNumber, RequesterType, Subject, TicketKind, TicketStatus,
};
use sanad_store::{
    Actor, NewRequester, NewTicket, Organization, RequesterContact, TicketChanges, TicketSummary,
    TransitionRequest,
};
use sanad_web::Clock;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use support::{Backend, PASSWORD, UiApp, create_training_agent, say, spawn_ui_app};
use thirtyfour::prelude::*;

const START: &str = "2026-11-22T08:00:00Z";

// ---- the browser ----------------------------------------------------------------------------------

/// What the page tests do in a browser, besides what `support/browser.rs` gives every test.
impl Browser {
    /// Ticks a checkbox or radio button (leaves it ticked if it already is).
    async fn tick(&self, css: &str) {
        let input = self.element(css).await;
        if !input.is_selected().await.unwrap() {
            input.click().await.unwrap();
        }
    }

    /// Waits (up to 20 s) until `css` has `attribute` equal to `value` (across reloads: an
    /// element of the page being left goes stale and is looked up again).
    async fn wait_for_attribute(&self, css: &str, attribute: &str, value: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let now = match self.driver.find(By::Css(css)).await {
                Ok(element) => element.attr(attribute).await.ok().flatten(),
                Err(_) => None,
            };
            if now.as_deref() == Some(value) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "`{css}` never had {attribute}={value:?} on {} (it has {now:?}):\n{}",
                self.url().await,
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 20 s) until the page's text contains `text`.
    async fn wait_for_page_text(&self, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let body = self.body_text().await;
            if body.contains(text) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{text:?} never appeared on {}:\n{body}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A picture of the whole page at `width`: the window is made as tall as the page.
    async fn full_page_png(&self, width: u32) -> Vec<u8> {
        self.resize(width, 900).await;
        let frame = 900_u32.saturating_sub(self.viewport().await.1);
        let height = self
            .js("return Math.ceil(document.documentElement.scrollHeight)")
            .await
            .as_u64()
            .and_then(|height| u32::try_from(height).ok())
            .unwrap_or(900)
            .clamp(600, 9000);
        self.resize(width, height + frame).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while self.viewport().await.1 < height && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.js_async(
            "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done(true));",
        )
        .await;
        let png = self.driver.screenshot_as_png().await.unwrap();
        self.resize(width, 900).await;
        png
    }
}

// ---- the people and the steps they take ---------------------------------------------------------

/// What a requester writes in the form.
struct RequestForm<'a> {
    kind: &'a str,
    category: &'a str,
    subject: &'a str,
    body: &'a str,
    name: &'a str,
    email: &'a str,
    phone: &'a str,
}

impl Default for RequestForm<'_> {
    fn default() -> Self {
        RequestForm {
            kind: "technical_issue",
            category: "",
            subject: "لا يظهر زر تسليم الواجب في المقرر",
            body: "عند فتح صفحة الواجب الثالث لا يظهر زر التسليم، جربت متصفحين مختلفين.",
            name: "عبدالله الحربي",
            email: "abdullah@example.sa",
            phone: "0551234567",
        }
    }
}

struct Receipt {
    number: String,
    code: String,
    promise: String,
}

/// Fills and sends the request form of `org` (the page's language is `lang`).
async fn submit_request(
    browser: &Browser,
    app: &UiApp,
    org: &str,
    lang: &str,
    form: &RequestForm<'_>,
) -> Receipt {
    browser
        .go(&app.url(&format!("/o/{org}/new?lang={lang}")))
        .await;
    browser
        .tick(&format!("input[name='kind'][value='{}']", form.kind))
        .await;
    if !form.category.is_empty() {
        browser.choose("#category", form.category).await;
    }
    browser.fill("#subject", form.subject).await;
    browser.fill("#body", form.body).await;
    browser.fill("#name", form.name).await;
    browser.fill("#email", form.email).await;
    browser.fill("#phone", form.phone).await;
    browser.choose("#requester_type", "trainee").await;
    if browser.exists("input[name='etiquette']").await {
        browser.tick("input[name='etiquette']").await;
    }
    browser.click("#new-request button[type='submit']").await;
    let number = browser.text("#receipt-number").await;
    Receipt {
        code: browser.text("#receipt-code").await,
        promise: browser.text(".receipt .lead").await,
        number,
    }
}

fn desk_ticket_url(app: &UiApp, org: &str, number: &str) -> String {
    app.url(&format!("/o/{org}/desk/tickets/{number}"))
}

/// Classifies and routes the open desk ticket page through its form.
async fn classify(
    browser: &Browser,
    category: &str,
    complexity: &str,
    importance: &str,
    department: &str,
) {
    browser.choose("#c-category", category).await;
    browser.choose("#c-complexity", complexity).await;
    browser.choose("#c-importance", importance).await;
    browser
        .tick(&format!(
            "#classify-form input[name='departments'][value='{department}']"
        ))
        .await;
    browser.click("#save-classification").await;
}

/// Opens a closed `<details>` that holds `inner`.
async fn open_details_of(browser: &Browser, inner: &str) {
    let details = browser.element(&format!("details:has({inner})")).await;
    if details.attr("open").await.unwrap().is_none() {
        browser
            .click(&format!("details:has({inner}) > summary"))
            .await;
    }
}

// ---- data set up through the store, where the pages are not what is tested ------------------------

struct NewCase<'a> {
    kind: TicketKind,
    channel: Channel,
    subject: &'a str,
    body: &'a str,
    name: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    category: Option<&'a str>,
}

async fn create_case(app: &UiApp, org: &Organization, case: NewCase<'_>) -> TicketSummary {
    let new = NewTicket {
        kind: case.kind,
        channel: case.channel,
        subject: Subject::parse(case.subject).unwrap(),
        body: MessageBody::parse(case.body).unwrap(),
        category: case.category.map(|code| Code::parse(code).unwrap()),
        requester: NewRequester {
            name: PersonName::parse(case.name).unwrap(),
            contact: RequesterContact::from_parts(
                case.email.map(|email| EmailAddress::parse(email).unwrap()),
                case.phone.map(|phone| PhoneNumber::parse(phone).unwrap()),
            )
            .expect("a contact"),
            requester_type: RequesterType::Trainee,
        },
        attachments: Vec::new(),
    };
    let actor = Actor::NewRequester {
        name: case.name.to_owned(),
    };
    app.store
        .create_ticket(org, &new, None, &actor, app.clock.now())
        .await
        .unwrap()
        .ticket
}

async fn staff_actor(app: &UiApp, org: &Organization, email: &str) -> Actor {
    let user = app
        .store
        .users(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|user| user.email == email)
        .unwrap_or_else(|| panic!("no staff member {email}"));
    Actor::Staff {
        id: user.id,
        name: user.name,
    }
}

fn requester_of(ticket: &TicketSummary) -> Actor {
    Actor::Requester {
        id: ticket.requester.id,
        name: ticket.requester.name.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn route(
    app: &UiApp,
    org: &Organization,
    number: &str,
    category: &str,
    complexity: Complexity,
    importance: Importance,
    departments: &[&str],
    by: &Actor,
) {
    app.store
        .change_ticket(
            org,
            number,
            &TicketChanges {
                category: Some(Code::parse(category).unwrap()),
                complexity: Some(complexity),
                importance: Some(importance),
                departments: Some(
                    departments
                        .iter()
                        .map(|d| Code::parse(d).unwrap())
                        .collect(),
                ),
                ..TicketChanges::default()
            },
            by,
            app.clock.now(),
        )
        .await
        .unwrap();
}

async fn assign(app: &UiApp, org: &Organization, number: &str, to: &Actor, by: &Actor) {
    let Actor::Staff { id, .. } = to else {
        panic!("only staff are assigned")
    };
    app.store
        .change_ticket(
            org,
            number,
            &TicketChanges {
                assignee_id: Some(Some(*id)),
                ..TicketChanges::default()
            },
            by,
            app.clock.now(),
        )
        .await
        .unwrap();
}

async fn move_to(app: &UiApp, org: &Organization, number: &str, to: TicketStatus, by: &Actor) {
    app.store
        .transition_ticket(
            org,
            number,
            &TransitionRequest {
                to,
                reason: None,
                merge_into: None,
            },
            by,
            app.clock.now(),
        )
        .await
        .unwrap();
}

/// Moves the simulated clock and fires the timers that fell due.
async fn pass(app: &UiApp, duration: SignedDuration) {
    app.clock.advance(duration);
    app.store
        .fire_due_timers("browser-tests", app.clock.now(), 1_000)
        .await
        .unwrap();
}

/// Gives a ticket a tracking code and returns the link that signs its requester in.
async fn tracking_link(app: &UiApp, org: &Organization, ticket: &TicketSummary) -> String {
    let code = sanad_web::ui::portal::new_tracking_code();
    app.store
        .set_tracking_code(
            org.id,
            ticket.id,
            &sanad_store::secrets::token_digest(&code),
            app.clock.now(),
        )
        .await
        .unwrap();
    app.url(&format!(
        "/o/{}/track/{}?code={code}",
        org.slug, ticket.number
    ))
}

// ---- 1. a request from the form to its rating ---------------------------------------------------

async fn requester_and_agent_complete_a_request(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    create_training_agent(
        &app,
        "reem@e-training.example.sa",
        "ريم الدوسري",
        Some(PASSWORD),
    )
    .await;
    let chrome = ChromeDriver::start().await;
    let requester = chrome.browser(1280).await;

    // The form, then the receipt with the number, the tracking code and the promise in words.
    let subject = "تعذر رفع ملف المشروع النهائي على المنصة";
    let receipt = submit_request(
        &requester,
        &app,
        "e-training",
        "ar",
        &RequestForm {
            kind: "technical_issue",
            category: "platform-technical",
            subject,
            body: "يظهر خطأ عند رفع ملف PDF بحجم 3 ميغابايت في صفحة المشروع النهائي.",
            name: "هند المطيري",
            email: "hind@example.sa",
            phone: "0551234567",
        },
    )
    .await;
    assert!(
        receipt.number.starts_with("ET-"),
        "the receipt's number: {:?}",
        receipt.number
    );
    let code_shape = |code: &str| {
        code.len() == 11
            && code.chars().enumerate().all(|(i, c)| {
                if i == 5 {
                    c == '-'
                } else {
                    c.is_ascii_uppercase() || c.is_ascii_digit()
                }
            })
    };
    assert!(
        code_shape(&receipt.code),
        "the tracking code: {:?}",
        receipt.code
    );
    assert!(
        receipt.promise.contains("سنرد خلال 48 ساعة عمل"),
        "the receipt promises the policy's 48 working hours in words: {:?}",
        receipt.promise
    );

    // The receipt signed the browser in to the ticket: its link opens the ticket page.
    requester.click("#receipt-track").await;
    requester
        .wait_for_url(&format!("/o/e-training/track/{}", receipt.number))
        .await;
    assert_eq!(requester.text("h1").await, subject);
    assert!(requester.text("#messages").await.contains("ملف PDF"));

    // The requester adds a message.
    let follow_up = "أرفقت لقطة الشاشة سابقًا، والخطأ ما زال يظهر اليوم أيضًا.";
    requester.fill("#reply-body", follow_up).await;
    requester.click("#send-reply").await;
    requester.wait_for_url("done=reply").await;
    assert!(requester.text("#messages").await.contains(follow_up));

    // In a fresh browser, the number and the code open the same ticket; a wrong code does not.
    let stranger = chrome.browser(1280).await;
    stranger
        .go(&app.url(&format!("/o/e-training/track/{}", receipt.number)))
        .await;
    stranger.wait_for_url("/o/e-training/track").await;
    assert!(
        !stranger.body_text().await.contains(follow_up),
        "without the code, the ticket stays closed"
    );
    stranger.go(&app.url("/o/e-training/track")).await;
    stranger.fill("#number", &receipt.number).await;
    stranger.fill("#code", "ABCDE-FGHJK").await;
    stranger.click("main form button[type='submit']").await;
    let refusal = stranger.text(".notice-error[role='alert']").await;
    assert!(
        !refusal.is_empty(),
        "a wrong code is refused with a message"
    );
    stranger.fill("#number", &receipt.number).await;
    stranger
        .fill("#code", &receipt.code.to_lowercase().replace('-', " "))
        .await;
    stranger.click("main form button[type='submit']").await;
    stranger
        .wait_for_url(&format!("/o/e-training/track/{}", receipt.number))
        .await;
    assert_eq!(stranger.text("h1").await, subject);
    assert!(stranger.text("#messages").await.contains(follow_up));
    stranger.quit().await;

    // The agent signs in from the ticket's address, classifies and routes it, starts, replies
    // and resolves.
    let agent = chrome.browser(1280).await;
    agent
        .go(&desk_ticket_url(&app, "e-training", &receipt.number))
        .await;
    agent.wait_for_url("/o/e-training/login").await;
    agent.fill("#email", "reem@e-training.example.sa").await;
    agent.fill("#password", PASSWORD).await;
    agent.click("#sign-in").await;
    agent
        .wait_for_url(&format!("/desk/tickets/{}", receipt.number))
        .await;
    assert_eq!(agent.text("#ticket-number").await, receipt.number);
    assert!(agent.text("#timeline").await.contains(follow_up));
    classify(
        &agent,
        "platform-technical",
        "routine",
        "high",
        "technical-support",
    )
    .await;
    agent
        .wait_for_attribute("#ticket-status", "data-status", "routed")
        .await;
    agent.click("#status-in_progress").await;
    agent
        .wait_for_attribute("#ticket-status", "data-status", "in_progress")
        .await;
    let answer = "تم رفع حد حجم الملفات في صفحة المشروع، يمكنك الرفع الآن.";
    agent.fill("#reply-body", answer).await;
    agent.choose("#reply-then", "resolved").await;
    agent.click("#send-reply").await;
    agent
        .wait_for_attribute("#ticket-status", "data-status", "resolved")
        .await;
    assert!(agent.text("#timeline").await.contains(answer));

    // The requester sees the answer and the new status, and rates the service.
    requester.driver.refresh().await.unwrap();
    assert!(requester.text("#messages").await.contains(answer));
    assert_eq!(requester.text("#ticket-status").await, "محلول");
    // Three questions (seed 002): the handling, the clarity of the procedure, the closure.
    for (question, score) in [("handling", "5"), ("clarity", "4"), ("closure", "5")] {
        requester
            .click(&format!("input[name='{question}'][value='{score}']"))
            .await;
    }
    let comment = "حُلّت المشكلة بسرعة، شكرًا لكم.";
    requester.fill("#rate-body", comment).await;
    requester.click("#rate").await;
    requester.wait_for_url("done=rate").await;
    assert!(
        requester.body_text().await.contains("شكرًا لتقييمك."),
        "the rating is acknowledged:\n{}",
        requester.body_text().await
    );
    // The answer can be changed while the organization's window is open: the form comes back
    // with the answer chosen.
    assert!(requester.exists("#rate").await, "the answer stays editable");
    assert!(
        requester
            .exists("input[name='clarity'][value='4']:checked")
            .await,
        "the saved answer is shown"
    );

    // The agent's page shows the rating and its comment.
    agent.driver.refresh().await.unwrap();
    let rating = agent.text("#ticket-rating").await;
    assert!(
        rating.contains("★★★★★") && rating.contains(comment),
        "the desk shows the rating: {rating:?}"
    );
    agent.quit().await;
    requester.quit().await;
}

// ---- 2. escalation up the ladder -----------------------------------------------------------------

async fn an_escalated_ticket_reaches_the_director(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let org = &app.diplomas;
    let ticket = create_case(
        &app,
        org,
        NewCase {
            kind: TicketKind::Complaint,
            channel: Channel::Email,
            subject: "لم تُعتمد ساعات حضوري في الدبلوم رغم حضوري كل المحاضرات",
            body: "حضرت جميع محاضرات الأسبوع الماضي لكن النظام يظهرني غائبًا في ثلاث منها.",
            name: "فيصل الزهراني",
            email: Some("faisal@example.sa"),
            phone: None,
            category: Some("lectures-content"),
        },
    )
    .await;
    let lead = staff_actor(&app, org, "lead.students@example.sa").await;
    route(
        &app,
        org,
        &ticket.number,
        "lectures-content",
        Complexity::Routine,
        Importance::Medium,
        &["student-support"],
        &lead,
    )
    .await;

    let chrome = ChromeDriver::start().await;
    let agent = chrome.browser(1280).await;
    sign_in(&agent, &app, "diplomas", "agent.students@example.sa").await;
    agent
        .go(&desk_ticket_url(&app, "diplomas", &ticket.number))
        .await;
    assert!(!agent.exists("#escalations").await, "not escalated yet");

    // Stage 1: the team lead.
    open_details_of(&agent, "#escalate-note").await;
    agent
        .fill(
            "#escalate-note",
            "الطالب يحتاج اعتماد الحضور قبل موعد الاختبار.",
        )
        .await;
    agent.click("#escalate").await;
    let first = agent.text("#escalations").await;
    assert!(
        first.contains("تذكير الفريق المختص") && first.contains("بدر السالم"),
        "stage 1 goes to the team lead: {first:?}"
    );
    assert_eq!(
        agent
            .find_all(By::Css("#escalations > li"))
            .await
            .unwrap()
            .len(),
        1
    );

    // Stage 2: the department director.
    open_details_of(&agent, "#escalate-note").await;
    agent
        .fill(
            "#escalate-note",
            "لم يصل رد من قائد الفريق، والاختبار بعد يومين.",
        )
        .await;
    agent.click("#escalate").await;
    // The old page's list is still there while the form posts, so wait for the new one.
    let both = agent.wait_for_text("#escalations", "هيفاء الراشد").await;
    assert!(
        both.contains("تصعيد للإدارة المباشرة"),
        "stage 2 is the department director's: {both:?}"
    );
    agent.quit().await;

    // The director finds it in "escalated to me" and sees the ladder on the ticket.
    let director = chrome.browser(1280).await;
    sign_in(&director, &app, "diplomas", "director@example.sa").await;
    director
        .go(&app.url("/o/diplomas/desk?queue=escalated"))
        .await;
    let queue = director.text("#queue-table").await;
    assert!(
        queue.contains(&ticket.number) && queue.contains(&ticket.subject),
        "the director's escalated queue lists the ticket:\n{queue}"
    );
    director
        .click(&format!(
            "#queue-table a[href$='/tickets/{}']",
            ticket.number
        ))
        .await;
    director
        .wait_for_url(&format!("/desk/tickets/{}", ticket.number))
        .await;
    let ladder = director.text("#escalations").await;
    assert!(
        ladder.contains("تذكير الفريق المختص")
            && ladder.contains("تصعيد للإدارة المباشرة")
            && ladder.contains("هيفاء الراشد"),
        "the director sees both stages: {ladder:?}"
    );
    assert_eq!(
        director.text("#ticket-assignee").await,
        "هيفاء الراشد",
        "stage 2 reassigns the ticket to its owner"
    );
    director.quit().await;
}

// ---- 3. complaints stay inside their departments ---------------------------------------------------

async fn an_agent_cannot_open_another_departments_complaint(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let org = &app.diplomas;
    let director = staff_actor(&app, org, "director@example.sa").await;
    let complaint = create_case(
        &app,
        org,
        NewCase {
            kind: TicketKind::Complaint,
            channel: Channel::WebForm,
            subject: "خُصم مبلغ الرسوم مرتين من بطاقتي",
            body: "سددت رسوم الفصل الثاني فخُصم المبلغ مرتين، وأرفقت كشف الحساب.",
            name: "ريم القرشي",
            email: Some("reem.q@example.sa"),
            phone: Some("0559876543"),
            category: Some("invoices-fees"),
        },
    )
    .await;
    route(
        &app,
        org,
        &complaint.number,
        "invoices-fees",
        Complexity::Routine,
        Importance::High,
        &["financial-support"],
        &director,
    )
    .await;
    // A complaint the student-support agent may see, so that the queues are not empty anyway.
    let own = create_case(
        &app,
        org,
        NewCase {
            kind: TicketKind::Complaint,
            channel: Channel::WebForm,
            subject: "لم تظهر درجة الاختبار النهائي",
            body: "مضى أسبوع على الاختبار ولم تظهر الدرجة في صفحتي.",
            name: "سلطان العنزي",
            email: Some("sultan@example.sa"),
            phone: None,
            category: Some("certificates-academic"),
        },
    )
    .await;
    route(
        &app,
        org,
        &own.number,
        "certificates-academic",
        Complexity::Routine,
        Importance::Medium,
        &["student-support"],
        &director,
    )
    .await;

    let chrome = ChromeDriver::start().await;
    let students = chrome.browser(1280).await;
    sign_in(&students, &app, "diplomas", "agent.students@example.sa").await;
    students
        .go(&desk_ticket_url(&app, "diplomas", &complaint.number))
        .await;
    assert_eq!(
        students.error_status().await,
        Some(403),
        "the other department's complaint is refused:\n{}",
        students.body_text().await
    );
    assert_eq!(
        students.text("h1").await,
        "لا تملك صلاحية الوصول إلى هذه الصفحة"
    );
    assert!(!students.body_text().await.contains(&complaint.subject));
    for queue in [
        "mine",
        "departments",
        "unassigned",
        "breaching",
        "escalated",
        "waiting",
        "open",
        "all",
    ] {
        students
            .go(&app.url(&format!("/o/diplomas/desk?queue={queue}")))
            .await;
        students.expect_no_error_page().await;
        let page = students.driver.source().await.unwrap();
        assert!(
            !page.contains(&complaint.number) && !page.contains(&complaint.subject),
            "queue {queue} shows the other department's complaint"
        );
        if matches!(queue, "departments" | "unassigned" | "open" | "all") {
            assert!(
                page.contains(&own.number),
                "queue {queue} shows the agent's own department's complaint"
            );
        }
    }
    students
        .go(&app.url(&format!(
            "/o/diplomas/desk?queue=all&q={}",
            complaint.number
        )))
        .await;
    assert!(
        !students.exists("#queue-table").await,
        "searching finds nothing"
    );
    students.quit().await;

    let finance = chrome.browser(1280).await;
    sign_in(&finance, &app, "diplomas", "agent.finance@example.sa").await;
    finance
        .go(&app.url("/o/diplomas/desk?queue=departments"))
        .await;
    assert!(
        finance
            .text("#queue-table")
            .await
            .contains(&complaint.number)
    );
    finance
        .go(&desk_ticket_url(&app, "diplomas", &complaint.number))
        .await;
    finance.expect_no_error_page().await;
    assert_eq!(finance.text("#ticket-number").await, complaint.number);
    assert_eq!(finance.text("h1").await, complaint.subject);
    finance.quit().await;
}

// ---- the main pages, for the layout, accessibility and screenshot tests ---------------------------

/// What the tour of the main pages shows: a desk with tickets in every state, and one ticket
/// with a conversation, its clocks and an escalation, seen by its requester and by staff.
struct Showcase {
    /// The ticket shown on the desk and to its requester.
    number: String,
    /// The link that signs its requester in.
    requester_link: String,
}

/// Fills diplomas with realistic tickets over three simulated days.
async fn showcase(app: &UiApp) -> Showcase {
    let org = &app.diplomas;
    let agent = staff_actor(app, org, "agent.students@example.sa").await;
    let finance = staff_actor(app, org, "agent.finance@example.sa").await;
    let lead = staff_actor(app, org, "lead.students@example.sa").await;

    // Sunday: an e-mail nobody answers (its 24 working hours lapse on Wednesday), and a refund
    // complaint that finance answers and then escalates.
    let _unanswered = create_case(
        app,
        org,
        NewCase {
            kind: TicketKind::TechnicalIssue,
            channel: Channel::Email,
            subject: "لا تصلني رسائل التحقق على البريد الإلكتروني",
            body: "أحاول تغيير كلمة المرور منذ يومين ولا تصلني رسالة التحقق، حتى في مجلد الرسائل غير المرغوب فيها.",
            name: "عبدالرحمن الدوسري",
            email: Some("a.dosari@example.sa"),
            phone: None,
            category: Some("technical-issues"),
        },
    )
    .await;
    let refund = create_case(
        app,
        org,
        NewCase {
            kind: TicketKind::Complaint,
            channel: Channel::Email,
            subject: "لم يُسترجع مبلغ الانسحاب من الدبلوم حتى الآن",
            body: "انسحبت من دبلوم التسويق الرقمي قبل بدء الفصل بأسبوعين ووُعدت باسترجاع المبلغ خلال عشرة أيام، وقد مضى شهر.",
            name: "خالد الغامدي",
            email: Some("khalid.g@example.sa"),
            phone: Some("0501234567"),
            category: Some("refunds-transfers"),
        },
    )
    .await;
    route(
        app,
        org,
        &refund.number,
        "refunds-transfers",
        Complexity::Complex,
        Importance::High,
        &["financial-support"],
        &lead,
    )
    .await;
    pass(app, SignedDuration::from_hours(2)).await;
    say(
        app,
        org,
        &refund.number,
        MessageKind::PublicReply,
        "نعتذر عن التأخير يا أستاذ خالد، طلبنا من البنك تأكيد التحويل وسنعود إليك.",
        &finance,
    )
    .await;
    move_to(app, org, &refund.number, TicketStatus::InProgress, &finance).await;

    // Monday: a postponement handled, resolved and rated; the certificate complaint arrives.
    pass(app, SignedDuration::from_hours(22)).await;
    let postponed = create_case(
        app,
        org,
        NewCase {
            kind: TicketKind::Request,
            channel: Channel::Email,
            subject: "طلب تأجيل الفصل الدراسي القادم لظروف صحية",
            body: "أرغب في تأجيل الفصل القادم وأرفقت التقرير الطبي.",
            name: "منيرة الشمري",
            email: Some("munira@example.sa"),
            phone: None,
            category: Some("withdrawal-postponement"),
        },
    )
    .await;
    route(
        app,
        org,
        &postponed.number,
        "withdrawal-postponement",
        Complexity::Routine,
        Importance::Medium,
        &["student-support"],
        &agent,
    )
    .await;
    move_to(
        app,
        org,
        &postponed.number,
        TicketStatus::InProgress,
        &agent,
    )
    .await;
    say(
        app,
        org,
        &postponed.number,
        MessageKind::PublicReply,
        "تمت الموافقة على تأجيل الفصل، وسيظهر ذلك في صفحتك خلال يوم عمل.",
        &agent,
    )
    .await;
    move_to(app, org, &postponed.number, TicketStatus::Resolved, &agent).await;
    app.store
        .answer_satisfaction(
            org.id,
            postponed.id,
            &sanad_domain::satisfaction::SatisfactionAnswer {
                handling: sanad_domain::satisfaction::Score::new(5).unwrap(),
                clarity: sanad_domain::satisfaction::Score::new(5).unwrap(),
                closure: sanad_domain::satisfaction::Score::new(5).unwrap(),
                comment: Some("خدمة سريعة ومتعاونة".into()),
            },
            sanad_store::AnsweredVia::Portal,
            &sanad_store::Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();

    let certificate = create_case(
        app,
        org,
        NewCase {
            kind: TicketKind::Complaint,
            channel: Channel::Email,
            subject: "تأخر إصدار شهادة دبلوم إدارة الموارد البشرية",
            body: "أنهيت جميع متطلبات الدبلوم قبل شهرين وما زالت الشهادة غير متاحة للتحميل، وأحتاجها لتقديمها لجهة عملي.",
            name: "سارة العتيبي",
            email: Some("sara.otaibi@example.sa"),
            phone: Some("0561234567"),
            category: Some("certificates-academic"),
        },
    )
    .await;
    pass(app, SignedDuration::from_mins(40)).await;
    route(
        app,
        org,
        &certificate.number,
        "certificates-academic",
        Complexity::Routine,
        Importance::High,
        &["student-support"],
        &lead,
    )
    .await;
    assign(app, org, &certificate.number, &agent, &lead).await;
    move_to(
        app,
        org,
        &certificate.number,
        TicketStatus::InProgress,
        &agent,
    )
    .await;
    say(
        app,
        org,
        &certificate.number,
        MessageKind::PublicReply,
        "أهلًا أستاذة سارة، راجعنا ملفك ووجدنا أن درجة مقرر «التخطيط الاستراتيجي» لم تُرصد بعد، وقد تواصلنا مع المدرب.",
        &agent,
    )
    .await;
    pass(app, SignedDuration::from_hours(3)).await;
    say(
        app,
        org,
        &certificate.number,
        MessageKind::RequesterMessage,
        "شكرًا لكم، متى أتوقع أن تُرصد الدرجة؟ جهة العمل طلبت الشهادة قبل نهاية الشهر.",
        &requester_of(&certificate),
    )
    .await;
    say(
        app,
        org,
        &certificate.number,
        MessageKind::InternalNote,
        "كلّمت المدرب هاتفيًا، سيرصد الدرجة غدًا صباحًا. أتابع مع الشؤون الأكاديمية إصدار الشهادة.",
        &agent,
    )
    .await;

    // Tuesday: the refund goes up the ladder; a live-session problem arrives on WhatsApp.
    pass(app, SignedDuration::from_hours(18)).await;
    app.store
        .escalate_by_staff(
            org,
            &refund.number,
            &MessageBody::parse("لم يؤكد البنك التحويل بعد، ويلزم تدخل قائد الفريق.").unwrap(),
            &finance,
            app.clock.now(),
        )
        .await
        .unwrap();
    pass(app, SignedDuration::from_hours(3)).await;
    app.store
        .escalate_by_staff(
            org,
            &refund.number,
            &MessageBody::parse("الطالب ينتظر منذ شهر؛ يلزم قرار من مدير الإدارة.").unwrap(),
            &finance,
            app.clock.now(),
        )
        .await
        .unwrap();
    let live = create_case(
        app,
        org,
        NewCase {
            kind: TicketKind::TechnicalIssue,
            channel: Channel::Whatsapp,
            subject: "تعذر الدخول إلى البث المباشر لمحاضرة الأحد",
            body: "يظهر لي أن الرابط منتهي الصلاحية عند محاولة دخول المحاضرة المباشرة.",
            name: "محمد الشهري",
            email: None,
            phone: Some("0541234567"),
            category: Some("lectures-content"),
        },
    )
    .await;
    route(
        app,
        org,
        &live.number,
        "lectures-content",
        Complexity::Routine,
        Importance::Medium,
        &["student-support"],
        &lead,
    )
    .await;

    // Wednesday: Sunday's e-mail lapses (and climbs to the team lead); new form requests.
    pass(app, SignedDuration::from_hours(23)).await;
    for (kind, subject, body, name, email) in [
        (
            TicketKind::Inquiry,
            "استفسار عن موعد بدء الدفعة القادمة من دبلوم المحاسبة",
            "متى يبدأ التسجيل في الدفعة القادمة، وهل يمكن التقسيط؟",
            "Lina Haddad",
            "lina.haddad@example.com",
        ),
        (
            TicketKind::Suggestion,
            "اقتراح: إضافة تذكير قبل موعد الاختبار بيوم",
            "أقترح إرسال رسالة تذكير قبل كل اختبار بيوم، فقد فاتني اختبار قصير.",
            "نوف السبيعي",
            "nouf@example.sa",
        ),
    ] {
        create_case(
            app,
            org,
            NewCase {
                kind,
                channel: Channel::WebForm,
                subject,
                body,
                name,
                email: Some(email),
                phone: None,
                category: None,
            },
        )
        .await;
        pass(app, SignedDuration::from_mins(25)).await;
    }
    Showcase {
        requester_link: tracking_link(app, org, &certificate).await,
        number: certificate.number,
    }
}

/// Visits the main pages of diplomas in `lang` (the browser is signed in as staff) and calls
/// `at` with the name of each page once it is shown.
async fn tour(
    app: &UiApp,
    browser: &Browser,
    showcase: &Showcase,
    lang: &str,
    mut at: impl AsyncFnMut(&'static str),
) {
    let page = async |path: String| {
        browser.go(&app.url(&path)).await;
        browser.expect_no_error_page().await;
    };
    let with_lang = |path: &str| {
        let joiner = if path.contains('?') { '&' } else { '?' };
        format!("{path}{joiner}lang={lang}")
    };
    page(with_lang("/o/diplomas")).await;
    at("portal-home").await;
    page(with_lang("/o/diplomas/new")).await;
    at("new-request").await;
    let receipt = submit_request(browser, app, "diplomas", lang, &RequestForm::default()).await;
    assert!(receipt.number.starts_with("DP-"), "{}", receipt.number);
    at("receipt").await;
    page(with_lang("/o/diplomas/track")).await;
    at("track").await;
    browser.go(&showcase.requester_link).await;
    browser
        .wait_for_url(&format!("/o/diplomas/track/{}", showcase.number))
        .await;
    browser.expect_no_error_page().await;
    at("requester-ticket").await;
    page(with_lang("/o/diplomas/policy")).await;
    at("policy").await;
    page(with_lang("/o/diplomas/login")).await;
    at("staff-login").await;
    page(with_lang("/o/diplomas/desk")).await;
    at("desk-queue").await;
    page(with_lang(&format!(
        "/o/diplomas/desk/tickets/{}",
        showcase.number
    )))
    .await;
    at("desk-ticket").await;
    page(with_lang("/o/diplomas/desk/log-contact")).await;
    at("log-contact").await;
    page(with_lang("/o/diplomas/desk/account")).await;
    at("account").await;
    // Pages that other work adds: visited once they exist.
    for (name, path) in [
        ("dashboard", "/o/diplomas/desk/dashboard"),
        ("admin", "/o/diplomas/desk/admin"),
        ("admin-policy", "/o/diplomas/desk/admin/policy"),
        ("admin-departments", "/o/diplomas/desk/admin/departments"),
        ("admin-categories", "/o/diplomas/desk/admin/categories"),
        ("admin-staff", "/o/diplomas/desk/admin/staff"),
        ("admin-canned", "/o/diplomas/desk/admin/canned"),
        ("admin-channels", "/o/diplomas/desk/admin/channels"),
        ("admin-audit", "/o/diplomas/desk/admin/audit"),
    ] {
        browser.go(&app.url(&with_lang(path))).await;
        match browser.error_status().await {
            Some(404) => println!("no {name} page yet ({path} is 404): not checked"),
            Some(_) => browser.expect_no_error_page().await,
            None => at(name).await,
        }
    }
}

/// The page's direction, language and widths, and the elements that stick out sideways.
const LAYOUT_SCRIPT: &str = r#"
const root = document.documentElement;
const width = window.innerWidth;
const describe = (element) => {
  let text = element.tagName.toLowerCase();
  if (element.id) { text += '#' + element.id; }
  if (typeof element.className === 'string' && element.className.trim()) {
    text += '.' + element.className.trim().split(/\s+/).join('.');
  }
  return text;
};
const sticking_out = [];
if (root.scrollWidth > width) {
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      sticking_out.push(describe(element) + ' [' + Math.round(box.left) + ', ' + Math.round(box.right) + ']');
    }
  }
}
return { dir: root.dir, lang: root.lang, scroll_width: root.scrollWidth, inner_width: width,
         sticking_out: sticking_out.slice(0, 12) };
"#;

// ---- 4. right to left, and no sideways scrolling --------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arabic_pages_are_right_to_left_without_horizontal_overflow() {
    let app = spawn_ui_app(Backend::Sqlite, START).await;
    let showcase = showcase(&app).await;
    let chrome = ChromeDriver::start().await;
    let browser = chrome.browser(1280).await;
    sign_in(&browser, &app, "diplomas", "admin@example.sa").await;
    // The check sees a page that scrolls sideways.
    browser.go(&app.url("/o/diplomas?lang=ar")).await;
    browser
        .js("const wide = document.createElement('div'); wide.style.inlineSize = '2000px'; wide.style.blockSize = '1px'; document.querySelector('main').append(wide); return null;")
        .await;
    let control = browser.js(LAYOUT_SCRIPT).await;
    assert!(
        control["scroll_width"].as_u64().unwrap_or(0) > 1280,
        "the layout check misses a page that scrolls sideways: {control}"
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for (lang, dir) in [("ar", "rtl"), ("en", "ltr")] {
        tour(&app, &browser, &showcase, lang, async |name| {
            for width in [360, 1280] {
                browser.resize(width, 900).await;
                let layout = browser.js(LAYOUT_SCRIPT).await;
                checked += 1;
                let at = format!("{name} ({lang}, {width} px)");
                if layout["inner_width"] != json!(width) {
                    problems.push(format!(
                        "{at}: the viewport is {} px wide, not {width}",
                        layout["inner_width"]
                    ));
                }
                if layout["dir"] != json!(dir) || layout["lang"] != json!(lang) {
                    problems.push(format!(
                        "{at}: <html dir={} lang={}>, expected dir={dir} lang={lang}",
                        layout["dir"], layout["lang"]
                    ));
                }
                let scroll_width = layout["scroll_width"].as_u64().unwrap_or(u64::MAX);
                if scroll_width > layout["inner_width"].as_u64().unwrap_or(0) {
                    problems.push(format!(
                        "{at}: the page is {scroll_width} px wide and scrolls sideways; sticking out: {}",
                        layout["sticking_out"]
                    ));
                }
            }
            browser.resize(1280, 900).await;
        })
        .await;
    }
    browser.quit().await;
    assert!(
        checked >= 2 * 2 * 11,
        "only {checked} page views were checked"
    );
    assert!(
        problems.is_empty(),
        "layout problems:\n{}",
        problems.join("\n")
    );
}

// ---- 5. WCAG 2.1 AA, by axe -----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_axe_wcag_aa() {
    let app = spawn_ui_app(Backend::Sqlite, START).await;
    let showcase = showcase(&app).await;
    let chrome = ChromeDriver::start().await;
    let browser = chrome.browser(1280).await;
    sign_in(&browser, &app, "diplomas", "admin@example.sa").await;
    // axe runs here, and reports what it should: a picture without a text alternative.
    browser.go(&app.url("/o/diplomas?lang=ar")).await;
    browser
        .js("const picture = document.createElement('img'); picture.src = '/nothing.png'; document.querySelector('main').append(picture); return null;")
        .await;
    let control = browser.axe().await;
    assert!(
        control["violations"]
            .as_array()
            .is_some_and(|found| found.iter().any(|v| v["id"] == json!("image-alt"))),
        "axe did not report an image without alt: {control}"
    );
    let mut violations = Vec::new();
    let mut checked = 0;
    for lang in ["ar", "en"] {
        tour(&app, &browser, &showcase, lang, async |name| {
            let found = browser.axe_violations(&format!("{name} ({lang})")).await;
            checked += 1;
            violations.extend(found);
        })
        .await;
    }
    browser.quit().await;
    assert!(checked >= 2 * 11, "only {checked} pages were checked");
    assert!(
        violations.is_empty(),
        "axe found {} WCAG 2.1 AA violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

// ---- 6. without JavaScript -------------------------------------------------------------------------

async fn forms_work_without_javascript(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let chrome = ChromeDriver::start().await;
    let probe = "return typeof window.htmx";

    // The probe sees the page's script where JavaScript runs …
    let scripted = chrome.browser(1280).await;
    scripted.go(&app.url("/o/diplomas/new")).await;
    scripted.element("#new-request").await;
    assert_eq!(scripted.js(probe).await, json!("object"));
    scripted.quit().await;

    // … and not in this browser.
    let browser = chrome.browser_without_javascript(1280).await;
    browser.go(&app.url("/o/diplomas/new")).await;
    browser.element("#new-request").await;
    assert_eq!(
        browser.js(probe).await,
        json!("undefined"),
        "the page's scripts ran"
    );

    // A request through the form (the etiquette box is required, and checked by the server).
    let subject = "أرغب في الانسحاب من مقرر الإحصاء التطبيقي";
    let receipt = submit_request(
        &browser,
        &app,
        "diplomas",
        "ar",
        &RequestForm {
            kind: "request",
            category: "withdrawal-postponement",
            subject,
            body: "ظروف عملي تغيرت وأرغب في الانسحاب من المقرر واسترجاع رسومه إن أمكن.",
            name: "تركي العمري",
            email: "turki@example.sa",
            phone: "0531234567",
        },
    )
    .await;
    assert!(receipt.number.starts_with("DP-"), "{}", receipt.number);
    browser.click("#receipt-track").await;
    browser
        .wait_for_url(&format!("/track/{}", receipt.number))
        .await;
    let addition = "أضيف أنني حضرت محاضرتين فقط من المقرر.";
    browser.fill("#reply-body", addition).await;
    browser.click("#send-reply").await;
    browser.wait_for_url("done=reply").await;
    assert!(browser.text("#messages").await.contains(addition));

    // Staff sign in, find the ticket with the queue's search, classify, start and answer it.
    sign_in(&browser, &app, "diplomas", "agent.students@example.sa").await;
    browser.go(&app.url("/o/diplomas/desk?queue=all")).await;
    browser.fill("#q", &receipt.number).await;
    browser.click("form.filters button[type='submit']").await;
    browser.wait_for_url(&format!("q={}", receipt.number)).await;
    browser
        .click(&format!(
            "#queue-table a[href$='/tickets/{}']",
            receipt.number
        ))
        .await;
    browser
        .wait_for_url(&format!("/desk/tickets/{}", receipt.number))
        .await;
    assert!(browser.text("#timeline").await.contains(addition));
    classify(
        &browser,
        "withdrawal-postponement",
        "routine",
        "medium",
        "student-support",
    )
    .await;
    browser
        .wait_for_attribute("#ticket-status", "data-status", "routed")
        .await;
    browser.click("#status-in_progress").await;
    browser
        .wait_for_attribute("#ticket-status", "data-status", "in_progress")
        .await;
    let answer = "تم قبول طلب الانسحاب، وسيُسترجع نصف الرسوم وفق سياسة الانسحاب.";
    browser.fill("#reply-body", answer).await;
    browser.choose("#reply-then", "resolved").await;
    browser.click("#send-reply").await;
    browser
        .wait_for_attribute("#ticket-status", "data-status", "resolved")
        .await;
    assert!(browser.text("#timeline").await.contains(answer));

    // The requester (same browser, own cookie) reads the answer and rates it.
    browser
        .go(&app.url(&format!("/o/diplomas/track/{}", receipt.number)))
        .await;
    assert!(browser.text("#messages").await.contains(answer));
    assert_eq!(browser.text("#ticket-status").await, "محلول");
    for question in ["handling", "clarity", "closure"] {
        browser
            .click(&format!("input[name='{question}'][value='4']"))
            .await;
    }
    browser.click("#rate").await;
    browser.wait_for_url("done=rate").await;
    browser.wait_for_page_text("شكرًا لتقييمك.").await;
    browser.quit().await;
}

// ---- 7. screenshots ----------------------------------------------------------------------------------

/// A Chrome DevTools command, sent through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl thirtyfour::common::command::FormatRequestData for DevTools {
    fn format_request(
        &self,
        session_id: &thirtyfour::common::types::SessionId,
    ) -> thirtyfour::common::requestdata::RequestData {
        thirtyfour::common::requestdata::RequestData::new(
            axum::http::Method::POST,
            format!("session/{session_id}/goog/cdp/execute"),
        )
        .add_body(json!({ "cmd": self.command, "params": self.params }))
    }
}

/// Saves pictures of the main pages in both languages into `$SANAD_SCREENSHOTS`, when it is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots() {
    let Some(directory) = std::env::var_os("SANAD_SCREENSHOTS").map(PathBuf::from) else {
        println!("SANAD_SCREENSHOTS is not set: no screenshots taken");
        return;
    };
    std::fs::create_dir_all(&directory).unwrap();
    let app = spawn_ui_app(Backend::Sqlite, START).await;
    let showcase = showcase(&app).await;
    let chrome = ChromeDriver::start().await;
    let browser = chrome.browser(1280).await;
    // The countdowns on the pages count from the browser's clock: it is set to the simulated one.
    let shift = app.clock.now().as_millisecond() - jiff::Timestamp::now().as_millisecond();
    browser
        .handle()
        .cmd(DevTools {
            command: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({
                "source": format!(
                    "(() => {{ const real = Date.now.bind(Date); Date.now = () => real() + ({shift}); }})();"
                )
            }),
        })
        .await
        .expect("ChromeDriver runs DevTools commands");
    sign_in(&browser, &app, "diplomas", "admin@example.sa").await;
    let mut written = Vec::new();
    for lang in ["ar", "en"] {
        tour(&app, &browser, &showcase, lang, async |name| {
            let narrow = matches!(
                name,
                "portal-home" | "new-request" | "requester-ticket" | "desk-queue" | "desk-ticket"
            );
            let mut shots = vec![(1280, format!("{name}-{lang}.png"))];
            if narrow {
                shots.push((360, format!("{name}-{lang}-360.png")));
            }
            for (width, file) in shots {
                let png = browser.full_page_png(width).await;
                assert!(png.starts_with(b"\x89PNG"), "{file} is not a PNG");
                std::fs::write(directory.join(&file), png).unwrap();
                written.push(file);
            }
        })
        .await;
    }
    // The receipt of a provider whose policy promises a first response in 48 working hours.
    for lang in ["ar", "en"] {
        let receipt =
            submit_request(&browser, &app, "e-training", lang, &RequestForm::default()).await;
        assert!(receipt.number.starts_with("ET-"), "{}", receipt.number);
        let file = format!("receipt-e-training-{lang}.png");
        std::fs::write(directory.join(&file), browser.full_page_png(1280).await).unwrap();
        written.push(file);
    }
    browser.quit().await;
    println!(
        "{} screenshots in {}: {}",
        written.len(),
        directory.display(),
        written.join(", ")
    );
}

// The flows that write through the store run on both backends; the layout, accessibility and
// screenshot checks look only at rendering, so SQLite is enough for them.

on_both_backends!(
    requester_and_agent_complete_a_request,
    an_escalated_ticket_reaches_the_director,
    an_agent_cannot_open_another_departments_complaint,
    forms_work_without_javascript,
);
