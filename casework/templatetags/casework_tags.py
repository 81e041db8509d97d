"""Template tags for the casework pages."""

import datetime
import functools
import html
import re
import uuid

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.formats import date_format, localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from ..choices import MemberRole
from ..selectors.case_page import case_flags
from ..selectors.timeline import TimelineKind

register = template.Library()


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


# The one rendering of a form field (its label, widget, help and errors); `form_field` writes its
# common case in Python and leaves check boxes and lists of choices to it.
FIELD_TEMPLATE = "includes/field.html"
_FIELD_OF_CHOICES = frozenset({"checkboxselectmultiple", "radioselect", "checkbox"})


@register.simple_tag
def form_field(field) -> SafeString:
    """
    `{% include "includes/field.html" %}` for `field`, character for character: a text box or a
    drop-down (the template's last branch) written here, any other by the template. The case
    list draws ten fields on every page, and each include cost some 500 Python calls of
    template nodes around the widget's own HTML (tests/casework/test_widgets.py compares both).
    """
    if field.widget_type in _FIELD_OF_CHOICES:
        return mark_safe(render_to_string(FIELD_TEMPLATE, {"field": field}))  # noqa: S308
    errors = field.errors
    auto_id = _escaped(field.auto_id)
    help_text = (
        f'<small id="{auto_id}_helptext">{_escaped(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    shown_errors = "".join(
        f'<p class="error" id="{auto_id}_error">{_escaped(error)}</p>' for error in errors
    )
    return mark_safe(  # noqa: S308 - every value is escaped, the widget's HTML is Django's
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{_escaped(field.id_for_label)}">{_escaped(field.label)}</label>\n'
        f"  {field}\n  {help_text}\n  {shown_errors}\n</div>\n"
    )


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


def _url_name_exists(viewname: str) -> bool:
    *namespaces, name = viewname.split(":")
    resolver = get_resolver()
    for namespace in namespaces:
        try:
            resolver = resolver.namespace_dict[namespace][1]
        except KeyError:
            return False
    return name in resolver.reverse_dict


@register.simple_tag
def url_if_exists(viewname: str, *args) -> str:
    """
    The URL of `viewname`, or "" while no such page exists yet, so a page can offer a link to a
    form that another part of the app adds later. A page that exists but is given the wrong
    arguments still fails loudly.
    """
    if not _url_name_exists(viewname):
        return ""
    if args and all(isinstance(arg, str | uuid.UUID) for arg in args):
        # The case page asks a dozen (its actions, each follow-up's "Mark as done"), each of
        # which reverse() matched anew: reversed once per page kind, as a row's address is.
        return _row_address(viewname, *args[:-1], key=args[-1])
    return reverse(viewname, args=args)


@register.inclusion_tag("casework/includes/case_header.html")
def case_header(case, as_heading: bool = True, flags=None):
    """
    The header every page of a case starts with: reference, risk, status, team and flags. A form
    page that has its own <h1> passes as_heading=False; a page that has read the case's flags
    already passes them (`flags`), and they are not read again.
    """
    if flags is None:
        flags = list(case_flags(case))
    return {"case": case, "flags": flags, "as_heading": as_heading}


@register.filter
def member_role(value: str) -> str:
    """The label of a role in a case, for the selectors that hand back its stored value."""
    return MemberRole(value).label if value in MemberRole.values else value


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


@register.filter(expects_localtime=True)
def day(value):
    """
    `value|date` for a day (a `date`, not a `datetime`): the same text, formatted once per day
    and language. The dashboard formats 190 days, most of them the same few dozen, and Django's
    `date` translated the month's name anew for each (a tenth of the page's Python time).
    """
    return _day_as(value, get_language())


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


@register.filter(expects_localtime=True)
def iso_day(value) -> str:
    """`value|date:"Y-m-d"` for a <time>'s datetime in a template, as `_iso_day`."""
    return _iso_day(value)


@functools.cache
def _choice_labels(model, field_name: str, language: str | None) -> dict:
    """A field's choices as {stored value: label in `language`}, translated once per language."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


@register.filter
def label_of(record, field_name: str):
    """
    What `record.get_<field>_display()` says, from a table of the field's labels in the reader's
    language made once. Django's method rebuilds that table on every call and translates every
    label of the field to do so: a timeline row's country alone translated every country's name,
    some 200 translations per page, and every row of a list paid ten for one word.
    """
    return _choice_label_in(record, field_name, get_language())


def _choice_label_in(record, field_name: str, language: str | None):
    field = record._meta.get_field(field_name)
    value = getattr(record, field.attname)
    try:
        return _choice_labels(type(record), field_name, language).get(value, value)
    except TypeError:  # an unhashable value: no choice is one
        return value


@register.filter
def verbose_name(record) -> str:
    """What kind of record this is, in the user's language ("case note", "legal status record")."""
    return record._meta.verbose_name


# Rows of the case and person pages each link to a few pages that differ only by the row's key
# (a case page of 25 timeline entries made some 60 calls of reverse(), ≈ 80 µs each). The address
# is reversed once with a stand-in key of the key's kind, then the row's key is put in its place.
# A text's stand-in is no UUID, so that a text given where the pattern wants a UUID still fails.
_STAND_IN = uuid.UUID(int=0)
_TEXT_STAND_IN = "stand-in-key"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9-]+")


@functools.lru_cache(maxsize=1024)
def _address_with_stand_in(
    viewname: str, leading: tuple, stand_in, prefix: str, urlconf
) -> str | None:
    try:
        return reverse(viewname, urlconf=urlconf, args=[*leading, stand_in])
    except NoReverseMatch:
        # The stand-in does not fit the pattern (a number, say): reverse() checks each key.
        return None


def _row_address(viewname: str, *leading, key) -> str:
    """reverse(viewname, args=[*leading, key]), for a key of letters, digits and hyphens (a UUID,
    a reference) in the last part of the pattern; any other key goes through reverse() itself,
    which checks it against the pattern and quotes it."""
    return _row_addresses((viewname,), *leading, key=key)[0]


def _row_addresses(viewnames: tuple, *leading, key, where: tuple | None = None) -> list[str]:
    """_row_address of each of `viewnames` for one row, the script prefix and URL configuration
    (thread-local reads) asked once for all of them, or given as `where` by a table's `_Writer`."""
    text = str(key)
    if not _PLAIN_KEY.fullmatch(text):
        return [reverse(viewname, args=[*leading, key]) for viewname in viewnames]
    prefix, urlconf = where or (get_script_prefix(), get_urlconf())
    stand_in = _STAND_IN if isinstance(key, uuid.UUID) else _TEXT_STAND_IN
    addresses = []
    for viewname in viewnames:
        address = _address_with_stand_in(viewname, leading, stand_in, prefix, urlconf)
        addresses.append(
            reverse(viewname, args=[*leading, key])
            if address is None
            else address.replace(str(stand_in), text, 1)
        )
    return addresses


def _row_address_if_exists(viewname: str, *leading, key) -> str:
    """`url_if_exists(viewname, *leading, key)` for a row, reversed as `_row_address` does."""
    return _row_address(viewname, *leading, key=key) if _url_name_exists(viewname) else ""


@register.simple_tag
def record_url(record, action: str) -> str:
    """The address of a record's correction page ("correct", "void" or "history")."""
    return _row_address(f"casework:record_{action}", record.record_kind, key=record.pk)


# A record's three correction pages, in the order its links are written.
_CORRECTIONS = ("casework:record_correct", "casework:record_void", "casework:record_history")


@register.simple_tag
def record_actions(record, can_correct: bool) -> str:
    """
    Correct, Void and History for a record, to whoever may correct it (History only once voided).
    Written here rather than by a template: it is on every row of the timeline and the person's
    lists, where a template per row cost more than the rest of the row.
    """
    if not can_correct:
        return ""
    if record.is_voided:
        (history,) = _row_addresses(("casework:record_history",), record.record_kind, key=record.pk)
        lead = _format_html(
            '<span class="voided-note"><strong>{}</strong>: {}</span> · ',
            _label("Voided"),
            record.void_reason,
        )
    else:
        correct, void, history = _row_addresses(_CORRECTIONS, record.record_kind, key=record.pk)
        lead = _format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · ',
            correct,
            _label("Correct"),
            void,
            _label("Void"),
        )
    return _format_html(
        '<p class="record-actions">{}<a href="{}">{}</a></p>',
        lead,
        history,
        _label("History"),
    )


@register.simple_tag
def person_link(person) -> str:
    """A person's name linking to their page, and their reference (on every list of people)."""
    return _person_link(person, where=None)


def _person_link(person, *, where: tuple | None) -> str:
    (address,) = _row_addresses(("casework:person_detail",), key=person.reference, where=where)
    return _format_html(
        '<a href="{}">{}</a> <span class="ref">{}</span>',
        address,
        person.full_name,
        person.reference,
    )


class _Writer:
    """
    What the rows of one table are written in: the reader's language and the script prefix and
    URL configuration of their addresses, thread-local reads asked once per table instead of
    for each cell (`day`, `label_of`, `case_url` each asked them: ~40 Python calls a row).
    """

    def __init__(self):
        self.language = get_language()
        self.where = (get_script_prefix(), get_urlconf())

    def day(self, value) -> str:
        return _day_as(value, self.language)

    def label(self, record, field_name: str):
        return _choice_label_in(record, field_name, self.language)

    def count(self, number) -> str:
        return _count_as(number, self.language)

    def case_url(self, reference) -> str:
        return _row_addresses(("casework:case_detail",), key=reference, where=self.where)[0]

    def person_link(self, person) -> str:
        return _person_link(person, where=self.where)

    def status_since(self, status) -> str:
        return _status_since(status, self.day)


@register.simple_tag
def case_url(reference) -> str:
    """`{% url 'casework:case_detail' reference %}`, reversed once per language and script
    prefix (the dashboard links some hundred rows to their case)."""
    return _row_address("casework:case_detail", key=reference)


@register.simple_tag
def status_since(status) -> str:
    """When a legal status began ("since birth", or its day), on every list of statuses."""
    return _status_since(status, day)


def _status_since(status, day_of) -> str:
    if status.since_birth:
        return _label("since birth")
    began = status.effective_from
    return _format_html(
        '<time datetime="{}">{}</time>', began.isoformat() if began else "", day_of(began)
    )


_DETAINED_ROW = (
    '\n      <tr><th scope="row" data-label="{label_person}">{}\n</th>'
    '<td data-label="{label_since}">{}</td><td data-label="{label_days}">{}</td></tr>\n    '
)


@register.simple_tag
def detained_rows(detained, person_label, since_label, days_label) -> str:
    """
    The dashboard's rows of people detained for long, (status, days) each, written here as
    `case_rows`: a template row asking `person_link` and `status_since` cost ~150 Python calls,
    fifty rows for a supervisor.
    """
    row_format = _with_labels(
        _DETAINED_ROW, person=person_label, since=since_label, days=days_label
    )
    writer = _Writer()
    return _format_html_join(
        "",
        row_format,
        (
            (writer.person_link(status.person), writer.status_since(status), writer.count(days))
            for status, days in detained
        ),
    )


_MEMBER_ROW = (
    '\n      <tr>\n        <th scope="row" data-label="{label_person}">{}</th>'
    '\n        <td data-label="{label_role}">{}</td>'
    '\n        <td data-label="{label_status}">{}</td>'
    '\n        <td data-label="{label_since}">{}</td>\n      </tr>\n    '
)


@register.simple_tag
def member_rows(members, person_label, role_label, status_label, since_label) -> str:
    """
    The case page's rows of its people (`case_people_with_status`), written here as
    `detained_rows`: the template's row (a person link, two filters, an include of
    `status_since`) cost ~150 Python calls a member.
    """
    row_format = _with_labels(
        _MEMBER_ROW, person=person_label, role=role_label, status=status_label, since=since_label
    )
    writer = _Writer()
    # Marked (gettext_noop) for makemessages, as the template that wrote it was.
    not_recorded = _format_html(
        '<span class="hint">{}</span>', _label(gettext_noop("not recorded"))
    )
    return _format_html_join(
        "",
        row_format,
        (
            (
                writer.person_link(member.person),
                member_role(member.role),
                _format_html(
                    '<span class="status-{}">{}</span>',
                    member.status.status,
                    writer.label(member.status, "status"),
                )
                if member.status
                else not_recorded,
                writer.status_since(member.status) if member.status else "",
            )
            for member in members
        ),
    )


_OPEN_TASK_ITEM = "\n    <li{}>\n      {}\n      {}\n      {}\n      {}\n    </li>\n    "
_MARK_AS_DONE = (
    '\n      <form class="inline" method="post" action="{}">{}<input type="hidden" '
    'name="version" value="{}"><button type="submit" class="link">{}</button></form>\n      '
)


@register.simple_tag(takes_context=True)
def open_task_items(context, tasks, today, case) -> str:
    """
    The case page's open follow-ups, each item as the template wrote it (its due day, as
    `task_due.html`, whom it is for, and a "Mark as done" form to whoever may complete it),
    written here as `detained_rows`: the template's item cost ~300 Python calls a follow-up.
    """
    writer = _Writer()
    overdue_badge = _format_html(
        ' <strong class="badge">{}</strong>', _label(gettext_noop("overdue"))
    )
    # The form's token as `{% csrf_token %}` writes it, asked once for the list.
    csrf_input = CsrfTokenNode().render(context)
    # Marked (gettext_noop) for makemessages: no template holds these words for this list now.
    mark_as_done = _label(gettext_noop("Mark as done"))
    items = []
    for task in tasks:
        due, overdue = task.due_on, bool(task.due_on and task.due_on < today)
        due_text = (
            _format_html(
                '— <time datetime="{}">{}</time>{}',
                due.isoformat(),
                _translated(gettext_noop("due %(due)s"), due=writer.day(due)),
                overdue_badge if overdue else "",
            )
            if due
            else ""
        )
        assignee = (
            _format_html(
                "— {}", _translated(gettext_noop("for %(user)s"), user=_username(task.assignee))
            )
            if task.assignee
            else ""
        )
        complete_href = (
            _row_address_if_exists("casework:task_complete", case.reference, key=task.pk)
            if task.may_complete
            else ""
        )
        form = (
            _format_html(_MARK_AS_DONE, complete_href, csrf_input, task.version, mark_as_done)
            if complete_href
            else ""
        )
        items.append(
            _format_html(
                _OPEN_TASK_ITEM,
                mark_safe(' class="overdue"') if overdue else "",
                task.shown_title,
                due_text,
                assignee,
                form,
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - each item written by _format_html


@register.simple_tag
def status_change_items(statuses) -> str:
    """The dashboard's list of recent legal status changes, written as `detained_rows`."""
    writer = _Writer()
    return _format_html_join(
        "",
        "\n    <li>{} — {}\n: <strong>{}</strong></li>\n    ",
        (
            (
                writer.status_since(status),
                writer.person_link(status.person),
                writer.label(status, "status"),
            )
            for status in statuses
        ),
    )


def _with_labels(format_string: str, **labels) -> str:
    """
    `format_string` with each `{label_<name>}` replaced by that label, escaped: the rows of a
    table repeat their column's label in every cell (`data-label`), so it is escaped and put in
    once per table instead of once per cell. Its braces are doubled, to stay text in the
    format string the rows are then written with.
    """
    for name, label in labels.items():
        text = _escaped(label).replace("{", "{{").replace("}", "}}")
        format_string = format_string.replace(f"{{label_{name}}}", text)
    return format_string


_CASE_ROW = (
    '\n    <tr>\n      <th scope="row" data-label="{label_case}"><a href="{}">{}</a></th>'
    '\n      <td data-label="{label_principal}">{}</td>'
    '\n      <td class="risk-{}" data-label="{label_risk}">{}</td>'
    '\n      <td data-label="{label_status}">{}</td>'
    '\n      <td data-label="{label_team}">{}</td>'
    '\n      <td data-label="{label_people}">{}</td>'
    '\n      <td data-label="{label_opened}"><time datetime="{}">{}</time></td>'
    "\n      {}\n    </tr>\n  "
)


@register.simple_tag
def case_rows(cases, searched=False) -> str:
    """
    The rows of a table of cases (the case list's page, the dashboard's open cases), written
    here as `person_link` is: a template per row cost ~1,000 Python calls a row, fifty rows a
    page. Labels are translated and escaped once per table; each text is escaped as the
    template did.
    """
    row_format = _with_labels(
        _CASE_ROW,
        case=_("Case"),
        principal=_("Principal"),
        risk=_("Risk"),
        status=_("Status"),
        team=_("Team"),
        people=_("People"),
        opened=_("Opened"),
    )
    none_hint = _format_html('<span class="hint">{}</span>', _("none"))
    why_label = _("Why it was found") if searched else ""
    writer = _Writer()
    return _format_html_join(
        "", "{}", ((_case_row(case, row_format, none_hint, why_label, writer),) for case in cases)
    )


def _case_row(case, row_format: str, none_hint: str, why_label: str, writer: _Writer) -> str:
    principals = getattr(case, "principals", None) or ()
    names = (
        _format_html_join(", ", "{}", ((member.person.full_name,) for member in principals))
        if principals
        else none_hint
    )
    match = ""
    if why_label:
        found = getattr(case, "match", None)
        who = getattr(found, "person", None)
        match = _format_html(
            '<td class="match" data-label="{}">{}{}</td>',
            why_label,
            _format_html('<span class="match-who">{}</span>: ', who.full_name) if who else "",
            getattr(found, "reason", ""),
        )
    opened = case.opened_on
    return _format_html(
        row_format,
        writer.case_url(case.reference),
        case.reference,
        names,
        case.risk_level,
        writer.label(case, "risk_level"),
        writer.label(case, "status"),
        case.team,
        writer.count(case.member_count),
        opened.isoformat() if opened else "",
        writer.day(opened),
        match,
    )


_FOLLOW_UP_ROW = (
    '\n      <tr{}>\n        <th scope="row" data-label="{label_due}"><time datetime="{}">{}</time>{}</th>'
    '\n        <td data-label="{label_what}">{}</td>'
    '\n        <td data-label="{label_case}"><a href="{}">{}</a></td>'
    '\n        <td data-label="{label_for}">{}</td>\n      </tr>\n    '
)


@register.simple_tag
def followup_rows(tasks, today) -> str:
    """The dashboard's rows of follow-ups due (fifty at most), written here as `case_rows`."""
    row_format = _with_labels(
        _FOLLOW_UP_ROW, due=_("Due"), what=_("What to do"), case=_("Case"), **{"for": _("For")}
    )
    badges = {
        "overdue": _format_html(' <strong class="badge">{}</strong>', _("overdue")),
        "today": _format_html(' <strong class="badge">{}</strong>', _("today")),
    }
    writer = _Writer()
    return _format_html_join(
        "", "{}", ((_followup_row(task, today, row_format, badges, writer),) for task in tasks)
    )


def _followup_row(task, today, row_format: str, badges: dict, writer: _Writer) -> str:
    due = task.due_on
    overdue = due < today
    badge = badges["overdue"] if overdue else badges["today"] if due == today else ""
    assignee = task.assignee.get_username() if task.assignee is not None else ""
    return _format_html(
        row_format,
        mark_safe(' class="overdue"') if overdue else "",
        due.isoformat(),
        writer.day(due),
        badge,
        task.shown_title,
        writer.case_url(task.case.reference),
        task.case.reference,
        assignee or "—",
    )


def _translated(message: str, **values) -> str:
    """What `{% blocktranslate with name=value %}message{% endblocktranslate %}` renders: the
    translation as written, each value escaped."""
    return mark_safe(  # noqa: S308 - the translation is ours, the values are escaped
        _label(message) % {name: _escaped(value) for name, value in values.items()}
    )


def _username(user) -> str:
    return user.get_username() if user is not None else "—"


def _note_body(text) -> str:
    return _format_html('<div class="note-body">{}</div>', linebreaks_filter(text)) if text else ""


def _status_lines(record, person, case) -> list:
    until = (
        _format_html(
            " — {}",
            _translated(gettext_noop("until %(end)s"), end=day(record.effective_to)),
        )
        if record.effective_to
        else _format_html(" — {}", _label("current"))
    )
    return [
        _format_html(
            "<p>{}: <strong>{}</strong> ({}{}){}</p>",
            person_link(person),
            label_of(record, "status"),
            label_of(record, "country"),
            _format_html(", {}", record.place) if record.place else "",
            until,
        ),
        _format_html(
            '<p class="hint">{}</p>',
            _translated(gettext_noop("Source: %(source)s"), source=label_of(record, "source")),
        ),
        _note_body(record.note),
    ]


def _entitlement_lines(record, person, case) -> list:
    return [
        _format_html(
            '<p>{}: {} — <strong class="entitlement-{}">{}</strong></p>',
            person_link(person),
            label_of(record, "kind"),
            record.status,
            label_of(record, "status"),
        ),
        _note_body(record.note),
    ]


def _incident_lines(record, person, case, *, can_edit: bool) -> list:
    lines = [
        _format_html(
            "<p><strong>{}</strong> ({})</p>", label_of(record, "kind"), label_of(record, "region")
        ),
        _note_body(record.description),
    ]
    involved = list(record.people.all())
    if involved:
        lines.append(
            _format_html(
                "<p>{} {}</p>",
                _label("People involved:"),
                _format_html_join(", ", "{}", ((person_link(someone),) for someone in involved)),
            )
        )
    if can_edit and not record.is_voided:
        href = _row_address_if_exists("casework:incident_edit", case.reference, key=record.pk)
        if href:
            lines.append(
                _format_html('<p><a href="{}">{}</a></p>', href, _label("Change who was involved"))
            )
    return lines


def _task_lines(record, person, case) -> list:
    due = (
        _format_html(" — {}", _translated(gettext_noop("due %(due)s"), due=day(record.due_on)))
        if record.due_on
        else ""
    )
    assignee = (
        _format_html(
            " — {}", _translated(gettext_noop("for %(user)s"), user=_username(record.assignee))
        )
        if record.assignee
        else ""
    )
    return [_format_html("<p>{}{}{}</p>", record.shown_title, due, assignee)]


def _file_lines(record, person, case) -> list:
    if record.is_voided:
        name = _format_html("{}", record.original_name)
    else:
        name = _format_html(
            '<a href="{}" download>{}</a>',
            _row_address("casework:attachment_download", case.reference, key=record.pk),
            record.original_name,
        )
    return [
        _format_html(
            "<p>{}{}</p>", name, _format_html(" — {}", person_link(person)) if person else ""
        ),
        _note_body(record.description),
    ]


def _check_in_lines(record, person, case) -> list:
    return [
        _format_html(
            '<p>{}: <strong class="check-in-{}">{}</strong></p>',
            person_link(person),
            record.outcome,
            record.get_outcome_display(),
        ),
        _note_body(record.note),
    ]


# Who wrote each kind of entry down, as its foot says.
_WRITTEN_BY = {
    "note": (gettext_noop("Written by %(user)s"), "author"),
    "task": (gettext_noop("Set by %(user)s"), "created_by"),
    "task_done": (gettext_noop("Done by %(user)s"), "completed_by"),
    "file": (gettext_noop("Uploaded by %(user)s"), "uploaded_by"),
}
_RECORDED_BY = (gettext_noop("Recorded by %(user)s"), "recorded_by")


@functools.cache
def _timeline_labels(language: str | None) -> dict:
    """Each kind of timeline entry's name in `language`, translated once (not once a row)."""
    return {kind: str(label) for kind, label in TimelineKind.choices}


@register.simple_tag
def timeline_entry(entry, can_edit: bool, case) -> str:
    """
    One entry of the case's timeline, as the list item it was written as in a template: here in
    Python, because the template cost some 1,600 Python calls a row (25 rows a page), ten times
    what writing it out costs. Every text is translated and escaped as the template did.
    """
    record, kind = entry.record, entry.kind
    voided = getattr(record, "is_voided", False)
    note_kind = _format_html(" · {}", label_of(record, "kind")) if kind == "note" else ""
    when = _format_html(
        '<p class="timeline-when"><time datetime="{}">{}</time> · '
        '<span class="timeline-kind">{}{}</span></p>',
        _iso_day(entry.on),
        day(entry.on),
        _timeline_labels(get_language())[entry.kind],
        note_kind,
    )
    if kind == "status":
        lines = _status_lines(record, entry.person, case)
    elif kind == "entitlement":
        lines = _entitlement_lines(record, entry.person, case)
    elif kind == "incident":
        lines = _incident_lines(record, entry.person, case, can_edit=can_edit)
    elif kind == "note":
        lines = [_format_html('<div class="note-body">{}</div>', linebreaks_filter(record.body))]
    elif kind == "task":
        lines = _task_lines(record, entry.person, case)
    elif kind == "task_done":
        lines = [_format_html("<p>{}</p>", record.shown_title)]
    elif kind == "check_in":
        lines = _check_in_lines(record, entry.person, case)
    elif kind == "file":
        lines = _file_lines(record, entry.person, case)
    else:
        lines = []
    message, writer = _WRITTEN_BY.get(kind, _RECORDED_BY)
    actions = "" if kind in ("task_done", "check_in") else record_actions(record, can_edit)
    return _format_html(
        '\n  <li class="timeline-{}{}">\n{}\n{}\n<div class="timeline-foot">\n'
        '<p class="hint">{}</p>\n{}\n    </div>\n  </li>\n',
        kind,
        " voided" if voided else "",
        when,
        _format_html_join("\n", "{}", ((line,) for line in lines if line)),
        _translated(message, user=_username(getattr(record, writer))),
        actions,
    )
