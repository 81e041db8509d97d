"""
The words a document may print of its own: its templates, the project's messages (every
user-visible string is a msgid of the catalogue) and the corpus of authorities. A username made
of letters only may be one of them ("advocate" in "Legal advocate"), and then its mere presence
in a document says nothing; see `username_shown`.
"""

import functools
import re

from django.conf import settings

WORD = re.compile(r"[^\W\d_]+")
MSGID = re.compile(r'^(?:msgid|msgid_plural)\s+"(.*)"\s*$')
CONTINUATION = re.compile(r'^"(.*)"\s*$')


@functools.cache
def fixed_words() -> frozenset[str]:
    """Every word, lower-cased, of the documents' fixed text (read once per process)."""
    base = settings.BASE_DIR
    texts = [path.read_text("utf-8") for path in (base / "templates/legal_aid/pdf").glob("*.html")]
    texts += [path.read_text("utf-8") for path in (base / "legal_aid/data").glob("*.*")]
    for catalogue in base.glob("locale/*/LC_MESSAGES/django.po"):
        in_msgid = False
        for line in catalogue.read_text("utf-8").splitlines():
            if found := MSGID.match(line):
                in_msgid = True
                texts.append(found.group(1))
            elif in_msgid and (found := CONTINUATION.match(line)):
                texts.append(found.group(1))
            else:
                in_msgid = False
    return frozenset(word.lower() for text in texts for word in WORD.findall(text))


def username_shown(username: str, text: str) -> bool:
    """
    Whether `text` shows `username`. A username is matched as a whole identifier token: not
    inside a longer word ("sue" in "issued") nor inside a longer identifier ("ann" in
    "ann.lee"). One made of letters only that is also a word of the documents' own fixed text
    cannot be told from that word, and the documents never print a username (they name the
    requester by role), so it is not looked for: otherwise every document the demo user
    `advocate` asks for would fail on "Legal advocate". Any other username ("yanbian.sup",
    "jkim", "lee2") is looked for, in any case.
    """
    if not username or (username.isalpha() and username.lower() in fixed_words()):
        return False
    token = rf"(?<![\w.@-]){re.escape(username)}(?![\w@-]|\.\w)"
    return re.search(token, text, flags=re.IGNORECASE) is not None
