# Satisfaction (seed 002) and privacy (PDPL) on the portal and the desk.
rate-question-handling = How satisfied are you with how your request was handled?
rate-question-clarity = How clear was the procedure?
rate-question-closure = How satisfied are you with how your request was closed?
rate-label-handling = Handling
rate-label-clarity = Clarity of the procedure
rate-label-closure = Closure
rate-error-handling = Choose a score from 1 to 5 for the handling of your request.
rate-error-clarity = Choose a score from 1 to 5 for the clarity of the procedure.
rate-error-closure = Choose a score from 1 to 5 for the closure.
rate-editable-until = You can change your answer until { $until }.
rate-final = Your answer can no longer be changed.
rate-scores-short = (handling/clarity/closure)
event-satisfaction = The requester rated the service
event-satisfaction-edited = The requester changed their rating
rate-window-closed = Your answer can no longer be changed: changes were possible until { $until }.

# Privacy (PDPL): the requester's data on the portal.
privacy-link = Your data: download it or ask for its erasure
privacy-title = Your data
privacy-back = Back to request
privacy-lead = Under the Personal Data Protection Law you may obtain a copy of the personal data we hold about you, and ask us to erase it.
privacy-held = What we hold about you
privacy-export-title = Download your data
privacy-export-text = A file (JSON) with your name and contact details, your requests, the messages exchanged about them and your ratings. Our internal notes are not personal data of yours and are not included.
privacy-export-submit = Download my data
privacy-erasure-title = Ask for erasure
privacy-erasure-what = Once the organization carries out your request:
privacy-erasure-removed = your name, contact details, the subjects and messages of your requests, your comments and attached files are erased;
privacy-erasure-kept = your requests remain only as anonymous records (type, dates, service times), so that the statistics stay correct; nothing in them identifies you;
privacy-erasure-access = you can no longer follow your requests on this portal.
privacy-erasure-confirm = I understand, and I ask for my personal data to be erased.
privacy-erasure-submit = Ask for erasure
privacy-erasure-confirm-required = Tick the box to confirm that you ask for erasure.
privacy-erasure-received = Your request for erasure was received. The organization will anonymize your personal data; the statistics of your requests are kept without anything that identifies you.
privacy-erasure-pending = Your request for erasure of { $when } was received and is waiting for the organization to carry it out.

# Privacy in the administration.
admin-tab-privacy = Privacy
privacy-requests-title = Erasure requests
privacy-requests-lead = Requesters' requests to erase their personal data. Carrying one out anonymizes the requester and all their tickets; the tickets keep their classification and times, so reports are unchanged. It cannot be undone.
privacy-requests-empty = No erasure requests.
privacy-col-requester = Requester
privacy-col-requested = Requested
privacy-col-state = State
privacy-col-actions = Actions
privacy-col-action = Action
privacy-col-who = By
privacy-col-tickets = Tickets
privacy-via-portal = on the portal
privacy-via-staff = recorded by staff
privacy-state-pending = Waiting
privacy-state-done = Carried out
privacy-export-requester = Export this requester's data
privacy-carry-out-confirm = Confirm
privacy-carry-out = Carry out the erasure
privacy-carry-out-confirm-required = Tick "Confirm" beside the request to carry out the erasure.
privacy-carry-out-already = This erasure request has already been carried out.
privacy-erased-tickets = { $count ->
    [one] The requester and one ticket were anonymized.
   *[other] The requester and { $count } tickets were anonymized.
}
privacy-erased-files = { $count ->
    [one] One attached file was deleted.
   *[other] { $count } attached files were deleted.
}
privacy-export-title-staff = Export a requester's data
privacy-export-lead-staff = For a requester who asks by phone, letter or in person: find them by the e-mail address or mobile number they gave. The export is recorded in the privacy log.
privacy-contact = E-mail address or mobile number
privacy-contact-hint = For example layla@example.sa or 0500000101.
privacy-error-contact = Enter an e-mail address or a mobile number.
privacy-error-no-requester = No requester of this organization has this e-mail address or mobile number.
privacy-settings-title = Ratings and retention
privacy-edit-window = Hours a rating can be changed
privacy-edit-window-hint = From the requester's first answer; 0 means an answer cannot be changed.
privacy-threshold = Follow-up threshold
privacy-threshold-hint = An answer with any score at or below this asks the team leads to follow the ticket up; 0 never does.
privacy-retention = Retention period (days)
privacy-retention-hint = Personal data of closed, cancelled and merged tickets is anonymized this many days after their last change. Leave empty to keep it.
privacy-error-edit-window = Enter a whole number of hours from 0 to { $count }.
privacy-error-threshold = Enter a score from 0 (never) to 5.
privacy-error-retention = Enter a whole number of days from 1 to { $count }, or leave the field empty to keep data.
privacy-audit-title = Privacy log
privacy-audit-lead = Exports and erasures of personal data, newest first. The log holds no personal data itself.
privacy-audit-empty = Nothing recorded yet.
privacy-action-export = Data exported
privacy-action-erasure_requested = Erasure requested
privacy-action-erasure = Erasure carried out
privacy-action-retention = Retention period applied
privacy-actor-staff = A staff member
privacy-actor-requester = The requester
privacy-actor-system = Automatic
