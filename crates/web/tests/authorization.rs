//! The authorization matrix, on SQLite and on PostgreSQL: every route of the application — each
//! path and method of the OpenAPI document, and each `.route(` the web crate's source declares
//! (pages, live chat, webhooks, operations) — asked by every kind of principal, about complaints
//! of two departments, an inquiry and a ticket of another organization, against the rule the
//! table states. A route without a row fails the test, so a new route cannot skip the matrix.
//!
//! What the table encodes (checked against the handlers):
//! - API: organization tokens act on their own organization only (another's ticket is 404);
//!   personal tokens are refused (403) everywhere but search; anything else gets 401.
//! - Desk pages: no staff session of the organization in the URL → a redirect to its sign-in
//!   page; a staff member whose role lacks the page → 403; a complaint outside the viewer's
//!   departments (not assigned to them) → 403; a ticket of another organization → 404.
//! - Supervision pages: only a regulator's supervisor signed in there; an organization that has
//!   not granted access → 404.
//! - The requester portal: a page of a ticket the browser is not following sends to the
//!   tracking form; a form post about it is refused (403).
//! - Whatever the status, no response to a principal carries the subject or text of a ticket
//!   that principal may not see, nor the title of an unpublished article to the public.

mod support;

use reqwest::StatusCode;
use sanad_domain::TicketKind;
use sanad_domain::knowledge::{ArticleLanguage, ArticleStatus};
use sanad_store::{Actor, NewAttachment, NewRequester, NewTicket, Organization, RequesterContact};
use sanad_web::Clock;
use std::collections::{BTreeMap, BTreeSet};
use support::{Backend, PASSWORD, STAFF, UiApp, browser, csrf_of, get_text, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

on_both_backends!(every_route_answers_every_principal_as_the_rules_say);

// ---- who asks ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    /// Diplomas' integration token.
    OrgToken,
    /// E-training's integration token (another organization).
    OtherOrgToken,
    /// agent.students' personal API token.
    PersonalToken,
    /// Layla, following her student-support complaint with its tracking code.
    Requester,
    AgentStudents,
    AgentFinance,
    LeadStudents,
    Director,
    Executive,
    Admin,
    /// A diplomas staff account with the organization-bound `supervisor` role.
    OrgSupervisor,
    /// An agent of e-training, signed in there.
    OtherOrgStaff,
    /// A regulator's supervisor (deployment-level), signed in to /supervision and holding a
    /// supervisor token; diplomas granted access, e-training did not.
    Regulator,
}

const EVERYONE: [Who; 14] = [
    Who::Anonymous,
    Who::OrgToken,
    Who::OtherOrgToken,
    Who::PersonalToken,
    Who::Requester,
    Who::AgentStudents,
    Who::AgentFinance,
    Who::LeadStudents,
    Who::Director,
    Who::Executive,
    Who::Admin,
    Who::OrgSupervisor,
    Who::OtherOrgStaff,
    Who::Regulator,
];

impl Who {
    /// The diplomas staff member signed in as this principal, if any.
    fn staff_email(self) -> Option<&'static str> {
        Some(match self {
            Who::AgentStudents => "agent.students@example.sa",
            Who::AgentFinance => "agent.finance@example.sa",
            Who::LeadStudents => "lead.students@example.sa",
            Who::Director => "director@example.sa",
            Who::Executive => "executive@example.sa",
            Who::Admin => "admin@example.sa",
            Who::OrgSupervisor => "regulator@example.sa",
            _ => return None,
        })
    }

    fn staff(self) -> Option<&'static support::Staff> {
        let email = self.staff_email()?;
        STAFF.iter().find(|member| member.email == email)
    }

    fn role(self) -> Option<&'static str> {
        self.staff().map(|member| member.role)
    }
}

// ---- what is asked about -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ticket {
    /// A complaint routed to student-support (Layla's).
    StudentComplaint,
    /// A complaint routed to financial-support.
    FinanceComplaint,
    /// An inquiry routed to financial-support: not confidential inside the organization.
    Inquiry,
    /// A complaint of e-training.
    OtherOrg,
}

const TICKETS: [Ticket; 4] = [
    Ticket::StudentComplaint,
    Ticket::FinanceComplaint,
    Ticket::Inquiry,
    Ticket::OtherOrg,
];

impl Ticket {
    fn subject(self) -> &'static str {
        match self {
            Ticket::StudentComplaint => "Matrix student complaint: diploma certificate withheld",
            Ticket::FinanceComplaint => "Matrix finance complaint: tuition charged twice",
            Ticket::Inquiry => "Matrix inquiry: when does the next term start",
            Ticket::OtherOrg => "Matrix training complaint: course video will not play",
        }
    }

    fn body(self) -> &'static str {
        match self {
            Ticket::StudentComplaint => "Confidential text alpha about my withheld certificate.",
            Ticket::FinanceComplaint => "Confidential text bravo about a double card charge.",
            Ticket::Inquiry => "Plain text charlie asking about the term calendar.",
            Ticket::OtherOrg => "Confidential text delta about a broken course video.",
        }
    }

    /// Each ticket has its own requester, so that one person's data never spans two rows.
    fn requester(self) -> (&'static str, &'static str) {
        match self {
            Ticket::StudentComplaint => ("ليلى الحمدان", "layla.matrix@example.sa"),
            Ticket::FinanceComplaint => ("عمر الزهراني", "omar.matrix@example.sa"),
            Ticket::Inquiry => ("سارة العتيبي", "sara.matrix@example.sa"),
            Ticket::OtherOrg => ("هند المطيري", "hind.matrix@example.sa"),
        }
    }

    fn kind(self) -> TicketKind {
        match self {
            Ticket::Inquiry => TicketKind::Inquiry,
            _ => TicketKind::Complaint,
        }
    }

    fn department(self) -> &'static str {
        match self {
            Ticket::StudentComplaint => "student-support",
            Ticket::FinanceComplaint | Ticket::Inquiry => "financial-support",
            Ticket::OtherOrg => "technical-support",
        }
    }
}

/// Whether `who` may see `ticket` at all — the rule of seed 002 as the issue states it, written
/// here independently of `permissions::ticket_access` so that the two are compared.
fn may_see(who: Who, ticket: Ticket) -> bool {
    match who {
        Who::OrgToken => ticket != Ticket::OtherOrg,
        Who::OtherOrgToken | Who::OtherOrgStaff => ticket == Ticket::OtherOrg,
        Who::Requester => ticket == Ticket::StudentComplaint,
        Who::Anonymous | Who::Regulator => false,
        Who::PersonalToken => staff_may_see("agent", &["student-support"], ticket),
        staff => {
            let member = staff.staff().expect("a staff principal");
            staff_may_see(member.role, member.departments, ticket)
        }
    }
}

fn staff_may_see(role: &str, departments: &[&str], ticket: Ticket) -> bool {
    if ticket == Ticket::OtherOrg {
        return false;
    }
    match role {
        "supervisor" => false,
        "director" | "executive" | "admin" => true,
        _ => ticket.kind() != TicketKind::Complaint || departments.contains(&ticket.department()),
    }
}

// ---- the rules -------------------------------------------------------------------------------------

/// Which staff a desk page admits (after the session check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Every staff member of the organization.
    AnyStaff,
    /// Staff who may change tickets (not the read-only `supervisor` role).
    Changer,
    /// Team leads, directors, executives, administrators and the `supervisor` role.
    Manager,
    /// Directors, executives and administrators (reports, requesters with violations).
    DirectorAndUp,
    Admin,
    /// Knowledge-base writers: team leads, directors, administrators (and specialists).
    KbWriter,
    /// Knowledge-base publishers: team leads, directors, administrators.
    KbPublisher,
    /// Whoever may see the ticket in the path.
    SeeTicket,
    /// Whoever may see the ticket in the path and change tickets.
    ChangeTicket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone at all.
    Public,
    /// No principal of the matrix can use it (a webhook needs the provider's signature, a chat
    /// conversation its secret token, a one-time code a pending sign-in): everyone gets one of
    /// the listed statuses.
    Nobody(&'static [u16]),
    /// API: an organization's integration token, acting on its own organization.
    OrgToken,
    /// API on the ticket in the path: the integration token of the ticket's organization.
    OrgTokenOnTicket,
    /// API: organization tokens and personal tokens (results follow the holder's visibility).
    AnyToken,
    /// API: a supervisor token, about an organization that granted access.
    SupervisorToken,
    /// API: a supervisor token, about an organization that did not: 404 for it too.
    SupervisorTokenUngranted,
    /// The supervision area: a supervisor's session.
    SupervisorSession,
    /// The supervision area about an organization that did not grant access: 404 for it too.
    SupervisorSessionUngranted,
    /// A desk page of the organization in the URL.
    Desk(Need),
    /// The portal's pages on one ticket: its requester's tracking session.
    Requester,
    /// A public address of something unpublished (a draft article, its files): the
    /// organization's signed-in staff preview it; for everyone else it does not exist (404).
    StaffPreview,
}

/// What a principal must get.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// One of the row's statuses for allowed principals.
    Allowed,
    Denied(Denial),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Denial {
    Status(u16),
    /// A redirect to a sign-in page whose address starts so.
    SignIn(&'static str),
    /// One of these statuses.
    OneOf(&'static [u16]),
}

const DIPLOMAS_SIGN_IN: &str = "/o/diplomas/login?next=";
const TRAINING_SIGN_IN: &str = "/o/e-training/login?next=";
const SUPERVISION_SIGN_IN: &str = "/supervision/login?next=";
/// The requester's way in: the tracking form (the address carries no `next`).
const TRACKING_SIGN_IN: &str = "/o/diplomas/track";

fn has_role(who: Who, roles: &[&str]) -> bool {
    who.role().is_some_and(|role| roles.contains(&role))
}

fn expect(method: &str, rule: Rule, who: Who, ticket: Option<Ticket>, org: Org) -> Expect {
    use Denial::*;
    use Expect::*;
    let allowed_if = |allowed: bool, denial: Denial| if allowed { Allowed } else { Denied(denial) };
    match rule {
        Rule::Public => Allowed,
        Rule::Nobody(statuses) => Denied(OneOf(statuses)),
        Rule::OrgToken => match who {
            Who::OrgToken | Who::OtherOrgToken => Allowed,
            Who::PersonalToken => Denied(Status(403)),
            _ => Denied(Status(401)),
        },
        Rule::OrgTokenOnTicket => {
            let ticket = ticket.expect("a ticket row");
            match who {
                Who::OrgToken | Who::OtherOrgToken => allowed_if(may_see(who, ticket), Status(404)),
                Who::PersonalToken => Denied(Status(403)),
                _ => Denied(Status(401)),
            }
        }
        Rule::AnyToken => match who {
            Who::OrgToken | Who::OtherOrgToken | Who::PersonalToken => Allowed,
            _ => Denied(Status(401)),
        },
        Rule::SupervisorToken => allowed_if(who == Who::Regulator, Status(401)),
        Rule::SupervisorTokenUngranted => match who {
            Who::Regulator => Denied(Status(404)),
            _ => Denied(Status(401)),
        },
        Rule::SupervisorSession => allowed_if(who == Who::Regulator, SignIn(SUPERVISION_SIGN_IN)),
        Rule::SupervisorSessionUngranted => match who {
            Who::Regulator => Denied(Status(404)),
            _ => Denied(SignIn(SUPERVISION_SIGN_IN)),
        },
        Rule::StaffPreview => allowed_if(who.role().is_some(), Status(404)),
        Rule::Requester => {
            let ticket = ticket.expect("a ticket row");
            // A page sends whoever is not following this ticket to the tracking form; a form
            // post from them is refused.
            let denial = if method == "GET" {
                SignIn(TRACKING_SIGN_IN)
            } else {
                Status(403)
            };
            allowed_if(
                who == Who::Requester && ticket == Ticket::StudentComplaint,
                denial,
            )
        }
        Rule::Desk(need) => {
            if org == Org::Other {
                // A diplomas session means nothing in e-training's desk.
                return Denied(SignIn(TRAINING_SIGN_IN));
            }
            let Some(role) = who.role() else {
                return Denied(SignIn(DIPLOMAS_SIGN_IN));
            };
            let changer = role != "supervisor";
            let allowed = match need {
                Need::AnyStaff => true,
                Need::Changer => changer,
                Need::Manager => has_role(
                    who,
                    &["team_lead", "director", "executive", "admin", "supervisor"],
                ),
                Need::DirectorAndUp => has_role(who, &["director", "executive", "admin"]),
                Need::Admin => role == "admin",
                Need::KbWriter | Need::KbPublisher => {
                    has_role(who, &["team_lead", "director", "admin"])
                }
                Need::SeeTicket | Need::ChangeTicket => {
                    let ticket = ticket.expect("a ticket row");
                    if need == Need::ChangeTicket && !changer {
                        return Denied(Status(403));
                    }
                    if ticket == Ticket::OtherOrg {
                        return Denied(Status(404));
                    }
                    may_see(who, ticket)
                }
            };
            allowed_if(allowed, Status(403))
        }
    }
}

// ---- the table -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// A form with the principal's CSRF token added.
    Form(&'static [(&'static str, &'static str)]),
    /// A multipart form with the principal's CSRF token added.
    Multipart(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

/// Which organization's address a desk row is asked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Org {
    Own,
    Other,
}

/// One row: a route (as declared), the concrete address asked (with `{slug}`, `{ticket}`,
/// `{attachment}`, `{draft}`, `{draft_file}`, `{published_file}`, `{agent}` filled in), the
/// body, the rule, and the statuses an allowed principal gets with this harmless input.
struct Row {
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    rule: Rule,
    ok: &'static [u16],
    /// Asked about each of the four tickets (`{ticket}` in the path).
    per_ticket: bool,
}

const fn row(
    method: &'static str,
    route: &'static str,
    body: Body,
    rule: Rule,
    ok: &'static [u16],
) -> Row {
    Row {
        method,
        route,
        path: route,
        body,
        rule,
        ok,
        per_ticket: false,
    }
}

/// A row asked at a concrete address other than the route pattern.
const fn at(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    rule: Rule,
    ok: &'static [u16],
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        rule,
        ok,
        per_ticket: false,
    }
}

/// A row asked about each ticket.
const fn on_tickets(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    body: Body,
    rule: Rule,
    ok: &'static [u16],
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        rule,
        ok,
        per_ticket: true,
    }
}

use Body::{Form, Json, Multipart};
use Need::*;

const NO_FIELDS: &[(&str, &str)] = &[];

/// Every route of the application. Inputs are harmless: forms that fail validation after the
/// permission check, unknown codes and ids, or changes that leave nothing of consequence.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    // ---- the REST API (from the OpenAPI document) ----
    row("GET", "/api/v1/tickets", Body::None, Rule::OrgToken, &[200]),
    row("POST", "/api/v1/tickets", Json("{}"), Rule::OrgToken, &[422]),
    on_tickets("GET", "/api/v1/tickets/{number}", "/api/v1/tickets/{ticket}", Body::None, Rule::OrgTokenOnTicket, &[200]),
    on_tickets("PATCH", "/api/v1/tickets/{number}", "/api/v1/tickets/{ticket}", Json("{}"), Rule::OrgTokenOnTicket, &[200]),
    at("GET", "/api/v1/requesters", "/api/v1/requesters?email=layla.matrix@example.sa", Body::None, Rule::OrgToken, &[200, 404]),
    // Closing a ticket that was never resolved is an illegal move: 409 once the ticket is found.
    on_tickets("POST", "/api/v1/tickets/{number}/transitions", "/api/v1/tickets/{ticket}/transitions", Json(r#"{"to":"closed"}"#), Rule::OrgTokenOnTicket, &[409]),
    on_tickets("POST", "/api/v1/tickets/{number}/messages", "/api/v1/tickets/{ticket}/messages", Json(r#"{"kind":"internal_note","body":"Checked by the authorization matrix."}"#), Rule::OrgTokenOnTicket, &[201]),
    at("GET", "/api/v1/tickets/{number}/attachments/{id}", "/api/v1/tickets/{student}/attachments/{attachment}", Body::None, Rule::OrgTokenOnTicket, &[200]),
    on_tickets("POST", "/api/v1/tickets/{number}/root-causes", "/api/v1/tickets/{ticket}/root-causes", Json(r#"{"target":"first_response","category":"staffing","description":"None.","corrective_action":"None."}"#), Rule::OrgTokenOnTicket, &[409, 422]),
    on_tickets("POST", "/api/v1/tickets/{number}/escalations", "/api/v1/tickets/{ticket}/escalations", Json(r#"{"message":"Please look again."}"#), Rule::OrgTokenOnTicket, &[409]),
    row("GET", "/api/v1/departments", Body::None, Rule::OrgToken, &[200]),
    row("POST", "/api/v1/departments", Json("{}"), Rule::OrgToken, &[422]),
    at("PUT", "/api/v1/departments/{code}", "/api/v1/departments/no-such-department", Json("{}"), Rule::OrgToken, &[422]),
    at("DELETE", "/api/v1/departments/{code}", "/api/v1/departments/no-such-department", Body::None, Rule::OrgToken, &[404]),
    row("GET", "/api/v1/categories", Body::None, Rule::OrgToken, &[200]),
    row("POST", "/api/v1/categories", Json("{}"), Rule::OrgToken, &[422]),
    at("PUT", "/api/v1/categories/{code}", "/api/v1/categories/no-such-category", Json("{}"), Rule::OrgToken, &[422]),
    at("DELETE", "/api/v1/categories/{code}", "/api/v1/categories/no-such-category", Body::None, Rule::OrgToken, &[404]),
    at("GET", "/api/v1/search", "/api/v1/search?q=Matrix", Body::None, Rule::AnyToken, &[200]),
    at("GET", "/api/v1/kb/search", "/api/v1/kb/search?org=diplomas&q=matrix", Body::None, Rule::Public, &[200]),
    row("GET", "/api/v1/supervision/organizations", Body::None, Rule::SupervisorToken, &[200]),
    at("GET", "/api/v1/supervision/organizations/{slug}/report", "/api/v1/supervision/organizations/diplomas/report", Body::None, Rule::SupervisorToken, &[200]),
    at("GET", "/api/v1/supervision/organizations/{slug}/report", "/api/v1/supervision/organizations/e-training/report", Body::None, Rule::SupervisorTokenUngranted, &[]),
    row("GET", "/api/v1/supervision/comparison", Body::None, Rule::SupervisorToken, &[200]),
    row("GET", "/healthz", Body::None, Rule::Public, &[200]),
    // ---- operations and documentation ----
    row("GET", "/", Body::None, Rule::Public, &[200]),
    row("GET", "/metrics", Body::None, Rule::Public, &[200]),
    row("GET", "/api/openapi.json", Body::None, Rule::Public, &[200]),
    // ---- the portal ----
    row("GET", "/o/{slug}", Body::None, Rule::Public, &[200]),
    row("GET", "/o/{slug}/new", Body::None, Rule::Public, &[200]),
    row("POST", "/o/{slug}/new", Multipart(NO_FIELDS), Rule::Public, &[422]),
    row("GET", "/o/{slug}/track", Body::None, Rule::Public, &[200]),
    // Tracking-code checks are throttled per address (429 once the matrix has asked enough).
    row("POST", "/o/{slug}/track", Form(&[("number", "DP-2026-999999"), ("code", "WRONG-CODE")]), Rule::Public, &[401, 404, 422, 429]),
    on_tickets("GET", "/o/{slug}/track/{number}", "/o/{slug}/track/{ticket}", Body::None, Rule::Requester, &[200]),
    on_tickets("POST", "/o/{slug}/track/{number}/reply", "/o/{slug}/track/{ticket}/reply", Multipart(NO_FIELDS), Rule::Requester, &[422]),
    on_tickets("POST", "/o/{slug}/track/{number}/reopen", "/o/{slug}/track/{ticket}/reopen", Form(NO_FIELDS), Rule::Requester, &[409, 422]),
    on_tickets("POST", "/o/{slug}/track/{number}/escalate", "/o/{slug}/track/{ticket}/escalate", Form(NO_FIELDS), Rule::Requester, &[409, 422]),
    on_tickets("POST", "/o/{slug}/track/{number}/rate", "/o/{slug}/track/{ticket}/rate", Form(NO_FIELDS), Rule::Requester, &[409, 422]),
    on_tickets("GET", "/o/{slug}/track/{number}/privacy", "/o/{slug}/track/{ticket}/privacy", Body::None, Rule::Requester, &[200]),
    on_tickets("POST", "/o/{slug}/track/{number}/privacy/export", "/o/{slug}/track/{ticket}/privacy/export", Form(NO_FIELDS), Rule::Requester, &[200]),
    // Without `confirm=yes` nothing is requested: 422 for the requester.
    on_tickets("POST", "/o/{slug}/track/{number}/privacy/erasure", "/o/{slug}/track/{ticket}/privacy/erasure", Form(NO_FIELDS), Rule::Requester, &[422]),
    at("GET", "/o/{slug}/rate/{token}", "/o/{slug}/rate/not-a-rating-link", Body::None, Rule::Nobody(&[404]), &[]),
    row("GET", "/o/{slug}/policy", Body::None, Rule::Public, &[200]),
    // ---- signing in (throttled per address: 429 once the matrix has asked enough) ----
    row("GET", "/o/{slug}/login", Body::None, Rule::Public, &[200, 303]),
    row("POST", "/o/{slug}/login", Form(&[("email", ""), ("password", "")]), Rule::Public, &[401, 422, 429]),
    row("GET", "/o/{slug}/login/code", Body::None, Rule::Public, &[200, 303]),
    // No principal has a sign-in waiting for its one-time code: back to the first step.
    row("POST", "/o/{slug}/login/code", Form(&[("code", "000000")]), Rule::Nobody(&[303]), &[]),
    // ---- the desk ----
    row("GET", "/o/{slug}/desk", Body::None, Rule::Desk(AnyStaff), &[200]),
    at("GET", "/o/{slug}/desk/search", "/o/{slug}/desk/search?q=Matrix", Body::None, Rule::Desk(AnyStaff), &[200]),
    row("GET", "/o/{slug}/desk/account", Body::None, Rule::Desk(AnyStaff), &[200]),
    row("POST", "/o/{slug}/desk/account/password", Form(&[("current", "not-the-password"), ("new", ""), ("confirm", "")]), Rule::Desk(AnyStaff), &[422]),
    row("POST", "/o/{slug}/desk/account/totp", Form(&[("action", "enable"), ("code", "")]), Rule::Desk(AnyStaff), &[303, 422]),
    row("GET", "/o/{slug}/desk/log-contact", Body::None, Rule::Desk(Changer), &[200]),
    row("POST", "/o/{slug}/desk/log-contact", Form(NO_FIELDS), Rule::Desk(Changer), &[422]),
    at("GET", "/o/{slug}/desk/known-requester", "/o/{slug}/desk/known-requester?phone=0500000000", Body::None, Rule::Desk(Changer), &[200]),
    on_tickets("GET", "/o/{slug}/desk/tickets/{number}", "/o/{slug}/desk/tickets/{ticket}", Body::None, Rule::Desk(SeeTicket), &[200]),
    on_tickets("GET", "/o/{slug}/desk/tickets/{number}/timeline", "/o/{slug}/desk/tickets/{ticket}/timeline", Body::None, Rule::Desk(SeeTicket), &[200]),
    on_tickets("GET", "/o/{slug}/desk/tickets/{number}/live", "/o/{slug}/desk/tickets/{ticket}/live", Body::None, Rule::Desk(SeeTicket), &[200]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/replying", "/o/{slug}/desk/tickets/{ticket}/replying", Form(NO_FIELDS), Rule::Desk(SeeTicket), &[204]),
    at("GET", "/o/{slug}/desk/tickets/{number}/attachments/{id}", "/o/{slug}/desk/tickets/{student}/attachments/{attachment}", Body::None, Rule::Desk(SeeTicket), &[200]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/reply", "/o/{slug}/desk/tickets/{ticket}/reply", Multipart(&[("kind", "public_reply"), ("body", "")]), Rule::Desk(ChangeTicket), &[422]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/classify", "/o/{slug}/desk/tickets/{ticket}/classify", Form(&[("kind", "not-a-kind")]), Rule::Desk(ChangeTicket), &[422]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/assign", "/o/{slug}/desk/tickets/{ticket}/assign", Form(&[("assignee", "not-a-number")]), Rule::Desk(ChangeTicket), &[422]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/status", "/o/{slug}/desk/tickets/{ticket}/status", Form(&[("to", "not-a-status")]), Rule::Desk(ChangeTicket), &[422]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/escalate", "/o/{slug}/desk/tickets/{ticket}/escalate", Form(&[("note", "")]), Rule::Desk(ChangeTicket), &[409, 422]),
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/root-cause", "/o/{slug}/desk/tickets/{ticket}/root-cause", Form(NO_FIELDS), Rule::Desk(ChangeTicket), &[409, 422]),
    // Reviewing the flags of a ticket without flags changes nothing.
    on_tickets("POST", "/o/{slug}/desk/tickets/{number}/conduct/review", "/o/{slug}/desk/tickets/{ticket}/conduct/review", Form(NO_FIELDS), Rule::Desk(ChangeTicket), &[303]),
    row("GET", "/o/{slug}/desk/dashboard", Body::None, Rule::Desk(Manager), &[200]),
    row("GET", "/o/{slug}/desk/reports", Body::None, Rule::Desk(DirectorAndUp), &[200]),
    row("GET", "/o/{slug}/desk/reports.csv", Body::None, Rule::Desk(DirectorAndUp), &[200]),
    row("GET", "/o/{slug}/desk/reports.xlsx", Body::None, Rule::Desk(DirectorAndUp), &[200]),
    row("GET", "/o/{slug}/desk/conduct/flagged", Body::None, Rule::Desk(AnyStaff), &[200]),
    row("GET", "/o/{slug}/desk/conduct/violations", Body::None, Rule::Desk(DirectorAndUp), &[200]),
    // ---- administration ----
    row("GET", "/o/{slug}/desk/admin", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin", Form(&[("name", ""), ("time_zone", "Nowhere/Nothing"), ("reopen_window_hours", "x")]), Rule::Desk(Admin), &[422]),
    row("GET", "/o/{slug}/desk/admin/policy", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/policy", Multipart(&[("source", "this is [not a policy")]), Rule::Desk(Admin), &[422]),
    row("GET", "/o/{slug}/desk/admin/departments", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/departments", Form(&[("code", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/departments/{code}", "/o/{slug}/desk/admin/departments/student-support", Form(&[("name_ar", ""), ("name_en", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/departments/{code}/archive", "/o/{slug}/desk/admin/departments/no-such-department/archive", Form(NO_FIELDS), Rule::Desk(Admin), &[404]),
    row("GET", "/o/{slug}/desk/admin/categories", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/categories", Form(&[("code", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/categories/{code}", "/o/{slug}/desk/admin/categories/no-such-category", Form(&[("name_ar", ""), ("name_en", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/categories/{code}/archive", "/o/{slug}/desk/admin/categories/no-such-category/archive", Form(NO_FIELDS), Rule::Desk(Admin), &[404]),
    row("GET", "/o/{slug}/desk/admin/staff", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/staff", Form(&[("email", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/staff/{id}", "/o/{slug}/desk/admin/staff/{agent}", Form(&[("name", ""), ("role", "not-a-role")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/staff/{id}/password", "/o/{slug}/desk/admin/staff/{agent}/password", Form(&[("password", "")]), Rule::Desk(Admin), &[422]),
    row("GET", "/o/{slug}/desk/admin/canned", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/canned", Form(&[("title", "")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/canned/{id}", "/o/{slug}/desk/admin/canned/999999", Form(&[("title", "")]), Rule::Desk(Admin), &[404, 422]),
    at("POST", "/o/{slug}/desk/admin/canned/{id}/archive", "/o/{slug}/desk/admin/canned/999999/archive", Form(NO_FIELDS), Rule::Desk(Admin), &[404]),
    row("GET", "/o/{slug}/desk/admin/channels", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/channels", Form(&[("email", "maybe")]), Rule::Desk(Admin), &[303, 422]),
    at("POST", "/o/{slug}/desk/admin/channels/{channel}", "/o/{slug}/desk/admin/channels/no-such-channel", Form(NO_FIELDS), Rule::Desk(Admin), &[404, 422]),
    row("GET", "/o/{slug}/desk/admin/audit", Body::None, Rule::Desk(Admin), &[200]),
    row("GET", "/o/{slug}/desk/admin/supervision", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/supervision", Form(&[("email", ""), ("personal_data", "hidden")]), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/supervision/{supervisor_id}/revoke", "/o/{slug}/desk/admin/supervision/999999/revoke", Form(NO_FIELDS), Rule::Desk(Admin), &[303, 404]),
    row("GET", "/o/{slug}/desk/admin/conduct", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/conduct", Form(&[("source", "mis*placed")]), Rule::Desk(Admin), &[422]),
    row("GET", "/o/{slug}/desk/admin/privacy", Body::None, Rule::Desk(Admin), &[200]),
    row("POST", "/o/{slug}/desk/admin/privacy/settings", Form(&[("retention_days", "not-a-number")]), Rule::Desk(Admin), &[422]),
    row("POST", "/o/{slug}/desk/admin/privacy/export", Form(&[("contact", "not a contact")]), Rule::Desk(Admin), &[422]),
    // Without `confirm=yes` nothing is erased: 422 for the administrator.
    at("POST", "/o/{slug}/desk/admin/privacy/erasures/{id}", "/o/{slug}/desk/admin/privacy/erasures/999999", Form(NO_FIELDS), Rule::Desk(Admin), &[422]),
    at("POST", "/o/{slug}/desk/admin/privacy/requesters/{id}/export", "/o/{slug}/desk/admin/privacy/requesters/999999/export", Form(NO_FIELDS), Rule::Desk(Admin), &[404]),
    // ---- the supervision area ----
    row("GET", "/supervision/login", Body::None, Rule::Public, &[200, 303]),
    row("POST", "/supervision/login", Form(&[("email", ""), ("password", "")]), Rule::Public, &[401, 422, 429]),
    row("GET", "/supervision", Body::None, Rule::SupervisorSession, &[200]),
    at("GET", "/supervision/o/{slug}", "/supervision/o/diplomas", Body::None, Rule::SupervisorSession, &[200]),
    at("GET", "/supervision/o/{slug}", "/supervision/o/e-training", Body::None, Rule::SupervisorSessionUngranted, &[]),
    row("GET", "/supervision/tokens", Body::None, Rule::SupervisorSession, &[200]),
    row("POST", "/supervision/tokens", Form(&[("name", "")]), Rule::SupervisorSession, &[422]),
    at("POST", "/supervision/tokens/{id}/revoke", "/supervision/tokens/999999/revoke", Form(NO_FIELDS), Rule::SupervisorSession, &[303, 404]),
    // ---- the knowledge base: public ----
    row("GET", "/o/{slug}/kb", Body::None, Rule::Public, &[200]),
    at("GET", "/o/{slug}/kb/suggest", "/o/{slug}/kb/suggest?q=matrix", Body::None, Rule::Public, &[200]),
    at("GET", "/o/{slug}/kb/files/{id}/{filename}", "/o/{slug}/kb/files/{published_file}/guide.txt", Body::None, Rule::Public, &[200]),
    at("GET", "/o/{slug}/kb/files/{id}/{filename}", "/o/{slug}/kb/files/{draft_file}/draft.txt", Body::None, Rule::StaffPreview, &[200]),
    at("GET", "/o/{slug}/kb/{article}", "/o/{slug}/kb/matrix-published-guide", Body::None, Rule::Public, &[200]),
    at("GET", "/o/{slug}/kb/{article}", "/o/{slug}/kb/matrix-draft-fees", Body::None, Rule::StaffPreview, &[200]),
    at("POST", "/o/{slug}/kb/{article}/feedback", "/o/{slug}/kb/matrix-published-guide/feedback", Form(&[("verdict", "not-a-verdict")]), Rule::Public, &[422]),
    at("POST", "/o/{slug}/kb/{article}/solved", "/o/{slug}/kb/matrix-published-guide/solved", Form(NO_FIELDS), Rule::Public, &[422]),
    // ---- the knowledge base: editors ----
    row("GET", "/o/{slug}/desk/kb", Body::None, Rule::Desk(AnyStaff), &[200]),
    row("GET", "/o/{slug}/desk/kb/new", Body::None, Rule::Desk(KbWriter), &[200]),
    row("POST", "/o/{slug}/desk/kb/new", Form(&[("title", ""), ("status", "draft")]), Rule::Desk(KbWriter), &[422]),
    at("GET", "/o/{slug}/desk/kb/articles/{id}", "/o/{slug}/desk/kb/articles/{draft}", Body::None, Rule::Desk(AnyStaff), &[200]),
    at("POST", "/o/{slug}/desk/kb/articles/{id}", "/o/{slug}/desk/kb/articles/{draft}", Form(&[("title", ""), ("status", "draft")]), Rule::Desk(KbWriter), &[422]),
    at("POST", "/o/{slug}/desk/kb/articles/{id}/status", "/o/{slug}/desk/kb/articles/{draft}/status", Form(&[("to", "not-a-status")]), Rule::Desk(KbPublisher), &[422]),
    at("POST", "/o/{slug}/desk/kb/articles/{id}/translation", "/o/{slug}/desk/kb/articles/{draft}/translation", Form(&[("action", "neither")]), Rule::Desk(KbWriter), &[422]),
    at("POST", "/o/{slug}/desk/kb/articles/{id}/attachments", "/o/{slug}/desk/kb/articles/{draft}/attachments", Multipart(NO_FIELDS), Rule::Desk(KbWriter), &[303, 422]),
    at("POST", "/o/{slug}/desk/kb/articles/{id}/attachments/{attachment}/remove", "/o/{slug}/desk/kb/articles/{draft}/attachments/999999/remove", Form(NO_FIELDS), Rule::Desk(KbWriter), &[404]),
    row("GET", "/o/{slug}/desk/kb/categories", Body::None, Rule::Desk(KbPublisher), &[200]),
    row("POST", "/o/{slug}/desk/kb/categories", Form(&[("code", "")]), Rule::Desk(KbPublisher), &[422]),
    at("POST", "/o/{slug}/desk/kb/categories/{code}", "/o/{slug}/desk/kb/categories/no-such-category", Form(&[("name_ar", "")]), Rule::Desk(KbPublisher), &[404, 422]),
    at("POST", "/o/{slug}/desk/kb/categories/{code}/archive", "/o/{slug}/desk/kb/categories/no-such-category/archive", Form(NO_FIELDS), Rule::Desk(KbPublisher), &[404]),
    at("GET", "/o/{slug}/desk/kb/picker", "/o/{slug}/desk/kb/picker?q=matrix", Body::None, Rule::Desk(AnyStaff), &[200]),
    at("GET", "/o/{slug}/desk/kb/links", "/o/{slug}/desk/kb/links?q=matrix", Body::None, Rule::Desk(AnyStaff), &[200]),
    // ---- assets, live chat (e-training's policy offers it) and webhooks ----
    at("GET", "/assets/{version}/{name}", "/assets/any/sanad.css", Body::None, Rule::Public, &[200, 404]),
    at("GET", "/o/{slug}/chat/widget.js", "/o/e-training/chat/widget.js", Body::None, Rule::Public, &[200]),
    at("GET", "/o/{slug}/chat/status", "/o/e-training/chat/status", Body::None, Rule::Public, &[200]),
    at("POST", "/o/{slug}/chat/conversations", "/o/e-training/chat/conversations", Json("{}"), Rule::Public, &[400, 422]),
    at("POST", "/o/{slug}/chat/conversations/{token}/messages", "/o/e-training/chat/conversations/not-a-conversation/messages", Json(r#"{"body":"hello"}"#), Rule::Nobody(&[404]), &[]),
    at("GET", "/o/{slug}/chat/conversations/{token}/events", "/o/e-training/chat/conversations/not-a-conversation/events", Body::None, Rule::Nobody(&[404]), &[]),
    at("GET", "/hooks/{slug}/whatsapp", "/hooks/diplomas/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", Body::None, Rule::Nobody(&[403, 404]), &[]),
    at("POST", "/hooks/{slug}/whatsapp", "/hooks/diplomas/whatsapp", Json("{}"), Rule::Nobody(&[401, 404]), &[]),
    at("GET", "/hooks/{slug}/facebook", "/hooks/diplomas/facebook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", Body::None, Rule::Nobody(&[403, 404]), &[]),
    at("POST", "/hooks/{slug}/facebook", "/hooks/diplomas/facebook", Json("{}"), Rule::Nobody(&[401, 404]), &[]),
    at("GET", "/hooks/{slug}/x", "/hooks/diplomas/x?crc_token=guess", Body::None, Rule::Nobody(&[403, 404]), &[]),
    at("POST", "/hooks/{slug}/x", "/hooks/diplomas/x", Json("{}"), Rule::Nobody(&[401, 404]), &[]),
    // ---- signing out: last, since it ends the principal's session ----
    row("POST", "/o/{slug}/logout", Form(NO_FIELDS), Rule::Public, &[303]),
    row("POST", "/supervision/logout", Form(NO_FIELDS), Rule::Public, &[303]),
];

// ---- every route has a row -------------------------------------------------------------------------

/// The (method, path) pairs of the OpenAPI document.
fn openapi_routes() -> BTreeSet<(String, String)> {
    let document = serde_json::to_value(sanad_web::openapi_document()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// The (method, path) pairs of every `.route(` call in the web crate's source: there is no
/// runtime list of an axum router's routes, and reading the declarations means a route added
/// anywhere in the crate (a new page module, the chat or webhook routers) needs a row here.
fn declared_routes() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (pattern, methods) in routes_in(&source) {
            for method in methods {
                routes.insert((method, pattern.clone()));
            }
        }
    }
    routes
}

/// The routes declared in one source text: each `.route("pattern", get(…).post(…))`.
fn routes_in(source: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The arguments run to the parenthesis that closes `.route(`.
        let mut depth = 1;
        let mut end = rest.len();
        for (index, character) in rest.char_indices() {
            match character {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = index;
                        break;
                    }
                }
                _ => {}
            }
        }
        let arguments = &rest[..end];
        let Some(open) = arguments.find('"') else {
            continue;
        };
        let Some(length) = arguments[open + 1..].find('"') else {
            continue;
        };
        let pattern = arguments[open + 1..open + 1 + length].to_owned();
        let handlers = &arguments[open + 1 + length..];
        let mut methods = Vec::new();
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let mut from = 0;
            while let Some(position) = handlers[from..].find(&call) {
                let index = from + position;
                let before = handlers[..index].chars().next_back();
                if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                    methods.push(method.to_uppercase());
                    break;
                }
                from = index + call.len();
            }
        }
        found.push((pattern, methods));
    }
    found
}

#[test]
fn the_route_reader_sees_methods_and_patterns() {
    let source = r#"
        Router::new()
            .route("/o/{slug}", get(portal::home))
            .route(
                "/o/{slug}/new",
                get(portal::new_request_form).post(portal::submit_request),
            )
            .route("/", axum::routing::get(ops::index))
            .route("/budget", post(budget(1)))
    "#;
    assert_eq!(
        routes_in(source),
        vec![
            ("/o/{slug}".to_owned(), vec!["GET".to_owned()]),
            (
                "/o/{slug}/new".to_owned(),
                vec!["GET".to_owned(), "POST".to_owned()]
            ),
            ("/".to_owned(), vec!["GET".to_owned()]),
            ("/budget".to_owned(), vec!["POST".to_owned()]),
        ]
    );
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let rows: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|row| (row.method.to_owned(), row.route.to_owned()))
        .collect();
    let mut routes = openapi_routes();
    routes.extend(declared_routes());
    // Served by the Swagger UI service rather than a `.route(` call.
    routes.insert(("GET".to_owned(), "/api/openapi.json".to_owned()));
    let missing: Vec<_> = routes.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix (add one per method, with the rule \
         its handler applies): {missing:#?}"
    );
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "rows for routes that no longer exist: {stale:#?}"
    );
}

// ---- the world the matrix runs in -----------------------------------------------------------------

struct World {
    numbers: BTreeMap<&'static str, String>,
    tracking_code: String,
    /// What fills each placeholder of a row's path.
    fills: Vec<(&'static str, String)>,
}

impl World {
    fn number(&self, ticket: Ticket) -> &str {
        &self.numbers[ticket.subject()]
    }
}

async fn file_ticket(
    app: &UiApp,
    org: &Organization,
    ticket: Ticket,
    attachments: Vec<NewAttachment>,
) -> (String, String) {
    let created = app
        .store
        .create_ticket(
            org,
            &NewTicket {
                kind: ticket.kind(),
                channel: sanad_domain::Channel::WebForm,
                subject: sanad_domain::Subject::parse(ticket.subject()).unwrap(),
                body: sanad_domain::MessageBody::parse(ticket.body()).unwrap(),
                category: None,
                requester: NewRequester {
                    name: sanad_domain::PersonName::parse(ticket.requester().0).unwrap(),
                    contact: RequesterContact::Email(
                        sanad_domain::EmailAddress::parse(ticket.requester().1).unwrap(),
                    ),
                    requester_type: sanad_domain::RequesterType::Trainee,
                },
                attachments,
            },
            None,
            &Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();
    let number = created.ticket.number;
    app.store
        .change_ticket(
            org,
            &number,
            &sanad_store::TicketChanges {
                departments: Some(vec![
                    sanad_domain::Code::parse(ticket.department()).unwrap(),
                ]),
                ..sanad_store::TicketChanges::default()
            },
            &Actor::System,
            app.clock.now(),
        )
        .await
        .unwrap();
    (number, created.tracking_code.unwrap())
}

fn text_file(name: &str, text: &str) -> NewAttachment {
    NewAttachment {
        filename: name.to_owned(),
        content_type: "text/plain".to_owned(),
        bytes: text.as_bytes().to_vec(),
    }
}

async fn world(app: &UiApp) -> World {
    let mut numbers = BTreeMap::new();
    let mut tracking_code = String::new();
    for ticket in TICKETS {
        let org = if ticket == Ticket::OtherOrg {
            &app.training
        } else {
            &app.diplomas
        };
        let attachments = if ticket == Ticket::StudentComplaint {
            vec![text_file("certificate-request.txt", "A scanned request.")]
        } else {
            Vec::new()
        };
        let (number, code) = file_ticket(app, org, ticket, attachments).await;
        if ticket == Ticket::StudentComplaint {
            tracking_code = code;
        }
        numbers.insert(ticket.subject(), number);
    }
    let student = numbers[Ticket::StudentComplaint.subject()].clone();
    let detail = app
        .store
        .ticket_detail(app.diplomas.id, &student)
        .await
        .unwrap()
        .unwrap();
    let attachment = detail.messages[0].attachments[0].id;

    let published = support::create_article(
        app,
        &support::article_input(
            Some("matrix-published-guide"),
            ArticleLanguage::En,
            "Matrix published guide to certificates",
            "How certificates are issued.",
            None,
            ArticleStatus::Published,
        ),
    )
    .await;
    let draft = support::create_article(
        app,
        &support::article_input(
            Some("matrix-draft-fees"),
            ArticleLanguage::En,
            DRAFT_TITLE,
            "Not yet approved.",
            None,
            ArticleStatus::Draft,
        ),
    )
    .await;
    let published_file = app
        .store
        .add_kb_attachments(
            app.diplomas.id,
            published.id,
            &[text_file("guide.txt", "Public guide.")],
            app.clock.now(),
        )
        .await
        .unwrap()[0]
        .id;
    let draft_file = app
        .store
        .add_kb_attachments(
            app.diplomas.id,
            draft.id,
            &[text_file("draft.txt", "Unapproved fees.")],
            app.clock.now(),
        )
        .await
        .unwrap()[0]
        .id;
    let agent = app
        .store
        .staff_credentials(app.diplomas.id, "agent.finance@example.sa")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    World {
        fills: vec![
            ("{student}", student),
            ("{attachment}", attachment.to_string()),
            ("{draft}", draft.id.to_string()),
            ("{draft_file}", draft_file.to_string()),
            ("{published_file}", published_file.to_string()),
            ("{agent}", agent.to_string()),
        ],
        numbers,
        tracking_code,
    }
}

const DRAFT_TITLE: &str = "Matrix draft: unapproved fee schedule";
const REGULATOR_EMAIL: &str = "auditor@regulator.example.sa";
const TRAINING_AGENT_EMAIL: &str = "maha.matrix@e-training.example.sa";

/// A principal's client (cookies kept, redirects not followed), bearer token and CSRF token.
struct Principal {
    who: Who,
    client: reqwest::Client,
    bearer: Option<String>,
    csrf: String,
}

/// A browser that has been given a CSRF cookie, with the token.
async fn fresh_browser(app: &UiApp) -> (reqwest::Client, String) {
    let client = browser();
    let (_, page) = get_text(&client, &app.url("/o/diplomas/track")).await;
    let csrf = csrf_of(&page);
    (client, csrf)
}

async fn sign_in_at(app: &UiApp, client: &reqwest::Client, csrf: &str, org: &str, email: &str) {
    let response = client
        .post(app.url(&format!("/o/{org}/login")))
        .form(&[
            ("_csrf", csrf),
            ("email", email),
            ("password", PASSWORD),
            ("next", &format!("/o/{org}/desk")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
}

async fn org_token(app: &UiApp, org: &Organization) -> String {
    let secret = sanad_store::secrets::generate_token();
    app.store
        .create_api_token(
            org.id,
            "authorization matrix",
            &sanad_store::secrets::token_digest(&secret),
            app.clock.now(),
        )
        .await
        .unwrap();
    secret
}

async fn principal(app: &UiApp, world: &World, who: Who) -> Principal {
    let (client, csrf) = fresh_browser(app).await;
    let mut bearer = None;
    match who {
        Who::Anonymous => {}
        Who::OrgToken => bearer = Some(org_token(app, &app.diplomas).await),
        Who::OtherOrgToken => bearer = Some(org_token(app, &app.training).await),
        Who::PersonalToken => {
            let holder = app
                .store
                .staff_credentials(app.diplomas.id, "agent.students@example.sa")
                .await
                .unwrap()
                .unwrap();
            let secret = sanad_store::secrets::generate_token();
            app.store
                .create_personal_api_token(
                    app.diplomas.id,
                    holder.user.id,
                    "matrix",
                    &sanad_store::secrets::token_digest(&secret),
                    app.clock.now(),
                )
                .await
                .unwrap();
            bearer = Some(secret);
        }
        Who::Requester => {
            let number = world.number(Ticket::StudentComplaint);
            let response = client
                .get(app.url(&format!(
                    "/o/diplomas/track/{number}?code={}",
                    world.tracking_code
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "the link signs in"
            );
        }
        Who::OtherOrgStaff => {
            support::create_training_agent(app, TRAINING_AGENT_EMAIL, "مها الشمري", Some(PASSWORD))
                .await;
            sign_in_at(app, &client, &csrf, "e-training", TRAINING_AGENT_EMAIL).await;
        }
        Who::Regulator => {
            let hash = sanad_web::ui::auth::hash_password(PASSWORD).unwrap();
            let email = sanad_domain::EmailAddress::parse(REGULATOR_EMAIL).unwrap();
            let supervisor = app
                .store
                .create_supervisor(
                    &email,
                    &sanad_domain::PersonName::parse("سعاد المراقبة").unwrap(),
                    Some(&hash),
                    app.clock.now(),
                )
                .await
                .unwrap();
            app.store
                .grant_supervision(
                    app.diplomas.id,
                    &email,
                    sanad_domain::permissions::PersonalDataAccess::Hidden,
                    None,
                    app.clock.now(),
                )
                .await
                .unwrap();
            let secret = sanad_store::secrets::generate_token();
            app.store
                .create_supervisor_token(
                    supervisor.id,
                    "matrix",
                    &sanad_store::secrets::token_digest(&secret),
                    app.clock.now(),
                )
                .await
                .unwrap();
            bearer = Some(secret);
            let response = client
                .post(app.url("/supervision/login"))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("email", REGULATOR_EMAIL),
                    ("password", PASSWORD),
                    ("next", "/supervision"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "the regulator signs in"
            );
        }
        staff => {
            sign_in_at(
                app,
                &client,
                &csrf,
                "diplomas",
                staff.staff_email().unwrap(),
            )
            .await;
        }
    }
    Principal {
        who,
        client,
        bearer,
        csrf,
    }
}

// ---- asking ----------------------------------------------------------------------------------------

/// One question of the matrix: a row, about one ticket, at one organization's address.
struct Question<'a> {
    row: &'a Row,
    ticket: Option<Ticket>,
    org: Org,
    path: String,
}

fn questions(world: &World) -> Vec<Question<'static>> {
    let mut all = Vec::new();
    for row in TABLE {
        let tickets: Vec<Option<Ticket>> = if row.per_ticket {
            TICKETS.iter().copied().map(Some).collect()
        } else if row.path.contains("{student}") {
            vec![Some(Ticket::StudentComplaint)]
        } else {
            vec![None]
        };
        let orgs: &[Org] = if matches!(row.rule, Rule::Desk(_)) && row.path.starts_with("/o/") {
            &[Org::Own, Org::Other]
        } else {
            &[Org::Own]
        };
        for &org in orgs {
            for &ticket in &tickets {
                let mut path = row.path.replace(
                    "{slug}",
                    match org {
                        Org::Own => "diplomas",
                        Org::Other => "e-training",
                    },
                );
                if let Some(ticket) = ticket {
                    path = path.replace("{ticket}", world.number(ticket));
                }
                for (placeholder, value) in &world.fills {
                    path = path.replace(placeholder, value);
                }
                all.push(Question {
                    row,
                    ticket,
                    org,
                    path,
                });
            }
        }
    }
    all
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

async fn ask(app: &UiApp, principal: &Principal, question: &Question<'_>) -> Answer {
    let url = app.url(&question.path);
    let method = reqwest::Method::from_bytes(question.row.method.as_bytes()).unwrap();
    let mut request = principal.client.request(method, url);
    if let Some(token) = &principal.bearer {
        request = request.bearer_auth(token);
    }
    request = match question.row.body {
        Body::None => request,
        Body::Form(fields) => {
            let mut all = vec![("_csrf", principal.csrf.as_str())];
            all.extend_from_slice(fields);
            request.form(&all)
        }
        Body::Multipart(fields) => {
            let mut form = reqwest::multipart::Form::new().text("_csrf", principal.csrf.clone());
            for (name, value) in fields {
                form = form.text(*name, *value);
            }
            request.multipart(form)
        }
        Body::Json(json) => request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let streaming = support::content_type_of(&response).starts_with("text/event-stream");
    // A live stream never ends; its status and type are the answer.
    let body = if streaming {
        String::new()
    } else {
        String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned()
    };
    Answer {
        status,
        location,
        body,
    }
}

/// What is wrong with `answer` for `who`, if anything.
fn judge(question: &Question<'_>, who: Who, answer: &Answer) -> Option<String> {
    let expected = expect(
        question.row.method,
        question.row.rule,
        who,
        question.ticket,
        question.org,
    );
    let verdict = match &expected {
        Expect::Allowed => {
            if question.row.ok.contains(&answer.status) {
                None
            } else {
                Some(format!("allowed, so one of {:?}", question.row.ok))
            }
        }
        Expect::Denied(Denial::Status(status)) => {
            (answer.status != *status).then(|| format!("denied with {status}"))
        }
        Expect::Denied(Denial::OneOf(statuses)) => {
            (!statuses.contains(&answer.status)).then(|| format!("denied with one of {statuses:?}"))
        }
        Expect::Denied(Denial::SignIn(prefix)) => (answer.status != 303
            || !answer.location.starts_with(prefix))
        .then(|| format!("sent to sign in at {prefix}…")),
    };
    let mut problems = Vec::new();
    if let Some(wanted) = verdict {
        problems.push(format!(
            "expected {wanted}, got {} {}",
            answer.status, answer.location
        ));
    }
    if matches!(expected, Expect::Denied(_)) && (200..300).contains(&answer.status) {
        problems.push("a denial answered with success".to_owned());
    }
    // Confidentiality, whatever the status: nothing of a ticket the principal may not see.
    for ticket in TICKETS {
        if !may_see(who, ticket) {
            for secret in [ticket.subject(), ticket.body(), ticket.requester().1] {
                if answer.body.contains(secret) {
                    problems.push(format!("the body shows {secret:?} ({ticket:?})"));
                }
            }
        }
    }
    let sees_drafts = who.role().is_some();
    if !sees_drafts && answer.body.contains(DRAFT_TITLE) {
        problems.push("the body shows the unpublished article's title".to_owned());
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{who:?} {} {} ({:?}, {:?}): {}",
            question.row.method,
            question.path,
            question.ticket,
            question.org,
            problems.join("; ")
        )
    })
}

async fn every_route_answers_every_principal_as_the_rules_say(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let world = world(&app).await;
    let mut principals = Vec::new();
    for who in EVERYONE {
        principals.push(principal(&app, &world, who).await);
    }
    let questions = questions(&world);
    let mut failures = Vec::new();
    let mut asked = 0;
    for question in &questions {
        for principal in &principals {
            // E-training's own staff at e-training's desk are not the subject of that variant.
            if question.org == Org::Other && principal.who == Who::OtherOrgStaff {
                continue;
            }
            let answer = ask(&app, principal, question).await;
            asked += 1;
            if let Some(failure) = judge(question, principal.who, &answer) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {asked} answers broke the authorization matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The matrix is only as good as its size: every row was asked of every principal.
    let other_org_questions = questions.iter().filter(|q| q.org == Org::Other).count();
    assert_eq!(
        asked,
        questions.len() * EVERYONE.len() - other_org_questions
    );
}
