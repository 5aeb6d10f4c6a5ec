# Sanad — the knowledge base (English). The help centre, suggestions beside the new-request
# form, the editors' pages and the reply's article picker.

nav-help-centre = Help centre
nav-knowledge-base = Knowledge base

kb-help-centre-title = Help centre
kb-help-centre-lead = Answers to the questions trainees and trainers ask most. Search, or browse by topic.
kb-search-label = Search the help centre
kb-search-hint = Hamza forms, diacritics and digit scripts do not matter; the start of the last word is enough.
kb-search-submit = Search
kb-search-nothing = No article matches this search. Try other words, or send us a request.
kb-search-count = { $count ->
    [one] One article
   *[other] { $count } articles
}
kb-search-problem-empty = Type at least one word of letters or digits.
kb-search-problem-too-long = The search is too long; at most { $count } characters.
kb-search-problem-too-many-words = Too many words; at most { $count }.
kb-empty = No articles have been published yet.
kb-all-articles = Articles
kb-other-articles = Other articles
kb-language-ar = Arabic
kb-language-en = English
kb-opens-in-new-tab = opens in a new tab
kb-breadcrumbs = You are here
kb-updated = Updated
kb-read-in-other-language = Read in Arabic
kb-attachments = Files
kb-size-kilobytes = { $size } KB
kb-size-megabytes = { $size } MB
kb-staff-preview-draft = A draft: only staff see it until it is published.
kb-staff-preview-archived = Archived: only staff see it.

kb-feedback-question = Was this helpful?
kb-feedback-yes = Yes
kb-feedback-no = No
kb-feedback-thanks = Thank you; your answer helps us improve this article.
kb-feedback-comment-summary = Not helpful? Tell us what was missing
kb-feedback-comment = What were you looking for? (optional)
kb-feedback-send = Send
kb-your-verdict-helpful = You said this article helped. You can change your answer.
kb-your-verdict-not_helpful = You said this article did not help. You can change your answer.
kb-helpful-count = { $count ->
    [one] One reader found this helpful.
   *[other] { $count } readers found this helpful.
}
kb-error-verdict = Choose "Yes" or "No".
kb-error-comment = { $count ->
    [one] Keep the comment to one character.
   *[other] Keep the comment to { $count } characters.
}

kb-browse-help-centre = Browse the help centre
kb-solved-question = Did this article answer your question?
kb-solved-button = This solved my problem — I don't need to send the request
kb-solved-hint = Not solved? Go back to your request in the other tab and send it; we will answer.
kb-solved-thanks = We are glad the article helped.
kb-solved-thanks-detail = Your request was not sent, and you need not do anything else. You can close this tab.
kb-error-visit = This link has expired; open the article again from the request form.

kb-desk-title = Knowledge base
kb-new-article = New article
kb-open-help-centre = Open the help centre
kb-deflection-title = Requests answered by an article (last 30 days)
kb-deflection-percent = { $percent }%
kb-deflection-none = No suggestions shown yet
kb-deflection-detail = { $count ->
    [one] { $deflected } of one visit with suggestions
   *[other] { $deflected } of { $count } visits with suggestions
}
kb-list-empty = No article matches.
kb-field-title = Title
kb-field-language = Language
kb-field-status = Status
kb-field-category = Category
kb-field-slug = Address
kb-field-slug-hint = Lower-case Latin letters, digits and hyphens, e.g. reset-your-password. Left empty, it is made from an English title (or numbered for an Arabic one).
kb-field-body = Text
kb-field-body-hint = Markdown: # heading, **bold**, - list, [link](https://…). HTML is shown as text.
kb-no-category = No category
kb-translation = Translation
kb-col-helpful = Helpful
kb-col-not-helpful = Not helpful
kb-col-suggested = Suggested
kb-col-opened = Opened from suggestions
kb-col-deflected = Solved a request
kb-col-updated = Updated
kb-view-public = View in the help centre
kb-view-preview = Preview as a reader
kb-status-draft = Draft
kb-status-published = Published
kb-status-archived = Archived
kb-move-draft = Back to draft
kb-move-published = Publish
kb-move-archived = Archive
kb-verdict-helpful = Helpful
kb-verdict-not_helpful = Not helpful
kb-back-to-list = Back to the knowledge base
kb-article-content = The article
kb-article-details = About the article
kb-read-only = Only team leads, directors and administrators change a published or archived article; ask one of them to move it back to draft.
kb-read-only-role = You can read this article and link it in replies; specialists write drafts, and team leads, directors and administrators publish them.
kb-preview = Preview
kb-translation-none = Not linked to a translation.
kb-translation-no-candidates = No article in the other language is free to link; write it first.
kb-translation-choose = Its translation
kb-translation-link = Link
kb-translation-unlink = Unlink
kb-attachments-none = No files yet.
kb-attachment-markdown = To show it in the text
kb-attachment-insert = Insert into the text
kb-attachment-remove = Remove
kb-attachments-add = Add files
kb-attachments-upload = Upload
kb-figures = Figures
kb-feedback-comments = What readers said was missing
kb-flash-created = The article was created.
kb-flash-saved = Saved.
kb-flash-status = The status was changed.
kb-flash-linked = The translations are linked.
kb-flash-unlinked = The translations are no longer linked.
kb-flash-uploaded = The files were attached.
kb-flash-removed = The file was removed.
kb-error-title = { $count ->
    [one] A title is required, of one character.
   *[other] A title is required, of at most { $count } characters.
}
kb-error-slug = Use 3 to 80 lower-case Latin letters, digits and single hyphens, starting and ending with a letter or digit.
kb-error-slug-reserved = This address is used by the help centre itself; choose another.
kb-error-slug-taken = Another article already has this address.
kb-error-language = Choose Arabic or English.
kb-error-language-linked = This article is linked to its translation; unlink it before changing its language.
kb-error-category = Choose a category from the list.
kb-error-body = { $count ->
    [one] The text is required, of one character.
   *[other] The text is required, of at most { $count } characters.
}
kb-error-status = An article cannot move to this status from where it is.
kb-error-unavailable = This could not be checked just now; try again.
kb-error-translation-choose = Choose the article to link.
kb-error-translation = These two articles cannot be linked: a translation is in the other language, and each article has at most one.
kb-error-no-file = Choose at least one file.

kb-categories-title = Knowledge-base categories
kb-categories-lead = Categories group the help centre's articles, in the order of their position.
kb-categories-list = Categories
kb-categories-none = No categories yet.
kb-category-archived = Archived
kb-category-name-ar = Name in Arabic
kb-category-name-en = Name in English
kb-category-position = Position
kb-category-archive = Archive
kb-category-add = Add a category
kb-category-code = Code
kb-category-code-hint = Lower-case Latin letters, digits and hyphens, e.g. accounts. It cannot change later.
kb-category-flash-created = The category was added.
kb-category-flash-saved = Saved.
kb-category-flash-archived = The category was archived; its articles are listed under "Other articles".
kb-error-category-name = { $count ->
    [one] A name is required, of one character.
   *[other] A name is required, of at most { $count } characters.
}
kb-error-position = A position is a whole number from 0 to 9999.
kb-error-category-code = Use 2 to 63 lower-case Latin letters, digits and single hyphens, starting with a letter.
kb-error-category-code-taken = Another category already has this code.

kb-picker-open = Insert a help-centre article
kb-picker-label = Find a published article
kb-picker-hint = Type a few words; "Insert" puts the article's link where the cursor is in your reply.
kb-picker-search = Find
kb-picker-nothing = No published article matches.
kb-picker-insert = Insert
kb-links-title = Help-centre links
kb-links-back = Back to ticket { $number }
kb-links-hint = Copy a link into your reply: the address as it is, or the Markdown form with the title.
kb-links-url = Address
kb-links-markdown = Markdown link
