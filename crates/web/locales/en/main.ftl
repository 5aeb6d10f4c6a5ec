# Sanad — English strings.
app-name = Sanad
language-name = English
skip-to-content = Skip to content
nav-label = Main navigation
footer-powered = Runs on Sanad, the service desk for training providers
sign-in = Sign in
sign-out = Sign out
save = Save

nav-new-request = New request
nav-track = Track a request
nav-policy = Support policy
nav-queues = Queues
nav-log-contact = Log a contact
nav-dashboard = Dashboard
nav-admin = Administration
nav-account = My account

portal-title = Support and complaints
portal-lead = We take your complaints, suggestions, questions and technical-support requests, and answer within the times our policy publishes.
portal-actions = What would you like to do?
portal-card-complaint = Make a complaint
portal-card-complaint-text = Tell us what fell short in our training services; we handle it in confidence.
portal-card-suggestion = Make a suggestion
portal-card-suggestion-text = Share an idea that would make learning better.
portal-card-support = Ask for technical support
portal-card-support-text = Trouble signing in, with the platform, exams or certificates.
portal-card-track = Follow up a request
portal-card-track-text = With the request number and the tracking code we sent you.
portal-channels = Contact channels and response times
portal-channel = Channel
portal-contact = Contact
portal-response = First response
portal-read-policy = Read the full support and complaints policy

policy-title = Technical support and complaints policy
policy-none = This organization has not published its policy yet.

new-title = Submit a request
field-kind = Type of request
field-category = Category
field-category-unsure = Not sure
field-subject = Subject
field-description = Details
field-attachments = Attachments
field-attachments-hint = Up to { $files } files of at most { $count } MB each (PDF, images, Office documents or text).
field-contact = Contact details
field-name = Name
field-requester-name = Requester's name
field-email = Email
field-phone = Mobile number
field-requester-type = You are a
field-password = Password
field-code = Verification code
field-role = Role
field-status = Status
field-department = Department
field-departments = Responsible departments
field-importance = Importance
field-complexity = Complexity
field-channel = Channel
etiquette-title = Communication etiquette
etiquette-accept = I have read the communication etiquette and will follow it
submit-request = Send the request
kb-title = You may find the answer here
kb-hint = Knowledge-base articles that match your subject appear here as you type.
form-has-errors = { $count ->
    [one] The form has one error; correct it and send again.
   *[other] The form has { $count } errors; correct them and send again.
}

error-choose = Choose a value from the list.
error-choose-kind = Choose the type of request.
error-choose-category = Choose a category from the list.
error-choose-score = Choose a rating from 1 to 5.
error-text-length = { $count ->
    [one] This field is required and takes at most one character.
   *[other] This field is required and takes at most { $count } characters.
}
error-name = Write the name (up to 200 characters).
error-email = This is not a valid email address, such as name@example.sa.
error-phone = Write the mobile number as 05XXXXXXXX or with the country code, such as +966500000101.
error-contact-required = Give an email address or a mobile number so that we can answer you.
error-etiquette = Please accept the communication etiquette before sending.
error-attachment-count = { $count ->
    [one] Only one file is allowed.
   *[other] At most { $count } files are allowed.
}
error-attachment-size = The file “{ $file }” is larger than { $count } MB.
error-attachment-empty = The file “{ $file }” is empty.
error-attachment-type = Files like “{ $file }” are not accepted; send a PDF, an image, an Office document or a text file.
error-attachment-content = The content of “{ $file }” does not match its type (for example a program or a web page named as a picture or PDF); it was not accepted.
error-required = This field is required.
error-minutes = Write a number of minutes (0 to 1440).
error-cancel-reason = Write why the request is cancelled for breaking the etiquette.
error-merge-target = Write the number of the ticket to merge this one into.
error-escalation-note = Write why you escalate.
error-root-cause-description = Describe the root cause of the delay.
error-root-cause-action = Describe the corrective action.

receipt-title = Request received
receipt-heading = Your request has been received
receipt-promise = We will answer { $within }.
receipt-promise-unset = We will answer you as soon as possible.
receipt-number = Request number
receipt-code = Tracking code
receipt-received = Received
receipt-keep-code = Keep the request number and the tracking code: you need them to follow your request from any device. This browser stays connected to your request for thirty days.
receipt-track = Follow the request

track-title = Track a request
track-lead = Enter the request number and the tracking code you received.
track-submit = Show the request
track-not-found = No request matches this number and code. Check them and try again.

ticket-received = Received
ticket-deadlines = Our commitments
ticket-messages = Messages
ticket-reply = Add a reply
ticket-your-message = Your message
ticket-send = Send
ticket-escalate = Escalate the request
ticket-escalate-text = The published time has passed without a sufficient answer; you may escalate your request to the next level.
ticket-escalate-note = Anything to add? (optional)
ticket-escalate-submit = Escalate
ticket-escalated = Your request was escalated to the next level; the person responsible will contact you.
escalate-default-note = The requester escalated after the published time had passed.
ticket-reopen = Reopen the request
ticket-reopen-why = Why do you reopen it?
ticket-reopen-submit = Reopen
ticket-rate = Rate our service
ticket-rate-question = How satisfied are you with how your request was handled?
ticket-rate-comment = Comments (optional)
ticket-rate-submit = Send the rating
ticket-rated = Thank you for your rating:
rate-not-yet = You can rate once the request is resolved.
author-you = You
author-staff = { $org } team
flash-reply = Your message was sent.
flash-reopen = Your request was reopened.
flash-escalate = Your request was escalated.
flash-rate = Thank you for your rating.

login-title = Staff sign-in
login-failed = The email or password is not right.
login-code-lead = Enter the 6-digit code shown by your authenticator app.
login-code-failed = The code is wrong or has expired.
login-verify = Verify

account-title = My account
account-password = Change password
account-current-password = Current password
account-new-password = New password
account-confirm-password = Confirm the new password
account-wrong-password = The current password is not right.
account-passwords-differ = The two new passwords differ.
account-password-too-short = { $count ->
    [one] The password must have at least one character.
   *[other] The password must have at least { $count } characters.
}
account-password-changed = Your password was changed.
account-totp = Two-step verification
account-totp-explain = Add this key to your authenticator app, then enter the code it shows to turn on two-step verification.
account-totp-link = Open in an authenticator app
account-totp-is-on = Two-step verification is on. Enter a current code to turn it off.
account-totp-enable = Turn on
account-totp-disable = Turn off
account-totp-on = Two-step verification is on.
account-totp-off = Two-step verification is off.

queues-title = Queues
queue-mine = Mine
queue-departments = My departments
queue-unassigned = Unassigned
queue-breaching = Breaching soon
queue-escalated = Escalated to me
queue-waiting = Waiting on requester
queue-open = All open
queue-all = All
queue-total = { $count ->
    [zero] No tickets
    [one] 1 ticket
   *[other] { $count } tickets
}
queue-empty = No tickets in this queue.
queue-stage = Stage { $count }
filter-search = Search
filter-any = Any
filter-sort = Sort
filter-apply = Apply
sort-newest = Newest first
sort-oldest = Oldest first
sort-updated = Recently updated
sort-deadline = Nearest deadline
sort-importance = Most important
col-number = Number
col-subject = Subject
col-status = Status
col-deadline = Next deadline
col-department = Department
col-assignee = Assignee
col-created = Received
pagination = Pages
page = Page
page-previous = Previous
page-next = Next

left-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}
left-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
left-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
left-remaining = { $span } left
left-overdue = { $span } overdue

ticket-changed-live = Something new was added to this ticket.
ticket-reload = Reload
ticket-escalations = Escalation
ticket-owner = Owner
ticket-owner-deadline = due by
ticket-timeline = History
ticket-reply-or-note = Reply or internal note
reply-kind = Message type
reply-canned = Canned reply
reply-text = Text
reply-then = Then
reply-then-keep = Keep the status
message-kind-requester = Requester's message
message-kind-reply = Reply to requester
message-kind-note = Internal note
ticket-details = Ticket details
ticket-requester = Requester
ticket-rating = Rating
ticket-status-actions = Change status
ticket-classify = Classification and routing
ticket-assign = Assignment
ticket-assign-me = Assign to me
ticket-escalate-staff = Escalate to the next stage
ticket-escalate-why = Why escalate
ticket-root-cause = Root cause of the delay
ticket-root-cause-hint = The ticket cannot close before the root cause of every missed deadline is recorded.
ticket-root-cause-target = Missed deadline
ticket-root-cause-category = Cause category
ticket-root-cause-description = What caused it
ticket-root-cause-action = Corrective action
ticket-root-causes = Recorded root causes
ticket-merge = Merge into another ticket
ticket-merge-into = Number of the original ticket
ticket-merge-submit = Merge
ticket-cancel-conduct = Cancel for breaking the etiquette
ticket-cancel-reason = Reason (the requester is told)
ticket-cancel-submit = Cancel the request
shortcuts-hint = Shortcuts: r reply, n note, g q queues, / search.
presence-viewing = { $name } is viewing this ticket
presence-replying = { $name } is writing a reply
actor-system = System
value-none = Nobody
event-created = Ticket created

log-title = Log a contact
log-lead = Record a request that came by phone, in a classroom or during a remote-support session.
log-what-was-said = What the requester asked
log-channel-details = Channel details
log-details-hint = Fill in what applies to the chosen channel: the call's length, the room manager and course session, or the remote tool, session id and length.
log-submit = Create the ticket
contact-field-call_minutes = Call length (minutes)
contact-field-room_manager = Room manager
contact-field-course_session = Course session
contact-field-remote_tool = Remote-session tool
contact-field-remote_session_id = Session id
contact-field-remote_minutes = Session length (minutes)

kind-complaint = Complaint
kind-suggestion = Suggestion
kind-inquiry = Inquiry
kind-request = Request
kind-technical_issue = Technical issue
status-received = Received
status-registered = Registered
status-classified = Classified
status-routed = Routed
status-in_progress = In progress
status-waiting_on_requester = Waiting on requester
status-resolved = Resolved
status-closed = Closed
status-cancelled = Cancelled
status-merged = Merged
action-status-in_progress = Start handling
action-status-waiting_on_requester = Wait on requester
action-status-resolved = Resolve
action-status-closed = Close
channel-web_form = Web form
channel-email = Email
channel-whatsapp = WhatsApp
channel-x = X
channel-facebook = Facebook
channel-live_chat = Live chat
channel-phone = Phone
channel-in_class = Classroom
channel-remote_session = Remote session
channel-api = API
channel-sms = SMS
importance-critical = Critical
importance-high = High
importance-medium = Medium
importance-low = Low
complexity-routine = Routine
complexity-critical = Critical
complexity-complex = Complex
requester-type-trainee = Trainee
requester-type-trainer = Trainer
requester-type-supervisor = Supervising body
requester-type-other = Other
role-agent = Agent
role-specialist = Specialist
role-team_lead = Team lead
role-director = Director
role-executive = Executive
role-admin = Administrator
role-supervisor = Regulator
target-first_response = First response
target-routing = Routing
target-start_handling = Start of handling
target-closure = Closure
target-overall = Overall time
target-short-first_response = Response
target-short-routing = Routing
target-short-start_handling = Start
target-short-closure = Closure
target-short-overall = Overall
target-state-running = Running
target-state-paused = Paused
target-state-met = Met
target-state-breached = Breached
target-state-cancelled = Cancelled
sla-event-started = Started the clock:
sla-event-met = Met:
sla-event-met_late = Met late:
sla-event-paused = Paused:
sla-event-resumed = Resumed:
sla-event-cancelled = Cancelled:
sla-event-reopened = Restarted:
sla-event-breached = Breached:
sla-event-no_longer_applies = No longer applies:
sla-event-recomputed = Recomputed:
sla-event-alert = Pre-breach alert:
sla-event-root_cause_recorded = Root cause recorded:
sla-event-escalated = Escalated
sla-event-other = Service-level event
escalation-reason-breached = Deadline missed
escalation-reason-no_response = Owner did not answer
escalation-reason-requester = Requester asked
escalation-reason-staff = Staff decision
field-value = Value
field-assignee = Assignee
field-merged_into = Merged into
field-cancel_reason = Cancellation reason
field-resolved_at = Resolved at
score-1 = ★ Very dissatisfied
score-2 = ★★ Dissatisfied
score-3 = ★★★ Neutral
score-4 = ★★★★ Satisfied
score-5 = ★★★★★ Very satisfied

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
hijri-month-1 = Muharram
hijri-month-2 = Safar
hijri-month-3 = Rabi al-Awwal
hijri-month-4 = Rabi al-Akhir
hijri-month-5 = Jumada al-Ula
hijri-month-6 = Jumada al-Akhirah
hijri-month-7 = Rajab
hijri-month-8 = Shaban
hijri-month-9 = Ramadan
hijri-month-10 = Shawwal
hijri-month-11 = Dhu al-Qadah
hijri-month-12 = Dhu al-Hijjah
event-change = { $field }: “{ $before }” → “{ $after }”

deliveries-title = Sent to the requester
deliveries-none = Nothing has been sent to the requester yet.
deliveries-created = Prepared
deliveries-next-attempt = Next attempt
deliveries-provider-state = Provider status
deliveries-no-attempts = No attempt has been made yet.
deliveries-attempts = Delivery attempts
deliveries-attempt-number = Attempt { $count }
notification-receipt = Receipt
notification-routed = Routing notice
notification-reply = Reply
notification-escalated = Escalation notice
notification-resolved = Resolution notice
notification-status_update = Status update
delivery-state-pending = Pending
delivery-state-delivered = Sent
delivery-state-failed = Failed
delivery-outcome-delivered = Succeeded
delivery-outcome-transient_failure = Failed for now
delivery-outcome-permanent_failure = Failed for good
provider-state-sent = Sent
provider-state-delivered = Delivered
provider-state-read = Read
provider-state-failed = Failed
known-requester = Known requester: { $name }
known-requester-open = Open tickets:
known-requester-no-open = No open tickets
