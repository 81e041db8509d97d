"""
Korean names in Latin letters: Revised Romanization (RR, South Korea since 2000), McCune-Reischauer
(MR, the North's and most older papers), the spellings people actually use (Kim, Lee, Park), and
a *skeleton* that folds them all into one form.

Names are romanised syllable by syllable, without the sound changes between syllables that RR
applies to ordinary words: personal names are written that way (권금화 is Gwon Geum-hwa, not
Gwon Geumhwa with its assimilations), and every writer who spells a name by ear lands on one
of the forms the skeleton folds.
"""

import re
import unicodedata

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3

# Initial consonants, medial vowels and final consonants in Unicode's jamo order.
RR_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "-",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
MR_INITIALS = [
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "-",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
]
RR_VOWELS = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
MR_VOWELS = [
    "a",
    "ae",
    "ya",
    "yae",
    "ŏ",
    "e",
    "yŏ",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wŏ",
    "we",
    "wi",
    "yu",
    "ŭ",
    "ŭi",
    "i",
]
RR_FINALS = [
    "",
    *[
        "k",
        "k",
        "k",
        "n",
        "n",
        "n",
        "t",
        "l",
        "k",
        "m",
        "l",
        "l",
        "l",
        "p",
        "l",
        "m",
        "p",
        "p",
        "t",
        "t",
        "ng",
        "t",
        "t",
        "k",
        "t",
        "p",
        "t",
    ],
]
# A final consonant before a pause is written alike in both systems.
MR_FINALS = RR_FINALS
# MR writes a plain stop voiced between voiced sounds (Kim Tae-jung), unvoiced at a name's start.
MR_VOICED = {"k": "g", "t": "d", "p": "b", "ch": "j"}

# Family names of two syllables; every other Korean family name is the first syllable.
COMPOUND_FAMILY_NAMES = frozenset({"남궁", "황보", "제갈", "선우", "독고", "사공", "서문"})

# The initial-sound rule (두음법칙): the South writes 이, 유, 임, 노, 나 where the North writes
# 리, 류, 림, 로, 라. Family names are compared in the South's form.
INITIAL_SOUND_RULE = {"ㄹ": {"i": "ㅇ", "y": "ㅇ", "": "ㄴ"}, "ㄴ": {"i": "ㅇ", "y": "ㅇ"}}

# How family names are spelled in passports, UNHCR and embassy papers, and by ear: each
# spelling and the family names (in Hangul) it may stand for.
FAMILY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "김": ("kim", "gim", "ghim", "keem"),
    "이": ("lee", "yi", "rhee", "ri", "i", "ree", "yee", "rhie", "lie", "li", "rhi"),
    "박": ("park", "pak", "bak", "bark", "pack"),
    "최": ("choi", "choe", "choy", "chey", "chwe"),
    "정": ("jung", "chung", "jeong", "jong", "cheong", "chong", "joung", "jeung"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo", "joe", "chough"),
    "윤": ("yoon", "yun", "youn"),
    "장": ("jang", "chang"),
    "임": ("lim", "im", "rim", "yim", "leem"),
    "한": ("han", "hahn"),
    "오": ("oh", "o"),
    "서": ("seo", "suh", "so", "sur", "seu"),
    "신": ("shin", "sin", "sheen", "shinn"),
    "권": ("kwon", "gwon", "kweon", "kwun"),
    "황": ("hwang", "whang"),
    "안": ("ahn", "an"),
    "송": ("song", "soung"),
    "유": ("ryu", "yu", "yoo", "you", "ryoo", "lyu", "yoon", "rhyu"),
    "홍": ("hong",),
    "전": ("jeon", "chon", "jun", "chun", "jeun", "cheon", "jon"),
    "천": ("cheon", "chun", "chon"),
    "고": ("ko", "go", "koh", "goh"),
    "문": ("moon", "mun", "mun"),
    "양": ("yang", "ryang"),
    "손": ("son", "sohn"),
    "배": ("bae", "bai", "pae", "pai"),
    "백": ("baek", "paek", "baik", "paik", "back"),
    "허": ("heo", "hur", "huh", "her", "ho"),
    "남": ("nam",),
    "심": ("shim", "sim"),
    "노": ("noh", "no", "roh", "ro", "rho"),
    "하": ("ha",),
    "곽": ("kwak", "gwak"),
    "성": ("sung", "seong", "sang"),
    "차": ("cha",),
    "주": ("joo", "ju", "chu", "choo"),
    "우": ("woo", "wu", "u"),
    "구": ("koo", "ku", "gu", "goo"),
    "민": ("min",),
    "나": ("na", "ra", "rha"),
    "진": ("jin", "chin"),
    "지": ("ji", "chi"),
    "엄": ("eom", "um", "uhm", "eum"),
    "채": ("chae", "chai"),
    "원": ("won", "weon"),
    "방": ("bang", "pang"),
    "공": ("kong", "gong"),
    "현": ("hyun", "hyeon", "hyon"),
    "함": ("ham",),
    "변": ("byun", "byeon", "pyon", "pyun"),
    "염": ("yeom", "yum", "youm", "yom"),
    "여": ("yeo", "yo", "yeoh"),
    "추": ("choo", "chu"),
    "도": ("do", "doh", "to"),
    "소": ("so", "soh"),
    "석": ("seok", "suk", "sok"),
    "선": ("sun", "seon", "son"),
    "설": ("seol", "sul", "sol"),
    "마": ("ma",),
    "길": ("gil", "kil"),
    "위": ("wi", "wee"),
    "표": ("pyo",),
    "명": ("myung", "myeong", "myong"),
    "기": ("ki", "gi"),
    "반": ("ban", "pan"),
    "왕": ("wang",),
    "금": ("keum", "kum", "geum"),
    "옥": ("ok",),
    "육": ("yook", "yuk", "ryuk"),
    "인": ("in",),
    "맹": ("maeng",),
    "모": ("mo",),
    "탁": ("tak",),
    "국": ("kook", "kuk", "guk"),
    "남궁": ("namgung", "namkung"),
    "황보": ("hwangbo",),
    "제갈": ("jegal", "chegal"),
    "선우": ("sunwoo", "seonwoo", "seonu", "sonu"),
    "독고": ("dokgo", "tokko"),
    "사공": ("sagong",),
    "서문": ("seomun", "somun"),
}
SPELLED_FAMILIES: dict[str, frozenset[str]] = {}
for _family, _spellings in FAMILY_SPELLINGS.items():
    for _spelling in _spellings:
        SPELLED_FAMILIES[_spelling] = SPELLED_FAMILIES.get(_spelling, frozenset()) | {_family}

VOWELS = "aeiouwy"


def is_hangul(text: str) -> bool:
    return any(HANGUL_FIRST <= ord(ch) <= HANGUL_LAST for ch in text)


def _jamo(syllable: str) -> tuple[int, int, int] | None:
    code = ord(syllable) - HANGUL_FIRST
    if not 0 <= code <= HANGUL_LAST - HANGUL_FIRST:
        return None
    return code // 588, (code % 588) // 28, code % 28


def romanise_rr(hangul: str) -> str:
    """Revised Romanization, syllable by syllable; other characters are kept as they are."""
    out = []
    for ch in hangul:
        parts = _jamo(ch)
        if parts is None:
            out.append(ch)
            continue
        initial, vowel, final = parts
        out.append(RR_INITIALS[initial].replace("-", "") + RR_VOWELS[vowel] + RR_FINALS[final])
    return "".join(out)


def romanise_mr(hangul: str) -> str:
    """McCune-Reischauer, with its voicing of plain stops after a vowel or a voiced final."""
    out, previous_final = [], None
    for ch in hangul:
        parts = _jamo(ch)
        if parts is None:
            out.append(ch)
            previous_final = None
            continue
        initial, vowel, final = parts
        consonant = MR_INITIALS[initial].replace("-", "")
        voiced_before = previous_final is not None and previous_final in ("", "n", "m", "ng", "l")
        if voiced_before and consonant in MR_VOICED:
            consonant = MR_VOICED[consonant]
        if consonant == "s" and MR_VOWELS[vowel].startswith(("i", "wi")):
            consonant = "sh"
        out.append(consonant + MR_VOWELS[vowel] + MR_FINALS[final])
        previous_final = MR_FINALS[final]
    return "".join(out)


def split_hangul(name: str) -> tuple[str, str]:
    """(family name, given name) of a Korean name in Hangul, written spaced or not."""
    parts = name.split()
    if len(parts) > 1 and len(parts[0]) <= 2:
        return parts[0], "".join(parts[1:])
    joined = "".join(parts)
    if len(joined) >= 3 and joined[:2] in COMPOUND_FAMILY_NAMES:
        return joined[:2], joined[2:]
    return joined[:1], joined[1:]


def canonical_family(hangul: str) -> str:
    """A family name in the South's spelling (리 → 이, 류 → 유, 림 → 임, 로 → 노)."""
    parts = _jamo(hangul[:1]) if hangul else None
    if parts is None:
        return hangul
    initial, vowel, final = parts
    medial = RR_VOWELS[vowel]
    # ㄹ (5) and ㄴ (2) before i / y become ㅇ (11); ㄹ before other vowels becomes ㄴ.
    if initial in (2, 5) and medial.startswith(("i", "y")):
        initial = 11
    elif initial == 5:
        initial = 2
    return chr(HANGUL_FIRST + initial * 588 + vowel * 28 + final) + hangul[1:]


def latin_letters(text: str) -> str:
    """Lower-case ASCII letters only: MR's breves and apostrophes, hyphens and spaces go."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


# Applied in order to ASCII letters; each line folds spellings of one sound into one.
_FOLDS = [
    (re.compile(r"sh"), "s"),  # Shin / Sin, MR shi / RR si
    (re.compile(r"ch|tch|j"), "c"),  # RR j / ch, MR ch / ch'
    (re.compile(r"eo|ou"), "o"),  # RR eo, MR ŏ, Young / Yeong
    (re.compile(r"eu|oo"), "u"),  # RR eu, MR ŭ, Keum / Kum, Soon / Sun
    (re.compile(r"ui|ee"), "i"),  # Hui / Hee
    (re.compile(r"ae|ai"), "e"),  # ㅐ and ㅔ sound alike
    (re.compile(r"g"), "k"),  # plain stops, voiced or not
    (re.compile(r"d"), "t"),
    (re.compile(r"b"), "p"),
    (re.compile(r"r"), "l"),
    (re.compile(r"u"), "o"),  # ㅓ, ㅗ, ㅜ, ㅡ as people spell them: Sung / Seong, Jung / Jeong
    (re.compile(r"(?<=[aeiou])h(?![aeiouwy])"), ""),  # Ahn, Oh, Hahn
    (re.compile(r"(.)\1+"), r"\1"),  # kk, ss, tt, pp, jj
]


def skeleton(latin: str) -> str:
    """The form every spelling of one Korean name in Latin letters folds to (RR, MR, by ear)."""
    folded = latin_letters(latin)
    for pattern, replacement in _FOLDS:
        folded = pattern.sub(replacement, folded)
    return folded


def families_spelled(word: str) -> frozenset[str]:
    """The Korean family names (Hangul) a Latin spelling may stand for: 'Rhee' → {'이'}."""
    return SPELLED_FAMILIES.get(latin_letters(word), frozenset())
