"""
Which text encoding a CSV file is in. Excel saves "CSV" in the Windows code page of its
language: CP949 in Korean, GB18030 (GBK) in Chinese, Big5 in Traditional Chinese; "CSV UTF-8"
and "Unicode text" (UTF-16) only when asked. The legacy code pages overlap so much that a Korean
file also decodes as Chinese text, only as nonsense: the encoding in which the header row reads
as known column names wins; failing that, a maintained detector (charset-normalizer) suggests
one and the supervisor is asked to confirm it against a preview, never told nothing.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The encodings offered, in the order tried, with how the supervisor knows them.
ENCODINGS = {
    "utf-8": _("UTF-8 (Unicode)"),
    "utf-16": _("UTF-16 (Excel “Unicode text”)"),
    "cp949": _("Korean (CP949 / EUC-KR)"),
    "gb18030": _("Simplified Chinese (GB18030 / GBK)"),
    "big5": _("Traditional Chinese (Big5)"),
}
LEGACY = ("cp949", "gb18030", "big5")
# The bytes the detector and the header test look at: the first lines are enough.
SAMPLE_BYTES = 64 * 1024
HEADER_LINES = 10


@dataclass(frozen=True)
class Detection:
    encoding: str
    certain: bool
    # Every encoding the file decodes in without error: what the supervisor may choose from.
    candidates: tuple[str, ...]


class NoEncoding(Exception):
    """The file decodes in none of the offered encodings."""


def decode(data: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        return data.decode("utf-8-sig")
    return data.decode(encoding)  # "utf-16" reads and drops its byte order mark


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        decode(data, encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect(data: bytes, header_score) -> Detection:
    """
    The file's encoding, and whether it is certain. `header_score(text)` counts the known column
    names among the first lines of a decoded text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return Detection("utf-8", True, ("utf-8",))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Detection("utf-16", True, ("utf-16",))
    if _decodes(data, "utf-8"):
        # Text in a legacy code page is almost never also valid UTF-8 past a few characters.
        return Detection("utf-8", True, ("utf-8",))
    candidates = tuple(encoding for encoding in LEGACY if _decodes(data, encoding))
    if not candidates:
        raise NoEncoding
    if len(candidates) == 1:
        return Detection(candidates[0], True, candidates)
    head = b"\n".join(data[:SAMPLE_BYTES].splitlines()[:HEADER_LINES])
    scores = {
        encoding: header_score(head.decode(encoding, errors="replace")) for encoding in candidates
    }
    best = max(scores.values())
    winners = [encoding for encoding, score in scores.items() if score == best]
    if best and len(winners) == 1:
        return Detection(winners[0], True, candidates)
    return Detection(_suggested(data, candidates), False, candidates)


def _suggested(data: bytes, candidates) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:SAMPLE_BYTES], cp_isolation=list(candidates)).best()
    names = {"euc_kr": "cp949", "cp949": "cp949", "gb18030": "gb18030", "gbk": "gb18030"}
    names.update({"gb2312": "gb18030", "big5": "big5", "big5hkscs": "big5"})
    return names.get(best.encoding, candidates[0]) if best else candidates[0]
