import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_otp import user_has_device

from .timezones import zone, zone_name_for

# Pages a signed-in user may reach before proving the second factor.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:login",
    "accounts:logout",
    "accounts:verify",
    "accounts:setup",
    "accounts:setup_qr",
    "healthz",
    "set_language",
}


class RequireTwoFactorMiddleware:
    """A password alone opens nothing: every page but login, 2FA and logout needs a verified device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.SHIMTEO_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not self._is_open(request)
        ):
            step = "accounts:verify" if user_has_device(user) else "accounts:setup"
            return redirect(f"{reverse(step)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _is_open(request) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            return resolve(request.path_info).view_name in OPEN_BEFORE_SECOND_FACTOR
        except Resolver404:
            return True


class NoStoreForSignedInMiddleware:
    """
    Pages seen while signed in may show people: no browser, proxy or back button may keep them.
    Static files stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class SlidingSessionMiddleware:
    """
    The idle timeout slides: a session lives SESSION_COOKIE_AGE after it was last used. Its new
    expiry is written at most once a minute rather than on every request, which cost every page an
    UPDATE and a commit of its own (a disk flush). The timeout is so between one minute short of
    SESSION_COOKIE_AGE and SESSION_COOKIE_AGE.
    """

    REFRESHED_AT = "_refreshed_at"
    REFRESH_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # After the view, so that signing in is stamped in the same write as the new session.
        # Only a signed-in session is extended: a stale or made-up cookie must not make one.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.REFRESHED_AT, 0) >= self.REFRESH_AFTER_SECONDS:
                request.session[self.REFRESHED_AT] = now
        return response


class AbsoluteSessionLifetimeMiddleware:
    """
    However busy, a signed-in session ends SHIMTEO_SESSION_ABSOLUTE_SECONDS after sign-in: a
    stolen session cookie kept alive by use is still worthless by the next working day. Sign-in
    stamps the session (accounts.receivers); a signed-in session without a stamp predates the
    rule and ends too. Reads only the session, so pages pay no query for it.
    """

    SIGNED_IN_AT = "_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            signed_in_at = session.get(self.SIGNED_IN_AT)
            lifetime = settings.SHIMTEO_SESSION_ABSOLUTE_SECONDS
            if not isinstance(signed_in_at, int) or time.time() - signed_in_at >= lifetime:
                # As "Lock now" does: the session row goes, the sign-out is audited, and the page
                # asked for answers as to anyone signed out (the sign-in page, or 401/403).
                logout(request)
        return self.get_response(request)

    @classmethod
    def stamp(cls, request) -> None:
        request.session[cls.SIGNED_IN_AT] = int(time.time())


class LocalTimeMiddleware:
    """
    Pages show times, and count today, in the signed-in user's zone: their own choice, else their
    team's, else SHIMTEO_DEFAULT_TIME_ZONE (accounts.timezones). The zone is deactivated after the
    response, so that a thread serving the next request (or the next test) starts from the default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone(zone_name_for(user)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
