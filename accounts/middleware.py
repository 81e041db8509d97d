import email.parser
import email.policy
import io
import re
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django_otp import user_has_device

from . import drafts
from .models import Draft
from .timezones import zone, zone_name_for

# Pages a signed-in user may reach before proving the second factor.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:login",
    "accounts:logout",
    "accounts:verify",
    "accounts:setup",
    "accounts:setup_qr",
    "favicon",
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
        # Only a signed-in session is extended: a stale or made-up cookie must not make one, nor
        # an API token (DRF sets the token's user on the request, but there is no session to
        # extend: stamping one would create a session row and a cookie on every API request).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and SESSION_KEY in request.session:
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


# The end of a form body cut in the middle of a %XX escape.
PARTIAL_ESCAPE = re.compile(rb"%[0-9A-Fa-f]?\Z")
# The %XX escapes at the end of a form body: the last bytes of its last value.
TRAILING_ESCAPES = re.compile(rb"(?:%[0-9A-Fa-f]{2})+\Z")


def _cut_form_body(raw: bytes) -> bytes:
    """A urlencoded body cut at any byte, cut back to its last whole character."""
    raw = PARTIAL_ESCAPE.sub(b"", raw)
    tail = TRAILING_ESCAPES.search(raw)
    if tail is None:
        return raw
    data = bytes.fromhex(tail.group().replace(b"%", b"").decode())
    start = len(data) - 1
    while start >= 0 and data[start] & 0xC0 == 0x80:  # UTF-8 continuation bytes
        start -= 1
    if start >= 0 and data[start] >= 0xC0:
        needed = 2 if data[start] < 0xE0 else 3 if data[start] < 0xF0 else 4
        if len(data) - start < needed:
            return raw[: tail.start() + 3 * start]
    return raw


def _cut_text(raw: bytes) -> str:
    """Bytes of UTF-8 text cut at any byte, as text up to its last whole character."""
    for end in range(len(raw), max(len(raw) - 4, -1), -1):
        try:
            return raw[:end].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _multipart_fields(content_type: str, body: bytes, limit: int) -> tuple[QueryDict, bool]:
    """
    The text fields of a multipart body, counted as Django counts them against the limit (a
    field's name, its value and two bytes; files do not count): those that fit, the one that
    crosses the limit cut at it, and whether it was crossed. Files are left out.
    """
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields = QueryDict(mutable=True)
    used = 0
    if not message.is_multipart():
        return fields, False
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name or part.get_filename() is not None:
            continue
        value = part.get_payload(decode=True) or b""
        room = limit - used - len(name) - 2
        if len(value) > room:
            fields.appendlist(name, _cut_text(value[: max(room, 0)]))
            return fields, True
        used += len(name) + 2 + len(value)
        fields.appendlist(name, value.decode("utf-8", errors="replace"))
    return fields, False


class ReadOversizedPostMiddleware:
    """
    A form post larger than DATA_UPLOAD_MAX_MEMORY_SIZE is read up to the limit, rather than
    refused with a bare "Bad Request (400)" that loses everything: its first part (of a very long
    note, say) can then be kept as the user's draft. The request is marked `posted_too_large`,
    and KeepUnsavedPostMiddleware answers it before any view could take the cut text for the
    whole. First in the chain after the request id: every reader after it sees the cut body.

    A multipart post (a file with its description) counts its text fields against the limit, not
    its files: one larger than the limit is read (up to the limit, the largest file allowed and a
    margin) and its text fields looked at; when they are over the limit, they are what the
    request carries, cut like a urlencoded body, and its files are dropped; when not, Django
    parses the body as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.method != "POST":
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= limit:
            return self.get_response(request)
        if request.content_type == "application/x-www-form-urlencoded":
            # Django offers no public way to hand on a body read here: `_body` is what
            # HttpRequest.body keeps once read, and what request.POST parses.
            request._body = _cut_form_body(request.read(limit))
            request.META["CONTENT_LENGTH"] = str(len(request._body))
            request.posted_too_large = length
        elif request.content_type == "multipart/form-data":
            readable = limit + settings.SHIMTEO_ATTACHMENT_MAX_BYTES + 64 * 1024
            body = request.read(min(length, readable))
            fields, over = _multipart_fields(request.META["CONTENT_TYPE"], body, limit)
            if over or length > readable:
                # What request.POST and request.FILES answer once parsed.
                request._post, request._files = fields, MultiValueDict()
                request.posted_too_large = length
            else:
                # Read whole and within the limit: handed back for Django to parse as usual.
                request._stream, request._read_started = io.BytesIO(body), False
        return self.get_response(request)


class KeepUnsavedPostMiddleware:
    """
    A form post that cannot be saved as it stands is kept as its user's draft (accounts.drafts)
    instead of being lost:

    - sent after the session ended (idle timeout, the absolute lifetime, "Lock now"): kept for
      the user the form was rendered for (its signed marker), who is sent to sign in with a
      message, and finds it in the form after the second factor, to check and save;
    - too large to be read whole (ReadOversizedPostMiddleware): what was read is kept and the
      form shown again with it, saying so. A cut post never reaches a view.

    The form comes back filled rather than being saved on the user's behalf: the kept text may be
    cut, a record may have changed meanwhile (expected_version), and a write nobody confirmed in
    the new session is what CSRF protection is there to prevent. Runs after CSRF protection, so
    only a post from our own page is kept; a post without a marker, or whose marker was signed
    for another user than the one signed in, is kept for nobody.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        too_large = getattr(request, "posted_too_large", None)
        signed_in = request.user.is_authenticated
        if too_large is None and signed_in:
            return None
        owner, form_key = self._marked_owner(request)
        if owner is None or (signed_in and owner.pk != request.user.pk):
            return None if too_large is None else self._too_large(request)
        reason = Draft.Reason.SESSION_ENDED if too_large is None else Draft.Reason.TOO_LARGE
        drafts.draft_save(
            user=owner, form_key=form_key, data=drafts.posted_values(request.POST), reason=reason
        )
        if signed_in:
            return redirect(form_key)
        messages.warning(
            request,
            _(
                "Your session ended, so what you sent was not saved yet. Sign in again: it "
                "will be back in the form for you to check and save."
            ),
        )
        return redirect(f"{reverse(settings.LOGIN_URL)}?next={quote(form_key)}")

    @staticmethod
    def _marked_owner(request):
        """The active user and the form of the post's marker, when it was posted from that form."""
        marker = drafts.read_owner_marker(request.POST.get(drafts.OWNER_FIELD))
        if marker is None:
            return None, None
        user_id, form_key = marker
        if request.path not in (form_key, reverse("accounts:draft_save")):
            return None, None
        owner = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        return owner, form_key

    @staticmethod
    def _too_large(request):
        message = _("What you sent is larger than the limit of %(limit)s and was not saved.") % {
            "limit": drafts.size_limit_text()
        }
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "accounts/too_large.html", {"message": message}, status=413)


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
