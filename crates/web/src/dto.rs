//! The public JSON shapes of the REST API. They are a contract that outside tools rely on, so
//! they are declared here, apart from the storage records, and converted at the edge.

use crate::error::{ApiError, FieldErrors};
use base64::Engine;
use sanad_domain::{
    Channel, Code, Complexity, ConductReason, EmailAddress, Importance, MessageBody, MessageKind,
    PersonName, PhoneNumber, RequesterType, Subject, TicketKind, TicketNumber, TicketStatus,
};
use sanad_store as store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Attachments larger than this are refused: 10 MiB, ample for screenshots and PDFs.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// How many files one message may carry.
pub const MAX_ATTACHMENTS: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterInput {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(rename = "type")]
    pub requester_type: RequesterType,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    pub filename: String,
    /// A media type such as `image/png` or `application/pdf`.
    pub content_type: String,
    /// The file's bytes, base64-encoded (standard alphabet, padding optional).
    pub content_base64: String,
}

/// `POST /api/v1/tickets`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    pub kind: TicketKind,
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    /// A category code, e.g. `certificates`; the ticket is routed to its default department.
    #[serde(default)]
    pub category: Option<String>,
    pub requester: RequesterInput,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
    /// What staff recorded about a contact they took themselves. Required for the channels
    /// `phone`, `in_class` and `remote_session`, refused for every other channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactInput>,
}

/// The longest text accepted in a contact's fields (a name, a course session, a tool).
pub const MAX_CONTACT_TEXT_CHARS: usize = 200;
/// The longest call or remote session recorded: a whole day, in minutes.
pub const MAX_CONTACT_MINUTES: i64 = 24 * 60;

/// A contact logged by staff: a phone call, a meeting in the training room or a remote support
/// session. Only the fields of the ticket's channel may be given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The id of the staff member who took the contact (required): the desk records who
    /// logged every contact, so an integration names the agent it acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by_id: Option<i64>,
    /// `phone`: how long the call lasted, 0 to 1440 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_minutes: Option<i64>,
    /// `in_class` (required): the manager of the training room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_manager: Option<String>,
    /// `in_class`: the course session during which the trainee asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_session: Option<String>,
    /// `remote_session` (required): the tool of the session, e.g. Zoom or AnyDesk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_tool: Option<String>,
    /// `remote_session`: the tool's id of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_session_id: Option<String>,
    /// `remote_session`: how long the session lasted, 0 to 1440 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_minutes: Option<i64>,
}

/// A checked contact, ready for `Store::record_contact_details`.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedContact {
    pub logged_by: i64,
    /// The same JSON object the desk's log-contact form stores, so both read alike.
    pub details: serde_json::Value,
}

/// The fields each staff-logged channel uses; any other field given is a mistake worth naming.
fn contact_fields(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::Phone => &["call_minutes"],
        Channel::InClass => &["room_manager", "course_session"],
        Channel::RemoteSession => &["remote_tool", "remote_session_id", "remote_minutes"],
        _ => &[],
    }
}

fn contact_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    required: bool,
) -> String {
    let text = value.as_deref().unwrap_or_default().trim();
    if text.is_empty() {
        if required {
            errors.push(field, "required for this channel");
        }
    } else if text.chars().count() > MAX_CONTACT_TEXT_CHARS || text.chars().any(char::is_control) {
        errors.push(
            field,
            format!("give 1 to {MAX_CONTACT_TEXT_CHARS} characters without control characters"),
        );
    }
    text.to_owned()
}

fn contact_minutes(errors: &mut FieldErrors, field: &str, value: Option<i64>) -> Option<i64> {
    match value {
        Some(minutes) if !(0..=MAX_CONTACT_MINUTES).contains(&minutes) => {
            errors.push(
                field,
                format!("must be between 0 and {MAX_CONTACT_MINUTES} minutes, got {minutes}"),
            );
            None
        }
        other => other,
    }
}

/// Checks the `contact` of a new ticket against its channel, adding every mistake to `errors`.
fn convert_contact(
    errors: &mut FieldErrors,
    channel: Channel,
    contact: Option<&ContactInput>,
) -> Option<LoggedContact> {
    let Some(contact) = contact else {
        if channel.is_staff_logged() {
            errors.push(
                "contact",
                format!("required for a contact logged on the {channel} channel"),
            );
        }
        return None;
    };
    if !channel.is_staff_logged() {
        errors.push(
            "contact",
            format!(
                "only contacts logged by staff (phone, in_class, remote_session) carry contact details, not {channel}"
            ),
        );
        return None;
    }
    let given = [
        ("call_minutes", contact.call_minutes.is_some()),
        ("room_manager", contact.room_manager.is_some()),
        ("course_session", contact.course_session.is_some()),
        ("remote_tool", contact.remote_tool.is_some()),
        ("remote_session_id", contact.remote_session_id.is_some()),
        ("remote_minutes", contact.remote_minutes.is_some()),
    ];
    for (field, present) in given {
        if present && !contact_fields(channel).contains(&field) {
            errors.push(
                &format!("contact.{field}"),
                format!("not used for the {channel} channel"),
            );
        }
    }
    let logged_by = contact.logged_by_id;
    if logged_by.is_none() {
        errors.push(
            "contact.logged_by_id",
            "give the id of the staff member who took the contact",
        );
    }
    let details = match channel {
        Channel::Phone => serde_json::json!({
            "call_minutes": contact_minutes(errors, "contact.call_minutes", contact.call_minutes),
        }),
        Channel::InClass => serde_json::json!({
            "room_manager": contact_text(errors, "contact.room_manager", &contact.room_manager, true),
            "course_session": contact_text(errors, "contact.course_session", &contact.course_session, false),
        }),
        _ => serde_json::json!({
            "remote_tool": contact_text(errors, "contact.remote_tool", &contact.remote_tool, true),
            "remote_session_id": contact_text(errors, "contact.remote_session_id", &contact.remote_session_id, false),
            "remote_minutes": contact_minutes(errors, "contact.remote_minutes", contact.remote_minutes),
        }),
    };
    logged_by.map(|logged_by| LoggedContact { logged_by, details })
}

/// A new ticket with its logged contact, checked together so that every mistake is reported
/// at once.
#[derive(Debug)]
pub struct CheckedCreate {
    pub ticket: store::NewTicket,
    pub contact: Option<LoggedContact>,
}

fn convert_attachments(
    errors: &mut FieldErrors,
    prefix: &str,
    inputs: &[AttachmentInput],
) -> Vec<store::NewAttachment> {
    if inputs.len() > MAX_ATTACHMENTS {
        errors.push(
            prefix,
            format!(
                "at most {MAX_ATTACHMENTS} attachments are allowed, got {}",
                inputs.len()
            ),
        );
        return Vec::new();
    }
    let mut attachments = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("{prefix}[{index}].{name}");
        let filename = input.filename.trim();
        let filename_ok = !filename.is_empty()
            && filename.chars().count() <= 255
            && !filename.contains(['/', '\\'])
            && !filename.chars().any(char::is_control)
            && filename != "."
            && filename != "..";
        if !filename_ok {
            errors.push(
                &field("filename"),
                "give a file name of 1 to 255 characters without slashes",
            );
        }
        let content_type = input.content_type.trim().to_ascii_lowercase();
        let type_ok = content_type.split_once('/').is_some_and(|(kind, subtype)| {
            let token = |text: &str| {
                !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
            };
            token(kind) && token(subtype.split(';').next().unwrap_or("").trim())
        });
        if !type_ok {
            errors.push(
                &field("content_type"),
                format!(
                    "'{}' is not a media type such as image/png",
                    input.content_type
                ),
            );
        }
        let engine = base64::engine::general_purpose::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        match engine.decode(input.content_base64.trim()) {
            Ok(bytes) if bytes.is_empty() => {
                errors.push(&field("content_base64"), "the file is empty")
            }
            Ok(bytes) if bytes.len() > MAX_ATTACHMENT_BYTES => errors.push(
                &field("content_base64"),
                format!(
                    "the file is {} bytes; at most {MAX_ATTACHMENT_BYTES} are allowed",
                    bytes.len()
                ),
            ),
            // The declared type must agree with the bytes (see `sniff`).
            Ok(bytes) if type_ok => match crate::sniff::check(&content_type, &bytes) {
                Err(refusal) => {
                    errors.push(&field("content_base64"), refusal.describe(&content_type))
                }
                Ok(()) if filename_ok => attachments.push(store::NewAttachment {
                    filename: filename.to_owned(),
                    content_type: content_type.clone(),
                    bytes,
                }),
                Ok(()) => {}
            },
            Ok(_) => {}
            Err(error) => errors.push(
                &field("content_base64"),
                format!("not valid base64: {error}"),
            ),
        }
    }
    attachments
}

impl TryFrom<&CreateTicketRequest> for store::NewTicket {
    type Error = ApiError;

    fn try_from(request: &CreateTicketRequest) -> Result<Self, ApiError> {
        CheckedCreate::try_from(request).map(|checked| checked.ticket)
    }
}

impl TryFrom<&CreateTicketRequest> for CheckedCreate {
    type Error = ApiError;

    fn try_from(request: &CreateTicketRequest) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let subject = errors.check("subject", Subject::parse(&request.subject));
        let body = errors.check("body", MessageBody::parse(&request.body));
        let category = match &request.category {
            Some(code) => errors.check("category", Code::parse(code)).map(Some),
            None => Some(None),
        };
        let name = errors.check("requester.name", PersonName::parse(&request.requester.name));
        let email = match request
            .requester
            .email
            .as_deref()
            .map(str::trim)
            .filter(|email| !email.is_empty())
        {
            Some(email) => errors
                .check("requester.email", EmailAddress::parse(email))
                .map(Some),
            None => Some(None),
        };
        let phone = match request
            .requester
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|phone| !phone.is_empty())
        {
            Some(phone) => errors
                .check("requester.phone", PhoneNumber::parse(phone))
                .map(Some),
            None => Some(None),
        };
        let contact = match (&email, &phone) {
            (Some(email), Some(phone)) => {
                let contact = store::RequesterContact::from_parts(email.clone(), phone.clone());
                if contact.is_none() {
                    errors.push(
                        "requester",
                        "give an email or a phone number so that we can answer",
                    );
                }
                contact
            }
            _ => None,
        };
        let attachments = convert_attachments(&mut errors, "attachments", &request.attachments);
        let logged = convert_contact(&mut errors, request.channel, request.contact.as_ref());
        errors.into_result()?;
        match (subject, body, category, name, contact) {
            (Some(subject), Some(body), Some(category), Some(name), Some(contact)) => {
                let ticket = store::NewTicket {
                    kind: request.kind,
                    channel: request.channel,
                    subject,
                    body,
                    category,
                    requester: store::NewRequester {
                        name,
                        contact,
                        requester_type: request.requester.requester_type,
                    },
                    attachments,
                };
                Ok(CheckedCreate {
                    ticket,
                    contact: logged,
                })
            }
            _ => Err(ApiError::bad_request("the request could not be read")),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(rename = "type")]
    pub requester_type: RequesterType,
}

/// A ticket as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    /// The human tracking number, unique within the organization (e.g. `ET-2026-000123`).
    pub number: String,
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub channel: Channel,
    pub subject: String,
    pub category: Option<String>,
    pub complexity: Option<Complexity>,
    pub importance: Option<Importance>,
    pub departments: Vec<String>,
    pub assignee_id: Option<i64>,
    pub requester: RequesterView,
    pub merged_into: Option<String>,
    pub cancel_reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<String>,
}

impl From<store::TicketSummary> for TicketView {
    fn from(ticket: store::TicketSummary) -> Self {
        TicketView {
            id: ticket.id,
            number: ticket.number,
            status: ticket.status,
            kind: ticket.kind,
            channel: ticket.channel,
            subject: ticket.subject,
            category: ticket.category,
            complexity: ticket.complexity,
            importance: ticket.importance,
            departments: ticket.departments,
            assignee_id: ticket.assignee_id,
            requester: RequesterView {
                id: ticket.requester.id,
                name: ticket.requester.name,
                email: ticket.requester.email,
                phone: ticket.requester.phone,
                requester_type: ticket.requester.requester_type,
            },
            merged_into: ticket.merged_into,
            cancel_reason: ticket.cancel_reason,
            created_at: ticket.created_at.to_string(),
            updated_at: ticket.updated_at.to_string(),
            resolved_at: ticket.resolved_at.map(|at| at.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    /// `system`, `token`, `staff` or `requester`.
    pub kind: String,
    pub id: Option<i64>,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where to download it (with the same token).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub kind: MessageKind,
    pub body: String,
    pub author: ActorView,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    pub attachments: Vec<AttachmentView>,
}

impl MessageView {
    pub fn from_store(message: store::Message, ticket_number: &str) -> Self {
        MessageView {
            id: message.id,
            kind: message.kind,
            body: message.body,
            author: ActorView {
                kind: message.actor_kind,
                id: message.actor_id,
                label: message.actor_label,
            },
            created_at: message.created_at.to_string(),
            attachments: message
                .attachments
                .into_iter()
                .map(|attachment| AttachmentView {
                    url: format!(
                        "/api/v1/tickets/{ticket_number}/attachments/{}",
                        attachment.id
                    ),
                    id: attachment.id,
                    filename: attachment.filename,
                    content_type: attachment.content_type,
                    size_bytes: attachment.size_bytes,
                    sha256: attachment.sha256,
                })
                .collect(),
        }
    }
}

/// One entry of a ticket's append-only history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub actor: ActorView,
    pub kind: sanad_domain::EventKind,
    pub field: Option<sanad_domain::TicketField>,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
}

/// A service-level target with its deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub target: sanad_domain::service_levels::TargetKind,
    /// The duration as the policy states it, e.g. `48 working hours`.
    pub duration: String,
    pub calendar: String,
    pub state: sanad_domain::service_levels::TargetState,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: String,
    #[schema(value_type = String, format = DateTime)]
    pub deadline: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub met_at: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub breached_at: Option<String>,
}

/// A stage of the escalation ladder the ticket reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationView {
    /// 1 for the first stage of the ladder.
    pub stage: i64,
    pub stage_name: String,
    pub reason: String,
    pub owner_user_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: String,
    #[schema(value_type = String, format = DateTime)]
    pub deadline: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RootCauseView {
    pub target: sanad_domain::service_levels::TargetKind,
    pub category: String,
    pub description: String,
    pub corrective_action: String,
    pub recorded_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
}

impl From<store::RootCauseRecord> for RootCauseView {
    fn from(record: store::RootCauseRecord) -> Self {
        RootCauseView {
            target: record.target,
            category: record.category,
            description: record.description,
            corrective_action: record.corrective_action,
            recorded_by: record.recorded_by,
            recorded_at: record.recorded_at.to_string(),
        }
    }
}

impl From<store::EscalationRecord> for EscalationView {
    fn from(record: store::EscalationRecord) -> Self {
        EscalationView {
            stage: record.stage + 1,
            stage_name: record.stage_name,
            reason: record.reason,
            owner_user_id: record.owner_user_id,
            started_at: record.started_at.to_string(),
            deadline: record.deadline.to_string(),
        }
    }
}

/// `GET /api/v1/tickets/{number}`: the ticket with its messages, events, service-level targets,
/// escalations and root causes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetailView {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub messages: Vec<MessageView>,
    pub events: Vec<EventView>,
    pub targets: Vec<TargetView>,
    pub escalations: Vec<EscalationView>,
    pub root_causes: Vec<RootCauseView>,
    /// What staff recorded about a contact they logged (phone, in class, remote session);
    /// absent for the other channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
}

/// A contact logged by staff, as recorded. Only the fields of the ticket's channel that were
/// filled in appear.
#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct ContactView {
    /// The staff member who logged the contact.
    pub logged_by_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_session: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_tool: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_minutes: Option<i64>,
}

impl From<store::ContactRecord> for ContactView {
    fn from(record: store::ContactRecord) -> Self {
        // The stored object is the one the desk and the API write; empty texts and absent
        // durations are what a staff member left blank, so they are left out.
        let text = |key: &str| {
            record
                .details
                .get(key)
                .and_then(|value| value.as_str())
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let number = |key: &str| record.details.get(key).and_then(|value| value.as_i64());
        ContactView {
            logged_by_id: record.logged_by,
            call_minutes: number("call_minutes"),
            room_manager: text("room_manager"),
            course_session: text("course_session"),
            remote_tool: text("remote_tool"),
            remote_session_id: text("remote_session_id"),
            remote_minutes: number("remote_minutes"),
        }
    }
}

/// `GET /api/v1/requesters`: by phone number or by e-mail address, exactly one of the two.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequesterLookupQuery {
    /// A phone number in any usual form (`+966500000101`, `0500000101`, Arabic-Indic digits).
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
}

impl TryFrom<&RequesterLookupQuery> for store::RequesterKey {
    type Error = ApiError;

    fn try_from(query: &RequesterLookupQuery) -> Result<Self, ApiError> {
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let mut errors = FieldErrors::default();
        let key = match (given(&query.phone), given(&query.email)) {
            (Some(phone), None) => errors
                .check("phone", PhoneNumber::parse(&phone))
                .map(store::RequesterKey::Phone),
            (None, Some(email)) => errors
                .check("email", EmailAddress::parse(&email))
                .map(store::RequesterKey::Email),
            _ => {
                errors.push("phone", "give either phone or email, not both or neither");
                None
            }
        };
        errors.into_result()?;
        key.ok_or_else(|| ApiError::bad_request("the query could not be read"))
    }
}

/// A requester found by phone or e-mail, with the numbers of their open tickets, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequesterMatchView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(rename = "type")]
    pub requester_type: RequesterType,
    /// Tickets still waiting for the organization (neither resolved, closed, cancelled nor
    /// merged).
    pub open_tickets: Vec<String>,
}

impl From<store::KnownRequester> for RequesterMatchView {
    fn from(requester: store::KnownRequester) -> Self {
        RequesterMatchView {
            id: requester.id,
            name: requester.name,
            email: requester.email,
            phone: requester.phone,
            requester_type: requester.requester_type,
            open_tickets: requester
                .open_tickets
                .into_iter()
                .map(|ticket| ticket.number)
                .collect(),
        }
    }
}

/// `POST /api/v1/tickets/{number}/root-causes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RootCauseBody {
    pub target: sanad_domain::service_levels::TargetKind,
    /// One of the organization's root-cause categories (from its policy).
    pub category: String,
    pub description: String,
    pub corrective_action: String,
}

impl TryFrom<&RootCauseBody> for store::RootCauseInput {
    type Error = ApiError;

    fn try_from(body: &RootCauseBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let description = errors.check("description", MessageBody::parse(&body.description));
        let corrective_action = errors.check(
            "corrective_action",
            MessageBody::parse(&body.corrective_action),
        );
        errors.into_result()?;
        match (description, corrective_action) {
            (Some(description), Some(corrective_action)) => Ok(store::RootCauseInput {
                target: body.target,
                category: body.category.trim().to_owned(),
                description,
                corrective_action,
            }),
            _ => Err(ApiError::bad_request("the request could not be read")),
        }
    }
}

/// `POST /api/v1/tickets/{number}/escalations`: the requester escalates, referring to the
/// first attempt.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateBody {
    /// What the requester says, e.g. that this is a second attempt.
    pub message: String,
}

impl From<store::TicketDetail> for TicketDetailView {
    fn from(detail: store::TicketDetail) -> Self {
        let number = detail.ticket.number.clone();
        TicketDetailView {
            ticket: detail.ticket.into(),
            messages: detail
                .messages
                .into_iter()
                .map(|message| MessageView::from_store(message, &number))
                .collect(),
            events: detail
                .events
                .into_iter()
                .map(|event| EventView {
                    id: event.id,
                    at: event.at.to_string(),
                    actor: ActorView {
                        kind: event.actor_kind,
                        id: event.actor_id,
                        label: event.actor_label,
                    },
                    kind: event.kind,
                    field: event.field,
                    before: event.before,
                    after: event.after,
                })
                .collect(),
            targets: detail
                .targets
                .into_iter()
                .map(|target| TargetView {
                    target: target.target,
                    duration: target.duration,
                    calendar: target.calendar,
                    state: target.state,
                    started_at: target.started_at.to_string(),
                    deadline: target.deadline.to_string(),
                    met_at: target.met_at.map(|at| at.to_string()),
                    breached_at: target.breached_at.map(|at| at.to_string()),
                })
                .collect(),
            escalations: detail
                .escalations
                .into_iter()
                .map(EscalationView::from)
                .collect(),
            root_causes: detail
                .root_causes
                .into_iter()
                .map(RootCauseView::from)
                .collect(),
            contact: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketListView {
    pub tickets: Vec<TicketView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters for `GET /api/v1/tickets`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTicketsQuery {
    pub status: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<i64>,
    pub requester: Option<i64>,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

pub fn encode_cursor(before_id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("before:{before_id}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("before:")?
        .parse()
        .ok()
}

impl TryFrom<ListTicketsQuery> for store::TicketFilter {
    type Error = ApiError;

    fn try_from(query: ListTicketsQuery) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let filter = store::TicketFilter {
            status: query
                .status
                .as_deref()
                .and_then(|status| errors.check("status", status.parse())),
            department: query
                .department
                .as_deref()
                .and_then(|code| errors.check("department", Code::parse(code))),
            assignee_id: query.assignee,
            requester_id: query.requester,
            kind: query
                .kind
                .as_deref()
                .and_then(|kind| errors.check("kind", kind.parse())),
            category: query
                .category
                .as_deref()
                .and_then(|code| errors.check("category", Code::parse(code))),
            before_id: query.cursor.as_deref().and_then(|cursor| {
                let decoded = decode_cursor(cursor);
                if decoded.is_none() {
                    errors.push("cursor", "not a cursor returned by this API");
                }
                decoded
            }),
            limit: match query.limit {
                Some(limit) if !(1..=200).contains(&limit) => {
                    errors.push("limit", "must be between 1 and 200");
                    50
                }
                Some(limit) => limit,
                None => 50,
            },
        };
        errors.into_result()?;
        Ok(filter)
    }
}

/// Accepts `null` as "clear" and an absent field as "leave unchanged".
fn double_option<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `PATCH /api/v1/tickets/{number}`: classify, route and assign. Absent fields are left as
/// they are. A registered ticket whose category, complexity and importance are all set becomes
/// `classified`; a classified ticket with a department becomes `routed`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    #[serde(default)]
    pub kind: Option<TicketKind>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub complexity: Option<Complexity>,
    #[serde(default)]
    pub importance: Option<Importance>,
    /// Department codes; several for critical cases that need more than one department.
    #[serde(default)]
    pub departments: Option<Vec<String>>,
    /// A staff member's id, or `null` to unassign.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(nullable)]
    pub assignee_id: Option<Option<i64>>,
}

impl TryFrom<&UpdateTicketRequest> for store::TicketChanges {
    type Error = ApiError;

    fn try_from(request: &UpdateTicketRequest) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let changes = store::TicketChanges {
            kind: request.kind,
            subject: request
                .subject
                .as_deref()
                .and_then(|subject| errors.check("subject", Subject::parse(subject))),
            category: request
                .category
                .as_deref()
                .and_then(|code| errors.check("category", Code::parse(code))),
            complexity: request.complexity,
            importance: request.importance,
            departments: request.departments.as_ref().map(|codes| {
                codes
                    .iter()
                    .enumerate()
                    .filter_map(|(index, code)| {
                        errors.check(&format!("departments[{index}]"), Code::parse(code))
                    })
                    .collect()
            }),
            assignee_id: request.assignee_id,
        };
        errors.into_result()?;
        Ok(changes)
    }
}

/// `POST /api/v1/tickets/{number}/transitions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequestBody {
    pub to: TicketStatus,
    /// Required when cancelling for a conduct violation.
    #[serde(default)]
    pub reason: Option<String>,
    /// Required when merging: the ticket number to merge into.
    #[serde(default)]
    pub merge_into: Option<String>,
}

impl TryFrom<&TransitionRequestBody> for store::TransitionRequest {
    type Error = ApiError;

    fn try_from(body: &TransitionRequestBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let reason = body
            .reason
            .as_deref()
            .and_then(|reason| errors.check("reason", ConductReason::parse(reason)));
        let merge_into = body
            .merge_into
            .as_deref()
            .and_then(|number| errors.check("merge_into", TicketNumber::parse(number)));
        errors.into_result()?;
        Ok(store::TransitionRequest {
            to: body.to,
            reason,
            merge_into,
        })
    }
}

/// `POST /api/v1/tickets/{number}/messages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMessageRequest {
    pub kind: MessageKind,
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

impl TryFrom<&AddMessageRequest> for store::NewMessage {
    type Error = ApiError;

    fn try_from(request: &AddMessageRequest) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let body = errors.check("body", MessageBody::parse(&request.body));
        let attachments = convert_attachments(&mut errors, "attachments", &request.attachments);
        errors.into_result()?;
        let body = body.ok_or_else(|| ApiError::bad_request("the request could not be read"))?;
        Ok(store::NewMessage {
            kind: request.kind,
            body,
            attachments,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub archived: bool,
}

impl From<store::Department> for DepartmentView {
    fn from(department: store::Department) -> Self {
        DepartmentView {
            code: department.code,
            name_ar: department.name_ar,
            name_en: department.name_en,
            archived: department.archived,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentBody {
    /// 2 to 63 lower-case latin letters, digits and single hyphens, starting with a letter.
    #[schema(min_length = 2, max_length = 63, pattern = "^[a-z](-?[a-z0-9])*$")]
    pub code: String,
    /// 1 to 120 characters once leading and trailing spaces are trimmed, no control characters.
    // The pattern says what a JSON Schema can (something other than white space, no control
    // character); the length is left out because a schema cannot trim, and a `maxLength`
    // would refuse names the API accepts.
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name_ar: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name_en: String,
}

fn display_name(errors: &mut FieldErrors, field: &str, raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 120 || trimmed.chars().any(char::is_control)
    {
        errors.push(field, "give a name of 1 to 120 characters");
    }
    trimmed.to_owned()
}

impl TryFrom<&DepartmentBody> for store::DepartmentInput {
    type Error = ApiError;

    fn try_from(body: &DepartmentBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", Code::parse(&body.code));
        let name_ar = display_name(&mut errors, "name_ar", &body.name_ar);
        let name_en = display_name(&mut errors, "name_en", &body.name_en);
        errors.into_result()?;
        let code = code.ok_or_else(|| ApiError::bad_request("the request could not be read"))?;
        Ok(store::DepartmentInput {
            code,
            name_ar,
            name_en,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub default_department: Option<String>,
    pub archived: bool,
}

impl From<store::Category> for CategoryView {
    fn from(category: store::Category) -> Self {
        CategoryView {
            code: category.code,
            name_ar: category.name_ar,
            name_en: category.name_en,
            default_department: category.default_department,
            archived: category.archived,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// 2 to 63 lower-case latin letters, digits and single hyphens, starting with a letter.
    #[schema(min_length = 2, max_length = 63, pattern = "^[a-z](-?[a-z0-9])*$")]
    pub code: String,
    /// 1 to 120 characters once leading and trailing spaces are trimmed, no control characters.
    // The pattern says what a JSON Schema can (something other than white space, no control
    // character); the length is left out because a schema cannot trim, and a `maxLength`
    // would refuse names the API accepts.
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name_ar: String,
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$")]
    pub name_en: String,
    #[serde(default)]
    pub default_department: Option<String>,
}

impl TryFrom<&CategoryBody> for store::CategoryInput {
    type Error = ApiError;

    fn try_from(body: &CategoryBody) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", Code::parse(&body.code));
        let name_ar = display_name(&mut errors, "name_ar", &body.name_ar);
        let name_en = display_name(&mut errors, "name_en", &body.name_en);
        let default_department = match &body.default_department {
            Some(code) => errors
                .check("default_department", Code::parse(code))
                .map(Some),
            None => Some(None),
        };
        errors.into_result()?;
        match (code, default_department) {
            (Some(code), Some(default_department)) => Ok(store::CategoryInput {
                code,
                name_ar,
                name_en,
                default_department,
            }),
            _ => Err(ApiError::bad_request("the request could not be read")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-cursor"), None);
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let request = CreateTicketRequest {
            kind: TicketKind::Complaint,
            channel: Channel::WebForm,
            subject: " ".into(),
            body: "ok".into(),
            category: Some("Not A Code".into()),
            requester: RequesterInput {
                name: "Noura".into(),
                email: Some("not-an-email".into()),
                phone: None,
                requester_type: RequesterType::Trainee,
            },
            attachments: vec![AttachmentInput {
                filename: "../x".into(),
                content_type: "png".into(),
                content_base64: "@@".into(),
            }],
            contact: None,
        };
        let error = store::NewTicket::try_from(&request).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        let detail = format!("{error:?}");
        for field in [
            "subject",
            "category",
            "requester.email",
            "attachments[0].filename",
            "attachments[0].content_type",
            "attachments[0].content_base64",
        ] {
            assert!(detail.contains(field), "{field} missing from {detail}");
        }
    }

    fn logged(channel: Channel, contact: Option<ContactInput>) -> Result<CheckedCreate, String> {
        let request = CreateTicketRequest {
            kind: TicketKind::Inquiry,
            channel,
            subject: "موعد الاختبار".into(),
            body: "سأل المتدرب عن موعد الاختبار النهائي.".into(),
            category: None,
            requester: RequesterInput {
                name: "Fahad Al-Otaibi".into(),
                email: None,
                phone: Some("+966500000011".into()),
                requester_type: RequesterType::Trainee,
            },
            attachments: Vec::new(),
            contact,
        };
        CheckedCreate::try_from(&request).map_err(|error| format!("{error:?}"))
    }

    #[test]
    fn a_logged_contact_is_checked_against_its_channel() {
        let call = ContactInput {
            logged_by_id: Some(7),
            call_minutes: Some(12),
            ..ContactInput::default()
        };
        let checked = logged(Channel::Phone, Some(call.clone())).unwrap();
        assert_eq!(
            checked.contact,
            Some(LoggedContact {
                logged_by: 7,
                details: serde_json::json!({ "call_minutes": 12 }),
            })
        );
        // Required for staff-logged channels, refused for the others.
        assert!(
            logged(Channel::Phone, None)
                .unwrap_err()
                .contains("\"contact\"")
        );
        assert!(
            logged(Channel::WebForm, Some(call.clone()))
                .unwrap_err()
                .contains("\"contact\"")
        );
        assert!(logged(Channel::WebForm, None).unwrap().contact.is_none());
        // Each channel's required field, its limits and the fields of other channels.
        let class = logged(
            Channel::InClass,
            Some(ContactInput {
                logged_by_id: Some(7),
                room_manager: Some("  ".into()),
                call_minutes: Some(3),
                ..ContactInput::default()
            }),
        )
        .unwrap_err();
        assert!(class.contains("contact.room_manager"), "{class}");
        assert!(class.contains("contact.call_minutes"), "{class}");
        let remote = logged(
            Channel::RemoteSession,
            Some(ContactInput {
                remote_minutes: Some(1441),
                ..ContactInput::default()
            }),
        )
        .unwrap_err();
        for field in [
            "contact.remote_tool",
            "contact.remote_minutes",
            "contact.logged_by_id",
        ] {
            assert!(remote.contains(field), "{field}: {remote}");
        }
        let negative = logged(
            Channel::Phone,
            Some(ContactInput {
                call_minutes: Some(-1),
                ..call
            }),
        )
        .unwrap_err();
        assert!(negative.contains("contact.call_minutes"), "{negative}");
        let day = logged(
            Channel::RemoteSession,
            Some(ContactInput {
                logged_by_id: Some(7),
                remote_tool: Some(" Zoom ".into()),
                remote_minutes: Some(1440),
                ..ContactInput::default()
            }),
        )
        .unwrap();
        assert_eq!(
            day.contact.unwrap().details,
            serde_json::json!({ "remote_tool": "Zoom", "remote_session_id": "", "remote_minutes": 1440 })
        );
    }

    #[test]
    fn a_stored_contact_shows_only_what_was_filled_in() {
        let view = ContactView::from(store::ContactRecord {
            details: serde_json::json!({ "room_manager": "Reem Al-Harbi", "course_session": "" }),
            logged_by: 3,
        });
        assert_eq!(view.room_manager.as_deref(), Some("Reem Al-Harbi"));
        assert_eq!(view.course_session, None);
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            serde_json::json!({ "logged_by_id": 3, "room_manager": "Reem Al-Harbi" })
        );
    }
}
