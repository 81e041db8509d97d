"""
The catalogues hold what the code looks up: `make messages` (our `makemessages`) extracts the
legal library's texts, which are data, and the words written through `_label`, which xgettext
does not know by itself. Extracted without them, the library's translations and some words of
every timeline (Correct, Void, History) were left obsolete and came back in English.
"""

import ast
import gettext
from pathlib import Path

import pytest

from legal_aid.corpus import library_texts
from legal_aid.management.commands.makemessages import library_texts_source

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko", "zh_Hans")


def _catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django"


def _msgids(language: str) -> set[str]:
    """Every msgid of the language's .po, translated or not, as the code looks it up."""
    msgids, current, reading = set(), [], False
    for line in _catalogue(language).with_suffix(".po").read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, reading = [line[6:]], True
        elif reading and line.startswith('"'):
            current.append(line)
        elif reading:
            msgids.add("".join(ast.literal_eval(chunk) for chunk in current))
            reading = False
    return msgids - {""}


def _translated(language: str) -> dict:
    with _catalogue(language).with_suffix(".mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog


def _gettext_noop_arguments(source: str) -> list[str]:
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "gettext_noop"
    ]


def test_the_file_makemessages_reads_holds_every_library_text_once():
    texts = library_texts()
    assert _gettext_noop_arguments(library_texts_source()) == list(texts)
    # The titles, headings and summaries the documents cite, and the provenance the pages show.
    assert "Best interests of the child" in texts
    assert "art. 9(2)" in texts
    assert any(where.endswith(": provenance_note") for where in texts.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_text_of_the_library(language):
    """A text added to `corpus.json` reaches the translators with the next `make messages`."""
    assert sorted(set(library_texts()) - _msgids(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_library_is_translated(language):
    """
    The titles, headings and summaries the documents cite, and what the library's pages show
    beside them: the papers' provenance and places, the drafter's cautions, what each
    restriction is (shown in English, marked so, until translated: `{% corpus %}`).
    """
    translated = _translated(language)
    assert [text for text in library_texts() if text not in translated] == []


def _labels() -> set[str]:
    """Every literal looked up through `_label` (casework.templatetags._writing)."""
    labels = set()
    for path in (ROOT / "casework" / "templatetags").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "_label"
                and isinstance(node.args[0], ast.Constant)
            ):
                labels.add(node.args[0].value)
    return labels


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_written_through_label_is_translated(language):
    labels = _labels()
    assert {"Correct", "Void", "History", "current", "since birth"} <= labels
    assert sorted(labels - set(_translated(language))) == []
