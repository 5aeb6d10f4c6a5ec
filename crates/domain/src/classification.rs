//! How a request is classified: what kind it is, where it came from, how hard and how urgent.

string_enum! {
    /// What the requester is asking for. Seed 002 names complaints, inquiries and requests;
    /// seeds 000 and 001 add suggestions; seeds 003 and 004 are about technical support.
    pub enum TicketKind: "ticket kind" {
        Complaint => "complaint",
        Suggestion => "suggestion",
        Inquiry => "inquiry",
        Request => "request",
        TechnicalIssue => "technical_issue",
    }
}

string_enum! {
    /// The channel a request arrived on. The last three are contacts that staff log by hand:
    /// a phone call, a request made in a classroom, or a remote-access session (TeamViewer).
    pub enum Channel: "channel" {
        WebForm => "web_form",
        Email => "email",
        Whatsapp => "whatsapp",
        X => "x",
        Facebook => "facebook",
        LiveChat => "live_chat",
        Phone => "phone",
        InClass => "in_class",
        RemoteSession => "remote_session",
        Api => "api",
        /// Text messages through the organization's SMS gateway: notifications go out this way
        /// to requesters known only by a phone number.
        Sms => "sms",
    }
}

string_enum! {
    /// Complexity decides the closure target (seed 002: routine within 3 working days,
    /// critical 3–5 because several departments must act, complex 3–7 for long procedures).
    pub enum Complexity: "complexity" {
        Routine => "routine",
        Critical => "critical",
        Complex => "complex",
    }
}

string_enum! {
    /// Importance decides when handling must start (seed 002: high is handled at once,
    /// medium as soon as possible, low within the closure target).
    pub enum Importance: "importance" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
}

impl Channel {
    /// Channels whose contacts are typed in by staff rather than received from the requester.
    pub fn is_staff_logged(self) -> bool {
        matches!(
            self,
            Channel::Phone | Channel::InClass | Channel::RemoteSession
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_through_from_str_and_serde() {
        for kind in TicketKind::ALL {
            assert_eq!(kind.as_str().parse::<TicketKind>().unwrap(), *kind);
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn unknown_spelling_lists_what_is_accepted() {
        let error = "grievance".parse::<TicketKind>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "'grievance' is not a valid ticket kind; expected one of: complaint, suggestion, inquiry, request, technical_issue"
        );
    }
}
