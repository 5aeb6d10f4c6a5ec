//! What the page tests share: a real server on port 0 over a fresh database (SQLite or
//! PostgreSQL), with two training providers under published policies and staff of every role.
#![allow(dead_code)]

use jiff::Timestamp;
use sanad_store::{Actor, AttachmentStore, DatabaseUrl, Organization, Store};
use sanad_web::{AppState, Clock, WebSettings};
use std::sync::{Arc, Mutex};

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
