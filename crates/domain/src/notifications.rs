//! What requesters are told, and on which channel they can be reached.
//!
//! The policy seeds promise that requesters are kept informed: on receipt (with the tracking
//! number and the response target), when the request is routed, on every public reply, on
//! escalation and on resolution; seed 001 adds a periodic status update while a request stays
//! open. This module decides where such a notification goes; the store writes it to the outbox
//! in the transaction of the event that caused it.

use crate::Channel;

string_enum! {
    /// A notification sent to the requester of a ticket.
    pub enum RequesterNotification: "requester notification" {
        /// The request was registered: its number, tracking code and first-response target.
        Receipt => "receipt",
        /// The request was sent to a department.
        Routed => "routed",
        /// Staff answered publicly; the notification carries the answer itself.
        Reply => "reply",
        /// The request climbed the escalation ladder.
        Escalated => "escalated",
        /// The request was resolved; the requester can confirm, reopen or rate.
        Resolved => "resolved",
        /// The periodic update the policy promises while a request stays open.
        StatusUpdate => "status_update",
        /// The request was cancelled for a conduct violation (seed 004); the notification
        /// carries the reason the agent gave.
        CancelledForConduct => "cancelled_for_conduct",
    }
}

string_enum! {
    /// How far an outbound message has got, as the provider reports it. Reports can arrive twice
    /// and out of order, so the store keeps the furthest one (declaration order is progress).
    pub enum DeliveryState: "delivery state" {
        Sent => "sent",
        Delivered => "delivered",
        Read => "read",
        Failed => "failed",
    }
}

/// Whether a notification is sent at all for a ticket from `ticket_channel`. A live chat shows
/// staff replies in the visitor's widget as they are written, so repeating each one by e-mail
/// would only be noise; the receipt and the other milestones still go out.
pub fn is_sent_for(kind: RequesterNotification, ticket_channel: Channel) -> bool {
    !(kind == RequesterNotification::Reply && ticket_channel == Channel::LiveChat)
}

/// How a requester can be reached, as far as the desk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reachability<'a> {
    /// The channel the ticket arrived on.
    pub ticket_channel: Channel,
    /// The requester's identity on that channel (a WhatsApp number, an X account id, a
    /// Messenger id), when the ticket came that way.
    pub identity_on_ticket_channel: Option<&'a str>,
    /// An e-mail address that has not bounced.
    pub deliverable_email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Picks the channel and address for a requester notification, or `None` when the requester
/// cannot be reached on any channel the organization has enabled.
///
/// A conversation stays where it started: a request sent over WhatsApp, X or Messenger is
/// answered there. Everything else goes by e-mail when there is a deliverable address, and by
/// SMS to a phone number as the last resort (a phone call logged by staff, a classroom request).
pub fn notification_route(
    reach: &Reachability<'_>,
    enabled: &[Channel],
) -> Option<(Channel, String)> {
    let is_enabled = |channel: Channel| enabled.contains(&channel);
    if matches!(
        reach.ticket_channel,
        Channel::Whatsapp | Channel::X | Channel::Facebook
    ) && is_enabled(reach.ticket_channel)
        && let Some(identity) = reach.identity_on_ticket_channel
    {
        return Some((reach.ticket_channel, identity.to_owned()));
    }
    if is_enabled(Channel::Email)
        && let Some(email) = reach.deliverable_email
    {
        return Some((Channel::Email, email.to_owned()));
    }
    if is_enabled(Channel::Sms)
        && let Some(phone) = reach.phone
    {
        return Some((Channel::Sms, phone.to_owned()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(
        channel: Channel,
        identity: Option<&'static str>,
        email: Option<&'static str>,
        phone: Option<&'static str>,
    ) -> Reachability<'static> {
        Reachability {
            ticket_channel: channel,
            identity_on_ticket_channel: identity,
            deliverable_email: email,
            phone,
        }
    }

    #[test]
    fn chat_replies_are_not_repeated_by_mail() {
        assert!(!is_sent_for(
            RequesterNotification::Reply,
            Channel::LiveChat
        ));
        assert!(is_sent_for(
            RequesterNotification::Receipt,
            Channel::LiveChat
        ));
        assert!(is_sent_for(RequesterNotification::Reply, Channel::Email));
    }

    #[test]
    fn notifications_follow_the_conversation_then_email_then_sms() {
        use Channel::*;
        const ALL: &[Channel] = &[Email, Whatsapp, X, Facebook, Sms];
        let all = ALL;
        // (how the requester is reachable, the enabled channels, the expected route)
        type Case = (
            Reachability<'static>,
            &'static [Channel],
            Option<(Channel, &'static str)>,
        );
        let cases: &[Case] = &[
            (
                reach(Whatsapp, Some("+966500000001"), Some("a@example.sa"), None),
                all,
                Some((Whatsapp, "+966500000001")),
            ),
            (
                reach(Whatsapp, Some("+966500000001"), Some("a@example.sa"), None),
                &[Email],
                Some((Email, "a@example.sa")),
            ),
            (reach(X, Some("1234"), None, None), all, Some((X, "1234"))),
            (
                reach(Facebook, None, None, Some("+966500000002")),
                all,
                Some((Sms, "+966500000002")),
            ),
            (
                reach(WebForm, None, Some("a@example.sa"), Some("+966500000002")),
                all,
                Some((Email, "a@example.sa")),
            ),
            (
                reach(Phone, None, None, Some("+966500000002")),
                all,
                Some((Sms, "+966500000002")),
            ),
            (
                reach(Phone, None, None, Some("+966500000002")),
                &[Email],
                None,
            ),
            (reach(LiveChat, None, None, None), all, None),
        ];
        for (reach, enabled, expected) in cases {
            let got = notification_route(reach, enabled);
            let expected = expected.map(|(channel, address)| (channel, address.to_owned()));
            assert_eq!(got, expected, "{reach:?} with {enabled:?}");
        }
    }
}
