//! The records the store reads and writes. They are plain data; the web layer maps them to its
//! own API shapes, so that the storage layout and the public contract can evolve separately.

use jiff::Timestamp;
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageKind, OrgSlug, PersonName,
    PhoneNumber, RequesterType, StaffRole, Subject, TicketKind, TicketStatus,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub ticket_prefix: String,
    pub time_zone: String,
    pub reopen_window_hours: i64,
    pub created_at: Timestamp,
    /// The version of the policy in force, once one has been applied.
    pub policy_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub slug: OrgSlug,
    pub name: String,
    pub ticket_prefix: sanad_domain::TicketPrefix,
    pub time_zone: jiff::tz::TimeZone,
    pub time_zone_name: String,
    pub reopen_window_hours: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub archived: bool,
}

#[derive(Debug, Clone)]
pub struct DepartmentInput {
    pub code: Code,
    pub name_ar: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub default_department: Option<String>,
    pub archived: bool,
}

#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub code: Code,
    pub name_ar: String,
    pub name_en: String,
    pub default_department: Option<Code>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requester {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub requester_type: RequesterType,
}

/// How a requester is identified: an e-mail address, a phone number, or both (at least one).
#[derive(Debug, Clone)]
pub enum RequesterContact {
    Email(EmailAddress),
    Phone(PhoneNumber),
    Both(EmailAddress, PhoneNumber),
}

impl RequesterContact {
    pub fn from_parts(email: Option<EmailAddress>, phone: Option<PhoneNumber>) -> Option<Self> {
        match (email, phone) {
            (Some(email), Some(phone)) => Some(RequesterContact::Both(email, phone)),
            (Some(email), None) => Some(RequesterContact::Email(email)),
            (None, Some(phone)) => Some(RequesterContact::Phone(phone)),
            (None, None) => None,
        }
    }
    pub fn email(&self) -> Option<&EmailAddress> {
        match self {
            RequesterContact::Email(email) | RequesterContact::Both(email, _) => Some(email),
            RequesterContact::Phone(_) => None,
        }
    }
    pub fn phone(&self) -> Option<&PhoneNumber> {
        match self {
            RequesterContact::Phone(phone) | RequesterContact::Both(_, phone) => Some(phone),
            RequesterContact::Email(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewRequester {
    pub name: PersonName,
    pub contact: RequesterContact,
    pub requester_type: RequesterType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: PersonName,
    pub role: StaffRole,
    pub departments: Vec<Code>,
    /// An Argon2id PHC string; the store never sees a plain password.
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub holder: TokenHolder,
}

/// Whom an API token acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenHolder {
    /// An integration of the organization: it sees every ticket of the organization.
    Organization,
    /// One staff member (a personal token): it sees what they see, and only endpoints that apply
    /// their visibility accept it.
    Staff { user_id: i64 },
}

/// Who did something. Stored with every event and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    System,
    Token {
        id: i64,
        name: String,
    },
    Staff {
        id: i64,
        name: String,
    },
    Requester {
        id: i64,
        name: String,
    },
    /// A requester submitting a new ticket from the public portal: their record is found or
    /// created in the same transaction, so its id is not known to the caller.
    NewRequester {
        name: String,
    },
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::Token { .. } => "token",
            Actor::Staff { .. } => "staff",
            Actor::Requester { .. } | Actor::NewRequester { .. } => "requester",
        }
    }
    pub fn id(&self) -> Option<i64> {
        match self {
            Actor::System | Actor::NewRequester { .. } => None,
            Actor::Token { id, .. } | Actor::Staff { id, .. } | Actor::Requester { id, .. } => {
                Some(*id)
            }
        }
    }
    pub fn label(&self) -> &str {
        match self {
            Actor::System => "system",
            Actor::Token { name, .. }
            | Actor::Staff { name, .. }
            | Actor::Requester { name, .. }
            | Actor::NewRequester { name } => name,
        }
    }
}

/// An attachment's content and metadata, before it is stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub kind: TicketKind,
    pub channel: Channel,
    pub subject: Subject,
    pub body: sanad_domain::MessageBody,
    pub category: Option<Code>,
    pub requester: NewRequester,
    pub attachments: Vec<NewAttachment>,
}

/// An idempotency key and a digest of the request it came with: a retry with the same key and
/// the same request returns the first ticket; the same key with another request is refused.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_digest: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketSummary {
    pub id: i64,
    pub number: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub status: TicketStatus,
    pub subject: String,
    pub category: Option<String>,
    pub complexity: Option<Complexity>,
    pub importance: Option<Importance>,
    pub departments: Vec<String>,
    pub assignee_id: Option<i64>,
    pub requester: Requester,
    pub merged_into: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentMeta {
    pub id: i64,
    pub message_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    pub body: String,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub created_at: Timestamp,
    pub attachments: Vec<AttachmentMeta>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub kind: sanad_domain::EventKind,
    pub field: Option<sanad_domain::TicketField>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Event {
    pub fn to_record(&self) -> sanad_domain::TicketEventRecord {
        sanad_domain::TicketEventRecord {
            kind: self.kind,
            field: self.field,
            before: self.before.clone(),
            after: self.after.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketDetail {
    pub ticket: TicketSummary,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub targets: Vec<TargetRecord>,
    pub escalations: Vec<EscalationRecord>,
    pub root_causes: Vec<RootCauseRecord>,
}

/// A service-level target as it stands on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRecord {
    pub target: sanad_domain::service_levels::TargetKind,
    /// The duration as written in the policy, e.g. `48 working hours`.
    pub duration: String,
    pub calendar: String,
    pub state: sanad_domain::service_levels::TargetState,
    pub started_at: Timestamp,
    pub deadline: Timestamp,
    pub paused_at: Option<Timestamp>,
    pub met_at: Option<Timestamp>,
    pub breached_at: Option<Timestamp>,
}

/// One stage of the escalation ladder that a ticket reached.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationRecord {
    /// Zero-based position in the policy's ladder.
    pub stage: i64,
    pub stage_name: String,
    /// Why it started: `breached:<target>`, `no_response` or `requester`.
    pub reason: String,
    pub owner_user_id: Option<i64>,
    pub started_at: Timestamp,
    pub deadline: Timestamp,
}

/// Why a target was breached and what was done about it.
#[derive(Debug, Clone, PartialEq)]
pub struct RootCauseRecord {
    pub target: sanad_domain::service_levels::TargetKind,
    pub category: String,
    pub description: String,
    pub corrective_action: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct RootCauseInput {
    pub target: sanad_domain::service_levels::TargetKind,
    pub category: String,
    pub description: sanad_domain::MessageBody,
    pub corrective_action: sanad_domain::MessageBody,
}

/// A notice for a staff member (pre-breach alert, breach, escalation).
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationRecord {
    pub id: i64,
    pub ticket_number: String,
    pub user_id: i64,
    /// `pre_breach_alert`, `breach` or `escalation`.
    pub kind: String,
    pub detail: serde_json::Value,
    pub created_at: Timestamp,
}

/// A timer claimed by one instance for firing.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedTimer {
    pub id: i64,
    pub org_id: i64,
    pub ticket_id: i64,
    pub due_at: Timestamp,
}

/// What one sweep of due timers did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub claimed: usize,
    pub fired: usize,
}

/// A policy version as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    pub version: i64,
    pub file_name: String,
    pub source: String,
    pub applied_at: Timestamp,
}

/// The result of a create: the ticket, and whether this call created it or an earlier call with
/// the same idempotency key did.
#[derive(Debug, Clone)]
pub struct CreatedTicket {
    pub ticket: TicketSummary,
    pub created: bool,
    /// The new ticket's tracking code, in clear this once (only its digest is stored); `None`
    /// when an idempotent retry returned a ticket created earlier.
    pub tracking_code: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub department: Option<Code>,
    pub assignee_id: Option<i64>,
    pub requester_id: Option<i64>,
    pub kind: Option<TicketKind>,
    pub category: Option<Code>,
    /// Only tickets with an id below this one (the cursor of the previous page).
    pub before_id: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct TicketPage {
    pub tickets: Vec<TicketSummary>,
    /// The id to continue from, when there may be more.
    pub next_before_id: Option<i64>,
}

/// A change of classification, routing or assignment. `None` leaves a field as it is; the
/// inner `Option` of `assignee` clears it.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub kind: Option<TicketKind>,
    pub category: Option<Code>,
    pub complexity: Option<Complexity>,
    pub importance: Option<Importance>,
    pub departments: Option<Vec<Code>>,
    pub assignee_id: Option<Option<i64>>,
    pub subject: Option<Subject>,
}

#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub to: TicketStatus,
    pub reason: Option<sanad_domain::ConductReason>,
    pub merge_into: Option<sanad_domain::TicketNumber>,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub body: sanad_domain::MessageBody,
    pub attachments: Vec<NewAttachment>,
}

/// What applying a new policy does to tickets already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecomputeDeadlines {
    /// Running tickets keep the deadlines they were given (the default: a published promise is
    /// not rewritten after the fact).
    KeepRunning,
    /// Open tickets get their targets recomputed under the new policy.
    RecomputeOpenTickets,
}

/// Who moved a ticket up the escalation ladder by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualEscalation {
    /// The requester, once a published target has lapsed; their note is a message to staff.
    ByRequester,
    /// A staff member, at any time; their note is internal.
    ByStaff,
}

impl ManualEscalation {
    /// The reason recorded on the escalation.
    pub fn reason(self) -> &'static str {
        match self {
            ManualEscalation::ByRequester => "requester",
            ManualEscalation::ByStaff => "staff",
        }
    }

    pub fn note_kind(self) -> sanad_domain::MessageKind {
        match self {
            ManualEscalation::ByRequester => sanad_domain::MessageKind::RequesterMessage,
            ManualEscalation::ByStaff => sanad_domain::MessageKind::InternalNote,
        }
    }
}
