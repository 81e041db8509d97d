"""
Template tags for the casework pages, a library per job: `casework_links` (addresses of cases,
people and records, a link only where its page exists, a record's Correct / Void / History),
`casework_dates` (a day, a <time>'s datetime, since when a status holds), `casework_labels` (a
stored value's words in the reader's language), `casework_forms` (a form field), `casework_case`
(the header of a case's pages), `casework_rows` (the rows of the dashboard's, the case list's and
the case page's tables and lists) and `casework_timeline` (the case's timeline). A template loads
the libraries whose tags it uses.

What they share is not a library: `_writing` (HTML written in Python as the templates wrote it,
each fixed word, day, count and label translated or formatted once per language) and
`_addresses` (a row's addresses reversed once per page kind).
"""
