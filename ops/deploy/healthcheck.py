"""
Container health check for the web service: GET /healthz the way the proxy sends requests (an
allowed host name, HTTPS forwarded), so that neither ALLOWED_HOSTS nor the HTTPS redirect
answers in place of the app. Exit 0 when healthy.
"""

import os
import sys
import urllib.request

host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
