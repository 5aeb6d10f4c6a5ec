//! Service-level policies: one TOML file per organization, its validation, and the public page.
//!
//! A policy says, in one published file, how an organization can be reached (channels and
//! their contacts), when it works (calendars), what it promises (first response per channel,
//! routing, start of handling by importance, closure by complexity, an overall cap), what
//! happens when a promise is missed (the escalation ladder and whether requesters may escalate
//! themselves) and the texts of the public page (beneficiaries, services, etiquette,
//! confidentiality, satisfaction). The shape is a published contract documented in
//! `docs/policy.md`; the five shipped policies in `policies/` reproduce the seed documents.
//!
//! [`Policy::parse`] takes the file's text and a file name used only in messages; it does no
//! I/O. It reports every problem at once ([`PolicyErrors`]), each with its line, column and key
//! path, because a policy is edited by hand and fixing one error per run is slow. A parsed
//! [`Policy`] is fully validated: every calendar it names exists, every duration parses, and
//! every escalation trigger refers to a target the policy defines, so the SLA engine can use
//! it without further checks.
//!
//! Durations of the escalation ladder, the reopen window and periodic status updates are
//! measured on the default calendar (`service_levels.calendar`); first-response targets on
//! the channel's own calendar when it names one.

mod errors;
mod raw;
mod render;
mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::calendar::{CalendarSpec, DurationExpr, WorkingCalendar};
use crate::{Channel, Code, Complexity, EmailAddress, Importance, StaffRole};

pub use errors::{PolicyError, PolicyErrors};
pub use render::{Lang, duration_phrase, every_phrase, render_markdown, within_phrase};

string_enum! {
    /// A service-level target that a ticket can breach. These spellings are used in policy
    /// files (`trigger = { breached = "first_response" }`), in the database and on the
    /// command line.
    pub enum TargetKind: "service-level target" {
        /// The first reply to the requester, set per channel (`[[channels]].first_response`).
        FirstResponse => "first_response",
        /// Routing to the competent department (`service_levels.routing`, seed 000).
        Routing => "routing",
        /// The start of handling, set per importance (`[service_levels.start_handling]`,
        /// seed 002).
        StartHandling => "start_handling",
        /// Closure, set per complexity (`[service_levels.closure]`, seed 002).
        Closure => "closure",
        /// The overall cap from receipt to closure (`service_levels.overall`, seed 001).
        Overall => "overall",
    }
}

string_enum! {
    /// What happens when an escalation stage fires.
    pub enum EscalationAction: "escalation action" {
        /// Notify the stage's owner (and the current assignee).
        Notify => "notify",
        /// Assign the ticket to the stage's owner.
        Reassign => "reassign",
        /// Raise the ticket's importance one step (low to medium, medium to high).
        RaiseImportance => "raise_importance",
    }
}

string_enum! {
    /// Whether requesters may escalate a ticket themselves. An enumeration rather than a
    /// boolean so that a later rule (for example "at any time") can be added without
    /// changing the meaning of existing files.
    pub enum RequesterEscalation: "requester escalation rule" {
        /// Once any target of the ticket has lapsed (seeds 001 and 004).
        AfterFirstTargetLapses => "after_first_target_lapses",
        /// Requesters cannot escalate; only the staff ladder applies.
        Never => "never",
    }
}

/// The organization's identity and the durations that are not targets of a single ticket
/// stage.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The Arabic name, shown first on the public page.
    pub name_ar: String,
    /// The English name.
    pub name_en: String,
    /// The IANA time-zone name as written, such as `Asia/Riyadh`.
    pub time_zone_name: String,
    /// The time zone itself, for showing instants to staff and requesters.
    pub time_zone: jiff::tz::TimeZone,
    /// How long after closure a requester may reopen a ticket (default calendar).
    pub reopen_window: DurationExpr,
    /// How often requesters of open tickets receive a status update (seed 001), on the default
    /// calendar; `None` when the policy promises no periodic updates.
    pub status_update_every: Option<DurationExpr>,
}

/// One channel through which requests arrive, with its public contact and response target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPolicy {
    /// The channel; each appears at most once in a policy.
    pub channel: Channel,
    /// The public contact detail: a number, an address, a handle or a page.
    pub contact: String,
    /// A display label overriding the built-in Arabic name of the channel.
    pub label_ar: Option<String>,
    /// A display label overriding the built-in English name of the channel.
    pub label_en: Option<String>,
    /// The first-response target for requests on this channel, if the policy sets one.
    pub first_response: Option<DurationExpr>,
    /// The name of the calendar on which this channel's target is measured; already resolved
    /// to `service_levels.calendar` when the file names none.
    pub calendar: String,
    /// Free text about the channel's hours, shown on the Arabic page.
    pub hours_note_ar: Option<String>,
    /// Free text about the channel's hours, shown on the English page.
    pub hours_note_en: Option<String>,
}

/// The targets that apply to tickets, and when staff are warned before a breach.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLevels {
    /// The default calendar's name, used by every target without a calendar of its own.
    pub calendar: String,
    /// Fractions of a target's duration (strictly increasing, each in (0, 1)) at which the
    /// responsible team is alerted before the breach (seed 003). Empty: no pre-breach alerts.
    pub alert_at: Vec<f64>,
    /// Routing to the competent department (seed 000: within 24 hours).
    pub routing: Option<DurationExpr>,
    /// The overall cap from receipt to closure (seed 001: 15 working days).
    pub overall: Option<DurationExpr>,
    /// When handling must start, by importance (seed 002); a missing importance has no target.
    pub start_handling: BTreeMap<Importance, DurationExpr>,
    /// When the ticket must be closed, by complexity (seed 002).
    pub closure: BTreeMap<Complexity, DurationExpr>,
}

/// What makes an escalation stage fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationTrigger {
    /// The ticket breached this target. The first stage always uses this trigger.
    Breached(TargetKind),
    /// This much time (on the default calendar) passed since the previous stage fired without
    /// the ticket being answered.
    AfterPrevious(DurationExpr),
}

/// Who owns the ticket once a stage fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationOwner {
    /// The holder of this role in the ticket's department (for example the department's
    /// director, seed 004's second stage). Never [`StaffRole::Supervisor`], who may only read.
    Role(StaffRole),
    /// A named person, by e-mail address.
    Person(EmailAddress),
}

/// One stage of the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationStage {
    /// A stable identifier, unique in the policy, recorded on tickets that reach the stage.
    pub name: String,
    /// The Arabic display name.
    pub name_ar: String,
    /// The English display name, if given; pages fall back to `name`.
    pub name_en: Option<String>,
    /// When the stage fires.
    pub trigger: EscalationTrigger,
    /// Who owns the ticket from then on.
    pub owner: EscalationOwner,
    /// The owner's own deadline, counted from when the stage fires, on the default calendar.
    pub deadline: DurationExpr,
    /// What happens when the stage fires; never empty, without repetitions, in file order.
    pub actions: Vec<EscalationAction>,
    /// A public contact for this stage (seed 000 publishes the academic director's number).
    pub contact: Option<String>,
    /// Free text describing the stage on the Arabic page.
    pub description_ar: Option<String>,
    /// Free text describing the stage on the English page.
    pub description_en: Option<String>,
}

/// Whether and how requesters may escalate by themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequesterEscalationPolicy {
    /// The rule the SLA engine enforces.
    pub allowed: RequesterEscalation,
    /// The steps a requester follows, as shown on the Arabic page (seed 001).
    pub steps_ar: Vec<String>,
    /// The same steps for the English page.
    pub steps_en: Vec<String>,
}

/// A department tickets can be routed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The stable code that categories and tickets refer to.
    pub code: Code,
    /// The Arabic display name.
    pub name_ar: String,
    /// The English display name.
    pub name_en: String,
    /// A public contact of the department, such as seed 004's separate finance mailbox.
    pub contact: Option<String>,
}

/// A category requesters choose, routed to its department by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The stable code that tickets refer to.
    pub code: Code,
    /// The Arabic display name.
    pub name_ar: String,
    /// The English display name.
    pub name_en: String,
    /// The department's code; always one declared in the same policy.
    pub department: Code,
}

/// One row of the roles-and-responsibilities table (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The person's name as shown on the Arabic page.
    pub name: String,
    /// The name in Latin script for the English page, if given.
    pub name_en: Option<String>,
    /// The job title, in Arabic and English.
    pub title_ar: String,
    pub title_en: String,
    /// What the person is responsible for, in Arabic and English.
    pub responsibility_ar: String,
    pub responsibility_en: String,
    /// How to reach the person.
    pub contact: String,
    /// The support level (seeds 000 and 003: level 1 call centre, level 2 specialists).
    pub level: Option<u8>,
}

/// The free texts of the public page, in Arabic and English. Empty lists and `None` are simply
/// left out of the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicTexts {
    /// The opening paragraph.
    pub introduction_ar: Option<String>,
    pub introduction_en: Option<String>,
    /// Who the service is for (seeds 000 and 004).
    pub beneficiaries_ar: Vec<String>,
    pub beneficiaries_en: Vec<String>,
    /// The services the policy covers.
    pub services_ar: Vec<String>,
    pub services_en: Vec<String>,
    /// Conduct rules for requesters (seed 004).
    pub etiquette_ar: Vec<String>,
    pub etiquette_en: Vec<String>,
    /// What the organization does when the conduct rules are broken (seed 004).
    pub violation_actions_ar: Vec<String>,
    pub violation_actions_en: Vec<String>,
    /// Who may see complaint data (seed 002).
    pub confidentiality_ar: Option<String>,
    pub confidentiality_en: Option<String>,
    /// How satisfaction is measured (seed 002).
    pub satisfaction_ar: Option<String>,
    pub satisfaction_en: Option<String>,
}

/// A validated service-level policy.
///
/// Its fields are private so that the guarantees of [`Policy::parse`] (every calendar name
/// resolves, every trigger's target is defined) cannot be broken afterwards; the getters
/// below expose everything.
#[derive(Debug, Clone)]
pub struct Policy {
    organization: Organization,
    calendars: Vec<WorkingCalendar>,
    calendar_specs: Vec<CalendarSpec>,
    /// A copy of the calendar named by `service_levels.calendar`, kept apart so that
    /// [`Policy::default_calendar`] needs no lookup that could fail.
    default_calendar: WorkingCalendar,
    channels: Vec<ChannelPolicy>,
    service_levels: ServiceLevels,
    escalation: Vec<EscalationStage>,
    requester_escalation: RequesterEscalationPolicy,
    root_cause_categories: Vec<String>,
    departments: Vec<Department>,
    categories: Vec<Category>,
    roster: Vec<RosterEntry>,
    public: PublicTexts,
}

impl Policy {
    /// Parses and validates a policy file.
    ///
    /// `file_name` appears only in error messages (`file:line:column: key: message`). A TOML
    /// syntax or type error stops parsing and is reported alone, because nothing after it can
    /// be trusted; otherwise every semantic error in the file is reported.
    pub fn parse(source: &str, file_name: &str) -> Result<Policy, PolicyErrors> {
        let mut map = errors::SourceMap::new(source, file_name);
        let document = match toml::de::DeTable::parse(source) {
            Ok(document) => document,
            Err(error) => {
                // The recovering parser still builds a tree around the error, which is enough
                // to name the key it sits in. Only the first error is reported: the ones after
                // it are mostly echoes of the first.
                let (recovered, _) = toml::de::DeTable::parse_recoverable(source);
                map.index_document(&recovered);
                return Err(PolicyErrors::new(vec![map.toml_error(&error)]));
            }
        };
        map.index_document(&document);
        let raw = raw::RawPolicy::deserialize(toml::de::Deserializer::from(document))
            .map_err(|error| PolicyErrors::new(vec![map.toml_error(&error)]))?;
        validate::validate(raw, &map)
    }

    /// The organization's names, time zone, reopen window and status-update period.
    pub fn organization(&self) -> &Organization {
        &self.organization
    }

    /// Every calendar, in file order.
    pub fn calendars(&self) -> &[WorkingCalendar] {
        &self.calendars
    }

    /// The calendars as written, parallel to [`calendars`](Self::calendars), for showing the
    /// working hours, holidays and extra sessions on the public page.
    pub fn calendar_specs(&self) -> &[CalendarSpec] {
        &self.calendar_specs
    }

    /// The calendar with this name.
    pub fn calendar(&self, name: &str) -> Option<&WorkingCalendar> {
        self.calendars.iter().find(|c| c.name() == name)
    }

    /// The calendar named by `service_levels.calendar`, on which every target without a
    /// calendar of its own (and the escalation ladder) is measured.
    pub fn default_calendar(&self) -> &WorkingCalendar {
        &self.default_calendar
    }

    /// Every channel, in file order.
    pub fn channels(&self) -> &[ChannelPolicy] {
        &self.channels
    }

    /// The entry for one channel, if the policy lists it.
    pub fn channel(&self, channel: Channel) -> Option<&ChannelPolicy> {
        self.channels.iter().find(|c| c.channel == channel)
    }

    /// The targets and pre-breach alert fractions.
    pub fn service_levels(&self) -> &ServiceLevels {
        &self.service_levels
    }

    /// The escalation ladder, in order; may be empty.
    pub fn escalation(&self) -> &[EscalationStage] {
        &self.escalation
    }

    /// The stage with this name and its position in the ladder (0 for the first stage), for
    /// resuming the ladder of a ticket that recorded the stage it reached.
    pub fn escalation_stage(&self, name: &str) -> Option<(usize, &EscalationStage)> {
        self.escalation
            .iter()
            .enumerate()
            .find(|(_, stage)| stage.name == name)
    }

    /// Whether requesters may escalate themselves, and the steps shown to them.
    pub fn requester_escalation(&self) -> &RequesterEscalationPolicy {
        &self.requester_escalation
    }

    /// The categories offered for root-cause analysis of missed targets (seed 003).
    pub fn root_cause_categories(&self) -> &[String] {
        &self.root_cause_categories
    }

    /// The departments tickets can be routed to, in file order.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The categories requesters choose, each with its department, in file order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The roles-and-responsibilities table.
    pub fn roster(&self) -> &[RosterEntry] {
        &self.roster
    }

    /// The free texts of the public page.
    pub fn public_texts(&self) -> &PublicTexts {
        &self.public
    }

    /// Whether any ticket can have this target under the policy: a first-response target on
    /// some channel, a routing or overall duration, or at least one start-handling or closure
    /// entry.
    pub fn defines_target(&self, target: TargetKind) -> bool {
        let levels = &self.service_levels;
        match target {
            TargetKind::FirstResponse => self.channels.iter().any(|c| c.first_response.is_some()),
            TargetKind::Routing => levels.routing.is_some(),
            TargetKind::StartHandling => !levels.start_handling.is_empty(),
            TargetKind::Closure => !levels.closure.is_empty(),
            TargetKind::Overall => levels.overall.is_some(),
        }
    }

    /// The duration and calendar of one target for a ticket with these attributes, or `None`
    /// when the policy sets no such target for it.
    ///
    /// * `FirstResponse`: the channel's `first_response`, on the channel's calendar.
    /// * `StartHandling`: the entry for `importance` (`None` when importance is unknown).
    /// * `Closure`: the entry for `complexity` (`None` when complexity is unknown).
    /// * `Routing` and `Overall`: the flat duration.
    ///
    /// All but the first are measured on the default calendar.
    pub fn target_duration(
        &self,
        target: TargetKind,
        channel: Channel,
        importance: Option<Importance>,
        complexity: Option<Complexity>,
    ) -> Option<(&DurationExpr, &WorkingCalendar)> {
        let levels = &self.service_levels;
        match target {
            TargetKind::FirstResponse => {
                let entry = self.channel(channel)?;
                let duration = entry.first_response.as_ref()?;
                Some((duration, self.calendar(&entry.calendar)?))
            }
            TargetKind::Routing => Some((levels.routing.as_ref()?, self.default_calendar())),
            TargetKind::StartHandling => Some((
                levels.start_handling.get(&importance?)?,
                self.default_calendar(),
            )),
            TargetKind::Closure => {
                Some((levels.closure.get(&complexity?)?, self.default_calendar()))
            }
            TargetKind::Overall => Some((levels.overall.as_ref()?, self.default_calendar())),
        }
    }
}
