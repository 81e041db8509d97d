"""
The reports as published: each count table labelled, suppressed and charted. The page and the
exported files show the same suppressed figures, so what is copied off the screen is as safe as
the file, and the charts match the tables.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Team
from casework.choices import EntitlementKind, IncidentKind, LegalStatus, PersonRole
from referrals.choices import ProviderKind, Service
from referrals.choices import Status as ReferralStatus

from . import charts, selectors
from .periods import periods as make_periods
from .routing import reading_replica
from .suppression import SuppressedTable, small_count_threshold, suppress_table

# Table names, used in export URLs (?table=) and as sheet names.
NAMES = (
    "legal-status",
    "refusals",
    "incidents",
    "children",
    "detentions",
    "follow-up",
    "referrals-service",
    "referrals-provider",
    "referrals-outcome",
)


@dataclass
class ReportTable:
    """One published table: labels, suppressed counts, and what it means."""

    name: str
    title: str
    caption: str
    row_heading: str
    rows: list[str]
    columns: list[str]
    counts: SuppressedTable
    # A column of figures that are not counts (median days): one per row, and one for all rows.
    extra_heading: str = ""
    extra_values: list[float | None] = field(default_factory=list)
    extra_total: float | None = None
    chart: SafeString | str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def shown(self, value) -> str:
        return hidden_text() if value is None else number_format(value, force_grouping=True)

    @property
    def extra(self) -> list[str]:
        return [_decimal(value) for value in self.extra_values]

    @property
    def extra_total_text(self) -> str:
        return _decimal(self.extra_total)

    def body(self) -> list[tuple[str, list[tuple[str, str]], str | None, str | None]]:
        """
        Per row: its label, its cells as (column, text) pairs (the column names a cell on a
        phone, where each row is a card), its total (None when rows have no total) and the
        figure of the extra column (None when there is none).
        """
        totals = self.counts.row_totals
        extra = self.extra if self.extra_heading else [None] * len(self.rows)
        return [
            (
                label,
                [
                    (column, self.shown(value))
                    for column, value in zip(self.columns, cells, strict=True)
                ],
                self.shown(totals[i]) if totals is not None else None,
                extra[i],
            )
            for i, (label, cells) in enumerate(zip(self.rows, self.counts.cells, strict=True))
        ]

    def footer(self) -> tuple[list[tuple[str, str]], str | None] | None:
        """
        The column totals as (column, text) pairs, and the grand total; None when no totals row
        is printed.
        """
        if self.counts.col_totals is None:
            return None
        grand = self.shown(self.counts.grand_total) if self.counts.row_totals is not None else None
        return [
            (column, self.shown(value))
            for column, value in zip(self.columns, self.counts.col_totals, strict=True)
        ], grand

    def grid(self) -> list[list]:
        """
        The whole table, headings first, as the exports write it: counts as numbers, the word
        for "hidden" where a value is suppressed.
        """
        counts, hidden = self.counts, hidden_text()
        has_row_totals = counts.row_totals is not None

        def raw(value):
            return hidden if value is None else value

        head = [self.row_heading, *self.columns]
        if has_row_totals:
            head.append(_("Total"))
        if self.extra_heading:
            head.append(self.extra_heading)
        lines = [head]
        for index, (label, cells) in enumerate(zip(self.rows, counts.cells, strict=True)):
            line = [label, *map(raw, cells)]
            if has_row_totals:
                line.append(raw(counts.row_totals[index]))
            if self.extra_heading:
                line.append(raw(self.extra_values[index]))
            lines.append(line)
        if counts.col_totals is not None and self.rows:
            line = [_("Total"), *map(raw, counts.col_totals)]
            if has_row_totals:
                line.append(raw(counts.grand_total))
            if self.extra_heading:
                line.append(raw(self.extra_total))
            lines.append(line)
        return lines


def hidden_text() -> str:
    return _("hidden")


def _decimal(value: float | None) -> str:
    return hidden_text() if value is None else number_format(value, decimal_pos=1)


@dataclass
class Filters:
    date_from: datetime.date
    date_to: datetime.date
    team: Team | None = None


def build(user, filters: Filters, *, only: str | None = None) -> list[ReportTable]:
    """
    The tables of the reports page (or only the one named) as `user` may see and publish them,
    counted on the read replica when there is one (`reports.routing`).
    """
    with reading_replica():
        return _build(user, filters, only=only)


def _build(user, filters: Filters, *, only: str | None) -> list[ReportTable]:
    threshold = small_count_threshold()
    scope = selectors.scope_for(user, team=filters.team)
    periods = make_periods(filters.date_from, filters.date_to)
    builders = {
        "legal-status": lambda: _legal_status(scope, periods, threshold),
        "refusals": lambda: _refusals(scope, filters, threshold),
        "incidents": lambda: _incidents(scope, periods, threshold),
        "children": lambda: _children(scope, filters, threshold),
        "detentions": lambda: _detentions(scope, filters, threshold),
        "follow-up": lambda: _follow_up(scope, periods, threshold),
        "referrals-service": lambda: _referrals(scope, filters, threshold, "service"),
        "referrals-provider": lambda: _referrals(scope, filters, threshold, "provider_kind"),
        "referrals-outcome": lambda: _referrals(scope, filters, threshold, "status"),
    }
    tables = [builder() for name, builder in builders.items() if only in (None, name)]
    for table in tables:
        if not table.is_empty:
            table.chart = _chart(table)
    return tables


def stored(table: ReportTable) -> dict:
    """
    A published table as a worker's count keeps it (`ReportRun.tables`): its labels and its
    suppressed counts, nothing else. The chart is drawn again from them (`from_stored`).
    """
    counts = table.counts
    return {
        "name": table.name,
        "title": table.title,
        "caption": table.caption,
        "row_heading": table.row_heading,
        "rows": list(table.rows),
        "columns": list(table.columns),
        "cells": counts.cells,
        "row_totals": counts.row_totals,
        "col_totals": counts.col_totals,
        "grand_total": counts.grand_total,
        "hidden": sorted(list(position) for position in counts.hidden),
        "extra_heading": table.extra_heading,
        "extra_values": list(table.extra_values),
        "extra_total": table.extra_total,
    }


def from_stored(data: dict) -> ReportTable:
    """A table kept by `stored`, with its chart, as `build` gives it."""
    table = ReportTable(
        name=data["name"],
        title=data["title"],
        caption=data["caption"],
        row_heading=data["row_heading"],
        rows=data["rows"],
        columns=data["columns"],
        counts=SuppressedTable(
            cells=data["cells"],
            row_totals=data["row_totals"],
            col_totals=data["col_totals"],
            grand_total=data["grand_total"],
            hidden=frozenset(tuple(position) for position in data["hidden"]),
        ),
        extra_heading=data["extra_heading"],
        extra_values=data["extra_values"],
        extra_total=data["extra_total"],
    )
    if not table.is_empty:
        table.chart = _chart(table)
    return table


def _grid(counts: dict, row_keys: list, column_count: int) -> list[list[int]]:
    return [[counts.get((key, j), 0) for j in range(column_count)] for key in row_keys]


def _present(keys, counts: dict) -> list:
    """The keys (in their order) that have at least one count: empty rows are left out."""
    used = {key for key, _column in counts}
    return [key for key in keys if key in used]


def _legal_status(scope, periods, threshold) -> ReportTable:
    counts = selectors.people_by_status(scope, periods)
    statuses = _present([s.value for s in LegalStatus], counts)
    labels = dict(LegalStatus.choices)
    return ReportTable(
        name="legal-status",
        title=_("People by legal status over time"),
        caption=_(
            "People whose recorded legal status covered the last day of each period. A person "
            "with no status recorded that day is not counted."
        ),
        row_heading=_("Legal status"),
        rows=[str(labels[s]) for s in statuses],
        columns=[period.label for period in periods],
        # Summing a person over several dates means nothing, so rows have no total.
        counts=suppress_table(
            _grid(counts, statuses, len(periods)), threshold=threshold, row_totals=False
        ),
    )


def _refusals(scope, filters, threshold) -> ReportTable:
    counts = selectors.entitlements_refused(scope, as_of=filters.date_to)
    kinds = _present([k.value for k in EntitlementKind], counts)
    roles = [r.value for r in PersonRole]
    labels = dict(EntitlementKind.choices)
    return ReportTable(
        name="refusals",
        title=_("Benefits refused, by benefit"),
        caption=_(
            "People whose latest record of a benefit on %(date)s is a refusal, by their role. "
            "A person refused several benefits is counted once for each."
        )
        % {"date": _date(filters.date_to)},
        row_heading=_("Benefit"),
        rows=[str(labels[k]) for k in kinds],
        columns=[str(r.label) for r in PersonRole],
        counts=suppress_table(
            [[counts.get((k, r), 0) for r in roles] for k in kinds], threshold=threshold
        ),
    )


def _incidents(scope, periods, threshold) -> ReportTable:
    counts = selectors.incidents_by_kind(scope, periods)
    kinds = _present([k.value for k in IncidentKind], counts)
    labels = dict(IncidentKind.choices)
    return ReportTable(
        name="incidents",
        title=_("Incidents by kind and month"),
        caption=_(
            "Incidents recorded in each period that involve at least one person counted in "
            "statistics. Long reports count by quarter or year instead of month."
        ),
        row_heading=_("Kind of incident"),
        rows=[str(labels[k]) for k in kinds],
        columns=[period.label for period in periods],
        counts=suppress_table(_grid(counts, kinds, len(periods)), threshold=threshold),
    )


def _children(scope, filters, threshold) -> ReportTable:
    counts = selectors.children_without_registration(scope, as_of=filters.date_to)
    years = sorted({year for year, _state in counts}, key=lambda y: (y is None, y or 0))
    states = selectors.REGISTRATION_STATES
    state_labels = {
        selectors.REFUSED: _("Registration refused"),
        selectors.PENDING: _("Registration pending"),
        selectors.NO_RECORD: _("Not sought or no record"),
    }
    return ReportTable(
        name="children",
        title=_("Children without registration, by year of birth"),
        caption=_(
            "Children whose latest household-registration (hukou) record on %(date)s is not a "
            "grant, or who have none, and whose legal status that day is not “Child registered”."
        )
        % {"date": _date(filters.date_to)},
        row_heading=_("Year of birth"),
        rows=[str(year) if year is not None else _("Unknown") for year in years],
        columns=[state_labels[s] for s in states],
        counts=suppress_table(
            [[counts.get((year, s), 0) for s in states] for year in years], threshold=threshold
        ),
    )


def _detentions(scope, filters, threshold) -> ReportTable:
    counts = selectors.detentions(scope, date_from=filters.date_from, date_to=filters.date_to)
    labels = {
        selectors.DEPORTED: _("Deported or repatriated"),
        selectors.RELEASED: _("Released"),
        selectors.STILL_DETAINED: _("Still detained"),
        selectors.DIED: _("Died"),
        selectors.UNKNOWN: _("Outcome unknown"),
    }
    outcomes = selectors.OUTCOMES if any(counts.values()) else ()
    return ReportTable(
        name="detentions",
        title=_("Detentions and their outcomes"),
        caption=_(
            "Detentions that began in the period (a “Detained in China” status, or a detention "
            "incident for someone not recorded as detained that day), by what followed as "
            "recorded on %(date)s: a deportation incident or a “Repatriated” status, release "
            "into any other status, still detained, death, or nothing recorded yet."
        )
        % {"date": _date(filters.date_to)},
        row_heading=_("Outcome"),
        rows=[labels[o] for o in outcomes],
        columns=[_("Detentions")],
        counts=suppress_table(
            [[counts.get(o, 0)] for o in outcomes], threshold=threshold, row_totals=False
        ),
    )


def _follow_up(scope, periods, threshold) -> ReportTable:
    found = selectors.follow_ups(scope, periods)
    indexes = list(range(len(periods))) if any(found.opened.values()) else []
    counts = suppress_table(
        [[found.opened.get(i, 0), found.followed.get(i, 0)] for i in indexes],
        threshold=threshold,
        row_totals=False,
    )

    def median(followed: int | None, value: float | None) -> float | None:
        # A median of fewer cases than the threshold would say too much about each of them.
        if followed is None or followed < threshold:
            return None
        return value

    extra = [median(counts.cells[row][1], found.median(i)) for row, i in enumerate(indexes)]
    total_followed = counts.col_totals[1] if indexes else None
    return ReportTable(
        name="follow-up",
        title=_("Time from intake to first follow-up"),
        caption=_(
            "Cases opened in each period whose principal member is counted in statistics; the "
            "first follow-up is the first task created or note written on the case, up to the "
            "end of the report. Days are counted from the day the case was opened."
        ),
        row_heading=_("Opened in"),
        rows=[periods[i].label for i in indexes],
        columns=[_("Cases opened"), _("Followed up")],
        counts=counts,
        extra_heading=_("Median days to first follow-up"),
        extra_values=extra,
        extra_total=median(total_followed, found.median()) if indexes else None,
    )


def _referrals(scope, filters, threshold, by: str) -> ReportTable:
    """Referrals made in the period by service, by kind of provider, or by outcome so far."""
    field, choices, title, heading = {
        "service": ("service", Service, _("Referrals by service"), _("Service")),
        "provider_kind": (
            "provider__kind",
            ProviderKind,
            _("Referrals by kind of provider"),
            _("Kind of provider"),
        ),
        "status": ("status", ReferralStatus, _("Referrals by outcome"), _("Outcome so far")),
    }[by]
    counts = selectors.referrals_by(
        scope, field, date_from=filters.date_from, date_to=filters.date_to
    )
    keys = [choice.value for choice in choices] if any(counts.values()) else []
    return ReportTable(
        name={"service": "referrals-service", "provider_kind": "referrals-provider"}.get(
            by, "referrals-outcome"
        ),
        title=title,
        caption=_(
            "Referrals made from %(start)s to %(end)s, of people who agreed to be counted; "
            "the outcome is the referral's status today."
        )
        % {"start": _date(filters.date_from), "end": _date(filters.date_to)},
        row_heading=heading,
        rows=[str(choices(key).label) for key in keys],
        columns=[_("Referrals")],
        counts=suppress_table(
            [[counts.get(key, 0)] for key in keys], threshold=threshold, row_totals=False
        ),
    )


def _date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _chart(table: ReportTable) -> SafeString:
    chart_id = f"chart-{table.name}"
    if table.name in ("legal-status", "incidents"):
        return charts.line_chart(
            chart_id=chart_id,
            title=table.title,
            desc=_(
                "Line chart, one line per row of the table beside it, which lists the same "
                "figures. A hidden count leaves a gap in its line."
            ),
            x_labels=table.columns,
            series=list(zip(table.rows, table.counts.cells, strict=True)),
        )
    if table.name == "follow-up":
        bars = list(zip(table.rows, table.extra_values, table.extra, strict=True))
        desc = _(
            "Bar chart of the median days to first follow-up for each period, as in the last "
            "column of the table beside it. A hidden median draws no bar."
        )
    else:
        totals = (
            table.counts.row_totals
            if table.counts.row_totals is not None
            else [row[0] for row in table.counts.cells]
        )
        bars = [
            (label, value, table.shown(value))
            for label, value in zip(table.rows, totals, strict=True)
        ]
        desc = _(
            "Bar chart, one bar per row of the table beside it (its total), which lists the "
            "same figures. A hidden count draws no bar."
        )
    return charts.bar_chart(chart_id=chart_id, title=table.title, desc=desc, bars=bars)
