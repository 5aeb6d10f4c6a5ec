//! Semantic validation: from the file as written to a [`Policy`] the SLA engine can trust.
//!
//! Every check records its error and carries on, so that one run reports everything. A value
//! that failed its own check is left out of the later checks that depend on it (a calendar
//! that failed to build is still "declared", so references to it are not reported a second
//! time as unknown).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::errors::{PolicyError, PolicyErrors, SourceMap};
use super::raw::{
    RawCategory, RawChannel, RawDepartment, RawEscalationStage, RawOrganization, RawOwner,
    RawPolicy, RawPublic, RawRosterEntry, RawServiceLevels, RawTrigger,
};
use super::{
    Category, ChannelPolicy, Department, EscalationAction, EscalationOwner, EscalationStage,
    EscalationTrigger, Organization, Policy, PublicTexts, RequesterEscalation,
    RequesterEscalationPolicy, RosterEntry, ServiceLevels, TargetKind,
};
use crate::calendar::{CalendarError, CalendarSpec, DurationExpr, WorkingCalendar};
use crate::{Channel, Code, Complexity, EmailAddress, Importance, StaffRole};

/// Collects errors against one source.
struct Checker<'m, 'a> {
    map: &'m SourceMap<'a>,
    errors: Vec<PolicyError>,
}

impl Checker<'_, '_> {
    fn report(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        self.errors.push(self.map.error(span, key, message));
    }

    /// A required text, trimmed; empty or blank text is an error.
    fn text(&mut self, value: &Spanned<String>, key: &str) -> Option<String> {
        let trimmed = value.get_ref().trim();
        if trimmed.is_empty() {
            self.report(&value.span(), key, "must not be empty");
            return None;
        }
        Some(trimmed.to_owned())
    }

    /// An optional text that, when present, must not be blank (a blank contact would show as
    /// an empty cell on the public page).
    fn optional_text(&mut self, value: Option<&Spanned<String>>, key: &str) -> Option<String> {
        value.and_then(|value| self.text(value, key))
    }

    fn duration(&mut self, value: &Spanned<String>, key: &str) -> Option<DurationExpr> {
        match DurationExpr::parse(value.get_ref()) {
            Ok(duration) => Some(duration),
            Err(error) => {
                self.report(&value.span(), key, error.to_string());
                None
            }
        }
    }

    fn optional_duration(
        &mut self,
        value: Option<&Spanned<String>>,
        key: &str,
    ) -> Option<DurationExpr> {
        value.and_then(|value| self.duration(value, key))
    }

    /// Checks that `name` is one of the declared calendars; the error lists them.
    fn calendar_reference(&mut self, value: &Spanned<String>, key: &str, declared: &[String]) {
        let name = value.get_ref().trim();
        if !declared.iter().any(|declared| declared == name) {
            let known = if declared.is_empty() {
                "none; add a [[calendars]] table".to_owned()
            } else {
                declared.join(", ")
            };
            self.report(
                &value.span(),
                key,
                format!("unknown calendar {name:?}; declared calendars: {known}"),
            );
        }
    }
}

/// Keeps text tidy without rejecting it: free texts are trimmed and blank ones dropped.
fn tidy(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn tidy_list(list: Vec<String>) -> Vec<String> {
    list.into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

pub(crate) fn validate(raw: RawPolicy, map: &SourceMap<'_>) -> Result<Policy, PolicyErrors> {
    let mut checker = Checker {
        map,
        errors: Vec::new(),
    };
    let c = &mut checker;

    let organization = organization(c, raw.organization.get_ref());
    let (calendars, declared_calendars) = calendars(c, &raw.calendars);
    let service_level_calendar = raw.service_levels.get_ref().calendar.get_ref().trim();
    c.calendar_reference(
        &raw.service_levels.get_ref().calendar,
        "service_levels.calendar",
        &declared_calendars,
    );
    let channels = channels(
        c,
        &raw.channels,
        &declared_calendars,
        service_level_calendar,
    );
    let service_levels = service_levels(c, raw.service_levels.get_ref());
    let defined = defined_targets(&raw);
    let escalation = escalation(c, &raw.escalation, &defined);
    let requester_escalation = {
        let raw_rule = raw.requester_escalation.get_ref();
        let allowed = match raw_rule
            .allowed
            .get_ref()
            .trim()
            .parse::<RequesterEscalation>()
        {
            Ok(rule) => Some(rule),
            Err(error) => {
                c.report(
                    &raw_rule.allowed.span(),
                    "requester_escalation.allowed",
                    error.to_string(),
                );
                None
            }
        };
        allowed.map(|allowed| RequesterEscalationPolicy {
            allowed,
            steps_ar: tidy_list(raw_rule.steps_ar.clone()),
            steps_en: tidy_list(raw_rule.steps_en.clone()),
        })
    };
    let root_cause_categories = root_causes(c, &raw.root_cause_categories);
    let departments = departments(c, &raw.departments);
    let declared_departments: Vec<String> = raw
        .departments
        .iter()
        .map(|d| d.get_ref().code.get_ref().trim().to_owned())
        .collect();
    let categories = categories(c, &raw.categories, &declared_departments);
    let roster = roster(c, &raw.roster);
    let public = public_texts(raw.public);

    let errors = checker.errors;
    let default_calendar = calendars
        .iter()
        .find(|(calendar, _)| calendar.name() == service_level_calendar)
        .map(|(calendar, _)| calendar.clone());
    let (
        Some(organization),
        Some(default_calendar),
        Some(service_levels),
        Some(requester_escalation),
    ) = (
        organization,
        default_calendar,
        service_levels,
        requester_escalation,
    )
    else {
        return Err(PolicyErrors::new(ensure_not_empty(errors, map)));
    };
    if !errors.is_empty() {
        return Err(PolicyErrors::new(errors));
    }
    let (calendars, calendar_specs) = calendars.into_iter().unzip();
    Ok(Policy {
        organization,
        calendars,
        calendar_specs,
        default_calendar,
        channels,
        service_levels,
        escalation,
        requester_escalation,
        root_cause_categories,
        departments,
        categories,
        roster,
        public,
    })
}

/// A value that failed validation always recorded an error; this guards the one way that
/// could be wrong (a forgotten report) so that a bad policy is never accepted silently.
fn ensure_not_empty(mut errors: Vec<PolicyError>, map: &SourceMap<'_>) -> Vec<PolicyError> {
    if errors.is_empty() {
        errors.push(map.error(
            &(0..0),
            "",
            "the policy is incomplete (internal error: a failed check reported nothing)",
        ));
    }
    errors
}

fn organization(c: &mut Checker<'_, '_>, raw: &RawOrganization) -> Option<Organization> {
    let name_ar = c.text(&raw.name_ar, "organization.name_ar");
    let name_en = c.text(&raw.name_en, "organization.name_en");
    let zone_name = raw.time_zone.get_ref().trim();
    let time_zone = match jiff::tz::TimeZone::get(zone_name) {
        Ok(zone) => Some(zone),
        Err(error) => {
            c.report(
                &raw.time_zone.span(),
                "organization.time_zone",
                format!(
                    "{zone_name:?} is not a known IANA time zone ({error}); expected for example \"Asia/Riyadh\""
                ),
            );
            None
        }
    };
    let reopen_window = c.duration(&raw.reopen_window, "organization.reopen_window");
    let status_update_every = c.optional_duration(
        raw.status_update_every.as_ref(),
        "organization.status_update_every",
    );
    let bad_status = raw.status_update_every.is_some() && status_update_every.is_none();
    match (name_ar, name_en, time_zone, reopen_window) {
        (Some(name_ar), Some(name_en), Some(time_zone), Some(reopen_window)) if !bad_status => {
            Some(Organization {
                name_ar,
                name_en,
                time_zone_name: zone_name.to_owned(),
                time_zone,
                reopen_window,
                status_update_every,
            })
        }
        _ => None,
    }
}

/// Builds every calendar; returns the valid ones with their specifications, and the names of
/// all of them (valid or not) for reference checks.
fn calendars(
    c: &mut Checker<'_, '_>,
    raw: &[Spanned<CalendarSpec>],
) -> (Vec<(WorkingCalendar, CalendarSpec)>, Vec<String>) {
    let mut built = Vec::with_capacity(raw.len());
    let mut declared: Vec<String> = Vec::with_capacity(raw.len());
    for (index, spanned) in raw.iter().enumerate() {
        let spec = spanned.get_ref();
        let key = format!("calendars[{index}]");
        let name = spec.name.trim().to_owned();
        if !name.is_empty() && declared.contains(&name) {
            let path = format!("{key}.name");
            let span = c.map.span_of(&path).unwrap_or_else(|| spanned.span());
            c.report(
                &span,
                &path,
                format!(
                    "calendar name {name:?} is defined more than once; each calendar needs its own name"
                ),
            );
            declared.push(name);
            continue;
        }
        match WorkingCalendar::from_spec(spec) {
            Ok(calendar) => built.push((calendar, spec.clone())),
            Err(error) => {
                let path = format!("{key}{}", calendar_error_field(spec, &error));
                // The field's own line when the document has it, otherwise the calendar's.
                let span = c.map.span_of(&path).unwrap_or_else(|| spanned.span());
                c.report(&span, &path, error.to_string());
            }
        }
        declared.push(name);
    }
    (built, declared)
}

/// The key path, below the calendar's own table, of the field a calendar error concerns.
fn calendar_error_field(spec: &CalendarSpec, error: &CalendarError) -> String {
    let position = |list: &[String], value: &str| {
        list.iter()
            .position(|entry| entry == value)
            .map_or(String::new(), |index| format!("[{index}]"))
    };
    match error {
        CalendarError::EmptyName => ".name".to_owned(),
        CalendarError::UnknownTimeZone { .. } => ".timezone".to_owned(),
        CalendarError::BadDayKey { key, .. } => format!(".hours.{key}"),
        CalendarError::BadWindow { day, .. } | CalendarError::OverlappingWindows { day, .. } => {
            format!(".hours.{day}")
        }
        CalendarError::BadHoliday { value, .. } => {
            format!(".holidays{}", position(&spec.holidays, value))
        }
        CalendarError::BadExtra { value, .. } => {
            format!(".extra{}", position(&spec.extra, value))
        }
        _ => String::new(),
    }
}

fn channels(
    c: &mut Checker<'_, '_>,
    raw: &[Spanned<RawChannel>],
    declared_calendars: &[String],
    default_calendar: &str,
) -> Vec<ChannelPolicy> {
    let mut valid = Vec::with_capacity(raw.len());
    let mut seen: Vec<(Channel, usize)> = Vec::new();
    for (index, spanned) in raw.iter().enumerate() {
        let entry = spanned.get_ref();
        let key = format!("channels[{index}]");
        let channel = match entry.channel.get_ref().trim().parse::<Channel>() {
            Ok(channel) => {
                if let Some((_, first_line)) = seen.iter().find(|(seen, _)| *seen == channel) {
                    c.report(
                        &entry.channel.span(),
                        &format!("{key}.channel"),
                        format!(
                            "channel {:?} is listed more than once (first on line {first_line}); a channel has one entry so that its response target is unambiguous",
                            channel.as_str()
                        ),
                    );
                    None
                } else {
                    let (line, _) = c.map.line_column(entry.channel.span().start);
                    seen.push((channel, line));
                    Some(channel)
                }
            }
            Err(error) => {
                c.report(
                    &entry.channel.span(),
                    &format!("{key}.channel"),
                    error.to_string(),
                );
                None
            }
        };
        let contact = c.text(&entry.contact, &format!("{key}.contact"));
        let first_response = c.optional_duration(
            entry.first_response.as_ref(),
            &format!("{key}.first_response"),
        );
        let bad_duration = entry.first_response.is_some() && first_response.is_none();
        let calendar = match &entry.calendar {
            Some(name) => {
                c.calendar_reference(name, &format!("{key}.calendar"), declared_calendars);
                name.get_ref().trim().to_owned()
            }
            None => default_calendar.to_owned(),
        };
        if let (Some(channel), Some(contact), false) = (channel, contact, bad_duration) {
            valid.push(ChannelPolicy {
                channel,
                contact,
                label_ar: tidy(entry.label_ar.clone()),
                label_en: tidy(entry.label_en.clone()),
                first_response,
                calendar,
                hours_note_ar: tidy(entry.hours_note_ar.clone()),
                hours_note_en: tidy(entry.hours_note_en.clone()),
            });
        }
    }
    valid
}

fn service_levels(c: &mut Checker<'_, '_>, raw: &RawServiceLevels) -> Option<ServiceLevels> {
    let before = c.errors.len();
    let mut alert_at = Vec::with_capacity(raw.alert_at.len());
    let mut previous: Option<f64> = None;
    for (index, fraction) in raw.alert_at.iter().enumerate() {
        let value = *fraction.get_ref();
        let key = format!("service_levels.alert_at[{index}]");
        // Written as a negated conjunction so that NaN, which compares false, is rejected.
        if !(value > 0.0 && value < 1.0) {
            c.report(
                &fraction.span(),
                &key,
                format!(
                    "{value} is not a fraction strictly between 0 and 1; expected for example 0.75 (alert when 75% of the target has passed)"
                ),
            );
        } else if let Some(previous) = previous.filter(|previous| value <= *previous) {
            c.report(
                &fraction.span(),
                &key,
                format!(
                    "alert fractions must be strictly increasing, but {value} follows {previous}"
                ),
            );
        }
        previous = Some(value);
        alert_at.push(value);
    }
    let routing = c.optional_duration(raw.routing.as_ref(), "service_levels.routing");
    let overall = c.optional_duration(raw.overall.as_ref(), "service_levels.overall");

    let mut start_handling = BTreeMap::new();
    if let Some(table) = &raw.start_handling {
        let entries = [
            (Importance::High, &table.high),
            (Importance::Medium, &table.medium),
            (Importance::Low, &table.low),
        ];
        for (importance, value) in entries {
            let key = format!("service_levels.start_handling.{}", importance.as_str());
            if let Some(duration) = c.optional_duration(value.as_ref(), &key) {
                start_handling.insert(importance, duration);
            }
        }
    }
    let mut closure = BTreeMap::new();
    if let Some(table) = &raw.closure {
        let entries = [
            (Complexity::Routine, &table.routine),
            (Complexity::Critical, &table.critical),
            (Complexity::Complex, &table.complex),
        ];
        for (complexity, value) in entries {
            let key = format!("service_levels.closure.{}", complexity.as_str());
            if let Some(duration) = c.optional_duration(value.as_ref(), &key) {
                closure.insert(complexity, duration);
            }
        }
    }
    (c.errors.len() == before).then(|| ServiceLevels {
        calendar: raw.calendar.get_ref().trim().to_owned(),
        alert_at,
        routing,
        overall,
        start_handling,
        closure,
    })
}

/// The targets the file defines, judged by the presence of their keys rather than by whether
/// their durations parse, so that a bad duration is reported once (as a bad duration) and not
/// again by every trigger that refers to its target.
fn defined_targets(raw: &RawPolicy) -> Vec<TargetKind> {
    let levels = raw.service_levels.get_ref();
    let mut defined = Vec::new();
    if raw
        .channels
        .iter()
        .any(|c| c.get_ref().first_response.is_some())
    {
        defined.push(TargetKind::FirstResponse);
    }
    if levels.routing.is_some() {
        defined.push(TargetKind::Routing);
    }
    if levels
        .start_handling
        .as_ref()
        .is_some_and(|t| t.high.is_some() || t.medium.is_some() || t.low.is_some())
    {
        defined.push(TargetKind::StartHandling);
    }
    if levels
        .closure
        .as_ref()
        .is_some_and(|t| t.routine.is_some() || t.critical.is_some() || t.complex.is_some())
    {
        defined.push(TargetKind::Closure);
    }
    if levels.overall.is_some() {
        defined.push(TargetKind::Overall);
    }
    defined
}

/// Where each target is defined, for the message that says how to define a missing one.
fn where_defined(target: TargetKind) -> &'static str {
    match target {
        TargetKind::FirstResponse => "first_response on a [[channels]] entry",
        TargetKind::Routing => "service_levels.routing",
        TargetKind::StartHandling => "a [service_levels.start_handling] entry",
        TargetKind::Closure => "a [service_levels.closure] entry",
        TargetKind::Overall => "service_levels.overall",
    }
}

fn escalation(
    c: &mut Checker<'_, '_>,
    raw: &[Spanned<RawEscalationStage>],
    defined: &[TargetKind],
) -> Vec<EscalationStage> {
    let mut valid = Vec::with_capacity(raw.len());
    let mut names: Vec<String> = Vec::new();
    for (index, spanned) in raw.iter().enumerate() {
        let stage = spanned.get_ref();
        let key = format!("escalation[{index}]");
        let before = c.errors.len();
        let name = c.text(&stage.name, &format!("{key}.name"));
        if let Some(name) = &name {
            if names.contains(name) {
                c.report(
                    &stage.name.span(),
                    &format!("{key}.name"),
                    format!(
                        "stage name {name:?} is used more than once; tickets record the stage they reached by name"
                    ),
                );
            }
            names.push(name.clone());
        }
        let name_ar = c.text(&stage.name_ar, &format!("{key}.name_ar"));
        let trigger = trigger(c, &stage.trigger, &key, index, defined);
        let owner = owner(c, &stage.owner, &key);
        let deadline = c.duration(&stage.deadline, &format!("{key}.deadline"));
        let actions = actions(c, &stage.actions, &key);
        let contact = c.optional_text(stage.contact.as_ref(), &format!("{key}.contact"));
        if c.errors.len() != before {
            continue;
        }
        if let (Some(name), Some(name_ar), Some(trigger), Some(owner), Some(deadline)) =
            (name, name_ar, trigger, owner, deadline)
        {
            valid.push(EscalationStage {
                name,
                name_ar,
                name_en: tidy(stage.name_en.clone()),
                trigger,
                owner,
                deadline,
                actions,
                contact,
                description_ar: tidy(stage.description_ar.clone()),
                description_en: tidy(stage.description_en.clone()),
            });
        }
    }
    valid
}

fn trigger(
    c: &mut Checker<'_, '_>,
    spanned: &Spanned<RawTrigger>,
    stage_key: &str,
    index: usize,
    defined: &[TargetKind],
) -> Option<EscalationTrigger> {
    let key = format!("{stage_key}.trigger");
    let raw = spanned.get_ref();
    match (&raw.breached, &raw.after_previous) {
        (Some(breached), None) => {
            let key = format!("{key}.breached");
            let target = match breached.get_ref().trim().parse::<TargetKind>() {
                Ok(target) => target,
                Err(error) => {
                    c.report(&breached.span(), &key, error.to_string());
                    return None;
                }
            };
            if !defined.contains(&target) {
                let defined_list = if defined.is_empty() {
                    "none".to_owned()
                } else {
                    defined
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                c.report(
                    &breached.span(),
                    &key,
                    format!(
                        "the policy defines no {} target, so it can never be breached; add {} or use a defined target ({defined_list})",
                        target.as_str(),
                        where_defined(target)
                    ),
                );
                return None;
            }
            Some(EscalationTrigger::Breached(target))
        }
        (None, Some(after)) => {
            if index == 0 {
                c.report(
                    &after.span(),
                    &key,
                    "the first stage must use `breached = \"<target>\"`: there is no previous stage to count from",
                );
                return None;
            }
            c.duration(after, &format!("{key}.after_previous"))
                .map(EscalationTrigger::AfterPrevious)
        }
        (Some(_), Some(_)) => {
            c.report(
                &spanned.span(),
                &key,
                "give exactly one of `breached` or `after_previous`, not both",
            );
            None
        }
        (None, None) => {
            c.report(
                &spanned.span(),
                &key,
                "expected `{ breached = \"<target>\" }` or `{ after_previous = \"<duration>\" }`",
            );
            None
        }
    }
}

/// The roles that may own a stage: every staff role except supervisors, who may only read.
const OWNER_ROLES: &[&str] = &[
    "agent",
    "specialist",
    "team_lead",
    "director",
    "executive",
    "admin",
];

fn owner(
    c: &mut Checker<'_, '_>,
    spanned: &Spanned<RawOwner>,
    stage_key: &str,
) -> Option<EscalationOwner> {
    let key = format!("{stage_key}.owner");
    let raw = spanned.get_ref();
    match (&raw.role, &raw.person) {
        (Some(role), None) => {
            let text = role.get_ref().trim();
            match text.parse::<StaffRole>() {
                Ok(role) if role != StaffRole::Supervisor => Some(EscalationOwner::Role(role)),
                _ => {
                    let why = if text == StaffRole::Supervisor.as_str() {
                        "supervisors may only read tickets, so they cannot own an escalation"
                    } else {
                        "it is not a staff role"
                    };
                    c.report(
                        &role.span(),
                        &format!("{key}.role"),
                        format!(
                            "{text:?} cannot own a stage ({why}); expected one of: {}",
                            OWNER_ROLES.join(", ")
                        ),
                    );
                    None
                }
            }
        }
        (None, Some(person)) => match EmailAddress::parse(person.get_ref()) {
            Ok(address) => Some(EscalationOwner::Person(address)),
            Err(_) => {
                c.report(
                    &person.span(),
                    &format!("{key}.person"),
                    format!(
                        "{:?} is not an e-mail address; a person who owns a stage is named by e-mail, such as director@example.sa",
                        person.get_ref()
                    ),
                );
                None
            }
        },
        (Some(_), Some(_)) => {
            c.report(
                &spanned.span(),
                &key,
                "give exactly one of `role` or `person`, not both",
            );
            None
        }
        (None, None) => {
            c.report(
                &spanned.span(),
                &key,
                "expected `{ role = \"<role>\" }` or `{ person = \"<e-mail>\" }`",
            );
            None
        }
    }
}

fn actions(
    c: &mut Checker<'_, '_>,
    spanned: &Spanned<Vec<Spanned<String>>>,
    stage_key: &str,
) -> Vec<EscalationAction> {
    let key = format!("{stage_key}.actions");
    if spanned.get_ref().is_empty() {
        c.report(
            &spanned.span(),
            &key,
            format!(
                "list at least one action; expected some of: {}",
                EscalationAction::SPELLINGS.join(", ")
            ),
        );
        return Vec::new();
    }
    let mut actions = Vec::new();
    for (index, action) in spanned.get_ref().iter().enumerate() {
        match action.get_ref().trim().parse::<EscalationAction>() {
            // A repeated action means the same as one, so it is kept once rather than refused.
            Ok(parsed) if actions.contains(&parsed) => {}
            Ok(parsed) => actions.push(parsed),
            Err(error) => c.report(
                &action.span(),
                &format!("{key}[{index}]"),
                error.to_string(),
            ),
        }
    }
    actions
}

/// The root-cause categories offered when a policy lists none. Every breached target needs a
/// root cause before its ticket can close, so an empty list would make such tickets impossible
/// to close.
pub const DEFAULT_ROOT_CAUSE_CATEGORIES: &[&str] = &[
    "staffing",
    "process",
    "technical",
    "third_party",
    "requester",
    "other",
];

/// Root-cause categories are identifiers stored on tickets, so they must be stable spellings.
fn root_causes(c: &mut Checker<'_, '_>, raw: &[Spanned<String>]) -> Vec<String> {
    if raw.is_empty() {
        return DEFAULT_ROOT_CAUSE_CATEGORIES
            .iter()
            .map(|category| (*category).to_owned())
            .collect();
    }
    let mut valid: Vec<String> = Vec::with_capacity(raw.len());
    for (index, spanned) in raw.iter().enumerate() {
        let key = format!("root_cause_categories[{index}]");
        let text = spanned.get_ref().trim();
        let shaped = text.len() <= 63
            && text.starts_with(|ch: char| ch.is_ascii_lowercase())
            && text
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
        if !shaped {
            c.report(
                &spanned.span(),
                &key,
                format!(
                    "{text:?} is not a category identifier; use 1 to 63 lower-case latin letters, digits, `_` or `-`, starting with a letter, such as \"third_party\""
                ),
            );
        } else if valid.iter().any(|seen| seen == text) {
            c.report(
                &spanned.span(),
                &key,
                format!("root-cause category {text:?} is listed more than once"),
            );
        } else {
            valid.push(text.to_owned());
        }
    }
    valid
}

/// Parses a code and reports a repeated one; `seen` holds the codes already declared.
fn code(
    c: &mut Checker<'_, '_>,
    value: &Spanned<String>,
    key: &str,
    what: &str,
    seen: &mut Vec<String>,
) -> Option<Code> {
    let text = value.get_ref().trim();
    let parsed = match Code::parse(text) {
        Ok(code) => Some(code),
        Err(error) => {
            c.report(&value.span(), key, error.to_string());
            None
        }
    };
    if seen.iter().any(|s| s == text) {
        c.report(
            &value.span(),
            key,
            format!("{what} code {text:?} is declared more than once"),
        );
        return None;
    }
    seen.push(text.to_owned());
    parsed
}

fn departments(c: &mut Checker<'_, '_>, raw: &[Spanned<RawDepartment>]) -> Vec<Department> {
    let mut valid = Vec::with_capacity(raw.len());
    let mut seen = Vec::new();
    for (index, spanned) in raw.iter().enumerate() {
        let entry = spanned.get_ref();
        let key = format!("departments[{index}]");
        let code = code(
            c,
            &entry.code,
            &format!("{key}.code"),
            "department",
            &mut seen,
        );
        let name_ar = c.text(&entry.name_ar, &format!("{key}.name_ar"));
        let name_en = c.text(&entry.name_en, &format!("{key}.name_en"));
        let contact = c.optional_text(entry.contact.as_ref(), &format!("{key}.contact"));
        let bad_contact = entry.contact.is_some() && contact.is_none();
        if let (Some(code), Some(name_ar), Some(name_en), false) =
            (code, name_ar, name_en, bad_contact)
        {
            valid.push(Department {
                code,
                name_ar,
                name_en,
                contact,
            });
        }
    }
    valid
}

fn categories(
    c: &mut Checker<'_, '_>,
    raw: &[Spanned<RawCategory>],
    declared_departments: &[String],
) -> Vec<Category> {
    let mut valid = Vec::with_capacity(raw.len());
    let mut seen = Vec::new();
    for (index, spanned) in raw.iter().enumerate() {
        let entry = spanned.get_ref();
        let key = format!("categories[{index}]");
        let code = code(
            c,
            &entry.code,
            &format!("{key}.code"),
            "category",
            &mut seen,
        );
        let name_ar = c.text(&entry.name_ar, &format!("{key}.name_ar"));
        let name_en = c.text(&entry.name_en, &format!("{key}.name_en"));
        let department_text = entry.department.get_ref().trim();
        let department = if declared_departments.iter().any(|d| d == department_text) {
            // A declared code that is itself malformed was reported on the department.
            Code::parse(department_text).ok()
        } else {
            let declared = if declared_departments.is_empty() {
                "none; add a [[departments]] table".to_owned()
            } else {
                declared_departments.join(", ")
            };
            c.report(
                &entry.department.span(),
                &format!("{key}.department"),
                format!(
                    "department {department_text:?} is not declared under [[departments]]; declared: {declared}"
                ),
            );
            None
        };
        if let (Some(code), Some(name_ar), Some(name_en), Some(department)) =
            (code, name_ar, name_en, department)
        {
            valid.push(Category {
                code,
                name_ar,
                name_en,
                department,
            });
        }
    }
    valid
}

fn roster(c: &mut Checker<'_, '_>, raw: &[Spanned<RawRosterEntry>]) -> Vec<RosterEntry> {
    let mut valid = Vec::with_capacity(raw.len());
    for (index, spanned) in raw.iter().enumerate() {
        let entry = spanned.get_ref();
        let key = format!("roster[{index}]");
        let name = c.text(&entry.name, &format!("{key}.name"));
        let title_ar = c.text(&entry.title_ar, &format!("{key}.title_ar"));
        let title_en = c.text(&entry.title_en, &format!("{key}.title_en"));
        let responsibility_ar = c.text(
            &entry.responsibility_ar,
            &format!("{key}.responsibility_ar"),
        );
        let responsibility_en = c.text(
            &entry.responsibility_en,
            &format!("{key}.responsibility_en"),
        );
        let contact = c.text(&entry.contact, &format!("{key}.contact"));
        let level = match &entry.level {
            None => Ok(None),
            Some(level) => match u8::try_from(*level.get_ref()) {
                Ok(value) if value >= 1 => Ok(Some(value)),
                _ => {
                    c.report(
                        &level.span(),
                        &format!("{key}.level"),
                        format!(
                            "{} is not a support level; expected a whole number from 1 to 255 (1 is the first line)",
                            level.get_ref()
                        ),
                    );
                    Err(())
                }
            },
        };
        if let (
            Some(name),
            Some(title_ar),
            Some(title_en),
            Some(responsibility_ar),
            Some(responsibility_en),
            Some(contact),
            Ok(level),
        ) = (
            name,
            title_ar,
            title_en,
            responsibility_ar,
            responsibility_en,
            contact,
            level,
        ) {
            valid.push(RosterEntry {
                name,
                name_en: tidy(entry.name_en.clone()),
                title_ar,
                title_en,
                responsibility_ar,
                responsibility_en,
                contact,
                level,
            });
        }
    }
    valid
}

fn public_texts(raw: RawPublic) -> PublicTexts {
    PublicTexts {
        introduction_ar: tidy(raw.introduction_ar),
        introduction_en: tidy(raw.introduction_en),
        beneficiaries_ar: tidy_list(raw.beneficiaries_ar),
        beneficiaries_en: tidy_list(raw.beneficiaries_en),
        services_ar: tidy_list(raw.services_ar),
        services_en: tidy_list(raw.services_en),
        etiquette_ar: tidy_list(raw.etiquette_ar),
        etiquette_en: tidy_list(raw.etiquette_en),
        violation_actions_ar: tidy_list(raw.violation_actions_ar),
        violation_actions_en: tidy_list(raw.violation_actions_en),
        confidentiality_ar: tidy(raw.confidentiality_ar),
        confidentiality_en: tidy(raw.confidentiality_en),
        satisfaction_ar: tidy(raw.satisfaction_ar),
        satisfaction_en: tidy(raw.satisfaction_en),
    }
}
