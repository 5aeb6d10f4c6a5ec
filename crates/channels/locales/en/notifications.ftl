# Notifications sent to requesters (e-mail, WhatsApp, X, Messenger, SMS).
greeting = Hello { $name },
signature = The support team of { $organization }
rate-link = Rate the service
follow-link = Follow your request
tracking-code = Tracking code
reply-hint = To answer, reply to this message or follow your request through the link.

receipt-subject = We received your request: { $subject }
receipt-body = We received your request “{ $subject }” and registered it as { $number }.
receipt-promise = We will answer { $within }.
receipt-promise-deadline = We will answer { $within }, that is before { $deadline }.
receipt-code = Keep the tracking code to follow and answer your request on the requester portal.

routed-subject = Your request { $number } was routed
routed-body = Your request { $number } was sent to { $departments } to be handled.

reply-subject = Answer to your request: { $subject }
reply-intro = { $author } answered your request { $number }:

escalated-subject = Your request { $number } was escalated
escalated-body = Your request { $number } was escalated to a higher level ({ $stage }) under the support policy; the person responsible for that level now follows it.

resolved-subject = Your request { $number } is resolved
resolved-body = Your request { $number } is resolved. If the problem remains, you can reopen it within { $window } on the requester portal; we would be glad if you rated the service.

status-update-subject = Your request { $number } is still being handled
status-update-body = Your request { $number } is still being handled; its status now: { $status }.

status-received = received
status-registered = registered
status-classified = classified
status-routed = routed
status-in_progress = in progress
status-waiting_on_requester = waiting for your answer
status-resolved = resolved
status-closed = closed
status-cancelled = cancelled
status-merged = merged

cancelled-conduct-subject = Your request { $number } was cancelled for a conduct violation
cancelled-conduct-body = Your request { $number } was cancelled because it did not respect the communication etiquette published in the support policy. Reason: { $reason }
cancelled-conduct-hint = You are welcome to submit a new request that respects the communication etiquette.
