//! What the page tests share: a real server on port 0 over a fresh database (SQLite or
//! PostgreSQL), with two training providers under published policies and staff of every role;
//! tickets and knowledge-base articles made through the store; a browser-like HTTP client with
//! the steps every page test takes (signing in, posting a form with its CSRF token); and the
//! macro that runs one test function on both backends.
#![allow(dead_code)]

use jiff::Timestamp;
use reqwest::StatusCode;
use sanad_domain::knowledge::{
    ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, KbCategoryCode,
    KbCategoryName, SuggestionOutcome,
};
use sanad_store::{
    Actor, AttachmentStore, DatabaseUrl, KbArticle, KbArticleFigures, KbArticleInput,
    KbCategoryInput, NewRequester, NewTicket, Organization, RequesterContact, Store, TicketChanges,
};
use sanad_web::{AppState, Clock, WebSettings};
use std::sync::{Arc, Mutex};

/// Runs each listed async test function (taking a [`Backend`]) on both backends, as
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::Backend::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::Backend::Postgres).await })+
        }
    };
}

pub struct TestClock(Mutex<Timestamp>);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    pub fn advance(&self, duration: jiff::SignedDuration) {
        let mut now = self.0.lock().unwrap();
        *now += duration;
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The password of every test staff member.
pub const PASSWORD: &str = "correct-horse-battery";

/// One staff member of the diplomas provider.
#[derive(Debug, Clone)]
pub struct Staff {
    pub email: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub departments: &'static [&'static str],
}

/// The diplomas provider's staff: two agents of different departments, a team lead, a
/// director, an executive, an administrator and a regulator.
pub const STAFF: &[Staff] = &[
    Staff {
        email: "agent.students@example.sa",
        name: "نورة القحطاني",
        role: "agent",
        departments: &["student-support"],
    },
    Staff {
        email: "agent.finance@example.sa",
        name: "Yousef Haddad",
        role: "agent",
        departments: &["financial-support"],
    },
    Staff {
        email: "lead.students@example.sa",
        name: "بدر السالم",
        role: "team_lead",
        departments: &["student-support"],
    },
    Staff {
        email: "director@example.sa",
        name: "هيفاء الراشد",
        role: "director",
        departments: &["student-support", "financial-support"],
    },
    Staff {
        email: "executive@example.sa",
        name: "Mansour Khalil",
        role: "executive",
        departments: &["student-affairs"],
    },
    Staff {
        email: "admin@example.sa",
        name: "مدير النظام",
        role: "admin",
        departments: &[],
    },
    Staff {
        email: "regulator@example.sa",
        name: "Regulator Office",
        role: "supervisor",
        departments: &[],
    },
];

pub struct UiApp {
    pub base: String,
    pub store: Store,
    pub clock: Arc<TestClock>,
    /// Seed 004's provider (etiquette before sending; no web-form target).
    pub diplomas: Organization,
    /// Seed 003's provider (a 48-working-hour web-form target).
    pub training: Organization,
    _directory: tempfile::TempDir,
}

impl UiApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn policy_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../policies")
        .join(name)
}

async fn database_url(backend: Backend, directory: &std::path::Path) -> DatabaseUrl {
    match backend {
        Backend::Sqlite => {
            DatabaseUrl::parse(&format!("sqlite://{}", directory.join("ui.db").display())).unwrap()
        }
        Backend::Postgres => {
            let server = std::env::var("SANAD_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let unique = format!(
                "{:?}{}{}",
                std::thread::current().id(),
                std::process::id(),
                Timestamp::now().as_nanosecond()
            );
            let schema = format!(
                "ui_{}",
                &sanad_store::secrets::sha256_hex(unique.as_bytes())[..16]
            );
            sanad_store::schemas::fresh_postgres_schema(&server, &schema)
                .await
                .expect("PostgreSQL must be running")
        }
    }
}

/// Starts Sanad on a free port with the simulated clock at `start`.
pub async fn spawn_ui_app(backend: Backend, start: &str) -> UiApp {
    let directory = tempfile::tempdir().unwrap();
    let url = database_url(backend, directory.path()).await;
    let store = Store::open(
        &url,
        AttachmentStore::local_directory(&directory.path().join("files")).unwrap(),
    )
    .await
    .unwrap();
    let clock = Arc::new(TestClock(Mutex::new(start.parse().unwrap())));
    let now = clock.now();
    let mut organizations = Vec::new();
    for (slug, name, prefix, policy) in [
        (
            "diplomas",
            "منصة الدبلومات",
            "DP",
            "seed-004-diplomas-platform.toml",
        ),
        (
            "e-training",
            "التدريب الإلكتروني",
            "ET",
            "seed-003-e-training-technical-support.toml",
        ),
    ] {
        let new = sanad_store::NewOrganization {
            slug: sanad_domain::OrgSlug::parse(slug).unwrap(),
            name: name.into(),
            ticket_prefix: sanad_domain::TicketPrefix::parse(prefix).unwrap(),
            time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
            time_zone_name: "Asia/Riyadh".into(),
            reopen_window_hours: 168,
        };
        let org = store.create_organization(&new, now).await.unwrap();
        let source = std::fs::read_to_string(policy_path(policy)).unwrap();
        store
            .apply_policy(
                &org,
                policy,
                &source,
                sanad_store::RecomputeDeadlines::KeepRunning,
                now,
            )
            .await
            .unwrap();
        organizations.push(store.organization_by_slug(slug).await.unwrap().unwrap());
    }
    let training = organizations.pop().unwrap();
    let diplomas = organizations.pop().unwrap();
    let hash = sanad_web::ui::auth::hash_password(PASSWORD).unwrap();
    for member in STAFF {
        store
            .create_user(
                diplomas.id,
                &sanad_store::NewUser {
                    email: sanad_domain::EmailAddress::parse(member.email).unwrap(),
                    name: sanad_domain::PersonName::parse(member.name).unwrap(),
                    role: member.role.parse().unwrap(),
                    departments: member
                        .departments
                        .iter()
                        .map(|code| sanad_domain::Code::parse(code).unwrap())
                        .collect(),
                    password_hash: Some(hash.clone()),
                },
                now,
            )
            .await
            .unwrap();
    }
    let state = AppState {
        store: store.clone(),
        clock: clock.clone(),
        metrics: sanad_web::metrics_handle(),
    };
    let app = sanad_web::router(state, &WebSettings::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    UiApp {
        base,
        store,
        clock,
        diplomas,
        training,
        _directory: directory,
    }
}

/// Creates an agent of e-training's technical support (the shared staff all belong to
/// diplomas). Only an agent given a `password` can sign in.
pub async fn create_training_agent(
    app: &UiApp,
    email: &str,
    name: &str,
    password: Option<&str>,
) -> Actor {
    let user = app
        .store
        .create_user(
            app.training.id,
            &sanad_store::NewUser {
                email: sanad_domain::EmailAddress::parse(email).unwrap(),
                name: sanad_domain::PersonName::parse(name).unwrap(),
                role: "agent".parse().unwrap(),
                departments: vec![sanad_domain::Code::parse("technical-support").unwrap()],
                password_hash: password
                    .map(|password| sanad_web::ui::auth::hash_password(password).unwrap()),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    Actor::Staff {
        id: user.id,
        name: user.name,
    }
}

/// The e-training agent who answers visitors in the live-chat tests, from the store: she never
/// signs in.
pub async fn training_agent(app: &UiApp) -> Actor {
    create_training_agent(app, "maha.agent@e-training.example.sa", "مها الشمري", None).await
}

/// Writes a message of `kind` on ticket `number` of `org`, as `by`, at the simulated now.
pub async fn say(
    app: &UiApp,
    org: &Organization,
    number: &str,
    kind: sanad_domain::MessageKind,
    body: &str,
    by: &Actor,
) {
    app.store
        .add_message(
            org,
            number,
            &sanad_store::NewMessage {
                kind,
                body: sanad_domain::MessageBody::parse(body).unwrap(),
                attachments: Vec::new(),
            },
            by,
            app.clock.now(),
        )
        .await
        .unwrap();
}

/// Registers a ticket of `kind` from Layla in diplomas and routes it to `department`; returns
/// its number.
pub async fn routed_ticket(
    app: &UiApp,
    kind: sanad_domain::TicketKind,
    subject: &str,
    body: &str,
    contact: RequesterContact,
    department: &str,
) -> String {
    let number = register_ticket(
        app,
        &NewTicket {
            kind,
            channel: sanad_domain::Channel::Email,
            subject: sanad_domain::Subject::parse(subject).unwrap(),
            body: sanad_domain::MessageBody::parse(body).unwrap(),
            category: None,
            requester: NewRequester {
                name: sanad_domain::PersonName::parse("ليلى الحمدان").unwrap(),
                contact,
                requester_type: sanad_domain::RequesterType::Trainee,
            },
            attachments: Vec::new(),
        },
    )
    .await;
    app.store
        .change_ticket(
            &app.diplomas,
            &number,
            &TicketChanges {
                departments: Some(vec![sanad_domain::Code::parse(department).unwrap()]),
                ..TicketChanges::default()
            },
            &Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();
    number
}

/// Registers `ticket` in diplomas, as the system, at the simulated now; returns its number.
pub async fn register_ticket(app: &UiApp, ticket: &NewTicket) -> String {
    app.store
        .create_ticket(&app.diplomas, ticket, None, &Actor::System, app.clock.now())
        .await
        .unwrap()
        .ticket
        .number
}

// ---- the knowledge base ----------------------------------------------------------------------

/// Files a knowledge-base category of diplomas.
pub async fn create_kb_category(
    app: &UiApp,
    code: &str,
    name_ar: &str,
    name_en: &str,
    position: i64,
) {
    app.store
        .create_kb_category(
            app.diplomas.id,
            &KbCategoryCode::parse(code).unwrap(),
            &KbCategoryInput {
                name_ar: KbCategoryName::parse(name_ar).unwrap(),
                name_en: KbCategoryName::parse(name_en).unwrap(),
                position,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
}

/// An article as its editor writes it (`slug: None` makes the address from the title).
pub fn article_input(
    slug: Option<&str>,
    language: ArticleLanguage,
    title: &str,
    body: &str,
    category: Option<&str>,
    status: ArticleStatus,
) -> KbArticleInput {
    KbArticleInput {
        slug: slug.map(|slug| ArticleSlug::parse(slug).unwrap()),
        language,
        title: ArticleTitle::parse(title).unwrap(),
        body: ArticleBody::parse(body).unwrap(),
        category: category.map(|code| KbCategoryCode::parse(code).unwrap()),
        status,
    }
}

/// Writes an article of diplomas, by no one in particular, at the simulated now.
pub async fn create_article(app: &UiApp, input: &KbArticleInput) -> KbArticle {
    app.store
        .create_kb_article(app.diplomas.id, input, None, app.clock.now())
        .await
        .unwrap()
}

/// The figures of a diplomas article.
pub async fn figures_of(app: &UiApp, article_id: i64) -> KbArticleFigures {
    app.store
        .kb_article_figures(app.diplomas.id, article_id)
        .await
        .unwrap()
}

/// A diplomas article as stored.
pub async fn article_of(app: &UiApp, article_id: i64) -> KbArticle {
    app.store
        .kb_article(app.diplomas.id, article_id)
        .await
        .unwrap()
        .unwrap()
}

/// What became of a visit (by its token's digest) to `org`'s new-request form.
pub async fn outcomes_of(
    app: &UiApp,
    org: &Organization,
    digest: &str,
) -> Vec<(SuggestionOutcome, i64)> {
    app.store.kb_visit_outcomes(org.id, digest).await.unwrap()
}

/// Outcomes of a visit as [`outcomes_of`] lists them: shown, opened, deflected, submitted.
pub fn outcome_counts(counts: [i64; 4]) -> Vec<(SuggestionOutcome, i64)> {
    [
        SuggestionOutcome::Shown,
        SuggestionOutcome::Opened,
        SuggestionOutcome::Deflected,
        SuggestionOutcome::Submitted,
    ]
    .into_iter()
    .zip(counts)
    .collect()
}

/// The comment of the newest verdict with one on a diplomas article.
pub async fn newest_comment_of(app: &UiApp, article_id: i64) -> Option<String> {
    let comments = app
        .store
        .kb_feedback_comments(app.diplomas.id, article_id, 5)
        .await
        .unwrap();
    comments[0].comment.clone()
}

// ---- over HTTP, as a browser ---------------------------------------------------------------------

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `_csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The text between the first `start` in `text` and the next `end` after it.
pub fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let to = text[from..].find(end).unwrap() + from;
    text[from..to].to_owned()
}

pub async fn get_text(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// A response's `Content-Type`, or nothing.
pub fn content_type_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Sends `request` and reads its body as text, whatever the status.
pub async fn text_of(request: reqwest::RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// Sends `request` and reads its body as JSON, whatever the status.
pub async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Signs `email` in to the diplomas desk and returns the response to the password step.
pub async fn sign_in(
    app: &UiApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let (_, page) = get_text(client, &app.url("/o/diplomas/login")).await;
    client
        .post(app.url("/o/diplomas/login"))
        .form(&[
            ("_csrf", csrf_of(&page).as_str()),
            ("email", email),
            ("password", password),
            ("next", "/o/diplomas/desk"),
        ])
        .send()
        .await
        .unwrap()
}

/// A [`browser`] client signed in to the diplomas desk as `email`.
pub async fn signed_in(app: &UiApp, email: &str) -> reqwest::Client {
    let client = browser();
    let response = sign_in(app, &client, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
    client
}

/// Posts a form with the CSRF token of the page at `page_path`.
pub async fn post_form(
    client: &reqwest::Client,
    app: &UiApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, page) = get_text(client, &app.url(page_path)).await;
    let csrf = csrf_of(&page);
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client
        .post(app.url(action))
        .form(&all)
        .send()
        .await
        .unwrap()
}

/// A [`browser`] on the app under test, which names pages by their paths.
pub struct Visitor<'a> {
    pub app: &'a UiApp,
    pub client: reqwest::Client,
}

impl<'a> Visitor<'a> {
    /// Someone who has not signed in.
    pub fn anonymous(app: &'a UiApp) -> Self {
        Visitor {
            app,
            client: browser(),
        }
    }

    /// A staff member signed in to the diplomas desk as `email`.
    pub async fn signed_in(app: &'a UiApp, email: &str) -> Self {
        Visitor {
            app,
            client: signed_in(app, email).await,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        get_text(&self.client, &self.app.url(path)).await
    }

    /// Posts `fields` to `action` with the CSRF token of the page at `page`.
    pub async fn post(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        post_form(&self.client, self.app, page, action, fields).await
    }

    /// Posts the form of the page at `page` to that page.
    pub async fn submit(&self, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post(page, page, fields).await
    }
}

/// Reads a server-sent-events stream until every `wanted` text has arrived in `seen`; gives up
/// after 30 s, ten times the server's beat (a safety net against a hung test, not a measurement).
pub async fn read_events_until(
    response: &mut reqwest::Response,
    seen: &mut String,
    wanted: &[&str],
) {
    let found = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !wanted.iter().all(|text| seen.contains(text)) {
            match response.chunk().await.unwrap() {
                Some(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                None => break,
            }
        }
    })
    .await;
    assert!(
        found.is_ok() && wanted.iter().all(|text| seen.contains(text)),
        "expected {wanted:?} in the event stream, got: {seen}"
    );
}
