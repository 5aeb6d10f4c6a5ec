//! The ticket lifecycle, with the stages the published policies name (seed 002: receive,
//! register, classify, route to the competent department, handle, close).
//!
//! ```text
//! received → registered → classified → routed → in_progress ⇄ waiting_on_requester
//!                                                     ↓                ↓
//!                                                  resolved ←──────────┘
//!                                                     ↓  ↑ reopen (within the window)
//!                                                   closed
//! any open state → cancelled (conduct violation, reason required) | merged (into another ticket)
//! ```

use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

string_enum! {
    pub enum TicketStatus: "ticket status" {
        Received => "received",
        Registered => "registered",
        Classified => "classified",
        Routed => "routed",
        InProgress => "in_progress",
        WaitingOnRequester => "waiting_on_requester",
        Resolved => "resolved",
        Closed => "closed",
        Cancelled => "cancelled",
        Merged => "merged",
    }
}

impl TicketStatus {
    /// A terminal ticket accepts no further transition (a closed one may still be reopened
    /// within the window, which is checked separately).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TicketStatus::Closed | TicketStatus::Cancelled | TicketStatus::Merged
        )
    }

    /// Open tickets are the ones whose service-level clocks can run.
    pub fn is_open(self) -> bool {
        !self.is_terminal() && self != TicketStatus::Resolved
    }
}

/// What a transition needs to know about the ticket and the request, gathered by the caller.
#[derive(Debug, Clone)]
pub struct TransitionCheck<'a> {
    pub from: TicketStatus,
    pub to: TicketStatus,
    pub now: Timestamp,
    pub has_category: bool,
    pub has_complexity: bool,
    pub has_importance: bool,
    pub department_count: usize,
    /// When the ticket was last resolved, for the reopen window.
    pub resolved_at: Option<Timestamp>,
    /// How long after resolution a requester may reopen (an organization setting).
    pub reopen_window: SignedDuration,
    /// Required when `to` is `cancelled`.
    pub conduct_reason: Option<&'a str>,
    /// Required when `to` is `merged`: the status of the ticket it is merged into.
    pub merge_target_status: Option<TicketStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LifecycleError {
    #[error("a ticket cannot move from '{from}' to '{to}'")]
    Illegal {
        from: TicketStatus,
        to: TicketStatus,
    },
    #[error("the ticket cannot be classified yet: set {}", missing.join(", "))]
    ClassificationIncomplete { missing: Vec<&'static str> },
    #[error("the ticket cannot be routed before at least one department is assigned")]
    NoDepartment,
    #[error("the reopen window closed at {closed_at}; open a new ticket that refers to this one")]
    ReopenWindowClosed { closed_at: Timestamp },
    #[error("cancelling a ticket for a conduct violation requires a reason")]
    ReasonRequired,
    #[error("merging requires the number of the ticket to merge into")]
    MergeTargetRequired,
    #[error("a ticket cannot be merged into a ticket that is '{0}'")]
    MergeTargetClosed(TicketStatus),
    #[error("a ticket cannot be merged into itself")]
    MergeIntoSelf,
    #[error("the ticket is already '{0}'")]
    AlreadyThere(TicketStatus),
}

/// Checks one transition. It names both states when the move itself is illegal, and the missing
/// fact when the move is legal but the ticket is not ready for it.
pub fn check_transition(check: &TransitionCheck<'_>) -> Result<(), LifecycleError> {
    use TicketStatus::*;
    let TransitionCheck { from, to, .. } = *check;
    if from == to {
        return Err(LifecycleError::AlreadyThere(from));
    }
    let illegal = || Err(LifecycleError::Illegal { from, to });
    match (from, to) {
        (Received, Registered) => Ok(()),
        (Registered, Classified) => {
            let mut missing = Vec::new();
            if !check.has_category {
                missing.push("category");
            }
            if !check.has_complexity {
                missing.push("complexity");
            }
            if !check.has_importance {
                missing.push("importance");
            }
            if missing.is_empty() {
                Ok(())
            } else {
                Err(LifecycleError::ClassificationIncomplete { missing })
            }
        }
        (Classified, Routed) => {
            if check.department_count == 0 {
                Err(LifecycleError::NoDepartment)
            } else {
                Ok(())
            }
        }
        (Routed, InProgress)
        | (InProgress, WaitingOnRequester)
        | (WaitingOnRequester, InProgress) => Ok(()),
        (InProgress | WaitingOnRequester, Resolved) => Ok(()),
        (Resolved, Closed) => Ok(()),
        (Resolved | Closed, InProgress) => {
            let Some(resolved_at) = check.resolved_at else {
                return illegal();
            };
            let closes = resolved_at + check.reopen_window;
            if check.now <= closes {
                Ok(())
            } else {
                Err(LifecycleError::ReopenWindowClosed { closed_at: closes })
            }
        }
        (from, Cancelled) if !from.is_terminal() => match check.conduct_reason {
            Some(reason) if !reason.trim().is_empty() => Ok(()),
            _ => Err(LifecycleError::ReasonRequired),
        },
        (from, Merged) if !from.is_terminal() => match check.merge_target_status {
            None => Err(LifecycleError::MergeTargetRequired),
            Some(target) if target.is_terminal() => Err(LifecycleError::MergeTargetClosed(target)),
            Some(_) => Ok(()),
        },
        _ => illegal(),
    }
}

/// The status a ticket moves to on its own once the facts allow it: a registered ticket whose
/// classification is complete becomes classified, and a classified ticket with a department
/// becomes routed. Staff classify and route in one gesture; the stages still appear as events.
pub fn automatic_next(
    status: TicketStatus,
    classification_complete: bool,
    department_count: usize,
) -> Option<TicketStatus> {
    match status {
        TicketStatus::Registered if classification_complete => Some(TicketStatus::Classified),
        TicketStatus::Classified if department_count > 0 => Some(TicketStatus::Routed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    fn base(from: TicketStatus, to: TicketStatus) -> TransitionCheck<'static> {
        TransitionCheck {
            from,
            to,
            now: "2026-11-22T10:00:00Z".parse().unwrap(),
            has_category: true,
            has_complexity: true,
            has_importance: true,
            department_count: 1,
            resolved_at: Some("2026-11-20T10:00:00Z".parse().unwrap()),
            reopen_window: SignedDuration::from_hours(24 * 7),
            conduct_reason: Some("abusive language"),
            merge_target_status: Some(InProgress),
        }
    }

    /// Every pair of states is either allowed or refused with an error naming both, so the
    /// whole table is checked rather than a few hand-picked moves.
    #[test]
    fn the_transition_table_is_exactly_the_published_lifecycle() {
        let allowed = [
            (Received, Registered),
            (Registered, Classified),
            (Classified, Routed),
            (Routed, InProgress),
            (InProgress, WaitingOnRequester),
            (WaitingOnRequester, InProgress),
            (InProgress, Resolved),
            (WaitingOnRequester, Resolved),
            (Resolved, Closed),
            (Resolved, InProgress),
            (Closed, InProgress),
        ];
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                let result = check_transition(&base(*from, *to));
                let expected_ok = allowed.contains(&(*from, *to))
                    || (matches!(to, Cancelled | Merged) && !from.is_terminal() && from != to);
                if expected_ok {
                    assert_eq!(result, Ok(()), "{from} → {to}");
                } else if from == to {
                    assert_eq!(result, Err(LifecycleError::AlreadyThere(*from)));
                } else {
                    let error = result.expect_err(&format!("{from} → {to} must be refused"));
                    assert_eq!(
                        error,
                        LifecycleError::Illegal {
                            from: *from,
                            to: *to
                        }
                    );
                    let message = error.to_string();
                    assert!(
                        message.contains(from.as_str()) && message.contains(to.as_str()),
                        "{message}"
                    );
                }
            }
        }
    }

    #[test]
    fn classification_must_be_complete() {
        let mut check = base(Registered, Classified);
        check.has_complexity = false;
        check.has_importance = false;
        assert_eq!(
            check_transition(&check).unwrap_err().to_string(),
            "the ticket cannot be classified yet: set complexity, importance"
        );
    }

    #[test]
    fn reopen_only_within_the_window() {
        let mut check = base(Resolved, InProgress);
        check.now = "2026-11-27T10:00:00Z".parse().unwrap();
        assert_eq!(check_transition(&check), Ok(()));
        check.now = "2026-11-27T10:00:01Z".parse().unwrap();
        assert!(matches!(
            check_transition(&check),
            Err(LifecycleError::ReopenWindowClosed { .. })
        ));
    }

    #[test]
    fn cancelling_needs_a_reason_and_merging_an_open_target() {
        let mut cancel = base(InProgress, Cancelled);
        cancel.conduct_reason = Some("  ");
        assert_eq!(
            check_transition(&cancel),
            Err(LifecycleError::ReasonRequired)
        );
        let mut merge = base(Routed, Merged);
        merge.merge_target_status = Some(Closed);
        assert_eq!(
            check_transition(&merge),
            Err(LifecycleError::MergeTargetClosed(Closed))
        );
        merge.merge_target_status = None;
        assert_eq!(
            check_transition(&merge),
            Err(LifecycleError::MergeTargetRequired)
        );
    }

    #[test]
    fn automatic_stages() {
        assert_eq!(automatic_next(Registered, true, 0), Some(Classified));
        assert_eq!(automatic_next(Registered, false, 1), None);
        assert_eq!(automatic_next(Classified, true, 1), Some(Routed));
        assert_eq!(automatic_next(Routed, true, 1), None);
    }
}
