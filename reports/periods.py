"""The columns of a report over time: months, quarters or years, as many as fit a readable table."""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# More columns than this and the table no longer fits a page: use the next coarser step.
MAX_COLUMNS = 12


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive, never past the end of the report
    step: str  # "month", "quarter" or "year"

    @property
    def label(self) -> str:
        if self.step == "month":
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.step == "quarter":
            return _("%(year)s Q%(quarter)s") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        return str(self.start.year)

    @property
    def key(self) -> str:
        """A label that does not depend on the language, for exported files."""
        if self.step == "month":
            return self.start.strftime("%Y-%m")
        if self.step == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)


def periods(date_from: datetime.date, date_to: datetime.date) -> list[Period]:
    """Calendar months from `date_from` to `date_to`, or quarters, or years for long spans."""
    months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    if months <= MAX_COLUMNS:
        step, size = "month", 1
    elif months <= 3 * MAX_COLUMNS:
        step, size = "quarter", 3
    else:
        step, size = "year", 12
    start = date_from.replace(day=1)
    start = start.replace(month=(start.month - 1) // size * size + 1)
    found = []
    while start <= date_to:
        following = _add_months(start, size)
        end = min(following - datetime.timedelta(days=1), date_to)
        found.append(Period(start=max(start, date_from), end=end, step=step))
        start = following
    return found


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
