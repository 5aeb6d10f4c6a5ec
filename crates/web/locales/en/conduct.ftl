# The conduct policy (seed 004): flags, violations and the lexicon.
admin-tab-conduct = Conduct

conduct-flags-title = Conduct flags
conduct-flags-lead = These requester messages contain words from the organization's conduct lexicon. They were received and shown as usual; review them, and cancel the request for a conduct violation only if the etiquette was really breached.
conduct-flag-entries = Matched
conduct-flag-subject = Subject
conduct-flag-open = Not reviewed
conduct-reviewed-by = Reviewed by { $name }
conduct-review-submit = { $count ->
    [one] Mark the flag reviewed
   *[other] Mark the { $count } flags reviewed
}

conduct-requester-title = Conduct violations
conduct-violation-count = { $count ->
    [0] No recorded violations
    [one] One recorded violation
   *[other] { $count } recorded violations
}
conduct-violations-all = All requesters with violations

conduct-event-flagged = Flagged under the conduct policy: { $entries }
conduct-event-reviewed = Conduct flags reviewed
conduct-event-violation = Cancelled for a conduct violation: { $reason }
conduct-event-other = Conduct policy

conduct-flagged-title = Flagged messages
conduct-flagged-lead = Requests with requester messages flagged by the conduct lexicon that nobody has reviewed yet, most recent first.
conduct-flagged-none = No flagged message is waiting for review.
conduct-col-ticket = Ticket
conduct-col-subject = Subject
conduct-col-requester = Requester
conduct-col-status = Status
conduct-col-flags = Flags
conduct-col-flagged = Last flagged
conduct-col-last = last on

conduct-violations-title = Requesters with conduct violations
conduct-violations-lead = Every request cancelled for a conduct violation is recorded against its requester, with the reason the agent gave.
conduct-violations-none = No conduct violation has been recorded.

conduct-lexicon-title = Conduct lexicon
conduct-lexicon-lead = Incoming requester messages on every channel are checked against this list. A match flags the message for an agent; nothing is refused or hidden.
conduct-lexicon-default = The shipped default list is in force
conduct-lexicon-custom = The organization's own list is in force (saved { $updated })
conduct-lexicon-entries = { $count ->
    [one] one entry
   *[other] { $count } entries
}
conduct-lexicon-source = Words and phrases
conduct-lexicon-syntax = One word or phrase a line, in Arabic or English. Lines starting with # are comments. A * at the end of the last word matches every word beginning with it. Diacritics, letter forms such as أ/ا and ة/ه, and prefixes such as و and ال are ignored when comparing.
conduct-lexicon-save = Save the list
conduct-lexicon-reset = Go back to the default list
conduct-lexicon-reset-done = The default list is in force again.
conduct-lexicon-not-saved = The list was not saved; correct the line below.
conduct-error-line = { $count ->
    [one] Line 1
   *[other] Line { $count }
}
conduct-error-nothing = “{ $entry }” has no letter or digit that could be matched.
conduct-error-wildcard = a * may only end the last word of an entry (as in idiot*).
conduct-error-too-many-words = “{ $entry }” has too many words; an entry has at most { $count }.
conduct-error-too-many-entries = The list has too many entries; at most { $count } are allowed.

# The printable published policy page (kept here with the etiquette it publishes).
policy-print = Print / save as PDF
policy-print-back = Back to the page
policy-print-version = { $count ->
   *[other] Policy version { $count }, applied on { $applied }
}

# The requester portal.
portal-cancelled-conduct = This request was cancelled because it did not respect the communication etiquette published in the support policy. The reason given:
