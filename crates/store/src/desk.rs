//! What the web desk stores besides tickets: browser sessions, login throttling, requesters'
//! tracking codes, canned replies, the audit of complaint views, presence on a ticket,
//! the satisfaction figures of the dashboard, details of contacts logged by staff, channel settings, the agents'
//! queues and the managers' dashboard figures.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use crate::model::User;
use jiff::{SignedDuration, Timestamp};
use sanad_domain::permissions::Principal;
use sanad_domain::service_levels::{TargetKind, TargetState};
use sanad_domain::{
    Channel, Code, Complexity, Importance, PersonName, StaffRole, TicketKind, TicketStatus,
};

macro_rules! store_enum {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Result<Self, StoreError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(StoreError::Corrupt(format!(
                        "unknown {} '{other}'", stringify!($name)
                    ))),
                }
            }
        }
    };
}

store_enum! {
    /// What a browser session stands for.
    pub enum SessionKind {
        /// A staff member who is fully signed in.
        Staff => "staff",
        /// A staff member whose password was right and whose one-time code is still due.
        StaffTotpPending => "staff_totp_pending",
        /// A requester following one ticket, after giving its number and tracking code.
        Requester => "requester",
    }
}

store_enum! {
    pub enum LoginOutcome {
        Succeeded => "succeeded",
        Failed => "failed",
    }
}

store_enum! {
    /// What a staff member is doing on a ticket page, shown to the others on it.
    pub enum PresenceActivity {
        Viewing => "viewing",
        Replying => "replying",
    }
}

store_enum! {
    pub enum ChannelState {
        Enabled => "enabled",
        Disabled => "disabled",
    }
}

store_enum! {
    pub enum UserState {
        Active => "active",
        Disabled => "disabled",
    }
}

store_enum! {
    /// The agents' queues.
    pub enum Queue {
        /// Open tickets assigned to the viewer.
        Mine => "mine",
        /// Open tickets routed to one of the viewer's departments.
        MyDepartments => "departments",
        /// Open tickets without an assignee.
        Unassigned => "unassigned",
        /// Open tickets with a running target due within `QueueQuery::breaching_within`, or
        /// already breached.
        BreachingSoon => "breaching",
        /// Open tickets whose latest escalation stage names the viewer as its owner.
        EscalatedToMe => "escalated",
        /// Tickets waiting on the requester.
        WaitingOnRequester => "waiting",
        /// Every open ticket the viewer may see.
        AllOpen => "open",
        /// Every ticket the viewer may see, closed ones included.
        All => "all",
    }
}

store_enum! {
    pub enum QueueSort {
        NewestFirst => "newest",
        OldestFirst => "oldest",
        RecentlyUpdated => "updated",
        /// The nearest running deadline first; tickets without one last.
        DeadlineFirst => "deadline",
        /// High first, then medium, low, unset.
        ImportanceFirst => "importance",
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub org_id: i64,
    pub kind: SessionKind,
    pub user_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// The SHA-256 of the cookie's secret (see `secrets::digest`): the database never holds a
    /// usable session secret.
    pub token_hash: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: i64,
    pub org_id: i64,
    pub kind: SessionKind,
    pub user_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a password check needs about a staff member.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    pub user: User,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub state: UserState,
}

#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub name: PersonName,
    pub role: StaffRole,
    pub departments: Vec<Code>,
    pub state: UserState,
}

/// A user as the administration lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct UserListing {
    pub user: User,
    pub state: UserState,
    pub has_password: bool,
    pub has_totp: bool,
}

/// Failed sign-ins counted since a moment: for one address in one organization, and from one
/// client address across all organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    pub for_email: i64,
    pub from_client: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketViewRecord {
    pub ticket_number: String,
    pub user_id: i64,
    pub user_name: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PresenceRecord {
    pub user_id: i64,
    pub user_name: String,
    pub activity: PresenceActivity,
    pub seen_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelSetting {
    pub channel: Channel,
    pub state: ChannelState,
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub queue: Queue,
    pub kind: Option<TicketKind>,
    pub status: Option<TicketStatus>,
    pub category: Option<Code>,
    pub department: Option<Code>,
    pub importance: Option<Importance>,
    pub channel: Option<Channel>,
    /// A piece of the subject, the ticket number or the requester's name (case-insensitive).
    pub text: Option<String>,
    pub sort: QueueSort,
    /// One-based.
    pub page: u32,
    pub page_size: u32,
    pub now: Timestamp,
    /// How close a deadline must be for the "breaching soon" queue.
    pub breaching_within: SignedDuration,
}

/// The nearest running target of a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NextDeadline {
    pub target: TargetKind,
    pub deadline: Timestamp,
    pub state: TargetState,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
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
    pub assignee_name: Option<String>,
    pub requester_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The earliest deadline among running (not met, not paused) targets; when none runs but
    /// one is breached, the earliest breached one.
    pub next_deadline: Option<NextDeadline>,
    /// The highest escalation stage reached (zero-based), if any.
    pub escalation_stage: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// How many tickets match the whole query (all pages), counted up to
    /// `QUEUE_COUNT_LIMIT + 1`: a larger value means "more than the limit".
    pub total: i64,
}

/// Queue totals and counts stop at this many: a count past it is reported as the limit plus one,
/// and shown as "more than 1,000". Counting exactly would read every index entry of a queue
/// such as "all tickets" over a million-ticket history on every page render.
pub const QUEUE_COUNT_LIMIT: i64 = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentCount {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetCompliance {
    pub target: TargetKind,
    pub met: i64,
    pub breached: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageCount {
    pub stage: i64,
    pub stage_name: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentLoad {
    pub user_id: i64,
    pub name: String,
    pub open_assigned: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SatisfactionSummary {
    pub ratings: i64,
    /// Ratings per score: index 0 holds the count of 1s, index 4 the count of 5s.
    pub by_score: [i64; 5],
}

/// The managers' dashboard: open work now, and what happened to tickets created since `since`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub open_by_status: Vec<(TicketStatus, i64)>,
    pub open_by_department: Vec<DepartmentCount>,
    /// Targets of tickets created since `since` that were met or breached.
    pub compliance: Vec<TargetCompliance>,
    /// Breached targets on tickets that are still open.
    pub open_breaches: i64,
    /// Escalations started since `since`, per stage.
    pub escalations_by_stage: Vec<StageCount>,
    /// Open tickets by age: under 1 day, 1–3 days, 3–7 days, over 7 days.
    pub aging: [i64; 4],
    pub workload: Vec<AgentLoad>,
    /// Ratings given since `since`.
    pub satisfaction: SatisfactionSummary,
}

impl Store {
    // ---- sessions ----------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        new: &NewSession,
        now: Timestamp,
    ) -> Result<SessionRecord, StoreError> {
        dispatch!(self, desk_create_session(new, now))
    }

    /// The unexpired session with this digest.
    pub async fn session_by_token_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError> {
        dispatch!(self, desk_session_by_token_hash(token_hash, now))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, desk_delete_session(token_hash))
    }

    /// Ends every session of one user (after a password change or when disabling them).
    pub async fn delete_sessions_of_user(
        &self,
        org_id: i64,
        user_id: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, desk_delete_sessions_of_user(org_id, user_id))
    }

    pub async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64, StoreError> {
        dispatch!(self, desk_delete_expired_sessions(now))
    }

    // ---- staff accounts ----------------------------------------------------------------------

    /// The staff member with this address (e-mail compared as stored: already normalised).
    pub async fn staff_credentials(
        &self,
        org_id: i64,
        email: &str,
    ) -> Result<Option<StaffCredentials>, StoreError> {
        dispatch!(self, desk_staff_credentials(org_id, email))
    }

    pub async fn staff_credentials_by_id(
        &self,
        org_id: i64,
        user_id: i64,
    ) -> Result<Option<StaffCredentials>, StoreError> {
        dispatch!(self, desk_staff_credentials_by_id(org_id, user_id))
    }

    pub async fn user_listings(&self, org_id: i64) -> Result<Vec<UserListing>, StoreError> {
        dispatch!(self, desk_user_listings(org_id))
    }

    pub async fn set_user_password(
        &self,
        org_id: i64,
        user_id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, desk_set_user_password(org_id, user_id, password_hash))
    }

    pub async fn set_user_totp(
        &self,
        org_id: i64,
        user_id: i64,
        totp_secret: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(self, desk_set_user_totp(org_id, user_id, totp_secret))
    }

    /// Changes name, role, departments and state; `NotFound` for an unknown user or
    /// department.
    pub async fn update_user(
        &self,
        org_id: i64,
        user_id: i64,
        update: &UserUpdate,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        dispatch!(self, desk_update_user(org_id, user_id, update, now))
    }

    pub async fn record_login_attempt(
        &self,
        org_id: i64,
        email: &str,
        client_ip: &str,
        outcome: LoginOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_record_login_attempt(org_id, email, client_ip, outcome, now)
        )
    }

    /// Failures since `since`; for the address, only those after its last success count.
    pub async fn login_failures_since(
        &self,
        org_id: i64,
        email: &str,
        client_ip: &str,
        since: Timestamp,
    ) -> Result<LoginFailures, StoreError> {
        dispatch!(
            self,
            desk_login_failures_since(org_id, email, client_ip, since)
        )
    }

    // ---- requesters' access to their ticket --------------------------------------------------

    /// Stores (or replaces) the digest of a ticket's tracking code.
    pub async fn set_tracking_code(
        &self,
        org_id: i64,
        ticket_id: i64,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_set_tracking_code(org_id, ticket_id, code_hash, now)
        )
    }

    /// The id of the ticket with this number whose tracking code has this digest.
    pub async fn ticket_id_by_tracking_code(
        &self,
        org_id: i64,
        number: &str,
        code_hash: &str,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(
            self,
            desk_ticket_id_by_tracking_code(org_id, number, code_hash)
        )
    }

    pub async fn ticket_number_by_id(
        &self,
        org_id: i64,
        ticket_id: i64,
    ) -> Result<Option<String>, StoreError> {
        dispatch!(self, desk_ticket_number_by_id(org_id, ticket_id))
    }

    // ---- canned replies ----------------------------------------------------------------------

    /// The organization's canned replies that are not archived, by title.
    pub async fn canned_replies(&self, org_id: i64) -> Result<Vec<CannedReply>, StoreError> {
        dispatch!(self, desk_canned_replies(org_id))
    }

    pub async fn create_canned_reply(
        &self,
        org_id: i64,
        title: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<CannedReply, StoreError> {
        dispatch!(self, desk_create_canned_reply(org_id, title, body, now))
    }

    pub async fn update_canned_reply(
        &self,
        org_id: i64,
        id: i64,
        title: &str,
        body: &str,
    ) -> Result<CannedReply, StoreError> {
        dispatch!(self, desk_update_canned_reply(org_id, id, title, body))
    }

    pub async fn archive_canned_reply(
        &self,
        org_id: i64,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, desk_archive_canned_reply(org_id, id, now))
    }

    // ---- confidentiality audit and presence --------------------------------------------------

    pub async fn record_ticket_view(
        &self,
        org_id: i64,
        ticket_id: i64,
        user_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_record_ticket_view(org_id, ticket_id, user_id, now)
        )
    }

    /// The latest recorded views in the organization, newest first.
    pub async fn ticket_views(
        &self,
        org_id: i64,
        limit: u32,
    ) -> Result<Vec<TicketViewRecord>, StoreError> {
        dispatch!(self, desk_ticket_views(org_id, limit))
    }

    pub async fn touch_presence(
        &self,
        org_id: i64,
        ticket_id: i64,
        user_id: i64,
        activity: PresenceActivity,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_touch_presence(org_id, ticket_id, user_id, activity, now)
        )
    }

    /// Who has been on the ticket since `since`, most recent first.
    pub async fn presence(
        &self,
        ticket_id: i64,
        since: Timestamp,
    ) -> Result<Vec<PresenceRecord>, StoreError> {
        dispatch!(self, desk_presence(ticket_id, since))
    }

    // ---- contacts logged by staff ------------------------------------------------------------

    pub async fn record_contact_details(
        &self,
        org_id: i64,
        ticket_id: i64,
        details: &serde_json::Value,
        logged_by: i64,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_record_contact_details(org_id, ticket_id, details, logged_by)
        )
    }

    pub async fn contact_details(
        &self,
        ticket_id: i64,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        dispatch!(self, desk_contact_details(ticket_id))
    }

    // ---- channels ----------------------------------------------------------------------------

    pub async fn channel_settings(&self, org_id: i64) -> Result<Vec<ChannelSetting>, StoreError> {
        dispatch!(self, desk_channel_settings(org_id))
    }

    pub async fn set_channel_setting(
        &self,
        org_id: i64,
        setting: &ChannelSetting,
    ) -> Result<(), StoreError> {
        dispatch!(self, desk_set_channel_setting(org_id, setting))
    }

    // ---- organization settings ---------------------------------------------------------------

    /// Changes the display name, time zone (an IANA name already validated) and reopen window.
    pub async fn update_organization_settings(
        &self,
        org_id: i64,
        name: &str,
        time_zone: &str,
        reopen_window_hours: i64,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            desk_update_organization_settings(org_id, name, time_zone, reopen_window_hours)
        )
    }

    // ---- queues and dashboard ----------------------------------------------------------------

    /// One page of a queue, restricted to what `viewer` may see (see
    /// `sanad_domain::permissions::ticket_access`: the same rule, as SQL).
    pub async fn queue(
        &self,
        org_id: i64,
        viewer: &Principal,
        query: &QueueQuery,
    ) -> Result<QueuePage, StoreError> {
        dispatch!(self, desk_queue(org_id, viewer, query))
    }

    /// The number of tickets in every queue for this viewer, in `Queue::ALL` order.
    pub async fn queue_counts(
        &self,
        org_id: i64,
        viewer: &Principal,
        now: Timestamp,
        breaching_within: SignedDuration,
    ) -> Result<Vec<(Queue, i64)>, StoreError> {
        dispatch!(
            self,
            desk_queue_counts(org_id, viewer, now, breaching_within)
        )
    }

    pub async fn dashboard(
        &self,
        org_id: i64,
        since: Timestamp,
        now: Timestamp,
    ) -> Result<Dashboard, StoreError> {
        dispatch!(self, desk_dashboard(org_id, since, now))
    }
}
