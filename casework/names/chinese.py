"""
Names in Chinese characters: simplified and traditional forms folded into one (OpenCC), pinyin
without tones (pypinyin), and the Korean readings of the characters (Unihan's kHangul, in
`hanja_readings.txt`), so that 金英哲, 金英哲 in simplified form, Jin Yingzhe and 김영철 meet.
"""

import functools
import itertools
import unicodedata
from pathlib import Path

import opencc

READINGS_FILE = Path(__file__).with_name("hanja_readings.txt")
# Two-character Chinese family names; every other one is the first character.
COMPOUND_FAMILY_NAMES = frozenset(
    [
        "欧阳",
        "歐陽",
        "司马",
        "司馬",
        "诸葛",
        "諸葛",
        "上官",
        "南宫",
        "南宮",
        "皇甫",
        "东方",
        "東方",
        "夏侯",
        "慕容",
        "令狐",
        "司徒",
        "公孙",
        "公孫",
        "独孤",
        "獨孤",
        "鲜于",
        "鮮于",
    ]
)
# A name of many characters with several readings each could give hundreds of readings.
MAX_READINGS = 8


def is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def has_han(text: str) -> bool:
    return any(is_han(ch) for ch in text)


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    """Traditional characters in their simplified form (權 → 权); other text unchanged."""
    return _converter("t2s.json").convert(text) if has_han(text) else text


def traditional(text: str) -> str:
    return _converter("s2t.json").convert(text) if has_han(text) else text


@functools.cache
def _readings() -> dict[str, tuple[str, ...]]:
    table = {}
    for line in READINGS_FILE.read_text(encoding="utf-8").splitlines():
        character, readings = line.split("\t")
        table[character] = tuple(readings.split())
    return table


def readings_of(ch: str) -> tuple[str, ...]:
    """The Korean readings of one character in either form (金 → 금, 김); empty if unknown."""
    table = _readings()
    return table.get(ch) or table.get(traditional(ch)) or ()


def korean_readings(text: str) -> list[str]:
    """
    The Hangul readings of a name in characters (權金花 → 권금화, 권김화), at most MAX_READINGS;
    empty when a character has none.
    """
    per_character = []
    for ch in text:
        if not is_han(ch):
            continue
        readings = readings_of(ch)
        if not readings:
            return []
        per_character.append(readings)
    if not per_character:
        return []
    combinations = itertools.islice(itertools.product(*per_character), MAX_READINGS)
    return ["".join(combination) for combination in combinations]


def split_han(name: str) -> tuple[str, str]:
    """(family name, given name) of a name in characters."""
    characters = "".join(ch for ch in name if is_han(ch))
    if len(characters) >= 3 and characters[:2] in COMPOUND_FAMILY_NAMES:
        return characters[:2], characters[2:]
    return characters[:1], characters[1:]


def pinyin(text: str) -> str:
    """Pinyin without tones, unspaced, ü as v (權金花 → quanjinhua)."""
    # Imported here, not at the top: pypinyin reads its phrase dictionary as it is imported, 0.45 s
    # of CPU that every process would pay at start-up (each manage.py command, worker and server),
    # most of which never meets a Chinese name.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower()
