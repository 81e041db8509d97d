"""What every page's header needs of the signed-in user."""

from functools import cache

from .notifications import unread_count


def notifications(request):
    """
    The unread count, asked only if the page shows it and at most once per page (a template
    calls a callable each time it is named; this one remembers): one query on a partial index.
    """
    user = getattr(request, "user", None)

    @cache
    def unread_notifications() -> int:
        return unread_count(user)

    return {"unread_notifications": unread_notifications}
