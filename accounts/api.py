"""
API tokens (django-rest-knox: hashed at rest, expiring). A token is issued only to someone who
proves both factors in the same request, so a token is never weaker than a browser session.
"""

import django_otp
from django.contrib.auth import authenticate, user_login_failed
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from audit.services import client_ip, record

INVALID = _("That username, password and code do not match.")
LOCKED = _(
    "Too many failed attempts: this account is locked for a while. If you need access sooner, "
    "ask a supervisor of your team or an administrator: they can unlock it on their "
    "“Locked accounts” page."
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, write_only=True)
    code = serializers.CharField(
        max_length=16, help_text=_("The 6-digit code of the user's authenticator app.")
    )


class TokenThrottle(AnonRateThrottle):
    rate = "20/min"

    def get_ident(self, request):
        # The client as the lockout counts it: behind the trusted proxies only, so that a made-up
        # X-Forwarded-For is not a fresh client. An unparseable address falls back to the socket's.
        return client_ip(request) or request.META.get("REMOTE_ADDR", "")


class TokenCreateView(APIView):
    """Exchange username, password and a current TOTP code for an expiring API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            400: OpenApiResponse(description="Wrong username, password or code."),
            429: OpenApiResponse(description="Locked out after repeated failures."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # axes reads and marks the Django request, not DRF's wrapper.
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            return Response({"detail": LOCKED}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response({"detail": INVALID}, status=status.HTTP_400_BAD_REQUEST)
        device = django_otp.match_token(user, data["code"].replace(" ", ""))
        if device is None:
            # A wrong code counts towards the lockout as a wrong password does.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": data["username"]},
                request=http_request,
            )
            return Response({"detail": INVALID}, status=status.HTTP_400_BAD_REQUEST)
        # The holder's expired tokens go now (knox deleted them on every request it read a token).
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user, knox_settings.TOKEN_TTL)
        record(user, "login", request=http_request, step="api_token")
        return Response({"token": token, "expiry": instance.expiry})
