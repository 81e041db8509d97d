"""
The one home of the date rules for dated facts about a person: nothing happens after today,
nothing happens to someone before they were born, and a legal-status period lies inside the
person's life. The casework services call these rules, so a page form, the API and the import
all refuse an impossible date with the same error on the same field; the intake wizard's forms
use them too.

"Today" is the day where the user works, not in UTC: in the zone that
accounts.middleware.LocalTimeMiddleware activated for the request (the user's own, else their
team's), else in `SHIMTEO_DEFAULT_TIME_ZONE` (Asia/Shanghai, Django's TIME_ZONE). A detention
recorded just after midnight in Shanghai happened today, and one dated the next Shanghai day has
not happened yet even while UTC is still on the previous day. `today()` is the one way the app
asks for the day: dashboards ("overdue", "due today"), default dates, the date rules.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.timezones import team_zone_name, zone


def today(*, team=None, now: datetime.datetime | None = None) -> datetime.date:
    """The current day in the active time zone, or in `team`'s (for work done for a team outside
    a request, as a document rendered by a worker). `now` is the moment to read instead of the
    clock (a beat task's frozen clock in tests)."""
    now = now or timezone.now()
    if team is not None:
        return timezone.localdate(now, zone(team_zone_name(team)))
    return timezone.localdate(now)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day a moment falls on where the reader works (the active time zone): a note written
    at 00:30 in Shanghai and a follow-up set at that minute are of the same day, whatever the
    day is in UTC."""
    return timezone.localtime(moment).date()


def birth_floor(*, date_of_birth=None, birth_year=None) -> datetime.date | None:
    """The earliest day anything can have happened to a person: their birth, or 1 January of
    their birth year when only the year is known; None when neither is."""
    if date_of_birth:
        return date_of_birth
    if birth_year:
        return datetime.date(birth_year, 1, 1)
    return None


def person_birth_floor(person) -> datetime.date | None:
    return birth_floor(date_of_birth=person.date_of_birth, birth_year=person.birth_year)


def future_error() -> str:
    return _("This date is in the future.")


def refuse_future(value, *, field: str) -> None:
    """Refuse a day after today (in the teams' time zone)."""
    if value and value > today():
        raise ValidationError({field: future_error()})


def not_in_future(value) -> None:
    """The same rule as a form field validator, for the intake wizard's forms."""
    if value and value > today():
        raise ValidationError(future_error())


def birth_year_error(*, date_of_birth=None, birth_year=None) -> str | None:
    """Why a birth year does not fit the date of birth given beside it, or None."""
    if date_of_birth and birth_year and date_of_birth.year != birth_year:
        return _("The birth year must match the date of birth.")
    return None


def check_birth(*, date_of_birth=None, birth_year=None) -> None:
    """A person is not born after today."""
    refuse_future(date_of_birth, field="date_of_birth")
    if birth_year and birth_year > today().year:
        raise ValidationError({"birth_year": _("This year is in the future.")})


def check_event(value, *, field: str, people=()) -> None:
    """A dated fact about `people`: not after today and not before any of them was born."""
    refuse_future(value, field=field)
    if not value:
        return
    for person in people:
        floor = person_birth_floor(person)
        if floor and value < floor:
            raise ValidationError(
                {
                    field: _("This date is before the birth of %(person)s (%(year)s).")
                    % {"person": person.reference, "year": floor.year}
                }
            )


def check_period(person, *, start, end=None, start_field: str, end_field: str) -> None:
    """A legal-status period inside the person's life: from their birth to today at most."""
    check_event(start, field=start_field, people=[person])
    check_event(end, field=end_field, people=[person])


# How long before a case was opened a contact it records may have taken place: the calls and
# visits of the weeks of intake are written down once the case exists, but a note a decade
# older than its case is a mistyped year ("2014" for "2024").
CONTACT_BEFORE_CASE_DAYS = 366


def check_contact(value, *, case, field: str = "contacted_on") -> None:
    """The day of a contact recorded in a case: not after today, not long before the case."""
    refuse_future(value, field=field)
    if (
        value
        and case.opened_on
        and value < case.opened_on - datetime.timedelta(days=CONTACT_BEFORE_CASE_DAYS)
    ):
        raise ValidationError(
            {
                field: _("This date is more than a year before the case was opened (%(opened)s).")
                % {"opened": date_format(case.opened_on)}
            }
        )


def check_person_facts(person, *, date_of_birth=None, birth_year=None) -> None:
    """A changed birth may not come after a fact already recorded about the person."""
    floor = birth_floor(date_of_birth=date_of_birth, birth_year=birth_year)
    if floor is None:
        return
    starts = person.status_records.filter(since_birth=False).values_list(
        "effective_from", flat=True
    )
    earliest = [
        *starts,
        *person.entitlements.values_list("as_of", flat=True),
        *person.incidents.values_list("occurred_on", flat=True),
    ]
    if any(day < floor for day in earliest):
        field = "date_of_birth" if date_of_birth else "birth_year"
        raise ValidationError(
            {field: _("Facts about this person are already recorded before this birth date.")}
        )


# Family rules: a child is born after each parent, by a plausible margin.

# The youngest a parent can plausibly be at a child's birth. Below it, one of the two dates is
# wrong (a child typed as born before the mother, a birth year typed for the wrong person).
YOUNGEST_PARENT_AGE = 12


def _years_between(earlier: datetime.date, later: datetime.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def parenthood_error(
    *, parent_date=None, parent_year=None, child_date=None, child_year=None
) -> str | None:
    """
    Why a child with this birth cannot be the child of a parent with that one, or None. Exact
    dates are compared when both are known, birth years otherwise; an unknown birth says nothing.
    """
    if parent_date and child_date:
        if child_date <= parent_date:
            return _("The child's birth must be after the parent's (born %(parent)s).") % {
                "parent": date_format(parent_date)
            }
        age = _years_between(parent_date, child_date)
    else:
        parent_year = parent_date.year if parent_date else parent_year
        child_year = child_date.year if child_date else child_year
        if not (parent_year and child_year):
            return None
        if child_year < parent_year:
            return _("The child's birth must be after the parent's (born %(parent)s).") % {
                "parent": parent_year
            }
        age = child_year - parent_year
    if age < YOUNGEST_PARENT_AGE:
        return _(
            "The parent (born %(parent)s) would have been %(age)s at this birth: check both dates."
        ) % {"parent": (parent_date or parent_year), "age": age}
    return None


def check_parenthood(parent, child, *, field: str = "date_of_birth") -> None:
    """A family tie of parent and child between two people on file (Relationship.clean)."""
    message = parenthood_error(
        parent_date=parent.date_of_birth,
        parent_year=parent.birth_year,
        child_date=child.date_of_birth,
        child_year=child.birth_year,
    )
    if message:
        raise ValidationError({field: message} if field else message)


# Who may answer for someone else's consent: an adult, and not someone younger than them.
ADULT_AGE = 18


def guardian_error(guardian, person=None) -> str | None:
    """
    Why `guardian` cannot answer for `person` (a child's consent given by a parent or guardian),
    or None. A brother of nine is in the child's case too, but is no guardian: someone known to be
    under 18 today, or born after `person`, is refused; an unknown birth says nothing.
    """
    if guardian.date_of_birth:
        minor = _years_between(guardian.date_of_birth, today()) < ADULT_AGE
    else:
        # Born in that year: under 18 whatever their birthday.
        minor = bool(guardian.birth_year) and today().year - guardian.birth_year < ADULT_AGE
    if minor:
        return _("A parent or guardian must be an adult: %(name)s is under 18.") % {
            "name": guardian.reference
        }
    if person is not None:
        theirs, ours = person_birth_floor(guardian), person_birth_floor(person)
        if theirs and ours and theirs >= ours:
            return _("A parent or guardian must be older than the person they answer for.")
    return None


def possible_guardians(people, person=None):
    """`people` (a queryset) without those who cannot answer for `person` (`guardian_error`)."""
    refused = [p.pk for p in people if guardian_error(p, person)]
    return people.exclude(pk__in=refused) if refused else people
