"""The API schema describes our token authentication as the knox token it is (drf-spectacular)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class LocalTimeTokenScheme(KnoxTokenScheme):
    target_class = "accounts.api_auth.LocalTimeTokenAuthentication"
