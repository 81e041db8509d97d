# Production image: Python 3.11 on Debian 12 (slim), WeasyPrint's libraries and CJK fonts, a
# non-root user, and no compiler. Build: `docker compose build`; see docs/OPERATIONS.md.

# --- builder: everything that needs build tools ends up as wheels -------------------------------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Only the dependency list: the application's source changes more often than its dependencies.
COPY pyproject.toml README.md ./
RUN pip wheel --wheel-dir /wheels . 'gunicorn>=23,<28'

# --- final image ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SHIMTEO_ENV=production \
    SHIMTEO_MEDIA_ROOT=/data/media
# WeasyPrint needs Pango (with HarfBuzz) and fontconfig; documents in Korean and Chinese need the
# Noto CJK fonts, English Liberation Sans (a true italic) and DejaVu Sans Mono. pandoc writes the
# Word version of each document. pg_dump/pg_restore (same major version as the postgres service).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
       fonts-noto-cjk fonts-liberation fonts-dejavu-core pandoc postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group shimteo \
    && mkdir -p /data/media /data/audit /data/beat /data/backups /srv/static \
    && chown -R shimteo:shimteo /data /srv/static
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY --chown=shimteo:shimteo . .
# Static files are collected at build time. Settings are read in development mode here only
# because production refuses to start without secrets, which a build must never see.
RUN SHIMTEO_ENV=development SHIMTEO_DEV_KEY_FILE=/tmp/build-keys \
    python manage.py collectstatic --no-input --verbosity 0 \
    && rm -f /tmp/build-keys \
    && chown -R shimteo:shimteo /app/var
USER shimteo
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "ops/deploy/healthcheck.py"]
# Gunicorn: sync workers; GUNICORN_CMD_ARGS (e.g. "--workers 5") tunes it without a rebuild.
# Its access log (off unless --access-logfile is given) names the path only: no query string
# (%(r)s, %(q)s) and no Referer (%(f)s), which may carry a searched name.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--graceful-timeout", "30", "--max-requests", "1000", \
     "--max-requests-jitter", "100", "--forwarded-allow-ips", "*", \
     "--access-logformat", "%(t)s \"%(m)s %(U)s\" %(s)s %(B)s %(M)sms"]
