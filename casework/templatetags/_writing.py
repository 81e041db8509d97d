"""
HTML written in Python as the templates wrote it, for the tags that write rows: escaped as Django
escapes, each fixed word translated, and each day, count and choice's label formatted, once per
language (forgotten when a test changes a setting they depend on).
"""

import datetime
import functools
import html

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as date_filter
from django.utils.formats import date_format, localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _escaped(value) -> str:
    """
    `conditional_escape(value)`, the same text, without Django's wrapper that looks through its
    arguments for lazy strings on every call: ~10 Python calls a value, and a dashboard's rows
    escape some 2,600 values (fifty cases of nine cells, fifty follow-ups, the people listed).
    """
    if isinstance(value, Promise):
        value = str(value)
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else html.escape(str(value))


def _format_html(format_string: str, *args) -> SafeString:
    """`format_html` for the rows written here: every argument escaped by `_escaped`."""
    return mark_safe(format_string.format(*map(_escaped, args)))  # noqa: S308 - escaped above


def _format_html_join(sep: str, format_string: str, rows) -> SafeString:
    """`format_html_join` for a plain separator (", " or ""): each row through `_format_html`."""
    return mark_safe(sep.join(_format_html(format_string, *row) for row in rows))  # noqa: S308


@functools.lru_cache(maxsize=512)
def _label_in(message: str, language: str | None) -> str:
    return _(message)


def _label(message: str) -> str:
    """
    `gettext(message)` for the fixed words of a row (Correct, Void, History...), translated once
    per language: each gettext takes some 25 Python calls, and a timeline page wrote them some
    hundred times.
    """
    return _label_in(message, get_language())


@functools.lru_cache(maxsize=4096)
def _day_in(day: datetime.date, language: str | None) -> str:
    return date_format(day)


@receiver(setting_changed)
def _forget_days(*, setting, **kwargs):
    # As Django forgets its own formats when a test changes them (numbers: their separators too).
    if setting.endswith(("FORMAT", "SEPARATOR", "GROUPING")) or setting in {
        "FORMAT_MODULE_PATH",
        "LANGUAGE_CODE",
    }:
        _day_in.cache_clear()
        _count_in.cache_clear()
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        # As Django forgets the translations it loaded.
        _label_in.cache_clear()


def _day_as(value, language: str | None) -> str:
    if type(value) is not datetime.date:
        return date_filter(value)
    return _day_in(value, language)


@functools.lru_cache(maxsize=1024)
def _count_in(number: int, language: str | None) -> str:
    return localize(number)


def _count(number) -> str:
    """
    `localize(number)` (`{{ number }}` in a template) for a count, written once per number and
    language: Django looks up the language's number format at each call, ~80 Python calls, for
    the member count of each of a list's fifty cases.
    """
    return _count_as(number, get_language())


def _count_as(number, language: str | None) -> str:
    if type(number) is not int:
        return localize(number)
    return _count_in(number, language)


def _iso_day(value) -> str:
    """`value|date:"Y-m-d"` (a <time>'s datetime), without Django's formatter for a plain day."""
    return value.isoformat() if type(value) is datetime.date else date_filter(value, "Y-m-d")


@functools.cache
def _choice_labels(model, field_name: str, language: str | None) -> dict:
    """A field's choices as {stored value: label in `language`}, translated once per language."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def _choice_label_in(record, field_name: str, language: str | None):
    field = record._meta.get_field(field_name)
    value = getattr(record, field.attname)
    try:
        return _choice_labels(type(record), field_name, language).get(value, value)
    except TypeError:  # an unhashable value: no choice is one
        return value


def _translated(message: str, **values) -> str:
    """What `{% blocktranslate with name=value %}message{% endblocktranslate %}` renders: the
    translation as written, each value escaped."""
    return mark_safe(  # noqa: S308 - the translation is ours, the values are escaped
        _label(message) % {name: _escaped(value) for name, value in values.items()}
    )


def _username(user) -> str:
    return user.get_username() if user is not None else "—"
