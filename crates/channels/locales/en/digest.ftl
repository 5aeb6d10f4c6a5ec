# Sanad — the weekly digest mailed to directors and executives (English).
# Figures arrive as ready-made text, so no plural forms are needed here.

digest-subject = Weekly digest for { $organization }: { $from } to { $to }
digest-title = Weekly digest
digest-intro = How { $organization } did in the week from { $from } to { $to }, in the organization's time zone.
digest-none = Nothing this week.
digest-total = Total: { $count }
digest-row = { $label }: { $count }

digest-received-title = Requests received
digest-kind-complaint = Complaint
digest-kind-suggestion = Suggestion
digest-kind-inquiry = Inquiry
digest-kind-request = Request
digest-kind-technical_issue = Technical issue

digest-compliance-title = Service-level compliance
digest-compliance-row = { $target }: { $percent }% compliance ({ $met } met, { $breached } breached, { $pending } running)
digest-compliance-unsettled = { $target }: nothing settled yet ({ $pending } running)
digest-target-first_response = First response
digest-target-routing = Routing
digest-target-start_handling = Start of handling
digest-target-closure = Closure
digest-target-overall = Overall time

digest-breaches-title = Breaches and their root causes
digest-breaches-count = Breaches: { $count }
digest-breaches-unexplained = Breaches without a root cause yet: { $count }

digest-escalations-title = Escalations by ladder stage
digest-escalation-row = Stage { $stage } ({ $name }): { $count }

digest-backlog-title = Open requests at the end of the week
digest-status-received = Received
digest-status-registered = Registered
digest-status-classified = Classified
digest-status-routed = Routed
digest-status-in_progress = In progress
digest-status-waiting_on_requester = Waiting on requester
digest-status-resolved = Resolved
digest-status-closed = Closed
digest-status-cancelled = Cancelled
digest-status-merged = Merged

digest-satisfaction-title = Requester satisfaction
digest-satisfaction-response = Response rate: { $percent }% ({ $answered } of { $asked })
digest-satisfaction-not-asked = Nobody was asked to rate this week.
digest-satisfaction-mean = { $dimension }: { $mean } out of 5 ({ $count } answers)
digest-satisfaction-no-answers = { $dimension }: no answers
digest-question-overall = Overall
digest-question-handling = Handling of the request
digest-question-clarity = Clarity of the procedure
digest-question-closure = Closure

digest-link = Open the full report
digest-link-note = The report shows whole days in the organization's time zone, { $from } to { $to } inclusive.
digest-footer = You receive this because you are a director or executive of { $organization }. It holds no personal data of requesters.
