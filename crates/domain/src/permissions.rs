//! Who may see and change which tickets.
//!
//! Complaint data is confidential (seed 002: only the people concerned may see it). A complaint
//! is therefore visible only to staff of its departments, to its assignee, and to directors,
//! executives and administrators; other kinds are visible to every staff member of the
//! organization. Supervisors from a regulator read aggregates, never tickets, unless granted.

use crate::{StaffRole, TicketKind};

/// Someone acting on an organization's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An integration token: it acts on everything in its organization (a published contract).
    OrganizationToken { token_id: i64 },
    /// A signed-in staff member.
    Staff {
        user_id: i64,
        role: StaffRole,
        departments: Vec<String>,
    },
}

/// The facts about a ticket that visibility depends on.
#[derive(Debug, Clone, Copy)]
pub struct VisibilityFacts<'a> {
    pub kind: TicketKind,
    pub departments: &'a [String],
    pub assignee: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    Denied,
}

pub fn ticket_access(principal: &Principal, ticket: VisibilityFacts<'_>) -> Access {
    let allowed = match principal {
        Principal::OrganizationToken { .. } => true,
        Principal::Staff {
            role: StaffRole::Supervisor,
            ..
        } => false,
        Principal::Staff {
            role: StaffRole::Director | StaffRole::Executive | StaffRole::Admin,
            ..
        } => true,
        Principal::Staff {
            user_id,
            departments,
            ..
        } => {
            let assigned = ticket.assignee == Some(*user_id);
            let in_department = ticket.departments.iter().any(|d| departments.contains(d));
            match ticket.kind {
                TicketKind::Complaint => assigned || in_department,
                _ => true,
            }
        }
    };
    if allowed {
        Access::Allowed
    } else {
        Access::Denied
    }
}

string_enum! {
    /// What an organization lets a supervisor from a regulator see beyond aggregates. Figures
    /// are always shown; staff names and requesters' own words (satisfaction comments, root
    /// cause descriptions) only when the organization grants it.
    pub enum PersonalDataAccess: "personal data access" {
        Hidden => "hidden",
        Granted => "granted",
    }
}

/// Whether the principal may change tickets at all (supervisors only read).
pub fn may_change_tickets(principal: &Principal) -> bool {
    !matches!(
        principal,
        Principal::Staff {
            role: StaffRole::Supervisor,
            ..
        }
    )
}

/// What a staff member may do with the knowledge base. Articles are public once published, so
/// writing them is editorial work: team leads, directors and administrators publish; specialists
/// (level 2, who know the answers) write drafts for them to publish; everyone else reads the
/// editors' list and links published articles into replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnowledgeAccess {
    /// Write, publish, unpublish and archive articles, and manage the categories.
    Publish,
    /// Write and change drafts (with their attachments and translation links); never what the
    /// public sees.
    WriteDrafts,
    /// Read the editors' list and link published articles into replies.
    Read,
}

impl KnowledgeAccess {
    /// Whether the principal may create articles and change drafts.
    pub fn may_write_drafts(self) -> bool {
        matches!(
            self,
            KnowledgeAccess::Publish | KnowledgeAccess::WriteDrafts
        )
    }

    /// Whether the principal may change what the public sees: publish, unpublish, archive,
    /// edit a published article, manage categories.
    pub fn may_publish(self) -> bool {
        self == KnowledgeAccess::Publish
    }
}

pub fn knowledge_access(principal: &Principal) -> KnowledgeAccess {
    match principal {
        Principal::OrganizationToken { .. } => KnowledgeAccess::Publish,
        Principal::Staff { role, .. } => match role {
            StaffRole::TeamLead | StaffRole::Director | StaffRole::Admin => {
                KnowledgeAccess::Publish
            }
            StaffRole::Specialist => KnowledgeAccess::WriteDrafts,
            StaffRole::Agent | StaffRole::Executive | StaffRole::Supervisor => {
                KnowledgeAccess::Read
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: StaffRole, departments: &[&str]) -> Principal {
        Principal::Staff {
            user_id: 1,
            role,
            departments: departments.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn editors_publish_specialists_draft_and_the_rest_read() {
        let cases = [
            (StaffRole::Agent, KnowledgeAccess::Read),
            (StaffRole::Specialist, KnowledgeAccess::WriteDrafts),
            (StaffRole::TeamLead, KnowledgeAccess::Publish),
            (StaffRole::Director, KnowledgeAccess::Publish),
            (StaffRole::Executive, KnowledgeAccess::Read),
            (StaffRole::Admin, KnowledgeAccess::Publish),
            (StaffRole::Supervisor, KnowledgeAccess::Read),
        ];
        for (role, expected) in cases {
            assert_eq!(knowledge_access(&staff(role, &[])), expected, "{role}");
        }
        assert!(KnowledgeAccess::WriteDrafts.may_write_drafts());
        assert!(!KnowledgeAccess::WriteDrafts.may_publish());
        assert!(!KnowledgeAccess::Read.may_write_drafts());
        assert!(KnowledgeAccess::Publish.may_publish());
    }

    #[test]
    fn complaints_stay_inside_their_departments() {
        let finance = vec!["financial-support".to_string()];
        let complaint = VisibilityFacts {
            kind: TicketKind::Complaint,
            departments: &finance,
            assignee: None,
        };
        let inquiry = VisibilityFacts {
            kind: TicketKind::Inquiry,
            departments: &finance,
            assignee: None,
        };
        let cases = [
            (
                staff(StaffRole::Agent, &["financial-support"]),
                complaint,
                Access::Allowed,
            ),
            (
                staff(StaffRole::Agent, &["technical-support"]),
                complaint,
                Access::Denied,
            ),
            (
                staff(StaffRole::Agent, &["technical-support"]),
                inquiry,
                Access::Allowed,
            ),
            (
                staff(StaffRole::TeamLead, &["technical-support"]),
                complaint,
                Access::Denied,
            ),
            (staff(StaffRole::Director, &[]), complaint, Access::Allowed),
            (staff(StaffRole::Executive, &[]), complaint, Access::Allowed),
            (
                staff(StaffRole::Supervisor, &["financial-support"]),
                inquiry,
                Access::Denied,
            ),
            (
                Principal::OrganizationToken { token_id: 3 },
                complaint,
                Access::Allowed,
            ),
            (
                staff(StaffRole::Specialist, &["technical-support"]),
                VisibilityFacts {
                    assignee: Some(1),
                    ..complaint
                },
                Access::Allowed,
            ),
        ];
        for (principal, facts, expected) in cases {
            assert_eq!(ticket_access(&principal, facts), expected, "{principal:?}");
        }
    }
}
