#!/usr/bin/env bash
# The Python side of the Dockerfile, for a machine without a Docker engine: what its two stages
# do, in a scratch folder, with this machine's Python 3.11 and Debian 12 standing in for the
# python:3.11-slim-bookworm base.
#
#   1. builder: wheels of every dependency from pyproject.toml and README.md alone;
#   2. final: a clean virtualenv installed from those wheels with --no-index (no compiler, no
#      network), the committed tree (git archive HEAD) copied in, collectstatic as the image runs it;
#   3. production settings with generated keys: `check --deploy`, migrate a scratch database,
#      gunicorn with the image's CMD arguments, and the container's health check against it;
#   4. the Debian packages the final stage installs, looked up in this machine's apt sources.
#
# Usage: ops/deploy/dry_build.sh [scratch-folder]   (PostgreSQL and Redis on 127.0.0.1; needs PyPI)
# Not run by CI. It does not replace building the image: the first `docker compose up` on a
# server with an engine is the real check.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-/tmp/shimteo-dry-build}
PYTHON=${PYTHON:-python3.11}
DATABASE=shimteo_dry_build
PORT=${PORT:-8765}

rm -rf "$WORK" && mkdir -p "$WORK/build" "$WORK/app" "$WORK/media"
echo "== builder: wheels from pyproject.toml alone"
cp "$ROOT/pyproject.toml" "$ROOT/README.md" "$WORK/build/"
"$PYTHON" -m venv "$WORK/builder"
"$WORK/builder/bin/pip" install --quiet --upgrade pip
gunicorn_range=$(grep -o "'gunicorn[^']*'" "$ROOT/Dockerfile" | tr -d "'")
(cd "$WORK/build" && "$WORK/builder/bin/pip" wheel --quiet --wheel-dir "$WORK/wheels" . "$gunicorn_range")

echo "== final: install with --no-index, copy the committed tree, collect static files"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --no-index --find-links="$WORK/wheels" "$WORK"/wheels/*.whl
git -C "$ROOT" archive HEAD | tar -x -C "$WORK/app"
cd "$WORK/app"
SHIMTEO_ENV=development SHIMTEO_DEV_KEY_FILE="$WORK/build-keys" \
    "$WORK/venv/bin/python" manage.py collectstatic --no-input --verbosity 0
test -d var/static/admin
# WeasyPrint finds Pango and a CJK font: a Korean and Chinese line becomes a PDF that embeds it.
"$WORK/venv/bin/python" -c "
import sys, weasyprint
open(sys.argv[1], 'wb').write(weasyprint.HTML(string='<p lang=ko>쉼터 避难所</p>').write_pdf())
" "$WORK/fonts.pdf"
pdffonts "$WORK/fonts.pdf" | grep -q "CJK.*yes" || { pdffonts "$WORK/fonts.pdf"; exit 1; }
echo "WeasyPrint embeds $(pdffonts "$WORK/fonts.pdf" | awk 'NR > 2 {print $1}' | sort -u | tr '\n' ' ')"

echo "== production settings, gunicorn with the image's arguments, the container health check"
key() { "$WORK/venv/bin/python" -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"; }
export SHIMTEO_ENV=production SECRET_KEY="$(key)$(key)" ALLOWED_HOSTS=shimteo.example.org \
    SHIMTEO_DOMAIN=shimteo.example.org SHIMTEO_FIELD_KEYS="k1:$(key)" SHIMTEO_INDEX_KEY="$(key)" \
    SHIMTEO_BACKUP_KEY="$(key)" SHIMTEO_AUDIT_KEY="$(key)" SHIMTEO_MEDIA_ROOT="$WORK/media" \
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DATABASE" \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DATABASE" -c "CREATE DATABASE $DATABASE" 2>/dev/null
"$WORK/venv/bin/python" manage.py check --deploy --fail-level WARNING
"$WORK/venv/bin/python" manage.py migrate --no-input --verbosity 0
# The CMD's arguments, on a loopback port instead of 0.0.0.0:8000.
mapfile -t cmd < <("$WORK/venv/bin/python" - "$ROOT/Dockerfile" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
print("\n".join(json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))))
PY
)
cmd=("${cmd[@]/0.0.0.0:8000/127.0.0.1:$PORT}")
"$WORK/venv/bin/${cmd[0]}" "${cmd[@]:1}" >"$WORK/gunicorn.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
sed "s/127.0.0.1:8000/127.0.0.1:$PORT/" ops/deploy/healthcheck.py >"$WORK/healthcheck.py"
"$WORK/venv/bin/python" "$WORK/healthcheck.py"
echo "health check passed"
kill "$server" && wait "$server" || true
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DATABASE"

echo "== Debian packages of the final stage"
packages=$("$WORK/venv/bin/python" - "$ROOT/Dockerfile" <<'PY'
import re, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
final_stage = text[text.rindex("\nFROM "):]
words = re.search(r"apt-get install ([^&]*)", final_stage).group(1).split()
print(" ".join(word for word in words if not word.startswith("-")))
PY
)
for package in $packages; do
    apt-cache show "$package" >/dev/null 2>&1 || { echo "missing Debian package: $package"; exit 1; }
done
echo "all found: $packages"
echo "dry build passed"
