"""
The executive summary of every form: at most SUMMARY_WORDS words, with as many of the requests
as fit where a format left ASKS.
"""

from django.utils.translation import gettext as _

from .identifiers import HAN, HANGUL

SUMMARY_WORDS = 150
ASKS = "\uffffASKS\uffff"  # where the requests go in a summary, filled as many as fit


def words(text: str) -> int:
    """Words of a summary: spaces separate them, and each CJK character counts as half a word."""
    cjk = len(HAN.findall(text)) + len(HANGUL.findall(text))
    if cjk > len(text) / 3:
        return (cjk + 1) // 2
    return len(text.split())


def fit_summary(summary: str, requests: list[dict]) -> str:
    """The summary with as many requests as fit in SUMMARY_WORDS, in their order of strength."""
    asks = [r["what"] for r in requests]
    while asks:
        text = summary.replace(ASKS, " ".join(asks))
        if words(text) <= SUMMARY_WORDS:
            return text
        asks.pop()
    return summary.replace(ASKS, _("see the requests below."))
