//! Black-box tests of the REST API: a real server on port 0 with a fresh database, driven over
//! HTTP, on SQLite and on PostgreSQL. Time is a test-controlled clock.

use jiff::Timestamp;
use reqwest::StatusCode;
use sanad_store::{AttachmentStore, DatabaseUrl, Store};
use sanad_web::{AppState, Clock, WebSettings};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

struct TestClock(Mutex<Timestamp>);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance_hours(&self, hours: i64) {
        let mut now = self.0.lock().unwrap();
        *now += jiff::SignedDuration::from_hours(hours);
    }
}

struct TestApp {
    base: String,
    client: reqwest::Client,
    /// Tokens of two organizations, for isolation tests.
    token_a: String,
    token_b: String,
    clock: Arc<TestClock>,
    store: Store,
    _directory: tempfile::TempDir,
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

async fn spawn_app(backend: Backend) -> TestApp {
    let directory = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => DatabaseUrl::parse(&format!(
            "sqlite://{}",
            directory.path().join("api.db").display()
        ))
        .unwrap(),
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
                "api_{}",
                &sanad_store::secrets::sha256_hex(unique.as_bytes())[..16]
            );
            sanad_store::schemas::fresh_postgres_schema(&server, &schema)
                .await
                .expect("PostgreSQL must be running")
        }
    };
    let store = Store::open(
        &url,
        AttachmentStore::local_directory(&directory.path().join("files")).unwrap(),
    )
    .await
    .unwrap();
    let clock = Arc::new(TestClock(Mutex::new(
        "2026-11-22T08:00:00Z".parse().unwrap(),
    )));
    let mut tokens = Vec::new();
    for (slug, prefix) in [("engineering-tracks", "ET"), ("other-academy", "OA")] {
        let new = sanad_store::NewOrganization {
            slug: sanad_domain::OrgSlug::parse(slug).unwrap(),
            name: slug.into(),
            ticket_prefix: sanad_domain::TicketPrefix::parse(prefix).unwrap(),
            time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
            time_zone_name: "Asia/Riyadh".into(),
            reopen_window_hours: 72,
        };
        let org = store.create_organization(&new, clock.now()).await.unwrap();
        let secret = sanad_store::secrets::generate_token();
        store
            .create_api_token(
                org.id,
                "tests",
                &sanad_store::secrets::token_digest(&secret),
                clock.now(),
            )
            .await
            .unwrap();
        tokens.push(secret);
    }
    let state = AppState {
        store: store.clone(),
        clock: clock.clone(),
        metrics: sanad_web::metrics_handle(),
    };
    let settings = WebSettings {
        max_request_bytes: 64 * 1024,
        ..WebSettings::default()
    };
    let app = sanad_web::router(state, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        base,
        client: reqwest::Client::new(),
        token_b: tokens.pop().unwrap(),
        token_a: tokens.pop().unwrap(),
        clock,
        store,
        _directory: directory,
    }
}

impl TestApp {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, &self.token_a, Some(body))
            .await
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, &self.token_a, None)
            .await
    }
    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, &self.token_a, Some(body))
            .await
    }
    async fn transition(&self, number: &str, to: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/api/v1/tickets/{number}/transitions"),
            json!({ "to": to }),
        )
        .await
    }
}

fn complaint() -> Value {
    json!({
        "kind": "complaint",
        "channel": "web_form",
        "subject": "لم تصدر شهادة الدورة",
        "body": "أنهيت دورة إدارة المشاريع ولم تصدر الشهادة.",
        "category": "certificates",
        "requester": { "name": "نورة القحطاني", "email": "noura@example.sa", "type": "trainee" }
    })
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::spawn_app(super::Backend::Sqlite).await).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::spawn_app(super::Backend::Postgres).await).await }) *
        }
    };
}

on_both_backends!(
    a_ticket_is_created_read_and_taken_through_its_lifecycle,
    a_repeated_post_with_one_idempotency_key_creates_one_ticket,
    one_organization_never_sees_another_organizations_tickets,
    bad_input_gets_problem_json_never_a_server_error,
    departments_and_categories_have_crud,
    health_and_openapi_are_served,
    service_levels_are_visible_and_actionable,
    staff_logged_contacts_are_required_checked_and_returned,
    a_caller_is_found_by_phone_or_email_with_open_tickets,
);

async fn a_ticket_is_created_read_and_taken_through_its_lifecycle(app: TestApp) {
    let response = app
        .client
        .post(format!("{}/api/v1/tickets", app.base))
        .bearer_auth(&app.token_a)
        .json(&complaint())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()["location"],
        "/api/v1/tickets/ET-2026-000001"
    );
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["number"], "ET-2026-000001");
    assert_eq!(created["status"], "registered");
    assert!(created["id"].is_i64());
    assert_eq!(created["departments"], json!(["student-affairs"]));

    let number = "ET-2026-000001";
    let (status, ticket) = app
        .patch(
            &format!("/api/v1/tickets/{number}"),
            json!({"complexity": "routine", "importance": "high"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    assert_eq!(ticket["status"], "routed");
    // An illegal move is refused with a message naming both states.
    let (status, problem) = app.transition(number, "closed").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        problem["detail"],
        "a ticket cannot move from 'routed' to 'closed'"
    );
    assert_eq!(
        app.transition(number, "in_progress").await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.transition(number, "waiting_on_requester").await.0,
        StatusCode::OK
    );
    app.clock.advance_hours(2);
    let (status, message) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({"kind": "requester_message", "body": "رقم الطلب ١٢٣٤"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    let (status, reply) = app
        .post(
            &format!("/api/v1/tickets/{number}/messages"),
            json!({"kind": "public_reply", "body": "صدرت الشهادة، تجدها مرفقة.", "attachments": [{"filename": "certificate.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQK"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let attachment_url = reply["attachments"][0]["url"].as_str().unwrap().to_owned();
    let download = app
        .client
        .get(format!("{}{attachment_url}", app.base))
        .bearer_auth(&app.token_a)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
    assert_eq!(
        app.transition(number, "resolved").await.1["status"],
        "resolved"
    );
    assert_eq!(app.transition(number, "closed").await.1["status"], "closed");
    // After the 72-hour reopen window the requester must open a new ticket.
    app.clock.advance_hours(73);
    let (status, problem) = app.transition(number, "in_progress").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("reopen window"),
        "{problem}"
    );

    let (status, detail) = app
        .get(&format!("/api/v1/tickets/{}", number.to_lowercase()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["messages"].as_array().unwrap().len(), 3);
    let history: Vec<String> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["field"] == "status")
        .map(|event| event["after"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        history,
        [
            "registered",
            "classified",
            "routed",
            "in_progress",
            "waiting_on_requester",
            "in_progress",
            "resolved",
            "closed"
        ]
    );
    assert_eq!(detail["events"][0]["kind"], "created");
    assert_eq!(detail["events"][0]["actor"]["kind"], "token");
}

async fn a_repeated_post_with_one_idempotency_key_creates_one_ticket(app: TestApp) {
    let send = |body: Value| {
        app.client
            .post(format!("{}/api/v1/tickets", app.base))
            .bearer_auth(&app.token_a)
            .header("Idempotency-Key", "form-submission-7f3a")
            .json(&body)
            .send()
    };
    let first = send(complaint()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = send(complaint()).await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_eq!(first["number"], second["number"]);
    let (_, list) = app.get("/api/v1/tickets").await;
    assert_eq!(list["tickets"].as_array().unwrap().len(), 1);
    let mut changed = complaint();
    changed["subject"] = json!("موضوع آخر");
    let third = send(changed).await.unwrap();
    assert_eq!(third.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(third.headers()["content-type"], "application/problem+json");
}

async fn one_organization_never_sees_another_organizations_tickets(app: TestApp) {
    let (_, created) = app.post("/api/v1/tickets", complaint()).await;
    let number = created["number"].as_str().unwrap();
    let as_b = |method: reqwest::Method, path: String, body: Option<Value>| {
        app.send(method, Box::leak(path.into_boxed_str()), &app.token_b, body)
    };
    assert_eq!(
        as_b(
            reqwest::Method::GET,
            format!("/api/v1/tickets/{number}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (status, list) = as_b(reqwest::Method::GET, "/api/v1/tickets".into(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["tickets"], json!([]));
    assert_eq!(
        as_b(
            reqwest::Method::PATCH,
            format!("/api/v1/tickets/{number}"),
            Some(json!({"importance": "low"}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        as_b(
            reqwest::Method::POST,
            format!("/api/v1/tickets/{number}/transitions"),
            Some(json!({"to": "cancelled", "reason": "x"}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        as_b(
            reqwest::Method::POST,
            format!("/api/v1/tickets/{number}/messages"),
            Some(json!({"kind": "public_reply", "body": "x"}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // B's own ticket gets B's own numbering, and A still sees exactly its own.
    let (_, theirs) = as_b(
        reqwest::Method::POST,
        "/api/v1/tickets".into(),
        Some(complaint()),
    )
    .await;
    assert_eq!(theirs["number"], "OA-2026-000001");
    let (_, mine) = app.get("/api/v1/tickets").await;
    let numbers: Vec<&str> = mine["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ticket| ticket["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [number]);
}

async fn bad_input_gets_problem_json_never_a_server_error(app: TestApp) {
    let raw = |body: &'static str, content_type: Option<&'static str>, token: Option<&str>| {
        let mut request = app
            .client
            .post(format!("{}/api/v1/tickets", app.base))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let json_type = Some("application/json");
    let token = Some(app.token_a.as_str());
    let cases: Vec<(&str, reqwest::Response, StatusCode)> = vec![
        ("malformed JSON", raw("{\"kind\": ", json_type, token).await.unwrap(), StatusCode::BAD_REQUEST),
        ("wrong type", raw(r#"{"kind":"complaint","channel":"web_form","subject":42,"body":"b","requester":{"name":"n","email":"a@example.sa","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown enum value", raw(r#"{"kind":"grievance","channel":"web_form","subject":"s","body":"b","requester":{"name":"n","email":"a@example.sa","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("missing field", raw(r#"{"kind":"complaint","channel":"web_form","body":"b","requester":{"name":"n","email":"a@example.sa","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown field", raw(r#"{"kind":"complaint","channel":"web_form","subject":"s","body":"b","catgory":"x","requester":{"name":"n","email":"a@example.sa","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("no contact", raw(r#"{"kind":"complaint","channel":"web_form","subject":"s","body":"b","requester":{"name":"n","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("unknown category", raw(r#"{"kind":"complaint","channel":"web_form","subject":"s","body":"b","category":"nowhere","requester":{"name":"n","email":"a@example.sa","type":"trainee"}}"#, json_type, token).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ("no content type", raw("{}", None, token).await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("no token", raw("{}", json_type, None).await.unwrap(), StatusCode::UNAUTHORIZED),
        ("unknown token", raw("{}", json_type, Some("sanad_not-a-real-token")).await.unwrap(), StatusCode::UNAUTHORIZED),
    ];
    for (name, response, expected) in cases {
        assert_eq!(response.status(), expected, "{name}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{name}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], expected.as_u16(), "{name}");
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{name}");
    }
    // The server answers 413 without reading the rest of the body and then closes the
    // connection; `connection: close` keeps the client from putting that connection back in
    // its pool, where the next request raced the close and failed with a broken pipe.
    let oversize = app
        .client
        .post(format!("{}/api/v1/tickets", app.base))
        .bearer_auth(&app.token_a)
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(format!(
            "{{\"kind\":\"complaint\",\"body\":\"{}\"}}",
            "ا".repeat(100_000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(oversize.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        oversize.headers()["content-type"],
        "application/problem+json"
    );
    let (status, problem) = app.get("/api/v1/tickets?cursor=garbage&limit=1000").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["cursor", "limit"]);
    assert_eq!(
        app.get("/api/v1/tickets?status=lost").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/tickets?assignee=abc").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/tickets/not-a-number").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/api/v1/nowhere").await.0, StatusCode::NOT_FOUND);
    let (status, problem) = app.post("/api/v1/tickets", json!({"kind": "complaint", "channel": "email", "subject": "s", "body": "b",
        "requester": {"name": "n", "email": "a@example.sa", "type": "trainee"},
        "attachments": [{"filename": "../../etc/passwd", "content_type": "text/plain", "content_base64": "eA=="}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "attachments[0].filename");
}

async fn departments_and_categories_have_crud(app: TestApp) {
    let (status, departments) = app.get("/api/v1/departments").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(departments.as_array().unwrap().len(), 6);
    let (status, created) = app
        .post(
            "/api/v1/departments",
            json!({"code": "quality", "name_ar": "الجودة", "name_en": "Quality"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        app.post(
            "/api/v1/departments",
            json!({"code": "quality", "name_ar": "x", "name_en": "y"})
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(
            "/api/v1/departments",
            json!({"code": "Bad Code", "name_ar": "", "name_en": "y"})
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, renamed) = app
        .send(reqwest::Method::PUT, "/api/v1/departments/quality", &app.token_a, Some(json!({"code": "quality", "name_ar": "ضمان الجودة", "name_en": "Quality assurance"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name_ar"], "ضمان الجودة");
    let (status, category) = app
        .post("/api/v1/categories", json!({"code": "accreditation", "name_ar": "الاعتماد", "name_en": "Accreditation", "default_department": "quality"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{category}");
    let mut ticket = complaint();
    ticket["category"] = json!("accreditation");
    let (_, created_ticket) = app.post("/api/v1/tickets", ticket).await;
    assert_eq!(created_ticket["departments"], json!(["quality"]));
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            "/api/v1/categories/accreditation",
            &app.token_a,
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.send(
            reqwest::Method::DELETE,
            "/api/v1/departments/nowhere",
            &app.token_a,
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // The other organization's catalogue is untouched.
    let (_, theirs) = app
        .send(
            reqwest::Method::GET,
            "/api/v1/departments",
            &app.token_b,
            None,
        )
        .await;
    assert_eq!(theirs.as_array().unwrap().len(), 6);
}

async fn health_and_openapi_are_served(app: TestApp) {
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let document: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/transitions",
        "/api/v1/tickets/{number}/messages",
        "/api/v1/departments",
        "/api/v1/categories",
        "/healthz",
    ] {
        assert!(
            document["paths"][path].is_object(),
            "{path} is not documented"
        );
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("sanad_http_requests_total"), "{metrics}");
    let index = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("dir=\"rtl\""));
}

async fn service_levels_are_visible_and_actionable(app: TestApp) {
    let org = app
        .store
        .organization_by_slug("engineering-tracks")
        .await
        .unwrap()
        .unwrap();
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/seed-004-diplomas-platform.toml"
    ))
    .unwrap();
    app.store
        .apply_policy(
            &org,
            "seed-004.toml",
            &policy,
            sanad_store::RecomputeDeadlines::KeepRunning,
            app.clock.now(),
        )
        .await
        .unwrap();
    // Sunday 22 November, 11:00 in Riyadh; e-mail is answered within 24 working hours.
    let mut ticket = complaint();
    ticket["channel"] = json!("email");
    let (status, created) = app.post("/api/v1/tickets", ticket).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let number = created["number"].as_str().unwrap().to_owned();
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let first = detail["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|target| target["target"] == "first_response")
        .unwrap()
        .clone();
    assert_eq!(first["state"], "running");
    assert_eq!(first["duration"], "24 working hours");
    // Sunday 5 h + Monday 8 h + Tuesday 8 h + Wednesday 3 h: Wednesday 11:00 local.
    assert_eq!(first["deadline"], "2026-11-25T08:00:00Z");
    let escalate = json!({"message": "هذه المحاولة الثانية، لم يصلني رد على رسالتي الأولى"});
    let (status, problem) = app
        .post(
            &format!("/api/v1/tickets/{number}/escalations"),
            escalate.clone(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no target has lapsed yet: {problem}"
    );

    // Past the deadline the sweep breaches the target and the ladder's first stage starts; the
    // requester then escalates to the next stage.
    app.clock.advance_hours(80);
    let report = app
        .store
        .fire_due_timers("api-test", app.clock.now(), 100)
        .await
        .unwrap();
    assert!(report.fired >= 1);
    let (status, escalation) = app
        .post(&format!("/api/v1/tickets/{number}/escalations"), escalate)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{escalation}");
    assert_eq!(escalation["stage"], 2);
    assert_eq!(escalation["reason"], "requester");

    let cause = |category: &str| {
        json!({
            "target": "first_response",
            "category": category,
            "description": "لم يُراقب صندوق البريد أثناء الإجازة",
            "corrective_action": "تعيين بديل أثناء الإجازات"
        })
    };
    let (status, problem) = app
        .post(
            &format!("/api/v1/tickets/{number}/root-causes"),
            cause("bad-luck"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("staffing"),
        "the message lists the categories: {problem}"
    );
    let (status, recorded) = app
        .post(
            &format!("/api/v1/tickets/{number}/root-causes"),
            cause("staffing"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    assert_eq!(
        app.post(
            &format!("/api/v1/tickets/{number}/root-causes"),
            cause("process")
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (_, detail) = app.get(&format!("/api/v1/tickets/{number}")).await;
    let first = detail["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|target| target["target"] == "first_response")
        .unwrap()
        .clone();
    assert_eq!(first["state"], "breached");
    assert_eq!(detail["escalations"].as_array().unwrap().len(), 2);
    assert_eq!(detail["root_causes"][0]["category"], "staffing");
}

/// A staff member of the first organization, who takes calls and meets trainees.
async fn staff_member(app: &TestApp, email: &str, role: &str) -> i64 {
    let org = app
        .store
        .organization_by_slug("engineering-tracks")
        .await
        .unwrap()
        .unwrap();
    app.store
        .create_user(
            org.id,
            &sanad_store::NewUser {
                email: sanad_domain::EmailAddress::parse(email).unwrap(),
                name: sanad_domain::PersonName::parse("Reem Al-Harbi").unwrap(),
                role: role.parse().unwrap(),
                departments: Vec::new(),
                password_hash: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap()
        .id
}

fn logged_contact(channel: &str, contact: Value) -> Value {
    json!({
        "kind": "inquiry",
        "channel": channel,
        "subject": "موعد الاختبار النهائي",
        "body": "سأل المتدرب عن موعد الاختبار النهائي لدورة السلامة.",
        "requester": { "name": "فهد العتيبي", "phone": "0500000011", "type": "trainee" },
        "contact": contact
    })
}

/// The fields a 422 problem names.
fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no field errors in {problem}"))
        .iter()
        .map(|error| error["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn staff_logged_contacts_are_required_checked_and_returned(app: TestApp) {
    let agent = staff_member(&app, "reem.agent@example.sa", "agent").await;
    let regulator = staff_member(&app, "regulator.office@example.sa", "supervisor").await;
    let refused: Vec<(&str, Value, &[&str])> = vec![
        // Required for the channels staff log…
        (
            "phone without contact",
            {
                let mut body = logged_contact("phone", json!(null));
                body.as_object_mut().unwrap().remove("contact");
                body
            },
            &["contact"],
        ),
        // …and refused for the others.
        (
            "web form with contact",
            logged_contact(
                "web_form",
                json!({ "logged_by_id": agent, "call_minutes": 3 }),
            ),
            &["contact"],
        ),
        (
            "in class without room manager",
            logged_contact(
                "in_class",
                json!({ "logged_by_id": agent, "course_session": "السلامة المهنية — الجلسة 3" }),
            ),
            &["contact.room_manager"],
        ),
        (
            "remote session without tool, over a day",
            logged_contact(
                "remote_session",
                json!({ "logged_by_id": agent, "remote_minutes": 1441 }),
            ),
            &["contact.remote_tool", "contact.remote_minutes"],
        ),
        (
            "phone with a classroom field and negative minutes",
            logged_contact(
                "phone",
                json!({ "logged_by_id": agent, "call_minutes": -5, "room_manager": "Reem" }),
            ),
            &["contact.call_minutes", "contact.room_manager"],
        ),
        (
            "nobody logged it",
            logged_contact("phone", json!({ "call_minutes": 4 })),
            &["contact.logged_by_id"],
        ),
        (
            "an unknown staff member",
            logged_contact(
                "phone",
                json!({ "logged_by_id": 999_999, "call_minutes": 4 }),
            ),
            &["contact.logged_by_id"],
        ),
        (
            "a read-only regulator",
            logged_contact(
                "phone",
                json!({ "logged_by_id": regulator, "call_minutes": 4 }),
            ),
            &["contact.logged_by_id"],
        ),
    ];
    for (case, body, fields) in refused {
        let response = app
            .client
            .post(format!("{}/api/v1/tickets", app.base))
            .bearer_auth(&app.token_a)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{case}"
        );
        let problem: Value = response.json().await.unwrap();
        let named = problem_fields(&problem);
        for field in fields {
            assert!(
                named.iter().any(|n| n == field),
                "{case}: {field} not in {problem}"
            );
        }
    }
    let org = app
        .store
        .organization_by_slug("engineering-tracks")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store.count_tickets(org.id).await.unwrap(),
        0,
        "nothing was stored"
    );

    let (status, created) = app
        .post(
            "/api/v1/tickets",
            logged_contact(
                "in_class",
                json!({ "logged_by_id": agent, "room_manager": " ريم الحربي ", "course_session": "السلامة المهنية — الجلسة 3" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, detail) = app
        .get(&format!(
            "/api/v1/tickets/{}",
            created["number"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        detail["contact"],
        json!({ "logged_by_id": agent, "room_manager": "ريم الحربي", "course_session": "السلامة المهنية — الجلسة 3" })
    );
    let (status, call) = app
        .post(
            "/api/v1/tickets",
            logged_contact(
                "phone",
                json!({ "logged_by_id": agent, "call_minutes": 1440 }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let (_, detail) = app
        .get(&format!(
            "/api/v1/tickets/{}",
            call["number"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        detail["contact"],
        json!({ "logged_by_id": agent, "call_minutes": 1440 })
    );
    // Tickets that did not come through staff carry no contact.
    let (status, web) = app.post("/api/v1/tickets", complaint()).await;
    assert_eq!(status, StatusCode::CREATED, "{web}");
    let (_, detail) = app
        .get(&format!(
            "/api/v1/tickets/{}",
            web["number"].as_str().unwrap()
        ))
        .await;
    assert!(detail.get("contact").is_none(), "{detail}");
}

async fn a_caller_is_found_by_phone_or_email_with_open_tickets(app: TestApp) {
    let caller = |subject: &str| {
        json!({
            "kind": "inquiry",
            "channel": "web_form",
            "subject": subject,
            "body": "أحتاج إلى مساعدة في التسجيل.",
            "category": "certificates",
            "requester": { "name": "سارة الشهري", "email": "sara@example.sa", "phone": "0500000012", "type": "trainee" }
        })
    };
    let (status, first) = app
        .post("/api/v1/tickets", caller("التسجيل في الدورة"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = app.post("/api/v1/tickets", caller("شهادة الدورة")).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let first = first["number"].as_str().unwrap().to_owned();
    let second = second["number"].as_str().unwrap().to_owned();
    // The first is resolved: only the second still waits.
    let (status, routed) = app
        .patch(
            &format!("/api/v1/tickets/{first}"),
            json!({"complexity": "routine", "importance": "low"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{routed}");
    assert_eq!(
        app.transition(&first, "in_progress").await.0,
        StatusCode::OK
    );
    assert_eq!(app.transition(&first, "resolved").await.0, StatusCode::OK);

    for query in [
        "phone=%2B966500000012",
        "phone=0500000012",
        // Arabic-Indic digits, as an agent's keyboard may type them.
        "phone=%D9%A0%D9%A5%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0%D9%A0%D9%A1%D9%A2",
        "email=sara@example.sa",
    ] {
        let (status, found) = app.get(&format!("/api/v1/requesters?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {found}");
        assert_eq!(found["name"], "سارة الشهري", "{query}");
        assert_eq!(found["phone"], "+966500000012");
        assert_eq!(found["email"], "sara@example.sa");
        assert_eq!(found["type"], "trainee");
        assert_eq!(found["open_tickets"], json!([second]), "{query}");
    }
    let (status, problem) = app.get("/api/v1/requesters?phone=%2B966500000099").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["status"], 404);
    // Another organization does not know this caller.
    let (status, _) = app
        .send(
            reqwest::Method::GET,
            "/api/v1/requesters?phone=0500000012",
            &app.token_b,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (query, field) in [
        ("", "phone"),
        ("phone=0500000012&email=sara@example.sa", "phone"),
        ("phone=not-a-number", "phone"),
        ("email=nobody", "email"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/requesters?{query}")).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(problem_fields(&problem), vec![field.to_owned()], "{query}");
    }
    let document: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["paths"]["/api/v1/requesters"]["get"].is_object());
    assert!(document["components"]["schemas"]["ContactInput"].is_object());
}
