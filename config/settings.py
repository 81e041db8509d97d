"""
Shimteo settings, read from the environment, top to bottom.

Development (the default) runs on a SQLite file with eager Celery and locally generated keys.
`SHIMTEO_ENV=production` refuses to start without real secrets and keys.
"""

import datetime
import zoneinfo
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
SHIMTEO_ENV = env.str("SHIMTEO_ENV", default="development")
if SHIMTEO_ENV not in ("development", "production"):
    raise ImproperlyConfigured("SHIMTEO_ENV must be 'development' or 'production'.")
PRODUCTION = SHIMTEO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when SHIMTEO_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set SECRET_KEY (50 or more random characters) in production.")
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="development-only-secret-key-never-used-in-production"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    # Django's admin, refusing a signed-in non-staff user with a 403 instead of a login loop.
    "config.apps.ShimteoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The authenticator and backup-code devices are accounts' own (secret encrypted, codes
    # digested); django-otp's TOTP and static plugins, which keep both in clear, are not installed.
    "django_otp",
    "axes",
    "csp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "vault",
    "audit",
    "accounts",
    "casework",
    "consent",
    "intake",
    "legal_aid",
    "reports",
    "referrals",
    "ops",
    "demo",
]

MIDDLEWARE = [
    # First, so that every log line of a request, even another middleware's, carries its id.
    "ops.middleware.RequestIdMiddleware",
    # Before anything reads the body: a form post over the size limit is read up to the limit, so
    # that what it held can be kept as a draft (KeepUnsavedPostMiddleware) rather than lost.
    "accounts.middleware.ReadOversizedPostMiddleware",
    # Before anything reads the request: a NUL must not reach a session lookup or a query.
    "ops.input.RefuseControlCharactersMiddleware",
    # Last to see a view's exception: a DoesNotExist a view let escape is a 404.
    "ops.input.MissingObjectIsNotFoundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    # After authentication (it reads the user's and their team's zone).
    "accounts.middleware.LocalTimeMiddleware",
    # After authentication (it reads the user), outside the view's transaction (it may be aborted).
    "audit.middleware.RefusalAuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Its process_view runs after CSRF protection's: only a post from our own page is kept.
    "accounts.middleware.KeepUnsavedPostMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development database: a draft saved while a page loads must wait for the other
    # writer rather than fail with "database is locked" (SQLite allows one writer at a time).
    # IMMEDIATE takes the write lock when a transaction begins, so two writers queue instead of
    # one of them failing when it upgrades its read lock; the timeout is how long one waits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # The name keys' covering indexes (INCLUDE) and the caseload counts' NULLS NOT DISTINCT are
    # PostgreSQL's: SQLite makes the plain index and no constraint, and no trigger keeps the
    # counts there (`querysets.visible_cases_up_to` counts the cases instead). Said on every
    # `migrate` of `make run`, the warnings would only teach a new developer to skip the rest.
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections, checked before reuse: after a database restart (or a killed backend) the
# next request opens a fresh connection instead of failing on the dead one.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("SHIMTEO_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: our queries are short, and the visibility rule's EXISTS is costed per
    # row (though run hashed), which crossed jit_above_cost and added ~20-300 ms of compiling
    # to a 15 ms count of a caseworker's cases.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Behind a pooler in transaction mode (PgBouncer), a cursor left open between transactions would
# be handed to another client: `.iterator()` then reads in chunks without a server-side cursor.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "SHIMTEO_DB_BEHIND_POOLER", default=False
)
# A read replica of the primary for the reports' counts (docs/OPERATIONS.md, "Beyond one
# machine"): `reports.routing` sends the report tables' reads there, and nothing else.
if DATABASE_REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        # Reads only, outside the request's transaction on the primary.
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # In tests, the same test database as default.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["reports.routing.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

# Two-factor login (TOTP). Only development may relax it, for local experiments.
SHIMTEO_REQUIRE_2FA = env.bool("SHIMTEO_REQUIRE_2FA", default=True)
if PRODUCTION and not SHIMTEO_REQUIRE_2FA:
    raise ImproperlyConfigured("SHIMTEO_REQUIRE_2FA cannot be turned off in production.")
OTP_TOTP_ISSUER = "Shimteo"
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout after repeated failed logins (django-axes), per pair of username and client address
# (accounts.signin): an address alone would be the proxy's, shared by a whole office, and a
# success resets only the pair that signed in, never another account's counter.
AXES_FAILURE_LIMIT = env.int("SHIMTEO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SHIMTEO_LOGIN_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Usernames are counted and kept as keyed digests; the address behind the trusted proxies.
AXES_USERNAME_CALLABLE = "accounts.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.axes_client_ip"
# Sign-ins and sign-outs are in the audit trail; axes' own log would keep usernames as typed.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "token"]
# Unlocking is the audited "Locked accounts" page; the admin would delete attempts unrecorded.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where the teams live: a team's zone when none is set, and the zone of pages, "today" and the
# date rules (casework/dates.py) for anyone without one (accounts/timezones.py). Times are stored
# in UTC (USE_TZ); only their display and the day they fall on depend on the zone.
SHIMTEO_DEFAULT_TIME_ZONE = env.str("SHIMTEO_DEFAULT_TIME_ZONE", default="Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(SHIMTEO_DEFAULT_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
    raise ImproperlyConfigured("SHIMTEO_DEFAULT_TIME_ZONE must be an IANA time zone.") from error
TIME_ZONE = SHIMTEO_DEFAULT_TIME_ZONE
# One date and one date-and-time format per language (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments and generated documents; every file is encrypted by vault's storage.
MEDIA_ROOT = Path(env.str("SHIMTEO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "vault.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Days an unsaved draft of a form (accounts.Draft) is kept after its last change; the daily
# retention task deletes older ones.
SHIMTEO_DRAFT_DAYS = env.int("SHIMTEO_DRAFT_DAYS", default=7)
# How long static/js/drafts.js waits after the last keystroke before it saves a draft, in
# milliseconds: long enough not to post every word. Not an environment setting; the drafts' browser
# walks shorten it (tests/browser/conftest.py, `short_draft_pause`), as they wait for each save.
SHIMTEO_DRAFT_PAUSE_MS = 1500
# How many reverse proxies in front of the app set X-Forwarded-For (0 = trust none): the client
# address of audit events, the sign-in lockout and the API's rate limits.
SHIMTEO_TRUSTED_PROXY_COUNT = env.int("SHIMTEO_TRUSTED_PROXY_COUNT", default=0)
# Largest case attachment accepted, in bytes.
SHIMTEO_ATTACHMENT_MAX_BYTES = env.int("SHIMTEO_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The largest spreadsheet an import accepts (README, "Configuration"): bigger files and longer
# sheets are refused before anything is read into the queue.
SHIMTEO_IMPORT_MAX_BYTES = env.int("SHIMTEO_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
SHIMTEO_IMPORT_MAX_ROWS = env.int("SHIMTEO_IMPORT_MAX_ROWS", default=20_000)
# Days of detention after which a person is flagged on the dashboard.
SHIMTEO_DETAINED_ALERT_DAYS = env.int("SHIMTEO_DETAINED_ALERT_DAYS", default=14)
# Counts below this are hidden in reports and exports, so that nobody can be singled out.
SHIMTEO_SMALL_COUNT_THRESHOLD = env.int("SHIMTEO_SMALL_COUNT_THRESHOLD", default=5)
# How long an administrator's break-glass sight of one case lasts.
SHIMTEO_BREAK_GLASS_MINUTES = env.int("SHIMTEO_BREAK_GLASS_MINUTES", default=60)
# Duplicate lookups (intake submissions) one user may make in an hour: typing names one by one
# must not map who is on file.
SHIMTEO_DUPLICATE_LOOKUPS_PER_HOUR = env.int("SHIMTEO_DUPLICATE_LOOKUPS_PER_HOUR", default=20)

# Field encryption (vault). Comma-separated `id:base64key`, the first is primary.
SHIMTEO_FIELD_KEYS = env.str("SHIMTEO_FIELD_KEYS", default="")
SHIMTEO_INDEX_KEY = env.str("SHIMTEO_INDEX_KEY", default="")
# While the index key is rotated: the previous key(s), comma-separated base64, so searches still
# match digests `manage.py reindex_blind_indexes` has not recomputed yet. Empty otherwise.
SHIMTEO_OLD_INDEX_KEYS = env.str("SHIMTEO_OLD_INDEX_KEYS", default="")
# Keys the audit chain's links and signs its checkpoints (audit/keys.py); base64 of 32 bytes,
# distinct from every other key. Required in production; development generates one.
SHIMTEO_AUDIT_KEY = env.str("SHIMTEO_AUDIT_KEY", default="")
# Where beat writes the signed checkpoint of the audit chain's head; empty: `audit-checkpoints`
# next to the media folder. Every process that verifies the chain must see the same folder.
SHIMTEO_AUDIT_CHECKPOINT_DIR = env.str("SHIMTEO_AUDIT_CHECKPOINT_DIR", default="")
SHIMTEO_AUDIT_CHECKPOINT_MINUTES = env.int("SHIMTEO_AUDIT_CHECKPOINT_MINUTES", default=5)
# Who reads which audit events is a rule of the domain: audit (which imports no domain app) asks
# this function, given the events and the user.
SHIMTEO_AUDIT_VISIBILITY = "casework.selectors.audit.audit_events_visible_to"
# What erasing a person also erases in the apps above casework, which casework imports none of
# (casework.erasure calls each, in its transaction, before the name is gone).
SHIMTEO_ERASURE_HOOKS = [
    "legal_aid.services.documents_withdraw_naming",
    "referrals.services.person_erased",
]
# What merging two records of one person also moves in the apps above casework (the intake's
# duplicate candidates and imported rows); casework.services.person_merge calls each.
SHIMTEO_MERGE_HOOKS = ["intake.services.person_merged", "referrals.services.person_merged"]
# Sections of the case page drawn by the apps above casework: each is called with the request,
# the case and `can_edit`, and returns HTML (casework.views.browse.case_detail).
SHIMTEO_CASE_SECTIONS = ["referrals.views.case_section"]
# Called by casework.erasure.consent_withdraw when a person takes back "named in documents":
# each takes `person`, `actor` and `scopes` and revokes what names them.
SHIMTEO_NAMING_WITHDRAWN_HOOKS = ["legal_aid.services.documents_revoke_naming"]
# Digests vault cannot recompute from a source column of their own row (the name keys of
# casework.names, made from a person's name and aliases): `reindex_blind_indexes` calls each with
# `batch_size` and `dry_run`; each returns a report with `stale`, `rewritten` and `failures`.
SHIMTEO_REINDEX_HOOKS = ["casework.services.names.name_keys_reindex"]
# What a notification (accounts, which knows no domain) may show of its target: model label → a
# function `(user, keys) → {key: Target}` of the target's app, answering for what the user sees now.
# Mail: only the notification e-mail ("You have N new items", a link) is sent; unset, development
# prints it to the console. SHIMTEO_SITE_URL is the address the link points to.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shimteo@localhost")
SHIMTEO_SITE_URL = env.str("SHIMTEO_SITE_URL", default="http://127.0.0.1:8000")
SHIMTEO_EMAIL_NOTIFICATION_MINUTES = env.int("SHIMTEO_EMAIL_NOTIFICATION_MINUTES", default=15)
# What waits for a supervisor's approval in the apps above casework, for the dashboard: each
# function `(user) → [(label, count, url)]`.
SHIMTEO_DASHBOARD_APPROVALS = [
    "intake.selectors.approvals_waiting",
    "legal_aid.selectors.approvals_waiting",
]
SHIMTEO_NOTIFICATION_TARGETS = {
    "casework.case": "casework.notifications.case_targets",
    "casework.task": "casework.notifications.follow_up_targets",
    "casework.breakglassaccess": "casework.notifications.break_glass_targets",
    "legal_aid.advocacydocument": "legal_aid.selectors.document_notification_targets",
    "intake.intakesubmission": "intake.selectors.intake_notification_targets",
    "intake.importbatch": "intake.selectors.import_notification_targets",
}
# What else is open on a case being closed, in the apps above casework (referrals): each takes
# `case` and returns casework.selectors.plans.OpenItem rows, shown on the closing page to resolve
# or carry over.
SHIMTEO_CLOSURE_CHECK_HOOKS = ["referrals.selectors.open_on_closing"]
# Steps of a case plan's goals kept by the apps above casework (referrals): each takes `goals` and
# returns `{goal id: [casework.selectors.plans.PlanStep]}`, shown under each goal beside its
# follow-ups.
SHIMTEO_PLAN_STEP_HOOKS = ["referrals.selectors.plan_steps"]
# Where development generates its keys when none are set; never used in production.
SHIMTEO_DEV_KEY_FILE = Path(
    env.str("SHIMTEO_DEV_KEY_FILE", default=str(BASE_DIR / ".shimteo-keys"))
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SHIMTEO_SESSION_IDLE_SECONDS", default=30 * 60)
# However busy, a session ends this long after sign-in (accounts.middleware.AbsoluteSession...).
SHIMTEO_SESSION_ABSOLUTE_SECONDS = env.int("SHIMTEO_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
# The idle timeout slides, written at most once a minute (accounts.middleware.SlidingSession...).
SESSION_SAVE_EVERY_REQUEST = False
# Database sessions whose save tells a database outage (503) from a deleted session (400).
SESSION_ENGINE = "ops.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Never a Referer to another host. Not "no-referrer": with it Chromium sends `Origin: null` on our
# own form posts, which CSRF protection then (rightly) refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Nothing from another origin, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's token, activating the holder's time zone (accounts.api_auth).
        "accounts.api_auth.LocalTimeTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "casework.api.pagination.BoundedCountPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casework.api.errors.exception_handler",
    # Rate limits count the client behind the trusted proxies; with none, a made-up
    # X-Forwarded-For must not be a fresh client.
    "NUM_PROXIES": SHIMTEO_TRUSTED_PROXY_COUNT,
}
# API tokens: stored hashed, expiring after a working day, never refreshed silently.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env.int("SHIMTEO_API_TOKEN_HOURS", default=10)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 5,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shimteo API",
    "DESCRIPTION": "Case management for NGOs helping North Korean refugees and their children.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every record type: only signed-in staff read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc from the installed package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a status, role or kind with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.choices.CaseStatus",
        "RiskLevelEnum": "casework.choices.RiskLevel",
        "LegalStatusEnum": "casework.choices.LegalStatus",
        "EntitlementKindEnum": "casework.choices.EntitlementKind",
        "EntitlementStatusEnum": "casework.choices.EntitlementStatus",
        "IncidentKindEnum": "casework.choices.IncidentKind",
        "RelationshipKindEnum": "casework.choices.RelationshipKind",
        "PersonRoleEnum": "casework.choices.PersonRole",
        "MemberRoleEnum": "casework.choices.MemberRole",
        "AssignmentRoleEnum": "casework.choices.AssignmentRole",
        "NoteKindEnum": "casework.choices.NoteKind",
        "StatusSourceEnum": "casework.choices.StatusSource",
        "AdvocacyDocumentKindEnum": "legal_aid.models.AdvocacyDocument.Kind",
        "AdvocacyDocumentStatusEnum": "legal_aid.models.AdvocacyDocument.Status",
        "IntakeStatusEnum": "intake.models.IntakeSubmission.Status",
        "IntakeStepEnum": "intake.models.IntakeSubmission.Step",
        "ProviderKindEnum": "referrals.choices.ProviderKind",
        "ReferralStatusEnum": "referrals.choices.Status",
        "ReferralServiceEnum": "referrals.choices.Service",
        "ReferralUrgencyEnum": "referrals.choices.Urgency",
        "ProviderLanguageEnum": "referrals.choices.Language",
        "GoalStatusEnum": "casework.choices.GoalStatus",
    },
}

# Celery: with no broker configured, tasks run eagerly in the web process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Our logging (JSON lines, request ids) applies in workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A message taken by a worker that died without acknowledging it goes back to the queue after
# this many seconds (Redis); longer than any render, short enough to notice a lost worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("SHIMTEO_BROKER_VISIBILITY_TIMEOUT", default=900)
}
# Rendering a PDF takes half a gigabyte: it has its own queue, served by its own workers.
SHIMTEO_PDF_QUEUE = env.str("SHIMTEO_PDF_QUEUE", default="pdf")
CELERY_TASK_ROUTES = ["ops.routing.route_task"]
CELERY_BEAT_SCHEDULE = {
    "apply-retention": {
        "task": "ops.apply_retention",
        "schedule": datetime.timedelta(days=1),
    },
    "requeue-stalled-documents": {
        "task": "ops.requeue_stalled_documents",
        "schedule": datetime.timedelta(minutes=5),
    },
    # The audit chain's head, signed outside the table: the newest events removed since the
    # last checkpoint are the most that can go unseen.
    # Missed safety check-ins: a day ends in each team's own time zone, so the sweep runs often
    # and escalates each miss once (casework.services.checkins).
    "escalate-check-ins": {
        "task": "casework.escalate_check_ins",
        "schedule": datetime.timedelta(minutes=10),
    },
    # Follow-ups due today or past, in each team's day: their assignees are reminded once per
    # due day (casework.services.follow_ups).
    # The optional notification e-mails, each user at most once per their quiet period.
    "email-notifications": {
        "task": "accounts.send_notification_emails",
        "schedule": datetime.timedelta(minutes=SHIMTEO_EMAIL_NOTIFICATION_MINUTES),
    },
    "remind-follow-ups": {
        "task": "casework.remind_follow_ups",
        "schedule": datetime.timedelta(minutes=30),
    },
    "checkpoint-audit-chain": {
        "task": "ops.checkpoint_audit_chain",
        "schedule": datetime.timedelta(minutes=SHIMTEO_AUDIT_CHECKPOINT_MINUTES),
    },
}

# The organisation's document-signing key and certificate (PEM file paths): every advocacy PDF is
# signed with them (legal_aid/documents/signing.py). Required in production; development generates
# a self-signed pair once into SHIMTEO_SIGNING_DEV_DIR. After a rotation, the old certificates
# (comma-separated paths) so that documents signed before still verify.
SHIMTEO_SIGNING_KEY = env.str("SHIMTEO_SIGNING_KEY", default="")
SHIMTEO_SIGNING_CERT = env.str("SHIMTEO_SIGNING_CERT", default="")
SHIMTEO_SIGNING_OLD_CERTS = env.str("SHIMTEO_SIGNING_OLD_CERTS", default="")
SHIMTEO_SIGNING_DEV_DIR = Path(
    env.str("SHIMTEO_SIGNING_DEV_DIR", default=str(BASE_DIR / "var" / "signing"))
)

# pandoc, which writes the Word version of each advocacy document (legal_aid/documents/word.py).
SHIMTEO_PANDOC = env.str("SHIMTEO_PANDOC", default="/usr/bin/pandoc")

# Backups: encrypted with their own key, never with the field keys (a stolen backup and a stolen
# server should not open each other). Base64 of 32 bytes; development generates one into a file.
SHIMTEO_BACKUP_KEY = env.str("SHIMTEO_BACKUP_KEY", default="")
SHIMTEO_BACKUP_DEV_KEY_FILE = Path(
    env.str("SHIMTEO_BACKUP_DEV_KEY_FILE", default=str(BASE_DIR / "var" / "backup-key"))
)
# Retention: people whose every case closed more than this many years ago keep only anonymised
# facts; their identifying details are erased.
SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE = env.int("SHIMTEO_RETENTION_YEARS_AFTER_CLOSURE", default=7)

DEFAULT_EXCEPTION_REPORTER = "config.reporting.QuerylessExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.reporting.BodylessExceptionReporterFilter"
# One JSON object per line, each with the request (or task) id; "plain" for reading in a terminal.
# Messages never carry personal data: log references and ids, never names or posted values.
SHIMTEO_LOG_FORMAT = env.str("SHIMTEO_LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ops.logging.RequestIdFilter"},
        "no_query_string": {"()": "ops.logging.QueryStringFilter"},
        "no_template_context": {"()": "ops.logging.TemplateContextFilter"},
    },
    "formatters": {
        "json": {"()": "ops.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if SHIMTEO_LOG_FORMAT == "plain" else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request bodies of person forms must never reach the logs.
        "django.request": {"level": "ERROR"},
        # Its debug records carry the template context, decrypted names included, at any LOG_LEVEL.
        "django.template": {"filters": ["no_template_context"]},
        # The development server logs request lines: without their query strings.
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["no_query_string"],
        },
    },
}
