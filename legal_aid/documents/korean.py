"""
Korean particles chosen by the word they follow, not printed as alternatives: a translation
writes "%(person)s은(는)" because it cannot know the name, and `particles` picks 은 or 는 from the
last syllable's final consonant (받침) once the name is in. Digits are read as Sino-Korean
numbers (3 삼 → 은, 2 이 → 는); a closing bracket or quotation mark is looked through; Latin letters
are read as their English names (B 비 → 는, L 엘 → 은).
"""

import re

# (with a final consonant, without one); 으로/로: a final ㄹ takes 로.
PAIRS = {
    "은(는)": ("은", "는"),
    "(은)는": ("은", "는"),
    "이(가)": ("이", "가"),
    "(이)가": ("이", "가"),
    "을(를)": ("을", "를"),
    "(을)를": ("을", "를"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)다": ("이다", "다"),
    "(이)며": ("이며", "며"),
}
ALTERNATIVE = re.compile("|".join(re.escape(p) for p in PAIRS))
# Sino-Korean readings of the last digit: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in a consonant.
DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "3": "ㅁ", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ"}
# English letter names ending in a consonant: L 엘, M 엠, N 엔, R 알.
LETTER_FINAL = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}
SKIPPED = set(")]}\u201d\u2019\"'\u300d\u300f ")
FINALS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def final_consonant(word: str) -> str:
    """The final consonant of the last sounded character of `word`, "" when it ends in a vowel."""
    for char in reversed(word):
        if char in SKIPPED:
            continue
        if "가" <= char <= "힣":
            index = (ord(char) - 0xAC00) % 28
            return FINALS[index - 1] if index else ""
        if char.isdigit():
            return DIGIT_FINAL.get(char, "")
        if char.isascii() and char.isalpha():
            return LETTER_FINAL.get(char.lower(), "")
        return ""
    return ""


def particle(word: str, alternative: str) -> str:
    """The particle of `alternative` ("은(는)") that follows `word`."""
    with_final, without = PAIRS[alternative]
    final = final_consonant(word)
    if alternative == "(으)로":
        return without if final in ("", "ㄹ") else with_final
    return with_final if final else without


def particles(text: str) -> str:
    """`text` with every particle alternative resolved by the word before it."""
    out, last = [], 0
    for match in ALTERNATIVE.finditer(text):
        out.append(text[last : match.start()])
        out.append(particle(text[: match.start()], match.group()))
        last = match.end()
    out.append(text[last:])
    return "".join(out)
