//! Extractors whose rejections are problem documents, and the bearer-token principal.

use crate::{AppState, error::ApiError};
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use sanad_domain::permissions::Principal;
use sanad_store::{Actor, ApiToken, Organization, TokenHolder, UserState};

/// JSON body extractor: malformed JSON, wrong types, unknown enum values, missing fields,
/// a wrong content type and oversize bodies all become 4xx problems.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(error) => {
            // serde's message names the field path and what was expected.
            let text = error.body_text();
            let field = data_error_path(&text);
            let message = text
                .split_once("target type: ")
                .map(|(_, rest)| rest.strip_prefix(&format!("{field}: ")).unwrap_or(rest))
                .unwrap_or(&text)
                .to_owned();
            ApiError::validation(vec![crate::error::FieldError { field, message }])
        }
        JsonRejection::JsonSyntaxError(error) => {
            ApiError::bad_request(format!("the body is not valid JSON: {}", error.body_text()))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::unsupported_media_type(
            "send the body as JSON with the header Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(error) => bytes_rejection(error),
        other => ApiError::bad_request(other.body_text()),
    }
}

/// Pulls the field path out of serde's "Failed to deserialize the JSON body into the target
/// type: requester.email: invalid type…" message.
fn data_error_path(text: &str) -> String {
    let rest = text
        .split_once("target type: ")
        .map(|(_, rest)| rest)
        .unwrap_or(text);
    match rest.split_once(": ") {
        Some((path, _)) if !path.contains(' ') => path.to_owned(),
        _ => "body".to_owned(),
    }
}

fn bytes_rejection(error: BytesRejection) -> ApiError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::payload_too_large("the request body is larger than this server accepts")
    } else {
        ApiError::bad_request(error.body_text())
    }
}

/// Query-string extractor with problem rejections.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection: QueryRejection| ApiError::bad_request(rejection.body_text()))
    }
}

/// Path extractor with problem rejections.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection: PathRejection| ApiError::bad_request(rejection.body_text()))
    }
}

/// The organization a request acts on, proven by an organization's integration token.
/// Personal tokens are refused here: these endpoints act on the whole organization.
pub struct OrgAccess {
    pub organization: Organization,
    pub actor: Actor,
}

/// Who is asking, proven by any bearer token: an organization's integration token (which sees
/// the whole organization) or a staff member's personal token (which sees what they see). Used
/// by the endpoints that apply the viewer's visibility, such as search.
pub struct ApiViewer {
    pub organization: Organization,
    pub principal: Principal,
}

/// The secret in `Authorization: Bearer …`, unchecked; `kind` names the token expected, for
/// the message when there is none.
pub(crate) fn bearer_secret<'a>(parts: &'a Parts, kind: &str) -> Result<&'a str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthorized(format!("send {kind} as Authorization: Bearer TOKEN"))
        })?;
    header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be 'Bearer TOKEN'"))
}

/// The token in `Authorization: Bearer …`, checked against the store.
async fn bearer_token(
    parts: &Parts,
    state: &AppState,
) -> Result<(ApiToken, Organization), ApiError> {
    let token = bearer_secret(parts, "an integration token")?;
    let digest = sanad_store::secrets::token_digest(token);
    state
        .store
        .authenticate_token(&digest)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the token is unknown or revoked"))
}

impl FromRequestParts<AppState> for OrgAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (record, organization) = bearer_token(parts, state).await?;
        match record.holder {
            TokenHolder::Organization => Ok(OrgAccess {
                organization,
                actor: Actor::Token {
                    id: record.id,
                    name: record.name,
                },
            }),
            TokenHolder::Staff { .. } => Err(ApiError::forbidden(
                "a personal token is accepted only where results follow its holder's visibility \
                 (GET /api/v1/search); use an organization token here",
            )),
        }
    }
}

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (record, organization) = bearer_token(parts, state).await?;
        let principal = match record.holder {
            TokenHolder::Organization => Principal::OrganizationToken {
                token_id: record.id,
            },
            TokenHolder::Staff { user_id } => {
                // Read the holder afresh on every request: a disabled account or a changed role
                // or department takes effect at once.
                let credentials = state
                    .store
                    .staff_credentials_by_id(organization.id, user_id)
                    .await?
                    .filter(|credentials| credentials.state == UserState::Active)
                    .ok_or_else(|| {
                        ApiError::unauthorized("the token's holder is disabled or no longer exists")
                    })?;
                Principal::Staff {
                    user_id,
                    role: credentials.user.role,
                    departments: credentials.user.departments,
                }
            }
        };
        Ok(ApiViewer {
            organization,
            principal,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn serde_paths_are_extracted() {
        assert_eq!(
            super::data_error_path(
                "Failed to deserialize the JSON body into the target type: requester.type: unknown variant `x`"
            ),
            "requester.type"
        );
        assert_eq!(
            super::data_error_path(
                "Failed to deserialize the JSON body into the target type: missing field `kind` at line 1"
            ),
            "body"
        );
    }
}
