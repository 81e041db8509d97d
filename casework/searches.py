"""
What a search leaves in the audit trail. A search tells whether someone is known to us: who asked,
how many records answered and which of them were shown are kept; the term never is (it is a name,
and the trail holds no name). Shared by the case list page and the API's searches.
"""

from audit.services import appended_together, record


def record_search(user, model, shown, *, matches: int, request=None) -> None:
    """
    One event for the search (the searcher and the number of `matches` of `model`), then one view
    per record `shown`, so that each found person or case lists the searcher among its viewers.
    Call it after the results are read: recording holds the audit chain's lock until the
    request's transaction ends. The events are appended together: one take of the chain's lock
    and one insert for a page of 25 results, not three queries each.
    """
    with appended_together():
        record(user, "view", model, request=request, searched=True, matches=matches)
        for found in shown:
            record(user, "view", found, request=request, searched=True)
