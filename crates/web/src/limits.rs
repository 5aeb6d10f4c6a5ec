//! Rate limits on what anyone may send without signing in: a new request from the portal, a
//! live-chat conversation, feedback on a help-centre article. Each is counted per organization
//! and client address in the database (`Store::count_and_record`), so every instance behind one
//! database shares the counts, and answered with 429 and `Retry-After` when exceeded.
//!
//! The client address is the connection's peer (`ClientAddress`); `X-Forwarded-For` is never
//! read, since any client can write it. A deployment behind a reverse proxy therefore counts the
//! proxy's address, which is the safe failure: limits become stricter, never bypassable.

use crate::AppState;
use crate::error::Problem;
use crate::ui::page_error::PageError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use sanad_store::{RateDecision, StoreError};

/// One public limit: its bucket name in the database, how many hits a client may make, and in
/// what window.
#[derive(Debug, Clone, Copy)]
pub struct PublicLimit {
    pub bucket: &'static str,
    pub limit: i64,
    pub window: SignedDuration,
}

/// New requests through the portal's form: a person rarely files more than a few an hour.
pub const PORTAL_SUBMISSIONS: PublicLimit = PublicLimit {
    bucket: "portal-submission",
    limit: 10,
    window: SignedDuration::from_hours(1),
};

/// Live-chat conversations started from one address.
pub const CHAT_CONVERSATIONS: PublicLimit = PublicLimit {
    bucket: "chat-conversation",
    limit: 10,
    window: SignedDuration::from_hours(1),
};

/// Verdicts on help-centre articles: a reader may rate many articles, but not flood them.
pub const KB_FEEDBACK: PublicLimit = PublicLimit {
    bucket: "kb-feedback",
    limit: 30,
    window: SignedDuration::from_hours(1),
};

/// Counts one attempt of `client` against `limit` in organization `org_id`; `Some(wait)` when
/// it must be refused.
pub async fn check(
    state: &AppState,
    limit: PublicLimit,
    org_id: i64,
    client: &str,
) -> Result<Option<SignedDuration>, StoreError> {
    let key = format!("{org_id}/{client}");
    match state
        .store
        .count_and_record(
            limit.bucket,
            &key,
            limit.limit,
            limit.window,
            state.clock.now(),
        )
        .await?
    {
        RateDecision::Allowed => Ok(None),
        RateDecision::Limited { retry_after } => Ok(Some(retry_after)),
    }
}

/// The same check for a page: refused as the pages' 429 error page with `Retry-After`.
pub async fn check_page(
    state: &AppState,
    limit: PublicLimit,
    org_id: i64,
    client: &str,
) -> Result<(), PageError> {
    match check(state, limit, org_id, client).await? {
        None => Ok(()),
        Some(wait) => Err(PageError::TooManyAttempts {
            // The page error counts whole minutes; rounding up never invites an early retry.
            retry_after_minutes: (wait.as_secs() + 59).div_euclid(60).max(1),
        }),
    }
}

/// 429 as a problem document with `Retry-After` in seconds, for JSON clients.
pub fn too_many_requests(wait: SignedDuration, detail: String) -> Response {
    let seconds = wait.as_secs().max(1);
    let problem = Problem {
        problem_type: "urn:sanad:problem:too-many-requests".to_owned(),
        title: "Too many requests".to_owned(),
        status: StatusCode::TOO_MANY_REQUESTS.as_u16(),
        detail,
        errors: Vec::new(),
    };
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    response
}
