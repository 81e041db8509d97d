"""
One word for one thing in each language: Korean staff read 사례관리자 for a caseworker and 사례 for a
case (사건 is an incident); Chinese staff read 权益 for a benefit (福利 only in "social welfare").
"""

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def _translations(language: str) -> list[tuple[str, str]]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    pairs = []
    for entry in text.split("\n\n"):
        source = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        target = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', entry, re.M)
        if source and target:
            pairs.append(
                tuple("".join(re.findall(r'"(.*)"', m.group(1))) for m in (source, target))
            )
    return pairs


@pytest.mark.parametrize("word", ["사례담당자", "케이스워커", "사회복지사"])
def test_korean_names_the_caseworker_one_way(word):
    assert [source for source, target in _translations("ko") if word in target] == []


def test_korean_calls_a_case_사례():
    wrong = [
        source
        for source, target in _translations("ko")
        if re.search(r"\b(my|your|a|the) case\b|\bcase record", source, re.I)
        and "사건" in target
        and "incident" not in source.lower()
    ]
    assert wrong == []


def test_chinese_calls_a_benefit_权益():
    wrong = [
        source
        for source, target in _translations("zh_Hans")
        if re.search(r"\bbenefits?\b", source, re.I) and "福利" in target
    ]
    assert wrong == []
