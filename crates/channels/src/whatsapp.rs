//! WhatsApp through Meta's Cloud API: webhook verification and parsing inbound, the
//! `/{phone_number_id}/messages` endpoint outbound.
//!
//! # Inbound
//!
//! Meta first checks the webhook URL with a `GET` carrying `hub.mode=subscribe`,
//! `hub.verify_token` and `hub.challenge` ([`WhatsappSettings::verify_subscription`]). Every
//! later `POST` is signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw
//! body)>` ([`WhatsappSettings::verify_signature`]); the caller must check it on the raw bytes
//! before calling [`parse_webhook`].
//!
//! A payload is `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":
//! "messages","value":{...}}]}]}`; one `value` may carry several `messages` (with the senders'
//! `contacts`) and several `statuses`, and one payload several entries and changes. Changes of
//! other fields (template reviews, account updates) have other shapes and are skipped.
//!
//! Every message becomes an [`InboundMessage`] whose `provider_message_id` is the `wamid`, so a
//! payload delivered twice yields the same ids and the store drops the repeat. Types Sanad
//! shows (text, media, interactive and quick-reply buttons) have `unsupported_type: None`;
//! media are recorded as a note with their media id and MIME type, because downloading them is
//! a separate authenticated call. Every other type (reactions, locations, contact cards,
//! `unsupported`, and types Meta adds later) is still recorded, with
//! `unsupported_type: Some(type)` and a short readable note, so that an unknown type never
//! blocks the channel.
//!
//! Statuses become [`DeliveryReport`]s. They arrive out of order (a `delivered` before its
//! `sent`); each is reported as it is and the store keeps the furthest state. Status values
//! Meta may add later are skipped rather than refused.
//!
//! # Outbound
//!
//! Free text is allowed only within 24 hours of the customer's last message (the customer
//! service window). Outside it the adapter sends a pre-approved template instead: the
//! message's own [`crate::TemplateMessage`] when the desk chose one, otherwise the
//! organization's fallback template (`template_name`, `template_language`), whose single body
//! parameter carries the notification text. With neither, the attempt fails permanently:
//! WhatsApp would refuse free text (error 131047) every time.
//!
//! The Cloud API has no idempotency key, so a retry after a timeout whose request did reach
//! Meta sends the message twice; the outbox accepts this rather than lose a notification.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::signature::{
    CUSTOMER_SERVICE_WINDOW, CloudAdapter, GraphProvider, child_path, default_graph_base_url,
    index_path, malformed, optional_array, optional_str, parse_json_object, required_array,
    required_object, required_str, required_unix_seconds, verify_meta_subscription,
    verify_sha256_hex_signature, within_window,
};
use crate::{
    DeliveryReport, DeliveryState, InboundEvent, InboundMessage, OutboundMessage, Secret,
    SendError, Sender, ThreadHints, WebhookError,
};
use sanad_domain::Channel;

const PROVIDER_NAME: &str = "WhatsApp Cloud API";

/// One organization's WhatsApp Business number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappSettings {
    /// The Graph API root, version included. Configurable so tests and a future API version
    /// need no code change.
    #[serde(default = "default_graph_base_url")]
    pub base_url: String,
    /// The id Meta gives the business phone number (not the number itself).
    pub phone_number_id: String,
    /// A system-user access token with `whatsapp_business_messaging`.
    pub access_token: Secret,
    /// The Meta app's secret, which signs every webhook request.
    pub app_secret: Secret,
    /// The token typed into the webhook configuration, echoed by Meta's verification request.
    pub verify_token: Secret,
    /// The organization's fallback template for messages outside the 24-hour window: one body
    /// parameter `{{1}}` that carries the notification text.
    #[serde(default)]
    pub template_name: Option<String>,
    /// The fallback template's language code as registered (`ar`, `en_US`).
    #[serde(default)]
    pub template_language: Option<String>,
}

impl WhatsappSettings {
    /// Answers Meta's verification `GET`: the `hub.challenge` to echo, when the token matches.
    pub fn verify_subscription(
        &self,
        query: &HashMap<String, String>,
    ) -> Result<String, WebhookError> {
        verify_meta_subscription(query, &self.verify_token)
    }

    /// Checks `X-Hub-Signature-256` over the raw request body, in constant time.
    pub fn verify_signature(&self, body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
        verify_sha256_hex_signature(&self.app_secret, body, header)
    }
}

/// Turns a (signature-checked) webhook body into events. Never panics; a body that is not the
/// documented shape is [`WebhookError::Malformed`] naming the first missing or mistyped field
/// (`entry[0].changes[0].value.messages[1].id`).
pub fn parse_webhook(body: &[u8]) -> Result<Vec<InboundEvent>, WebhookError> {
    let payload = parse_json_object(body)?;
    if payload.get("object").and_then(Value::as_str) != Some("whatsapp_business_account") {
        return Err(malformed("object"));
    }
    let mut events = Vec::new();
    for (entry_index, entry) in required_array(&payload, "entry", "")?.iter().enumerate() {
        let entry_path = index_path("entry", entry_index);
        let changes_path = child_path(&entry_path, "changes");
        for (change_index, change) in required_array(entry, "changes", &entry_path)?
            .iter()
            .enumerate()
        {
            let change_path = index_path(&changes_path, change_index);
            if required_str(change, "field", &change_path)? != "messages" {
                continue;
            }
            let value = required_object(change, "value", &change_path)?;
            let value_path = child_path(&change_path, "value");
            let contacts = optional_array(value, "contacts", &value_path)?;
            let messages_path = child_path(&value_path, "messages");
            for (message_index, message) in optional_array(value, "messages", &value_path)?
                .iter()
                .enumerate()
            {
                let message_path = index_path(&messages_path, message_index);
                events.push(InboundEvent::Message(parse_message(
                    message,
                    contacts,
                    &message_path,
                )?));
            }
            let statuses_path = child_path(&value_path, "statuses");
            for (status_index, status) in optional_array(value, "statuses", &value_path)?
                .iter()
                .enumerate()
            {
                let status_path = index_path(&statuses_path, status_index);
                if let Some(report) = parse_status(status, &status_path)? {
                    events.push(InboundEvent::Delivery(report));
                }
            }
        }
    }
    Ok(events)
}

fn parse_message(
    message: &Value,
    contacts: &[Value],
    path: &str,
) -> Result<InboundMessage, WebhookError> {
    let provider_message_id = required_str(message, "id", path)?;
    let from = required_str(message, "from", path)?;
    if !from.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(malformed(child_path(path, "from")));
    }
    let message_type = required_str(message, "type", path)?;
    let sent_at = required_unix_seconds(message, "timestamp", path)?;
    let (body_text, unsupported_type) = describe_message(message, message_type, path)?;
    let phone = format!("+{from}");
    Ok(InboundMessage {
        channel: Channel::Whatsapp,
        provider_message_id: provider_message_id.to_owned(),
        sender: Sender {
            address: phone.clone(),
            display_name: contact_name(contacts, from),
            phone: Some(phone),
            email: None,
        },
        subject: None,
        body_text,
        attachments: Vec::new(),
        thread: ThreadHints::default(),
        sent_at: Some(sent_at),
        unsupported_type,
    })
}

/// The profile name of the sender: the contact whose `wa_id` is the sender's, or the only
/// contact when there is just one (Meta may normalise the number in `wa_id`).
fn contact_name(contacts: &[Value], from: &str) -> Option<String> {
    let profile_name = |contact: &Value| {
        contact
            .get("profile")
            .and_then(|profile| optional_str(profile, "name"))
            .map(str::to_owned)
    };
    contacts
        .iter()
        .find(|contact| optional_str(contact, "wa_id") == Some(from))
        .and_then(profile_name)
        .or_else(|| match contacts {
            [only_contact] => profile_name(only_contact),
            _ => None,
        })
}

/// The readable body of a message and, for the types Sanad does not display, the type name.
fn describe_message(
    message: &Value,
    message_type: &str,
    path: &str,
) -> Result<(String, Option<String>), WebhookError> {
    let content_path = child_path(path, message_type);
    match message_type {
        "text" => {
            let text = required_object(message, "text", path)?;
            let body = required_str(text, "body", &content_path)?;
            Ok((body.to_owned(), None))
        }
        "image" | "document" | "audio" | "video" | "sticker" => {
            let media = required_object(message, message_type, path)?;
            Ok((describe_media(media, message_type, &content_path)?, None))
        }
        "interactive" => {
            let interactive = required_object(message, "interactive", path)?;
            let reply_kind = required_str(interactive, "type", &content_path)?;
            match reply_kind {
                "button_reply" | "list_reply" => {
                    let reply = required_object(interactive, reply_kind, &content_path)?;
                    let title =
                        required_str(reply, "title", &child_path(&content_path, reply_kind))?;
                    Ok((title.to_owned(), None))
                }
                other_kind => Ok((
                    format!(
                        "[WhatsApp interactive reply of kind “{other_kind}” that Sanad does not display]"
                    ),
                    Some("interactive".to_owned()),
                )),
            }
        }
        "button" => {
            // A tap on a quick-reply button of a template we sent.
            let button = required_object(message, "button", path)?;
            let text = required_str(button, "text", &content_path)?;
            Ok((text.to_owned(), None))
        }
        other_type => Ok((
            describe_unsupported(message, other_type),
            Some(other_type.to_owned()),
        )),
    }
}

fn describe_media(media: &Value, media_type: &str, path: &str) -> Result<String, WebhookError> {
    let media_id = required_str(media, "id", path)?;
    let mime_type = optional_str(media, "mime_type").unwrap_or("unknown type");
    let kind = match media_type {
        "audio" if media.get("voice").and_then(Value::as_bool) == Some(true) => "voice note",
        other => other,
    };
    let note = match optional_str(media, "filename") {
        Some(filename) => {
            format!("[WhatsApp {kind} “{filename}”: media id {media_id}, {mime_type}]")
        }
        None => format!("[WhatsApp {kind}: media id {media_id}, {mime_type}]"),
    };
    Ok(match optional_str(media, "caption") {
        Some(caption) => format!("{caption}\n\n{note}"),
        None => note,
    })
}

/// A short note for a message type Sanad does not display, with what little is worth keeping.
/// Nothing here fails: a strange reaction or location must still be recorded.
fn describe_unsupported(message: &Value, message_type: &str) -> String {
    let content = message.get(message_type).unwrap_or(&Value::Null);
    match message_type {
        "reaction" => {
            let target = optional_str(content, "message_id").unwrap_or("unknown");
            match optional_str(content, "emoji") {
                Some(emoji) => format!("[WhatsApp reaction {emoji} to message {target}]"),
                None => format!("[WhatsApp reaction removed from message {target}]"),
            }
        }
        "location" => {
            let coordinate = |key: &str| {
                content
                    .get(key)
                    .and_then(Value::as_f64)
                    .map(|number| number.to_string())
                    .unwrap_or_else(|| "?".to_owned())
            };
            let mut note = format!(
                "[WhatsApp location: {}, {}",
                coordinate("latitude"),
                coordinate("longitude")
            );
            for key in ["name", "address"] {
                if let Some(text) = optional_str(content, key) {
                    note.push_str(" — ");
                    note.push_str(text);
                }
            }
            note.push(']');
            note
        }
        "contacts" => {
            let cards: Vec<String> = content
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|card| {
                    let name = card
                        .get("name")
                        .and_then(|name| optional_str(name, "formatted_name"))
                        .unwrap_or("(no name)");
                    let first_phone = card
                        .get("phones")
                        .and_then(Value::as_array)
                        .and_then(|phones| phones.first())
                        .and_then(|phone| optional_str(phone, "phone"));
                    match first_phone {
                        Some(phone) => format!("{name} ({phone})"),
                        None => name.to_owned(),
                    }
                })
                .collect();
            format!("[WhatsApp contact card: {}]", cards.join(", "))
        }
        "unsupported" => {
            let explanation = message
                .get("errors")
                .and_then(Value::as_array)
                .and_then(|errors| errors.first())
                .and_then(|error| {
                    error
                        .get("error_data")
                        .and_then(|data| optional_str(data, "details"))
                        .or_else(|| optional_str(error, "title"))
                })
                .unwrap_or("no explanation given");
            format!("[WhatsApp message that the Cloud API does not support: {explanation}]")
        }
        other_type => {
            format!("[WhatsApp message of type “{other_type}” that Sanad does not display]")
        }
    }
}

fn parse_status(status: &Value, path: &str) -> Result<Option<DeliveryReport>, WebhookError> {
    let provider_message_id = required_str(status, "id", path)?;
    let state = match required_str(status, "status", path)? {
        "sent" => DeliveryState::Sent,
        "delivered" => DeliveryState::Delivered,
        "read" => DeliveryState::Read,
        "failed" => DeliveryState::Failed,
        // A status Meta adds later says nothing the store can record.
        _ => return Ok(None),
    };
    let at = required_unix_seconds(status, "timestamp", path)?;
    let titles: Vec<String> = status
        .get("errors")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|error| {
            let title = optional_str(error, "title")?;
            Some(match error.get("code").and_then(Value::as_i64) {
                Some(code) => format!("(#{code}) {title}"),
                None => title.to_owned(),
            })
        })
        .collect();
    Ok(Some(DeliveryReport {
        channel: Channel::Whatsapp,
        provider_message_id: provider_message_id.to_owned(),
        state,
        at,
        detail: (!titles.is_empty()).then(|| titles.join("; ")),
    }))
}

/// Sends WhatsApp messages for one organization.
pub type WhatsappAdapter = CloudAdapter<WhatsappSettings>;

impl GraphProvider for WhatsappSettings {
    const CHANNEL: Channel = Channel::Whatsapp;
    const PROVIDER_NAME: &'static str = PROVIDER_NAME;
    const MESSAGE_ID_POINTER: &'static str = "/messages/0/id";

    fn graph_node(&self) -> (&str, &str, &Secret) {
        (&self.base_url, &self.phone_number_id, &self.access_token)
    }

    /// The JSON body for `message`, and the detail line that describes what was chosen.
    fn request_body(&self, message: &OutboundMessage) -> Result<(Value, String), SendError> {
        let to = recipient_digits(&message.recipient)?;
        if within_window(
            message.last_inbound_at,
            message.now,
            CUSTOMER_SERVICE_WINDOW,
        ) {
            let body = json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to,
                "type": "text",
                "text": { "preview_url": false, "body": message.text },
            });
            return Ok((body, "WhatsApp text message accepted".to_owned()));
        }
        let (name, language, parameters) = match &message.template {
            Some(template) => (
                template.name.as_str(),
                template.language.as_str(),
                template.parameters.clone(),
            ),
            None => match (
                self.template_name.as_deref(),
                self.template_language.as_deref(),
            ) {
                (Some(name), Some(language)) if !name.is_empty() && !language.is_empty() => {
                    (name, language, vec![message.text.clone()])
                }
                _ => {
                    return Err(SendError::Permanent(
                        "WhatsApp allows only template messages more than 24 hours after the \
                         customer's last message, and no template is configured"
                            .to_owned(),
                    ));
                }
            },
        };
        let mut template = json!({ "name": name, "language": { "code": language } });
        if !parameters.is_empty() {
            let parameters: Vec<Value> = parameters
                .iter()
                .map(|parameter| json!({ "type": "text", "text": flatten_whitespace(parameter) }))
                .collect();
            template["components"] = json!([{ "type": "body", "parameters": parameters }]);
        }
        let body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": template,
        });
        let detail =
            format!("WhatsApp template “{name}” ({language}) sent: outside the 24-hour window");
        Ok((body, detail))
    }
}

/// The Cloud API's `to`: the E.164 number without its `+`.
fn recipient_digits(recipient: &str) -> Result<String, SendError> {
    let digits = recipient.trim().trim_start_matches('+');
    if digits.len() < 8 || digits.len() > 15 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(SendError::Permanent(format!(
            "“{recipient}” is not a WhatsApp number in E.164 form"
        )));
    }
    Ok(digits.to_owned())
}

/// Template parameters may not contain new lines, tabs or more than four spaces in a row
/// (Meta refuses the whole message), so every run of white space becomes one space.
fn flatten_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parameters_lose_new_lines_and_runs_of_spaces() {
        assert_eq!(
            flatten_whitespace("  تم استلام\n\nطلبك\t رقم   42 "),
            "تم استلام طلبك رقم 42"
        );
    }

    #[test]
    fn recipient_must_be_an_e164_number() {
        assert_eq!(recipient_digits("+966500000001").unwrap(), "966500000001");
        assert!(recipient_digits("+9665abc").is_err());
        assert!(recipient_digits("../../me").is_err());
        assert!(recipient_digits("+").is_err());
    }
}
