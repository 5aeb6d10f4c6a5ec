//! Reading submitted forms: URL-encoded ones (repeated keys become lists, as a multiple
//! select sends them) and multipart ones with files; and what the desk's forms answer: the
//! choices of a select, the page again with status 422, or a redirect with `?done=…`.

use super::desk::Choice;
use super::i18n::Tr;
use super::page_error::PageError;
use super::session::{CsrfToken, check_csrf};
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A form that carries nothing but its CSRF token (archive, remove).
#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// Checks the token of a form that carries nothing else.
pub fn check_csrf_only(expected: &CsrfToken, body: &[u8]) -> Result<(), PageError> {
    let form: CsrfOnly = parse_form(body)?;
    check_csrf(expected, form.csrf.as_deref())
}

/// The options of a select of fixed `values`, each labelled by its translation under `key`.
pub fn translated_choices<'a>(
    tr: &Tr,
    key: &str,
    values: impl IntoIterator<Item = &'a str>,
    selected: &str,
) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            value: value.to_owned(),
            label: tr.value(key, value),
            selected: value == selected,
        })
        .collect()
}

/// After a form that worked: back to `href`, which shows a notice of `what` was done.
pub fn done(href: String, what: &str) -> Response {
    Redirect::to(&format!("{href}?done={what}")).into_response()
}

/// A form with mistakes: the page again, with its messages, as 422.
pub fn unprocessable(body: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response()
}

/// Problems with a submitted form, by field name, shown beside each field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors {
    entries: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: String) {
        self.entries.push((field.to_owned(), message));
    }

    pub fn has(&self, field: &str) -> bool {
        self.entries.iter().any(|(name, _)| name == field)
    }

    /// The messages for one field, joined; empty when it has none.
    pub fn get(&self, field: &str) -> String {
        self.entries
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, message)| message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn count(&self) -> usize {
        self.entries.len()
    }

    pub fn joined(&self) -> String {
        self.entries
            .iter()
            .map(|(_, message)| message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Parses an `application/x-www-form-urlencoded` body.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    serde_html_form::from_bytes(body)
        .map_err(|error| PageError::rejected(format!("the form could not be read: {error}")))
}

#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A multipart form: its text fields and its files.
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

impl MultipartForm {
    /// Reads the whole form. The request body limit bounds its size; an unreadable part is a
    /// clear error, not a panic.
    pub async fn read(mut multipart: Multipart) -> Result<MultipartForm, PageError> {
        let mut form = MultipartForm::default();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) => {
                    return Err(PageError::rejected(format!(
                        "the form could not be read: {error}"
                    )));
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let bytes = field.bytes().await.map_err(|error| {
                        PageError::rejected(format!("the file could not be read: {error}"))
                    })?;
                    form.files.push(UploadedFile {
                        filename,
                        content_type,
                        bytes: bytes.to_vec(),
                    });
                }
                None => {
                    let text = field.text().await.map_err(|error| {
                        PageError::rejected(format!("the form could not be read: {error}"))
                    })?;
                    form.fields.push((name, text));
                }
            }
        }
        Ok(form)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}
