# Sanad — dashboard and administration (English).

## Dashboard

dash-title = Dashboard
dash-lead = Open work as it stands now, and what happened to tickets during the chosen period.
dash-period = Period
dash-period-apply = Show
dash-period-days = { $count ->
    [one] Last day
   *[other] Last { $count } days
}
dash-stats-title = Key figures
dash-stat-open = Open tickets
dash-stat-breaches = Breached deadlines on open tickets
dash-stat-breaches-hint = These need attention now.
dash-stat-compliance = Deadlines met
dash-compliance-basis = { $count ->
    [0] No deadline ended in this period
    [one] Based on 1 deadline
   *[other] Based on { $count } deadlines
}
dash-stat-escalations = Escalations
dash-stat-csat = Average satisfaction
dash-csat-value = { $value } of 5
dash-ratings = { $count ->
    [0] No ratings
    [one] 1 rating
   *[other] { $count } ratings
}
dash-percent = { $value }%
dash-no-data = There is nothing to show.
dash-show-figures = Show the figures as a table
dash-scope-now = Open tickets now
dash-scope-period = { $count ->
    [one] During the last day
   *[other] During the last { $count } days
}
dash-chart-status = Open tickets by status
dash-chart-department = Open tickets by department
dash-chart-compliance = Deadlines met by target
dash-chart-escalations = Escalations by stage
dash-chart-aging = Age of open tickets
dash-chart-workload = Workload per agent
dash-chart-csat = Satisfaction ratings
dash-col-tickets = Tickets
dash-col-target = Target
dash-col-met = Met on time
dash-col-breached = Breached
dash-col-compliance = Share met
dash-col-stage = Stage
dash-col-escalations = Escalations
dash-col-age = Age
dash-col-agent = Agent
dash-col-assigned = Open tickets assigned
dash-col-score = Rating
dash-col-ratings = Ratings
dash-aging-0 = Under 1 day
dash-aging-1 = 1 to 3 days
dash-aging-2 = 3 to 7 days
dash-aging-3 = Over 7 days

## Administration: shared

admin-title = Administration
admin-tabs = Administration sections
admin-tab-organization = Organization settings
admin-tab-policy = Support policy
admin-tab-departments = Departments
admin-tab-categories = Categories
admin-tab-staff = Staff and roles
admin-tab-canned = Canned replies
admin-tab-channels = Channels
admin-tab-audit = Complaint access log
admin-done-saved = Your changes were saved.
admin-done-created = Added.
admin-done-archived = Archived.
admin-done-password = The password was reset and all of the staff member's sessions were ended.
admin-done-disabled = The account was disabled and all of its sessions were ended.
admin-done-applied = { $count ->
    [0] Policy version { $version } is now in force; no open ticket was recomputed.
    [one] Policy version { $version } is now in force; 1 open ticket was recomputed.
   *[other] Policy version { $version } is now in force; { $count } open tickets were recomputed.
}
admin-comma = { ", " }
admin-add = Add
admin-edit = Edit
admin-edit-named = Edit “{ $name }”
admin-cancel = Cancel
admin-archive = Archive
admin-actions = Actions
admin-none-yet = Nothing here yet.
admin-state-active = In use
admin-state-archived = Archived

## Organization settings

admin-org-name = Organization name
admin-org-zone = Time zone
admin-org-zone-hint = An IANA time zone name such as Asia/Riyadh. Times are shown, and working days counted, in this zone.
admin-org-reopen = Reopen window (hours)
admin-org-reopen-hint = How long after a resolution the requester may reopen their request: 1 to 8760 hours (a year).
admin-org-slug = Name in links
admin-org-prefix = Ticket number prefix
admin-error-name = Enter a name (1 to 200 characters, no control characters).
admin-error-zone = “{ $zone }” is not a known time zone; enter a name such as Asia/Riyadh.
admin-error-reopen = Enter a whole number of hours between 1 and 8760.

## Policy

admin-policy-current = Policy in force
admin-policy-version = Version
admin-policy-file = File name
admin-policy-applied = Applied
admin-policy-public = View the published policy page
admin-policy-none = No policy has been applied yet.
admin-policy-new = Apply a new version
admin-policy-lead = Edit the policy text or upload its file, then check and apply it. Nothing is applied while the file has a single error.
admin-policy-file-hint = Shown in error messages and stored with the version.
admin-policy-source = Policy text (TOML)
admin-policy-upload = Or upload the policy file
admin-policy-upload-hint = A chosen file is used instead of the text above.
admin-policy-recompute = Deadlines of open tickets
admin-policy-keep = Keep the deadlines of open tickets (a promise made to a requester is not rewritten)
admin-policy-recompute-open = Recompute the deadlines of open tickets under the new policy
admin-policy-apply = Check and apply
admin-policy-errors-title = Errors in the file
admin-policy-key = key
admin-policy-line = Line { $count }
admin-policy-column = column { $count }
admin-policy-has-errors = { $count ->
    [one] The policy has 1 error and was not applied.
   *[other] The policy has { $count } errors and was not applied.
}
admin-policy-error-empty = The text is empty; paste the policy or upload its file.
admin-policy-error-utf8 = The uploaded file is not UTF-8 text.

## Departments and categories

admin-departments-lead = The departments tickets are routed to. A department's code never changes once created, because tickets and the policy refer to it.
admin-categories-lead = The categories requesters and staff choose from; each can send its requests to a default department.
admin-departments-list = Current departments
admin-categories-list = Current categories
admin-department-add = Add a department
admin-category-add = Add a category
admin-field-code = Code
admin-field-code-hint = 2 to 63 characters: lower-case English letters, digits and hyphens, starting with a letter, e.g. it-support.
admin-field-name-ar = Arabic name
admin-field-name-en = English name
admin-field-default-department = Default department
admin-no-department = No default department
admin-archive-department-hint = An archived department disappears from the choices and stays in the history of past tickets.
admin-archive-category-hint = An archived category disappears from the choices and stays in the history of past tickets.
admin-error-code = Enter a code of 2 to 63 characters: lower-case English letters, digits and hyphens, starting with a letter.
admin-error-code-taken = This code is already in use; choose another.
admin-error-name-ar = Enter the Arabic name (up to 200 characters).
admin-error-name-en = The English name has at most 200 characters and no control characters.
admin-error-department = Choose a department from the list.

## Staff and roles

admin-staff-lead = Add staff and set their roles and departments. Disabling an account or resetting its password ends all its sessions at once.
admin-staff-list = Staff
admin-staff-add = Add a staff member
admin-field-state = Account
admin-field-departments = Departments
admin-field-initial-password = Initial password
admin-departments-hint = Complaints are visible only to staff of the departments they are routed to.
admin-disable-hint = A disabled account cannot sign in; its past work stays in the record.
admin-user-state-active = Active
admin-user-state-disabled = Disabled
admin-no-password = No password
admin-totp-on = On
admin-totp-off = Off
admin-you = (you)
admin-reset-password = Reset the password
admin-reset-password-hint = All of the staff member's sessions end; they then sign in with the new password.
admin-password-hint = { $count ->
    [one] At least 1 character.
   *[other] At least { $count } characters.
}
admin-error-email-taken = A staff member with this e-mail address already exists.
admin-error-self = You cannot disable your own account or give up your own administration rights.
admin-error-own-password = Change your own password on the “My account” page.
admin-error-password-hash = The password could not be saved; try again.

## Canned replies

admin-canned-list = Current replies
admin-canned-add = Add a canned reply
admin-canned-variables = Variables you can use
admin-canned-variables-lead = Write any of these variables in a reply; each is replaced by its value when the reply is inserted into a ticket:
admin-canned-body-hint = Only the variables listed above can be used.
admin-field-title = Title
admin-field-body = Reply text
admin-var-requester_name = The requester's name
admin-var-ticket_number = The ticket number
admin-var-agent_name = The name of the staff member replying
admin-var-organization = The organization's name
admin-var-subject = The ticket's subject
admin-archive-canned-hint = An archived reply disappears from the canned replies offered on tickets.
admin-error-title = Enter a title (up to 200 characters).
admin-error-unknown-variable = Unknown variables: { $names }. Use only the variables listed above.

## Channels

admin-channels-lead = Turn on the channels your organization takes requests through, and give each its address as requesters see it: a mailbox, a number or an account.
admin-channel-enabled = Enabled
admin-field-address = Public address
admin-error-address = { $count ->
    [one] The address is one line of at most 1 character.
   *[other] The address is one line of at most { $count } characters.
}

## Complaint access log

admin-audit-lead = { $count ->
    [one] The latest look by staff at a complaint. Complaints are confidential, and every look at one is recorded.
   *[other] The latest { $count } looks by staff at complaints, newest first. Complaints are confidential, and every look at one is recorded.
}
admin-audit-empty = No look at a complaint has been recorded yet.
admin-audit-when = When
admin-audit-who = Staff member
admin-audit-ticket = Complaint

admin-cred-title = Channel connection settings
admin-cred-lead = Enter the connection details each channel's provider gives you. Stored secrets are never shown: leave a secret field empty to keep it, or type a new value to replace it.
admin-cred-configured = Configured
admin-cred-not-configured = Not configured
admin-cred-invalid = Stored settings are not valid
admin-cred-invalid-hint = The channel cannot use the stored settings; review the fields and save them again.
admin-cred-webhook = The webhook address the provider must call
admin-cred-stored = Stored — leave empty to keep.
admin-cred-not-stored = Nothing stored.
admin-cred-retype = What you typed was not kept because the form has mistakes; type it again.
admin-cred-clear = Remove the stored value
admin-cred-save = Save the { $channel } settings
admin-cred-group-smtp = Sending (SMTP)
admin-cred-group-imap = Reading a mailbox (IMAP)
admin-cred-hint-imap = Leave the server empty if your mail server hands mail to Sanad directly instead of Sanad reading a mailbox.
admin-cred-hint-base_url = Leave empty to use the provider's usual address.
admin-cred-hint-verify_token = A token you choose and also type into the webhook settings at Meta.
admin-cred-hint-template_name = A WhatsApp-approved template with one variable that carries the notification text, used more than 24 hours after the requester's last message.
admin-cred-hint-human_agent_tag_approved = Tick when Meta has granted the app the Human Agent permission, which allows replies up to 7 days after the last message.
admin-cred-hint-signing_secret = When set, every request to the gateway is signed with this secret.
admin-cred-field-address = Address requesters write to
admin-cred-field-display_name = Sender name shown
admin-cred-field-host = Server
admin-cred-field-port = Port
admin-cred-field-security = Security
admin-cred-field-username = Username
admin-cred-field-password = Password
admin-cred-field-timeout_seconds = Timeout (seconds)
admin-cred-field-folder = Folder
admin-cred-field-poll_seconds = Check every (seconds)
admin-cred-field-base_url = API address
admin-cred-field-phone_number_id = Phone number ID
admin-cred-field-access_token = Access token
admin-cred-field-app_secret = App secret
admin-cred-field-verify_token = Verify token
admin-cred-field-template_name = Fallback template name
admin-cred-field-template_language = Template language code
admin-cred-field-page_id = Page ID
admin-cred-field-page_access_token = Page access token
admin-cred-field-human_agent_tag_approved = Human Agent permission granted
admin-cred-field-account_user_id = Account user ID
admin-cred-field-consumer_secret = Consumer secret (API key secret)
admin-cred-field-user_access_token = User access token (OAuth 2.0)
admin-cred-field-url = Gateway address
admin-cred-field-api_key = API key
admin-cred-field-sender_id = Sender name or number
admin-cred-field-signing_secret = Signing secret
admin-cred-security-tls = TLS (465 or 993)
admin-cred-security-start_tls = STARTTLS (587 or 143)
admin-cred-security-plain = None (local server only)
admin-cred-error-port = Enter a port from 1 to 65535.
admin-cred-error-seconds = Enter a whole number of seconds from 1 to { $count }.
admin-cred-error-url = Enter a full address starting with https://
admin-cred-error-text = Enter text on one line of at most { $count } characters.
admin-cred-error-pair = Give both the username and the password, or neither.
admin-cred-error-invalid = The channel did not accept these settings: { $reason }
