"""
The rows of the dashboard's, the case list's and the case page's tables and lists, written in
Python: a template per row cost more than the rest of the page.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from ._addresses import _row_address_if_exists, _row_addresses
from ._writing import (
    _choice_label_in,
    _count_as,
    _day_as,
    _escaped,
    _format_html,
    _format_html_join,
    _label,
    _translated,
    _username,
)
from .casework_dates import _status_since
from .casework_labels import member_role
from .casework_links import _person_link

register = template.Library()


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
    # A transfer leaves the old team's follow-ups to no one (casework.services.cases): said, so
    # that the new team does not read a follow-up that names nobody as someone else's.
    no_one = _format_html("— {}", _label(gettext_noop("for no one yet")))
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
            else no_one
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
