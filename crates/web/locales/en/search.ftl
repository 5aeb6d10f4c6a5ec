nav-search = Search
search-title = Search tickets
search-label = Search for words, a ticket number, or a requester's name, e-mail or phone
search-hint = Hamza forms, diacritics and digit scripts do not matter; the start of the last word is enough.
search-submit = Search
search-nothing = No ticket you may see matches this search.
search-count = { $count ->
    [one] One result
   *[other] { $count } results
}
search-problem-empty = Type at least one word of letters or digits.
search-problem-too-long = The search is too long; at most { $count } characters.
search-problem-too-many-words = Too many words; at most { $count }.
queue-total-more-than = More than { $count } tickets
