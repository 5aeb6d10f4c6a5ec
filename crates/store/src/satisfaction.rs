//! Satisfaction answers (seed 002) in the store: one answer per ticket in three dimensions,
//! changed in place while the organization's edit window is open, an event for every answer and
//! change, a staff notification to the team leads when an answer is low (once per ticket), the
//! organization's rules, and the signed links that invite a requester to answer.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use crate::model::Actor;
use jiff::Timestamp;
use sanad_domain::Channel;
use sanad_domain::satisfaction::{RatingRules, SatisfactionAnswer, Score};

/// Where an answer came from: the portal (the requester followed their ticket there), or the
/// invitation link sent with the resolution notification on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnsweredVia {
    Portal,
    Invitation(Channel),
}

impl AnsweredVia {
    /// The stored spelling: `portal`, or the invitation's channel (`email`, `whatsapp`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AnsweredVia::Portal => "portal",
            AnsweredVia::Invitation(channel) => channel.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<AnsweredVia> {
        match text {
            "portal" => Some(AnsweredVia::Portal),
            other => other.parse().ok().map(AnsweredVia::Invitation),
        }
    }
}

/// A ticket's answer as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SatisfactionRecord {
    pub ticket_id: i64,
    pub handling: Score,
    pub clarity: Score,
    pub closure: Score,
    /// The rounded mean of the three, which the dashboard counts.
    pub overall: Score,
    /// Empty when the requester wrote nothing (or after an erasure).
    pub comment: String,
    pub answered_via: Option<AnsweredVia>,
    /// When the requester first answered: the edit window runs from here.
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the team leads were asked to follow the ticket up, if they were.
    pub follow_up_at: Option<Timestamp>,
}

/// What recording an answer did.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOutcome {
    pub record: SatisfactionRecord,
    /// Whether an earlier answer was changed (rather than a first answer given).
    pub edited: bool,
    /// Staff members notified to follow the ticket up by this answer (empty when the answer
    /// was not low, or a follow-up had been asked for already).
    pub followed_up_by: Vec<i64>,
}

/// The ticket an invitation link opens.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingInvitation {
    pub ticket_id: i64,
    pub number: String,
    /// The channel the invitation was sent on.
    pub channel: Channel,
}

impl Store {
    /// Records a requester's answer: the first answer, or a change of it while the edit window
    /// is open; after the window it is `Conflict`. The caller decides whether the ticket may be
    /// rated yet (the portal asks once it is resolved or closed).
    pub async fn answer_satisfaction(
        &self,
        org_id: i64,
        ticket_id: i64,
        answer: &SatisfactionAnswer,
        via: AnsweredVia,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<AnswerOutcome, StoreError> {
        dispatch!(
            self,
            satisfaction_answer(org_id, ticket_id, answer, via, actor, now)
        )
    }

    /// A ticket's answer, if the requester gave one.
    pub async fn satisfaction(
        &self,
        org_id: i64,
        ticket_id: i64,
    ) -> Result<Option<SatisfactionRecord>, StoreError> {
        dispatch!(self, satisfaction_record(org_id, ticket_id))
    }

    /// The organization's edit window and follow-up threshold.
    pub async fn rating_rules(&self, org_id: i64) -> Result<RatingRules, StoreError> {
        dispatch!(self, satisfaction_rules(org_id))
    }

    pub async fn set_rating_rules(
        &self,
        org_id: i64,
        rules: RatingRules,
    ) -> Result<(), StoreError> {
        dispatch!(self, satisfaction_set_rules(org_id, rules))
    }

    /// The ticket an invitation link's secret opens, by the secret's digest.
    pub async fn rating_invitation(
        &self,
        org_id: i64,
        token_hash: &str,
    ) -> Result<Option<RatingInvitation>, StoreError> {
        dispatch!(self, satisfaction_invitation(org_id, token_hash))
    }
}
