"""
What the catalogue tests check, kept apart from the tests so a failure message can list every
offender at once: user-facing text left outside translation tags, and the state of the message
catalogues (.po read with a small parser, .mo read back with the standard library).
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ko", "zh_Hans"]
SKIPPED_DIRS = {".venv", "var", "benchmarks", "node_modules", ".git"}

# Words that are the same in every language: the name of the project (in English and Korean), the
# names of the languages (each in its own language, as a switcher shows them) and the name the
# swagger page takes from the API package.
ALLOWED_WORDS = {"Shimteo", "쉼터", "English", "한국어", "简体中文", "Swagger"}
# Attributes whose value a reader hears or sees.
VISIBLE_ATTRIBUTES = ("aria-label", "aria-description", "title", "alt", "placeholder", "label")

# Stands in for {{ variables }} and {% tags %}: not a letter, so never flagged.
PLACEHOLDER = "\ue000"
# "v3": a document's version, written the same in every language.
VERSION_MARK = re.compile(rf"\bv(?={PLACEHOLDER})")
TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
ATTRIBUTE = re.compile(
    r"""\s(""" + "|".join(VISIBLE_ATTRIBUTES) + r""")\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
SUBMIT_VALUE = re.compile(
    r"""^<input\b[^>]*\stype\s*=\s*["'](?:submit|button|reset)["']""", re.IGNORECASE
)
VALUE = re.compile(r"""\svalue\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
HIDDEN_CONTENT = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
WORD = re.compile(r"[^\W\d_]+")

# Blocks whose content is either translated as a whole or never shown.
SKIPPED_BLOCKS = {
    "comment": "endcomment",
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "verbatim": "endverbatim",
}


def template_files() -> list[Path]:
    """Every template of the project: templates/ and the templates directory of each app."""
    found = []
    for directory in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if directory.is_dir() and directory.parts[len(ROOT.parts)] not in SKIPPED_DIRS:
            found.extend(sorted(directory.rglob("*.html")) + sorted(directory.rglob("*.txt")))
    return sorted(set(found))


def _visible_source(source: str) -> str:
    """The template with its tags, variables and translated or commented blocks blanked out."""
    parts = []
    closing = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        else:
            if token.token_type == TokenType.BLOCK:
                closing = SKIPPED_BLOCKS.get(token.contents.split()[0])
            # Newlines kept so a line number can still be told.
            parts.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
    return "".join(parts)


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of user-facing text of a template outside translation tags."""
    text = _visible_source(source)
    text = HIDDEN_CONTENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found = []

    def visible_attributes(match: re.Match) -> str:
        tag = match.group(0)
        values = [a or b for _, a, b in ATTRIBUTE.findall(tag)]
        if SUBMIT_VALUE.search(tag):
            values += [a or b for a, b in VALUE.findall(tag)]
        line = text.count("\n", 0, match.start()) + 1
        found.extend((line, value) for value in values if _has_words(value))
        return " " + "\n" * tag.count("\n")

    text = TAG.sub(visible_attributes, text)
    text = VERSION_MARK.sub(" ", ENTITY.sub(" ", text))
    for number, line in enumerate(text.split("\n"), start=1):
        if _has_words(line):
            found.append((number, line.replace(PLACEHOLDER, "…").strip()))
    return sorted(found)


def _has_words(text: str) -> bool:
    return any(word not in ALLOWED_WORDS for word in WORD.findall(text))


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file as written by makemessages: one block per entry, blank lines
    between; the header entry (msgid "") left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = Entry(msgid="")
        target = None
        for raw in block.splitlines():
            entry.obsolete = entry.obsolete or raw.startswith("#~")
            line = raw[2:].strip() if raw.startswith("#~") else raw.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"') and target is not None:
                value = ast.literal_eval(line)
                if isinstance(target, int):
                    entry.msgstr[target] += value
                else:
                    setattr(entry, target, getattr(entry, target) + value)
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                keyword, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                if keyword.startswith("msgstr"):
                    target = int(keyword[7:-1]) if "[" in keyword else 0
                    entry.msgstr[target] = value
                else:
                    target = keyword
                    setattr(entry, keyword, value)
        if entry.msgid:
            entries.append(entry)
    return entries


def read_mo(path: Path) -> dict[str, str]:
    """The catalogue of a compiled .mo file, as gettext sees it."""
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def expected_mo_catalogue(entries: list[Entry]) -> dict:
    """What the .mo compiled from these .po entries holds (the header aside)."""
    expected = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.translated:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            for index, value in entry.msgstr.items():
                expected[(msgid, index)] = value
    return expected
