"""`{% timeline_entry %}`: an entry of a case's timeline, each kind of record in its own words."""

import functools

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.translation import get_language, gettext_noop

from ..selectors.timeline import TimelineKind
from ._addresses import _row_address, _row_address_if_exists
from ._writing import _format_html, _format_html_join, _iso_day, _label, _translated, _username
from .casework_dates import day
from .casework_labels import label_of
from .casework_links import person_link, record_actions

register = template.Library()


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
