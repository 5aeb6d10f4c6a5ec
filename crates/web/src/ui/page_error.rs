//! The one error type of the pages: rendered as an HTML page (in both languages, since an
//! error can arise before the page's language is known), or as a redirect to the sign-in page.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sanad_store::StoreError;

#[derive(Debug)]
pub enum PageError {
    NotFound,
    /// Not allowed for this person (e.g. a complaint of another department).
    Forbidden,
    /// The form's CSRF token does not match the browser's cookie.
    CsrfMismatch,
    /// The page needs a signed-in staff member.
    SignIn {
        org_slug: String,
        next: String,
    },
    /// A regulator's supervisor must sign in (supervisors have their own sign-in page).
    SupervisorSignIn {
        next: String,
    },
    /// The request was understood but cannot be carried out; the text says why.
    Rejected {
        status: StatusCode,
        detail: String,
    },
    TooManyAttempts {
        retry_after_minutes: i64,
    },
    Unavailable,
    Internal,
}

impl PageError {
    pub fn rejected(detail: impl Into<String>) -> PageError {
        PageError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.into(),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => PageError::NotFound,
            StoreError::Conflict(_)
            | StoreError::Lifecycle(_)
            | StoreError::RootCauseRequired { .. }
            | StoreError::IdempotencyMismatch => PageError::Rejected {
                status: StatusCode::CONFLICT,
                detail: error.to_string(),
            },
            StoreError::UnknownReference { .. } | StoreError::Invalid(_) => {
                PageError::rejected(error.to_string())
            }
            error if error.is_unavailable() => {
                tracing::error!(%error, "storage unavailable");
                PageError::Unavailable
            }
            error => {
                tracing::error!(%error, "storage failed");
                PageError::Internal
            }
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template failed");
        PageError::Internal
    }
}

#[derive(Template)]
#[template(path = "ui/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title_ar: &'a str,
    title_en: &'a str,
    detail: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title_ar, title_en, detail) = match &self {
            PageError::SignIn { org_slug, next } => {
                let target = format!(
                    "/o/{org_slug}/login?next={}",
                    form_urlencoded_component(next)
                );
                return Redirect::to(&target).into_response();
            }
            PageError::SupervisorSignIn { next } => {
                let target = format!(
                    "/supervision/login?next={}",
                    form_urlencoded_component(next)
                );
                return Redirect::to(&target).into_response();
            }
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "الصفحة غير موجودة",
                "Page not found",
                "",
            ),
            PageError::Forbidden => (
                StatusCode::FORBIDDEN,
                "لا تملك صلاحية الوصول إلى هذه الصفحة",
                "You may not open this page",
                "",
            ),
            PageError::CsrfMismatch => (
                StatusCode::FORBIDDEN,
                "انتهت صلاحية النموذج؛ أعد تحميل الصفحة وحاول مرة أخرى",
                "This form has expired; reload the page and try again",
                "",
            ),
            PageError::Rejected { status, detail } => (
                *status,
                "تعذّر تنفيذ الطلب",
                "The request could not be carried out",
                detail.as_str(),
            ),
            PageError::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "محاولات كثيرة؛ انتظر قليلًا ثم حاول مرة أخرى",
                "Too many attempts; wait a little and try again",
                "",
            ),
            PageError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "الخدمة غير متاحة مؤقتًا",
                "The service is briefly unavailable",
                "",
            ),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "حدث خطأ غير متوقع",
                "Something went wrong",
                "",
            ),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title_ar,
            title_en,
            detail,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), title_en));
        let mut response = (status, Html(body)).into_response();
        if let PageError::TooManyAttempts {
            retry_after_minutes,
        } = self
            && let Ok(value) = HeaderValue::from_str(&(retry_after_minutes * 60).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Percent-encodes a value for a query string.
pub fn form_urlencoded_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
