//! What the cloud adapter tests share: a local contract fake server that records every request
//! and answers as the test scripts it, the JSON fixtures, and a ready-made outbound message.
//!
//! Each test file describes its provider's contract in a `check_request` function; the fake
//! answers a request that breaks it with 400, so an adapter that sends the wrong shape fails
//! the test instead of passing against a lenient stand-in.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use sanad_channels::{OutboundMessage, OutboundOrigin, OutboundThread};
use sanad_domain::Channel;
use sanad_domain::policy::Lang;
use serde_json::{Value, json};

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: Method,
    /// The path and query, as sent.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the recorded body is JSON")
    }
}

/// What the fake does with the next request, instead of its provider's normal success answer.
#[derive(Debug, Clone)]
pub enum ScriptedReply {
    Answer(StatusCode, Value),
    /// Never answers, so the client's timeout fires.
    Hang,
}

/// The provider-specific parts of a fake.
pub struct Contract {
    /// Returns why the request breaks the contract, or `Ok` when it is right.
    pub check_request: fn(&RecordedRequest) -> Result<(), String>,
    /// The status and body of a successful answer; `sequence` counts accepted requests from 1.
    pub success: fn(&RecordedRequest, usize) -> (StatusCode, Value),
    /// The provider's error body for a request that breaks the contract.
    pub rejection: fn(&str) -> Value,
}

/// How a provider that is down answers every request (after recording and checking it), until
/// [`FakeProvider::set_outage`] ends it.
#[derive(Debug, Clone)]
pub struct Outage {
    pub status: StatusCode,
    /// The `Retry-After` header to send, as written (seconds or an HTTP date).
    pub retry_after: Option<String>,
    pub body: Value,
}

/// A standing refusal of some requests (an unknown recipient, say): the answer for a request it
/// matches, or `None` to let the request through.
pub type Refusal = fn(&RecordedRequest) -> Option<(StatusCode, Value)>;

struct FakeState {
    contract: Contract,
    requests: Mutex<Vec<RecordedRequest>>,
    scripted_replies: Mutex<VecDeque<ScriptedReply>>,
    accepted: Mutex<usize>,
    /// Every request with the status it was answered with, in the order of the answers.
    exchanges: Mutex<Vec<(RecordedRequest, StatusCode)>>,
    outage: Mutex<Option<Outage>>,
    refusals: Mutex<Vec<Refusal>>,
    /// The address the fake listens on, kept when it stops so that it comes back on the same
    /// one, as a provider's endpoint does after an outage.
    address: std::net::SocketAddr,
    /// The running server: its shutdown signal and task, `None` while stopped.
    server: Mutex<
        Option<(
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<()>,
        )>,
    >,
}

/// A running fake provider on `127.0.0.1` with a port the system chose.
#[derive(Clone)]
pub struct FakeProvider {
    pub base_url: String,
    state: Arc<FakeState>,
}

impl FakeProvider {
    pub async fn start(contract: Contract) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let address = listener.local_addr().expect("the bound address");
        let state = Arc::new(FakeState {
            contract,
            requests: Mutex::new(Vec::new()),
            scripted_replies: Mutex::new(VecDeque::new()),
            accepted: Mutex::new(0),
            exchanges: Mutex::new(Vec::new()),
            outage: Mutex::new(None),
            refusals: Mutex::new(Vec::new()),
            address,
            server: Mutex::new(None),
        });
        serve(&state, listener);
        Self {
            base_url: format!("http://{address}"),
            state,
        }
    }

    /// Stops listening: open connections are closed and new ones refused, as when the
    /// provider's endpoint is down. Returns once the port is released.
    pub async fn stop_listening(&self) {
        let server = self.state.server.lock().expect("lock").take();
        if let Some((shutdown, task)) = server {
            let _ = shutdown.send(());
            task.await.expect("the fake stops cleanly");
        }
    }

    /// Listens again on the same address after [`Self::stop_listening`].
    pub async fn resume_listening(&self) {
        if self.state.server.lock().expect("lock").is_some() {
            return;
        }
        let listener = tokio::net::TcpListener::bind(self.state.address)
            .await
            .expect("the fake's port is free again");
        serve(&self.state, listener);
    }

    /// Answers every request with `outage` from now on, or normally again with `None`.
    pub fn set_outage(&self, outage: Option<Outage>) {
        *self.state.outage.lock().expect("lock") = outage;
    }

    /// Refuses the requests `refusal` matches (after any outage answer), for good.
    pub fn refuse(&self, refusal: Refusal) {
        self.state.refusals.lock().expect("lock").push(refusal);
    }

    /// Every request that got an answer, with the answer's status, in the order answered (a
    /// request that hangs is not here).
    pub fn exchanges(&self) -> Vec<(RecordedRequest, StatusCode)> {
        self.state.exchanges.lock().expect("lock").clone()
    }

    /// The requests answered with a success (2xx), in order.
    pub fn accepted_requests(&self) -> Vec<RecordedRequest> {
        self.exchanges()
            .into_iter()
            .filter(|(_, status)| status.is_success())
            .map(|(request, _)| request)
            .collect()
    }

    /// Makes the next request get `reply` (after it is recorded and checked).
    pub fn script(&self, reply: ScriptedReply) {
        self.state
            .scripted_replies
            .lock()
            .expect("lock")
            .push_back(reply);
    }

    pub fn answer_next(&self, status: u16, body: Value) {
        self.script(ScriptedReply::Answer(
            StatusCode::from_u16(status).expect("a valid status"),
            body,
        ));
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.lock().expect("lock").clone()
    }

    pub fn only_request(&self) -> RecordedRequest {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }
}

/// Serves the fake's router on `listener` until the shutdown signal stored with it is sent.
fn serve(state: &Arc<FakeState>, listener: tokio::net::TcpListener) {
    let router = Router::new()
        .fallback(handle_request)
        .with_state(Arc::clone(state));
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .expect("the fake serves");
    });
    *state.server.lock().expect("lock") = Some((shutdown, task));
}

/// Answers a request as [`answer`] decides, and logs the exchange with its status.
async fn handle_request(
    State(state): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = RecordedRequest {
        method,
        path: uri
            .path_and_query()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_default(),
        headers,
        body,
    };
    let response = answer(&state, request.clone()).await;
    state
        .exchanges
        .lock()
        .expect("lock")
        .push((request, response.status()));
    response
}

/// The fake's answer to one request: a contract violation is refused, then an outage, a
/// standing refusal or a scripted reply is given in that order, and otherwise the provider's
/// success.
async fn answer(state: &FakeState, request: RecordedRequest) -> Response {
    state.requests.lock().expect("lock").push(request.clone());
    if let Err(violation) = (state.contract.check_request)(&request) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json((state.contract.rejection)(&violation)),
        )
            .into_response();
    }
    let outage = state.outage.lock().expect("lock").clone();
    if let Some(outage) = outage {
        let mut response = (outage.status, axum::Json(outage.body)).into_response();
        if let Some(retry_after) = outage.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                retry_after.parse().expect("a header value"),
            );
        }
        return response;
    }
    let refusals = state.refusals.lock().expect("lock").clone();
    if let Some((status, body)) = refusals.iter().find_map(|refusal| refusal(&request)) {
        return (status, axum::Json(body)).into_response();
    }
    let scripted = state.scripted_replies.lock().expect("lock").pop_front();
    match scripted {
        Some(ScriptedReply::Answer(status, body)) => (status, axum::Json(body)).into_response(),
        Some(ScriptedReply::Hang) => {
            std::future::pending::<()>().await;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => {
            let sequence = {
                let mut accepted = state.accepted.lock().expect("lock");
                *accepted += 1;
                *accepted
            };
            let (status, body) = (state.contract.success)(&request, sequence);
            (status, axum::Json(body)).into_response()
        }
    }
}

/// Checks that a JSON object has exactly these keys, naming the first difference.
pub fn exact_keys(value: &Value, path: &str, expected: &[&str]) -> Result<(), String> {
    let Some(object) = value.as_object() else {
        return Err(format!("{path} is not an object"));
    };
    for key in object.keys() {
        if !expected.contains(&key.as_str()) {
            return Err(format!("{path}.{key} is not expected"));
        }
    }
    for key in expected {
        if !object.contains_key(*key) {
            return Err(format!("{path}.{key} is missing"));
        }
    }
    Ok(())
}

/// Checks the request line and the headers every JSON API call carries, and returns its body
/// for the provider's own checks.
pub fn check_json_call(
    request: &RecordedRequest,
    expected_path: &str,
    expected_authorization: &str,
) -> Result<Value, String> {
    if request.method != Method::POST {
        return Err(format!("method {} instead of POST", request.method));
    }
    if request.path != expected_path {
        return Err(format!("path {} instead of {expected_path}", request.path));
    }
    if request.header("authorization") != Some(expected_authorization) {
        return Err("wrong or missing Authorization header".to_owned());
    }
    if request.header("content-type") != Some("application/json") {
        return Err(format!(
            "content type {:?} instead of application/json",
            request.header("content-type")
        ));
    }
    serde_json::from_slice(&request.body).map_err(|_| "the body is not JSON".to_owned())
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/cloud/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

pub fn at(instant: &str) -> Timestamp {
    instant.parse().expect("an RFC 3339 instant")
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("an HTTP client")
}

/// A notification to `recipient`, attempted at 2026-01-02T09:00:00Z, whose recipient last
/// wrote one hour earlier (inside every window); tests move `last_inbound_at` as they need.
pub fn outbound_message(channel: Channel, recipient: &str, text: &str) -> OutboundMessage {
    OutboundMessage {
        outbox_id: 41,
        channel,
        recipient: recipient.to_owned(),
        recipient_name: None,
        language: Lang::Ar,
        origin: OutboundOrigin::Notification,
        subject: String::new(),
        text: text.to_owned(),
        html: None,
        thread: OutboundThread::default(),
        last_inbound_at: Some(at("2026-01-02T08:00:00Z")),
        template: None,
        now: at("2026-01-02T09:00:00Z"),
    }
}

/// A Graph API error body (WhatsApp Cloud API and Messenger), as Meta documents it.
pub fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Value {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjKlMnO"
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    json!({ "error": error })
}

/// The Graph API's answer to a request with a wrong or missing parameter, the rejection of
/// both of Meta's fakes.
pub fn graph_rejection(violation: &str) -> Value {
    graph_error(100, None, &format!("(#100) Invalid parameter: {violation}"))
}

/// The query string of a webhook verification request, as the handler receives it.
pub fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}
