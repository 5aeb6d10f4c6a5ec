//! The policy file exactly as written, before validation.
//!
//! Every table rejects unknown keys, because a misspelt optional key (`first_respons`) would
//! otherwise silently drop a promise from the published policy. Values that need checking are
//! read as plain strings wrapped in [`Spanned`], so that validation (not deserialization)
//! produces the messages: the deserializer stops at its first error, while validation reports
//! every error with its line.

use serde::Deserialize;
use toml::Spanned;

use crate::calendar::CalendarSpec;

/// The whole file. Top-level keys come before the tables in TOML, so `root_cause_categories`
/// is written at the top of real files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub(crate) organization: Spanned<RawOrganization>,
    #[serde(default)]
    pub(crate) root_cause_categories: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) calendars: Vec<Spanned<CalendarSpec>>,
    #[serde(default)]
    pub(crate) channels: Vec<Spanned<RawChannel>>,
    pub(crate) service_levels: Spanned<RawServiceLevels>,
    #[serde(default)]
    pub(crate) escalation: Vec<Spanned<RawEscalationStage>>,
    pub(crate) requester_escalation: Spanned<RawRequesterEscalation>,
    #[serde(default)]
    pub(crate) departments: Vec<Spanned<RawDepartment>>,
    #[serde(default)]
    pub(crate) categories: Vec<Spanned<RawCategory>>,
    #[serde(default)]
    pub(crate) roster: Vec<Spanned<RawRosterEntry>>,
    #[serde(default)]
    pub(crate) public: RawPublic,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOrganization {
    pub(crate) name_ar: Spanned<String>,
    pub(crate) name_en: Spanned<String>,
    pub(crate) time_zone: Spanned<String>,
    pub(crate) reopen_window: Spanned<String>,
    pub(crate) status_update_every: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    pub(crate) channel: Spanned<String>,
    pub(crate) contact: Spanned<String>,
    pub(crate) label_ar: Option<String>,
    pub(crate) label_en: Option<String>,
    pub(crate) first_response: Option<Spanned<String>>,
    pub(crate) calendar: Option<Spanned<String>>,
    pub(crate) hours_note_ar: Option<String>,
    pub(crate) hours_note_en: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServiceLevels {
    pub(crate) calendar: Spanned<String>,
    #[serde(default)]
    pub(crate) alert_at: Vec<Spanned<f64>>,
    pub(crate) routing: Option<Spanned<String>>,
    pub(crate) overall: Option<Spanned<String>>,
    pub(crate) start_handling: Option<RawStartHandling>,
    pub(crate) closure: Option<RawClosure>,
}

/// `[service_levels.start_handling]`, keyed by importance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStartHandling {
    pub(crate) high: Option<Spanned<String>>,
    pub(crate) medium: Option<Spanned<String>>,
    pub(crate) low: Option<Spanned<String>>,
}

/// `[service_levels.closure]`, keyed by complexity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClosure {
    pub(crate) routine: Option<Spanned<String>>,
    pub(crate) critical: Option<Spanned<String>>,
    pub(crate) complex: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEscalationStage {
    pub(crate) name: Spanned<String>,
    pub(crate) name_ar: Spanned<String>,
    pub(crate) name_en: Option<String>,
    pub(crate) trigger: Spanned<RawTrigger>,
    pub(crate) owner: Spanned<RawOwner>,
    pub(crate) deadline: Spanned<String>,
    pub(crate) actions: Spanned<Vec<Spanned<String>>>,
    pub(crate) contact: Option<Spanned<String>>,
    pub(crate) description_ar: Option<String>,
    pub(crate) description_en: Option<String>,
}

/// `{ breached = "…" }` or `{ after_previous = "…" }`; exactly one key must be present, which
/// validation checks so that the message can say so.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrigger {
    pub(crate) breached: Option<Spanned<String>>,
    pub(crate) after_previous: Option<Spanned<String>>,
}

/// `{ role = "…" }` or `{ person = "…" }`; exactly one key must be present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOwner {
    pub(crate) role: Option<Spanned<String>>,
    pub(crate) person: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRequesterEscalation {
    pub(crate) allowed: Spanned<String>,
    #[serde(default)]
    pub(crate) steps_ar: Vec<String>,
    #[serde(default)]
    pub(crate) steps_en: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDepartment {
    pub(crate) code: Spanned<String>,
    pub(crate) name_ar: Spanned<String>,
    pub(crate) name_en: Spanned<String>,
    pub(crate) contact: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCategory {
    pub(crate) code: Spanned<String>,
    pub(crate) name_ar: Spanned<String>,
    pub(crate) name_en: Spanned<String>,
    pub(crate) department: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRosterEntry {
    pub(crate) name: Spanned<String>,
    pub(crate) name_en: Option<String>,
    pub(crate) title_ar: Spanned<String>,
    pub(crate) title_en: Spanned<String>,
    pub(crate) responsibility_ar: Spanned<String>,
    pub(crate) responsibility_en: Spanned<String>,
    pub(crate) contact: Spanned<String>,
    pub(crate) level: Option<Spanned<i64>>,
}

/// `[public]`: free texts of the published page. Every key is optional, and none is
/// validated beyond its type, because these are prose for people, not rules for the engine.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPublic {
    pub(crate) introduction_ar: Option<String>,
    pub(crate) introduction_en: Option<String>,
    #[serde(default)]
    pub(crate) beneficiaries_ar: Vec<String>,
    #[serde(default)]
    pub(crate) beneficiaries_en: Vec<String>,
    #[serde(default)]
    pub(crate) services_ar: Vec<String>,
    #[serde(default)]
    pub(crate) services_en: Vec<String>,
    #[serde(default)]
    pub(crate) etiquette_ar: Vec<String>,
    #[serde(default)]
    pub(crate) etiquette_en: Vec<String>,
    #[serde(default)]
    pub(crate) violation_actions_ar: Vec<String>,
    #[serde(default)]
    pub(crate) violation_actions_en: Vec<String>,
    pub(crate) confidentiality_ar: Option<String>,
    pub(crate) confidentiality_en: Option<String>,
    pub(crate) satisfaction_ar: Option<String>,
    pub(crate) satisfaction_en: Option<String>,
}
