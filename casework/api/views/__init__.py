"""
The casework API. Viewsets are thin: every queryset starts from `visible_to(request.user)`, so a
record out of scope answers 404; every write calls a casework service, which validates, saves
and audits; detail reads are audited here, as the web pages audit theirs. Lists show plain
columns only (a list is not audited row by row); names are searched by POST (`persons/search/`,
`cases/search/`), never in an address, and every search is audited without its term.

The package is split by sub-domain, as casework.views is: `common` (the base viewset and the
audited reads), `corrections`, `search`, `people`, `cases`, `records` and `checkins`.
"""
