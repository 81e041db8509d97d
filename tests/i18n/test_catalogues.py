"""
Every user-facing string reaches Korean and Chinese readers: templates keep their text inside
translation tags, the committed catalogues hold a translation for every string the code marks
(no missing, empty or fuzzy entry), and the compiled .mo files say what the .po files say.
"""

import shutil
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise

from accounts.timezones import zone_names

from .catalogue import (
    LANGUAGES,
    ROOT,
    SKIPPED_DIRS,
    expected_mo_catalogue,
    read_mo,
    read_po,
    template_files,
    untranslated_text,
)

OUR_APPS = {
    "accounts",
    "audit",
    "casework",
    "consent",
    "intake",
    "legal_aid",
    "ops",
    "referrals",
    "reports",
}
LANGUAGE_NAMES = {str(name) for _, name in settings.LANGUAGES}
# IANA time zones (Asia/Shanghai) are names, the same in every language.
ZONE_NAMES = set(zone_names())
# What makemessages is run with (the Makefile's `messages` target runs the same).
MAKEMESSAGES_IGNORE = [".venv", "var", "benchmarks"]


def _po(language: str):
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def test_templates_keep_their_text_in_translation_tags():
    """No template shows text, or a label read aloud, outside {% translate %} tags."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in template_files()
        for line, text in untranslated_text(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "Untranslated text in templates:\n" + "\n".join(offenders)


def test_the_checker_finds_text_outside_translation_tags():
    """The template checker flags visible text and labels, and lets translated text pass."""
    source = (
        "{% load i18n %}{# a comment #}<h1>{% translate 'Cases' %}</h1>"
        '<p title="Open it">{{ case.reference }} v{{ case.version }}</p>\n'
        '<nav aria-label="{% translate \'Main\' %}"><a href="/">Shimteo</a></nav>\n'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}\n"
        "{% comment %}Never shown{% endcomment %}<p>Forgotten text</p>\n"
        '<button type="submit" name="action" value="next">{% translate "Next" %}</button>'
    )
    assert untranslated_text(source) == [(1, "Open it"), (4, "… Forgotten text")]


def test_only_one_catalogue_for_the_project():
    """Translations live in locale/ only: no app keeps a catalogue of its own."""
    app_catalogues = [
        path.relative_to(ROOT)
        for path in ROOT.glob("*/locale")
        if path.parts[len(ROOT.parts)] not in SKIPPED_DIRS
    ]
    assert app_catalogues == []
    assert settings.LOCALE_PATHS == [ROOT / "locale"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_has_no_empty_or_fuzzy_entry(language):
    """Every entry of the committed catalogue is translated and none is fuzzy."""
    entries = [entry for entry in read_po(_po(language)) if not entry.obsolete]
    assert entries
    assert [e.msgid for e in entries if not e.translated] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert "fuzzy" not in _po(language).read_text(encoding="utf-8").split("msgid", 1)[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """
    The catalogues as makemessages would write them today, from a copy of the project (so the
    committed files are never touched): entries merged with the committed translations, so a
    string the code marks that the committed catalogue lacks comes out untranslated.
    """
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            *SKIPPED_DIRS, "*.mo", "*.sqlite3", "static", "__pycache__", ".*cache"
        ),
    )
    ignores = [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    locales = [f"--locale={language}" for language in LANGUAGES]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", *locales, *ignores],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return {
        language: read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        for language in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_in_the_committed_catalogue(extracted, language):
    """Each string marked for translation in code and templates has a committed translation."""
    committed = {entry.key for entry in read_po(_po(language)) if not entry.obsolete}
    current = [entry for entry in extracted[language] if not entry.obsolete]
    missing = [entry.msgid for entry in current if entry.key not in committed]
    assert not missing, "Run `make messages` and translate:\n" + "\n".join(missing)
    assert [e.msgid for e in current if not e.translated or "fuzzy" in e.flags] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    """The committed .mo holds exactly the translations of the committed .po."""
    entries = read_po(_po(language))
    compiled = read_mo(_po(language).with_suffix(".mo"))
    compiled.pop("", None)  # the header
    assert compiled == expected_mo_catalogue(entries)


def test_model_labels_are_translatable():
    """Admin and form labels of our models (names, fields, choices) go through gettext_lazy."""
    plain = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for attribute in ("verbose_name", "verbose_name_plural"):
            if not isinstance(model._meta.original_attrs.get(attribute), Promise):
                plain.append(f"{model.__name__}.Meta.{attribute}")
        for field in model._meta.get_fields():
            if not field.concrete or not getattr(field, "editable", False) or field.primary_key:
                continue
            if not isinstance(field.verbose_name, Promise):
                plain.append(f"{model.__name__}.{field.name}")
            for _, label in field.flatchoices:
                # Language names are written in their own language, whatever the interface's.
                if not isinstance(label, Promise) and str(label) not in LANGUAGE_NAMES | ZONE_NAMES:
                    plain.append(f"{model.__name__}.{field.name} choice {label!r}")
    assert plain == []
