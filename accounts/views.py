import base64
import io

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.utils.decorators import method_decorator
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView
from django_otp import user_has_device
from django_otp.qr import write_qrcode_image

from audit.services import record

from . import drafts, notifications, signin
from .api import LOCKED
from .forms import (
    BackupCodesForm,
    EmailNotificationsForm,
    EnrolmentForm,
    LoginForm,
    PasswordChangeForm,
    ReplacementForm,
    TimeZoneForm,
    TokenForm,
)
from .models import User
from .permissions import may_unlock_anyone, unlockable_users
from .services import (
    backup_codes_regenerate,
    backup_codes_remaining,
    has_authenticator,
    password_change,
    totp_enrolment_confirm,
    totp_enrolment_device,
    user_logout_everywhere,
    user_set_email_notifications,
    user_set_language,
    user_set_time_zone,
    user_unlock,
)
from .timezones import zone_name_for

# From this many unused backup codes down, the account page asks for new ones.
BACKUP_CODES_LOW = 2


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # From the second step on, pages speak the language the staff member chose last time.
        response = super().form_valid(form)
        _set_language_cookie(response, form.get_user().preferred_language)
        return response


def _set_language_cookie(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """
    The language switcher: Django's own view (cookie, safe redirect), which for a signed-in staff
    member also keeps the choice as their preferred language, so the next login starts in it.
    """
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


@method_decorator([never_cache, login_required], name="dispatch")
class VerifyView(FormView):
    """Second step of login: a code from the authenticator app or a backup code."""

    template_name = "accounts/verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_verified():
            return redirect(_safe_next(request))
        if not user_has_device(request.user):
            return redirect("accounts:setup")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": _safe_next(self.request, "")}

    def form_valid(self, form):
        django_otp.login(self.request, form.device)
        # A new session id for the fully signed-in session: an id seen or planted before the
        # second factor (after the password alone) opens nothing.
        self.request.session.cycle_key()
        record(self.request.user, "login", request=self.request, step="second_factor")
        return redirect(_safe_next(self.request))

    def form_invalid(self, form):
        record(self.request.user, "login_failed", request=self.request, step="second_factor")
        return super().form_invalid(form)


@method_decorator([never_cache, login_required], name="dispatch")
class SetupView(FormView):
    """Enrolment: scan a QR code, prove it works with one code, receive backup codes once."""

    template_name = "accounts/setup.html"
    form_class = EnrolmentForm

    def dispatch(self, request, *args, **kwargs):
        if user_has_device(request.user) and not request.user.is_verified():
            return redirect("accounts:verify")
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        # Replacing an enrolled authenticator asks for the password and a current code again.
        return ReplacementForm if has_authenticator(self.request.user) else EnrolmentForm

    def get_context_data(self, **kwargs):
        device = totp_enrolment_device(user=self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "secret": _readable_secret(device.bin_key),
            "replacing": has_authenticator(self.request.user),
        }

    def form_valid(self, form):
        device = totp_enrolment_device(user=self.request.user)
        codes = totp_enrolment_confirm(
            user=self.request.user,
            device=device,
            token=form.cleaned_data["token"],
            password=form.cleaned_data.get("password", ""),
            current_code=form.cleaned_data.get("current_code", ""),
            request=self.request,
        )
        if codes is None:
            if isinstance(form, ReplacementForm):
                form.add_error(None, _("A code or the password is not valid. Please retry."))
            else:
                form.add_error(
                    "token", _("That code is not valid. Scan the QR code again and retry.")
                )
            return self.form_invalid(form)
        django_otp.login(self.request, device)
        self.request.session.cycle_key()
        return render(self.request, "accounts/backup_codes.html", {"codes": codes})


@method_decorator([never_cache, login_required], name="dispatch")
class BackupCodesView(FormView):
    """New backup codes (the old ones stop working), after the password and a current code."""

    template_name = "accounts/backup_codes_new.html"
    form_class = BackupCodesForm

    def form_valid(self, form):
        codes = backup_codes_regenerate(
            user=self.request.user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data["current_code"],
            request=self.request,
        )
        if codes is None:
            form.add_error(None, _("The password or the code is not valid."))
            return self.form_invalid(form)
        return render(self.request, "accounts/backup_codes.html", {"codes": codes})


def _readable_secret(key: bytes) -> str:
    """The key as typed into an authenticator app by hand: base32 in groups of four."""
    secret = base64.b32encode(key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def setup_qr(request):
    """The QR code of the authenticator being enrolled, as SVG from our own origin."""
    if user_has_device(request.user) and not request.user.is_verified():
        return HttpResponse(status=403)
    device = totp_enrolment_device(user=request.user)
    svg = io.BytesIO()
    write_qrcode_image(device.config_url, svg)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


class LogoutView(auth_views.LogoutView):
    """Ends this session at once ("Lock now")."""

    template_name = "accounts/logged_out.html"


@never_cache
@login_required
def security(request, *, time_zone_form=None, email_form=None, status=200):
    """The signed-in user's own second factor and sessions: each change is one step away."""
    remaining = backup_codes_remaining(request.user)
    return render(
        request,
        "accounts/security.html",
        {
            "has_authenticator": has_authenticator(request.user),
            "backup_codes_remaining": remaining,
            "backup_codes_running_low": remaining <= BACKUP_CODES_LOW,
            "time_zone_form": time_zone_form or _time_zone_form(request),
            "email_form": email_form
            or EmailNotificationsForm(
                initial={
                    "email_notifications": request.user.email_notifications,
                    "email_quiet_hours": request.user.email_quiet_hours,
                }
            ),
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@login_required
def email_notifications(request):
    form = EmailNotificationsForm(request.POST)
    if form.is_valid():
        try:
            user_set_email_notifications(
                user=request.user,
                enabled=form.cleaned_data["email_notifications"],
                quiet_hours=form.cleaned_data["email_quiet_hours"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("Your e-mail choice has been saved."))
            return redirect("accounts:security")
    return security(request, email_form=form, status=400)


def _time_zone_form(request, data=None):
    # The team's zone as the user would have it without a choice of their own.
    account = User(pk=request.user.pk, time_zone="")
    initial = {"time_zone": request.user.time_zone}
    return TimeZoneForm(data, initial=initial, team_zone=zone_name_for(account))


@require_POST
@login_required
def time_zone(request):
    form = _time_zone_form(request, request.POST)
    if form.is_valid():
        try:
            user_set_time_zone(
                user=request.user, time_zone=form.cleaned_data["time_zone"], request=request
            )
        except ValidationError:
            form.add_error("time_zone", _("Choose a time zone from the list."))
        else:
            messages.success(request, _("Your time zone has been saved."))
            return redirect("accounts:security")
    return security(request, time_zone_form=form, status=400)


@method_decorator([never_cache, login_required], name="dispatch")
class PasswordChangeView(FormView):
    """The user's own new password, after the current one; their other devices are signed out."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            changed = password_change(
                user=self.request.user,
                current_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                request=self.request,
            )
        except ValidationError as error:
            form.add_error("new_password2", error)
            return self.form_invalid(form)
        if not changed:
            form.add_error(
                "old_password",
                _(
                    "Your current password is not correct. After several failed attempts the "
                    "account is locked for a while."
                ),
            )
            return self.form_invalid(form)
        # Every session of the user ended with the new password; this one is kept (a new id).
        update_session_auth_hash(self.request, self.request.user)
        messages.success(
            self.request,
            _("Your password has been changed. Your other devices and API tokens are signed out."),
        )
        return redirect("accounts:security")


@require_POST
@login_required
def logout_everywhere(request):
    user_logout_everywhere(user=request.user, request=request)
    logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect(settings.LOGIN_URL)


def locked_out(request, *args, **kwargs):
    """Shown by django-axes after too many failed logins."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED), "minutes": minutes}, status=429)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@never_cache
@login_required
def locked_accounts(request):
    """The accounts locked now that the viewer may unlock: their teams' members, or anyone's."""
    if not may_unlock_anyone(request.user):
        raise PermissionDenied
    return render(
        request,
        "accounts/locked_accounts.html",
        {
            "locked": signin.locked_accounts(request.user),
            "minutes": int(settings.AXES_COOLOFF_TIME * 60),
        },
    )


@require_POST
@login_required
def unlock(request, user_id: int):
    # Someone the viewer may not unlock is answered as if there were no such account.
    user = get_object_or_404(unlockable_users(request.user), pk=user_id)
    user_unlock(actor=request.user, user=user, request=request)
    messages.success(request, _("%(username)s can sign in again.") % {"username": user})
    return redirect("accounts:locked_accounts")


def _draft_key_of(request) -> str | None:
    """The form whose draft the post is about, when its marker was signed for this user."""
    marker = drafts.read_owner_marker(request.POST.get(drafts.OWNER_FIELD))
    if marker is None or marker[0] != request.user.pk:
        return None
    return marker[1]


@never_cache
@sensitive_post_parameters()
@require_POST
@login_required
def save_draft(request):
    """
    What the user is typing in a form, kept as they type (static/js/drafts.js). Answers when it
    was kept, as the server's clock says it in the user's zone ("16:05 UTC+0800"): the browser's
    clock and zone may be another's. Empty when everything typed was deleted again.
    """
    form_key = _draft_key_of(request)
    if form_key is None:
        return HttpResponseBadRequest()
    if request.POST.get("_draft_empty"):
        # Everything typed was deleted again: no draft to restore.
        drafts.draft_discard(user=request.user, form_key=form_key)
        return JsonResponse({"saved_at": ""})
    draft = drafts.draft_save(
        user=request.user, form_key=form_key, data=drafts.posted_values(request.POST)
    )
    saved_at = timezone.localtime(draft.updated_at)
    # The hour and its zone as every page writes a moment: DATETIME_FORMAT from the hour on.
    hour_and_zone = "H:i" + get_format("DATETIME_FORMAT").partition("H:i")[2]
    return JsonResponse({"saved_at": dateformat.format(saved_at, hour_and_zone)})


@never_cache
@require_POST
@login_required
def discard_draft(request):
    """ "Discard draft": the form shows its saved values again."""
    form_key = _draft_key_of(request)
    if form_key is None or not url_has_allowed_host_and_scheme(
        form_key, allowed_hosts={request.get_host()}
    ):
        return HttpResponseBadRequest()
    drafts.draft_discard(user=request.user, form_key=form_key)
    messages.success(request, _("The draft was discarded."))
    return redirect(form_key)


# Notifications: the list, one opened (read, then its page), all marked read.
NOTIFICATIONS_SHOWN = 100


@never_cache
@login_required
@require_GET
def notification_list(request):
    """The user's notifications, newest first, each saying only what its target shows them now."""
    shown = notifications.described(
        request.user, notifications.notifications_for(request.user)[:NOTIFICATIONS_SHOWN]
    )
    return render(request, "accounts/notifications.html", {"shown": shown})


@never_cache
@login_required
@require_GET
def notification_open(request, notification_id):
    """
    Opening one marks it read and leads to its page, if the target is still in the user's sight;
    otherwise back to the list. Another user's notification answers 404.
    """
    notification = get_object_or_404(
        notifications.notifications_for(request.user), pk=notification_id
    )
    notifications.notifications_mark_read(user=request.user, ids=[notification.pk])
    (shown,) = notifications.described(request.user, [notification])
    if shown.target is None:
        return redirect("accounts:notification_list")
    return redirect(shown.target.url)


@never_cache
@login_required
@require_POST
def notifications_read_all(request):
    notifications.notifications_mark_read(user=request.user)
    return redirect("accounts:notification_list")
