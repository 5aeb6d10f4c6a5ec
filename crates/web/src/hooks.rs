//! The webhooks the cloud providers call: WhatsApp Cloud API and Facebook Messenger (Meta's
//! `hub.*` verification and `X-Hub-Signature-256`), and X's Account Activity API (the CRC
//! challenge and `x-twitter-webhooks-signature`).
//!
//! A request is checked against the organization's stored app secret before anything is read
//! from it: a missing or wrong signature gets 401 and nothing is stored. A payload the adapter
//! cannot read gets 400 naming the field. Storing is idempotent on the provider's message id,
//! so the provider's retries and duplicate deliveries store one message. A database failure
//! answers 503, which the providers retry.

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sanad_channels::ingest::ingest_event;
use sanad_channels::registry::{ChannelConfiguration, LoadError, load_configuration};
use sanad_channels::{WebhookError, messenger, whatsapp, x};
use sanad_domain::Channel;
use sanad_store::Organization;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/hooks/{slug}/whatsapp",
            get(whatsapp_verify).post(whatsapp_receive),
        )
        .route(
            "/hooks/{slug}/facebook",
            get(messenger_verify).post(messenger_receive),
        )
        .route("/hooks/{slug}/x", get(x_crc).post(x_receive))
}

/// The organization and its settings for `channel`; an unknown organization, or a channel it
/// has not configured and enabled, is simply not there (404).
async fn configured(
    state: &AppState,
    slug: &str,
    channel: Channel,
) -> Result<(Organization, ChannelConfiguration), ApiError> {
    let organization = state
        .store
        .organization_by_slug(slug)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization '{slug}'")))?;
    let enabled = state
        .store
        .channel_settings(organization.id)
        .await?
        .iter()
        .any(|setting| {
            setting.channel == channel && setting.state == sanad_store::ChannelState::Enabled
        });
    if !enabled {
        return Err(ApiError::not_found(format!(
            "the {channel} channel is not enabled for '{slug}'"
        )));
    }
    match load_configuration(&state.store, organization.id, channel).await {
        Ok(configuration) => Ok((organization, configuration)),
        Err(LoadError::Store(detail)) => Err(ApiError::unavailable(detail)),
        Err(LoadError::Configuration(error)) => {
            tracing::warn!(org = %organization.slug, %channel, %error, "a webhook arrived for a channel without usable settings");
            Err(ApiError::not_found(format!(
                "the {channel} channel of '{slug}' is not configured"
            )))
        }
    }
}

fn webhook_error(error: WebhookError) -> ApiError {
    match error {
        WebhookError::BadSignature => {
            ApiError::bad_signature("the signature header is missing or does not match the body")
        }
        WebhookError::BadVerifyToken => {
            ApiError::forbidden("the verification token does not match")
        }
        WebhookError::Malformed(field) => {
            ApiError::bad_request(format!("malformed payload: {field}"))
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Stores every event of one verified payload. Events are independent: each is idempotent on
/// its provider id, so when one fails and the provider retries the whole payload, the others
/// are recognised as duplicates.
async fn store_events(
    state: &AppState,
    organization: &Organization,
    events: Vec<sanad_channels::InboundEvent>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    for event in &events {
        if let Err(error) = ingest_event(&state.store, organization, event, now).await {
            tracing::error!(org = %organization.slug, %error, "a webhook event could not be stored");
            return Err(ApiError::unavailable(
                "the event could not be stored; retry later",
            ));
        }
    }
    Ok(axum::http::StatusCode::OK.into_response())
}

async fn whatsapp_verify(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (_, configuration) = configured(&state, &slug, Channel::Whatsapp).await?;
    let ChannelConfiguration::Whatsapp(settings) = configuration else {
        return Err(ApiError::internal());
    };
    let challenge = settings
        .verify_subscription(&query)
        .map_err(webhook_error)?;
    Ok(challenge.into_response())
}

async fn whatsapp_receive(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (organization, configuration) = configured(&state, &slug, Channel::Whatsapp).await?;
    let ChannelConfiguration::Whatsapp(settings) = configuration else {
        return Err(ApiError::internal());
    };
    settings
        .verify_signature(&body, header(&headers, "x-hub-signature-256"))
        .map_err(webhook_error)?;
    let events = whatsapp::parse_webhook(&body).map_err(webhook_error)?;
    store_events(&state, &organization, events).await
}

async fn messenger_verify(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (_, configuration) = configured(&state, &slug, Channel::Facebook).await?;
    let ChannelConfiguration::Facebook(settings) = configuration else {
        return Err(ApiError::internal());
    };
    let challenge = settings
        .verify_subscription(&query)
        .map_err(webhook_error)?;
    Ok(challenge.into_response())
}

async fn messenger_receive(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (organization, configuration) = configured(&state, &slug, Channel::Facebook).await?;
    let ChannelConfiguration::Facebook(settings) = configuration else {
        return Err(ApiError::internal());
    };
    settings
        .verify_signature(&body, header(&headers, "x-hub-signature-256"))
        .map_err(webhook_error)?;
    let events = messenger::parse_webhook(&body).map_err(webhook_error)?;
    store_events(&state, &organization, events).await
}

async fn x_crc(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (_, configuration) = configured(&state, &slug, Channel::X).await?;
    let ChannelConfiguration::X(settings) = configuration else {
        return Err(ApiError::internal());
    };
    let body = settings.crc_response(&query).map_err(webhook_error)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn x_receive(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (organization, configuration) = configured(&state, &slug, Channel::X).await?;
    let ChannelConfiguration::X(settings) = configuration else {
        return Err(ApiError::internal());
    };
    settings
        .verify_signature(&body, header(&headers, "x-twitter-webhooks-signature"))
        .map_err(webhook_error)?;
    let events = x::parse_webhook(&body).map_err(webhook_error)?;
    // X delivers the account's own outgoing messages too; the parser marks them as ignored.
    store_events(&state, &organization, events).await
}
