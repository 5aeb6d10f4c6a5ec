//! Every change to a ticket is an append-only event. The ticket's current facts are a fold of
//! its events, so the row in the tickets table is a cache that can always be explained.

use crate::{Channel, Complexity, Importance, TicketKind, TicketStatus};
use serde::{Deserialize, Serialize};
use thiserror::Error;

string_enum! {
    pub enum EventKind: "event kind" {
        Created => "created",
        Changed => "changed",
        MessageAdded => "message_added",
        /// A service-level clock changed (started, met, paused, breached…), an alert went out,
        /// or the ticket climbed the escalation ladder. These explain the clocks, not the facts,
        /// so replay passes over them; fact changes they cause (a reassignment, a raised
        /// importance) are recorded as ordinary `changed` events.
        ServiceLevel => "service_level",
        /// The conduct policy (seed 004): a requester's message matched the lexicon and was
        /// flagged, a flag was reviewed, or the ticket was cancelled for a violation. These
        /// explain the desk's view of the ticket, not its facts (a cancellation's status and
        /// reason are ordinary `changed` events), so replay passes over them.
        Conduct => "conduct",
        /// The requester answered the satisfaction survey or changed their answer (seed 002).
        /// The event carries the scores and the channel, never the comment, so reports can
        /// replay answers and edits; replay of the facts passes over it.
        Satisfaction => "satisfaction",
    }
}

string_enum! {
    /// The facts of a ticket that events change, one at a time.
    pub enum TicketField: "ticket field" {
        Status => "status",
        Kind => "kind",
        Category => "category",
        Complexity => "complexity",
        Importance => "importance",
        Departments => "departments",
        Assignee => "assignee",
        Subject => "subject",
        MergedInto => "merged_into",
        CancelReason => "cancel_reason",
        ResolvedAt => "resolved_at",
    }
}

/// The facts that events describe. Categories and departments are referred to by code and the
/// assignee by staff id, so an event stays meaningful after a display name changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    pub status: TicketStatus,
    pub kind: TicketKind,
    pub channel: Channel,
    pub subject: String,
    pub category: Option<String>,
    pub complexity: Option<Complexity>,
    pub importance: Option<Importance>,
    pub departments: Vec<String>,
    pub assignee: Option<i64>,
    pub merged_into: Option<String>,
    pub cancel_reason: Option<String>,
    /// When the ticket was last resolved (RFC 3339), which starts the reopen window.
    pub resolved_at: Option<String>,
}

/// One stored event, as far as replay needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketEventRecord {
    pub kind: EventKind,
    pub field: Option<TicketField>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Error, PartialEq)]
pub enum ReplayError {
    #[error("the history does not start with a 'created' event")]
    NoCreatedEvent,
    #[error("event {index}: {message}")]
    BadEvent { index: usize, message: String },
}

impl TicketFacts {
    /// Applies one change, returning the value the field had before, so the caller can record
    /// a before/after pair from the same code that replay uses.
    pub fn apply(
        &mut self,
        field: TicketField,
        value: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        fn set<T: serde::de::DeserializeOwned + Serialize>(
            slot: &mut T,
            value: &serde_json::Value,
        ) -> Result<serde_json::Value, String> {
            let new: T =
                serde_json::from_value(value.clone()).map_err(|error| error.to_string())?;
            let before = serde_json::to_value(&*slot).map_err(|error| error.to_string())?;
            *slot = new;
            Ok(before)
        }
        match field {
            TicketField::Status => set(&mut self.status, value),
            TicketField::Kind => set(&mut self.kind, value),
            TicketField::Category => set(&mut self.category, value),
            TicketField::Complexity => set(&mut self.complexity, value),
            TicketField::Importance => set(&mut self.importance, value),
            TicketField::Departments => set(&mut self.departments, value),
            TicketField::Assignee => set(&mut self.assignee, value),
            TicketField::Subject => set(&mut self.subject, value),
            TicketField::MergedInto => set(&mut self.merged_into, value),
            TicketField::CancelReason => set(&mut self.cancel_reason, value),
            TicketField::ResolvedAt => set(&mut self.resolved_at, value),
        }
    }

    /// Rebuilds a ticket's facts from its events, oldest first.
    pub fn replay(events: &[TicketEventRecord]) -> Result<TicketFacts, ReplayError> {
        let mut iter = events.iter().enumerate();
        let mut facts: TicketFacts = match iter.next() {
            Some((
                _,
                TicketEventRecord {
                    kind: EventKind::Created,
                    after: Some(after),
                    ..
                },
            )) => serde_json::from_value(after.clone()).map_err(|error| ReplayError::BadEvent {
                index: 0,
                message: error.to_string(),
            })?,
            _ => return Err(ReplayError::NoCreatedEvent),
        };
        for (index, event) in iter {
            match (event.kind, event.field, &event.after) {
                (EventKind::Changed, Some(field), Some(after)) => {
                    facts
                        .apply(field, after)
                        .map_err(|message| ReplayError::BadEvent { index, message })?;
                }
                (EventKind::Changed, _, _) => {
                    return Err(ReplayError::BadEvent {
                        index,
                        message: "a change without a field or value".into(),
                    });
                }
                (
                    EventKind::MessageAdded
                    | EventKind::ServiceLevel
                    | EventKind::Conduct
                    | EventKind::Satisfaction,
                    _,
                    _,
                ) => {}
                (EventKind::Created, _, _) => {
                    return Err(ReplayError::BadEvent {
                        index,
                        message: "a second 'created' event".into(),
                    });
                }
            }
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replay_folds_changes_in_order() {
        let created = TicketFacts {
            status: TicketStatus::Received,
            kind: TicketKind::Complaint,
            channel: Channel::Email,
            subject: "تأخر إصدار الشهادة".into(),
            category: None,
            complexity: None,
            importance: None,
            departments: vec![],
            assignee: None,
            merged_into: None,
            cancel_reason: None,
            resolved_at: None,
        };
        let change = |field, before, after| TicketEventRecord {
            kind: EventKind::Changed,
            field: Some(field),
            before: Some(before),
            after: Some(after),
        };
        let events = vec![
            TicketEventRecord {
                kind: EventKind::Created,
                field: None,
                before: None,
                after: Some(serde_json::to_value(&created).unwrap()),
            },
            change(TicketField::Status, json!("received"), json!("registered")),
            change(TicketField::Category, json!(null), json!("certificates")),
            change(
                TicketField::Departments,
                json!([]),
                json!(["student-affairs"]),
            ),
            TicketEventRecord {
                kind: EventKind::MessageAdded,
                field: None,
                before: None,
                after: None,
            },
            change(TicketField::Assignee, json!(null), json!(7)),
        ];
        let facts = TicketFacts::replay(&events).unwrap();
        assert_eq!(facts.status, TicketStatus::Registered);
        assert_eq!(facts.category.as_deref(), Some("certificates"));
        assert_eq!(facts.departments, vec!["student-affairs".to_string()]);
        assert_eq!(facts.assignee, Some(7));
        assert_eq!(
            TicketFacts::replay(&events[1..]),
            Err(ReplayError::NoCreatedEvent)
        );
    }
}
