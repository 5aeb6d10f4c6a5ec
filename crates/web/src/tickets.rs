//! `/api/v1/tickets`: create, read, list, classify/route/assign, transition, add messages.

use crate::AppState;
use crate::dto::*;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery, OrgAccess};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sanad_store as store;

/// The longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

fn idempotency_key(
    headers: &HeaderMap,
    request: &CreateTicketRequest,
) -> Result<Option<store::IdempotencyKey>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"
            ))
        })?;
    // The digest is taken over the parsed request, so a retry that differs only in white space
    // or key order still matches.
    let canonical = serde_json::to_vec(request).map_err(|_| ApiError::internal())?;
    Ok(Some(store::IdempotencyKey {
        key: key.to_owned(),
        request_digest: store::secrets::sha256_hex(&canonical),
    }))
}

/// Register a request (complaint, suggestion, inquiry, request or technical issue).
///
/// Send an `Idempotency-Key` header to make retries safe: a repeated request with the same key
/// returns the ticket the first one created (status 200 instead of 201).
#[utoipa::path(
    post, path = "/api/v1/tickets", tag = "tickets",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first ticket")),
    request_body = CreateTicketRequest,
    responses(
        (status = 201, description = "Created", body = TicketView),
        (status = 200, description = "Already created by an earlier request with the same Idempotency-Key", body = TicketView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_ticket(
    State(state): State<AppState>,
    access: OrgAccess,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CreateTicketRequest>,
) -> Result<Response, ApiError> {
    let checked = CheckedCreate::try_from(&request)?;
    let idempotency = idempotency_key(&headers, &request)?;
    if let Some(contact) = &checked.contact {
        check_contact_logger(&state, access.organization.id, contact.logged_by).await?;
    }
    let created = state
        .store
        .create_ticket(
            &access.organization,
            &checked.ticket,
            idempotency.as_ref(),
            &access.actor,
            state.clock.now(),
        )
        .await?;
    // A retry answered from the idempotency record already has its contact: the first request
    // recorded it, and the digest proves this one carries the same.
    if created.created
        && let Some(contact) = &checked.contact
    {
        state
            .store
            .record_contact_details(
                access.organization.id,
                created.ticket.id,
                &contact.details,
                contact.logged_by,
            )
            .await?;
    }
    let status = if created.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/tickets/{}", created.ticket.number);
    let mut response = (status, axum::Json(TicketView::from(created.ticket))).into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if created.created {
        metrics::counter!("sanad_tickets_created_total").increment(1);
    }
    Ok(response)
}

/// The staff member named as having taken a logged contact must be an active member of the
/// organization who may handle tickets (a regulator's read-only account may not).
async fn check_contact_logger(state: &AppState, org_id: i64, user_id: i64) -> Result<(), ApiError> {
    let credentials = state.store.staff_credentials_by_id(org_id, user_id).await?;
    let may_log = credentials.is_some_and(|credentials| {
        credentials.state == store::UserState::Active
            && sanad_domain::permissions::may_change_tickets(
                &sanad_domain::permissions::Principal::Staff {
                    user_id,
                    role: credentials.user.role,
                    departments: credentials.user.departments.clone(),
                },
            )
    });
    if may_log {
        Ok(())
    } else {
        Err(ApiError::validation(vec![crate::error::FieldError {
            field: "contact.logged_by_id".into(),
            message: format!(
                "no active staff member with id {user_id} who may handle tickets in this organization"
            ),
        }]))
    }
}

/// Read a ticket by its tracking number, with its messages and its full event history.
#[utoipa::path(
    get, path = "/api/v1/tickets/{number}", tag = "tickets",
    params(("number" = String, Path, description = "Tracking number, e.g. ET-2026-000123")),
    responses(
        (status = 200, body = TicketDetailView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_ticket(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
) -> Result<axum::Json<TicketDetailView>, ApiError> {
    let number = normalize_number(&number)?;
    let detail = state
        .store
        .ticket_detail(access.organization.id, &number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {number} in this organization")))?;
    let contact = if detail.ticket.channel.is_staff_logged() {
        state.store.contact_record(detail.ticket.id).await?
    } else {
        None
    };
    let mut view = TicketDetailView::from(detail);
    view.contact = contact.map(ContactView::from);
    Ok(axum::Json(view))
}

/// Find a requester by phone number or e-mail address — for instance the caller of an incoming
/// phone call — with the numbers of their open tickets. Give exactly one of `phone` and `email`.
#[utoipa::path(
    get, path = "/api/v1/requesters", tag = "tickets",
    params(RequesterLookupQuery),
    responses(
        (status = 200, body = RequesterMatchView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn find_requester(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiQuery(query): ApiQuery<RequesterLookupQuery>,
) -> Result<axum::Json<RequesterMatchView>, ApiError> {
    let key = store::RequesterKey::try_from(&query)?;
    let requester = state
        .store
        .requester_by_key(access.organization.id, &key)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("no requester with this contact in this organization")
        })?;
    Ok(axum::Json(requester.into()))
}

/// Tickets are looked up by their canonical spelling, whatever case the caller used.
fn normalize_number(raw: &str) -> Result<String, ApiError> {
    sanad_domain::TicketNumber::parse(raw)
        .map(|number| number.to_string())
        .map_err(|error| ApiError::not_found(error.to_string()))
}

/// List tickets, newest first, filtered and paginated with a cursor.
#[utoipa::path(
    get, path = "/api/v1/tickets", tag = "tickets",
    params(ListTicketsQuery),
    responses(
        (status = 200, body = TicketListView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_tickets(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiQuery(query): ApiQuery<ListTicketsQuery>,
) -> Result<axum::Json<TicketListView>, ApiError> {
    let filter = store::TicketFilter::try_from(query)?;
    let page = state
        .store
        .list_tickets(access.organization.id, &filter)
        .await?;
    Ok(axum::Json(TicketListView {
        tickets: page.tickets.into_iter().map(TicketView::from).collect(),
        next_cursor: page.next_before_id.map(encode_cursor),
    }))
}

/// Classify, route or assign a ticket.
#[utoipa::path(
    patch, path = "/api/v1/tickets/{number}", tag = "tickets",
    params(("number" = String, Path)),
    request_body = UpdateTicketRequest,
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_ticket(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
    ApiJson(request): ApiJson<UpdateTicketRequest>,
) -> Result<axum::Json<TicketView>, ApiError> {
    let number = normalize_number(&number)?;
    let changes = store::TicketChanges::try_from(&request)?;
    let ticket = state
        .store
        .change_ticket(
            &access.organization,
            &number,
            &changes,
            &access.actor,
            state.clock.now(),
        )
        .await?;
    Ok(axum::Json(ticket.into()))
}

/// Move a ticket to another status. Illegal moves are refused with 409 and a message naming
/// both states.
#[utoipa::path(
    post, path = "/api/v1/tickets/{number}/transitions", tag = "tickets",
    params(("number" = String, Path)),
    request_body = TransitionRequestBody,
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn transition_ticket(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<TransitionRequestBody>,
) -> Result<axum::Json<TicketView>, ApiError> {
    let number = normalize_number(&number)?;
    let request = store::TransitionRequest::try_from(&body)?;
    let ticket = state
        .store
        .transition_ticket(
            &access.organization,
            &number,
            &request,
            &access.actor,
            state.clock.now(),
        )
        .await?;
    Ok(axum::Json(ticket.into()))
}

/// Add a requester message, a public reply or an internal note.
#[utoipa::path(
    post, path = "/api/v1/tickets/{number}/messages", tag = "tickets",
    params(("number" = String, Path)),
    request_body = AddMessageRequest,
    responses(
        (status = 201, body = MessageView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn add_message(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
    ApiJson(request): ApiJson<AddMessageRequest>,
) -> Result<(StatusCode, axum::Json<MessageView>), ApiError> {
    let number = normalize_number(&number)?;
    let message = store::NewMessage::try_from(&request)?;
    let stored = state
        .store
        .add_message(
            &access.organization,
            &number,
            &message,
            &access.actor,
            state.clock.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MessageView::from_store(stored, &number)),
    ))
}

/// Download an attachment.
#[utoipa::path(
    get, path = "/api/v1/tickets/{number}/attachments/{id}", tag = "tickets",
    params(("number" = String, Path), ("id" = i64, Path)),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn download_attachment(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath((number, id)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    let number = normalize_number(&number)?;
    let meta = state
        .store
        .attachment(access.organization.id, &number, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no attachment {id} on ticket {number}")))?;
    let bytes = state.store.attachments().get(&meta.storage_key).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    // Served as a download and never sniffed, so an uploaded HTML file cannot run in our origin.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii_name: String = meta
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii_name}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Record the root cause of a breached target (required before the ticket can close).
#[utoipa::path(
    post, path = "/api/v1/tickets/{number}/root-causes", tag = "service levels",
    params(("number" = String, Path)),
    request_body = RootCauseBody,
    responses(
        (status = 201, body = RootCauseView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn record_root_cause(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RootCauseBody>,
) -> Result<(StatusCode, axum::Json<RootCauseView>), ApiError> {
    let number = normalize_number(&number)?;
    let input = store::RootCauseInput::try_from(&body)?;
    let record = state
        .store
        .record_root_cause(
            &access.organization,
            &number,
            &input,
            &access.actor,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

/// Escalate a ticket on the requester's behalf once one of its published times has lapsed
/// (seeds 001 and 004); the ticket climbs to the next stage of the ladder.
#[utoipa::path(
    post, path = "/api/v1/tickets/{number}/escalations", tag = "service levels",
    params(("number" = String, Path)),
    request_body = EscalateBody,
    responses(
        (status = 201, body = EscalationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn escalate(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<EscalateBody>,
) -> Result<(StatusCode, axum::Json<EscalationView>), ApiError> {
    let number = normalize_number(&number)?;
    let note = sanad_domain::MessageBody::parse(&body.message).map_err(|error| {
        ApiError::validation(vec![crate::error::FieldError {
            field: "message".into(),
            message: error.to_string(),
        }])
    })?;
    let detail = state
        .store
        .ticket_detail(access.organization.id, &number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no ticket {number} in this organization")))?;
    let requester = store::Actor::Requester {
        id: detail.ticket.requester.id,
        name: detail.ticket.requester.name.clone(),
    };
    let record = state
        .store
        .escalate_by_requester(
            &access.organization,
            &number,
            &note,
            &requester,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}
