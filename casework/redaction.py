"""
How people appear in what leaves the screen: an advocacy document (legal_aid) and a printed case
summary. One home for the rule, here in casework, so that legal_aid (above) and casework's own
pages both ask it.

Naming is decided for the family, not per person. A case is one family's file: printing one
member's name beside another's pseudonym ("Kim Sun-hee is the parent of Child B") names both.
So a person is named only when the chosen level allows names AND every member of the case has
consent in force for "named_in_documents"; if anyone must be pseudonymised, everyone is. An
output its recipient passes on to the State (a communication to the UN special procedures, which
forwards it to the Government concerned) needs "identity_to_state" from everyone besides
(`naming_scopes`): without it the communication identifies no one. A pseudonymised output then holds no individual detail that a reader could match against a
register:

- an age band on the day of the output instead of a birth year, in brackets so that the
  pseudonym reads whole inside a sentence ("Release Mother B (aged 40 to 49) from detention");
- dates to the month ("March 2025"), never to the day;
- no internal case reference;
- a region only where the argument needs it (`region_for(..., needed=True)`): a rule that
  applies in one prefecture needs it, a date of arrest does not.

Pseudonyms are stable: the letter comes from the person's place in the order they joined the case
(CaseMember.added_at, then pk), and the word from who they are in the case, so "Child A" in one
document about a case is "Child A" in the next.

`leaks(text)` is the check behind all of it: given the text of what was produced (a PDF's text),
it lists what a pseudonymised output must not contain (a name of a member of the case, the case
reference, a date of one of the case's records to the day). legal_aid refuses to keep a
document that leaks, whichever composer wrote it.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.checks import allows

from . import dates
from .choices import PersonRole, Redaction, Region, RelationshipKind, Sex
from .models import CaseMember, Entitlement, Incident, LegalStatusRecord, PersonAlias, Relationship

NAMING_SCOPE = "named_in_documents"
# For an output that reaches the State: consent (a child's, by a parent or guardian) to have one's
# identity transmitted to the Government concerned.
TO_STATE_SCOPE = "identity_to_state"
# The levels that show individuals, offered wherever a person's record leaves the screen: an
# aggregate-only output shows no one, so it has no use for a Redactor.
INDIVIDUAL_LEVELS = [
    (value, label) for value, label in Redaction.choices if value != Redaction.AGGREGATE_ONLY
]
# Age bands whose edges are the ages the law turns on: kindergarten from 3, compulsory schooling
# from 6 to 15, a child until 18. A band says which rule applies and not much more.
AGE_BANDS = ((0, 2), (3, 5), (6, 11), (12, 15), (16, 17), (18, 29), (30, 39), (40, 49), (50, 59))
OLDEST_BAND_FROM = 60
# Why someone is not named, for the approval page's list.
NOT_NAMED_REASONS = {
    "level": gettext_lazy("the document is pseudonymised"),
    "consent": gettext_lazy("no consent to be named"),
    "family": gettext_lazy(
        "a family member may not be named, and naming this person would identify them"
    ),
    "state": gettext_lazy("no consent to have their identity transmitted to the State"),
}


def naming_scopes(*, to_state: bool = False) -> tuple[str, ...]:
    """The consents a person needs to be named in an output; `to_state`: one that reaches the
    State. The one home of that rule: the Redactor, and whatever asks ahead of it, call this."""
    return (NAMING_SCOPE, TO_STATE_SCOPE) if to_state else (NAMING_SCOPE,)


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style, so a large family never runs out."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("A") + remainder) + text
    return text


def age_range(person, on: datetime.date) -> tuple[int, int] | None:
    """The youngest and oldest the person can be on `on`: exact from a date of birth, one of two
    from a birth year; None when neither is known."""
    if person.date_of_birth:
        born = person.date_of_birth
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return max(years, 0), max(years, 0)
    if person.birth_year:
        return max(on.year - person.birth_year - 1, 0), max(on.year - person.birth_year, 0)
    return None


def _band(age: int) -> tuple[int, int | None]:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return low, high
    return OLDEST_BAND_FROM, None


def age_band(person, on: datetime.date) -> str:
    """
    "6 to 11", "60 or over": the band of the person's age on `on`; both bands joined when a
    birth year leaves the age on an edge.
    """
    ages = age_range(person, on)
    if ages is None:
        return ""
    low = _band(ages[0])[0]
    high = _band(ages[1])[1]
    if high is None:
        return _("%(low)s or over") % {"low": low}
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def month(day: datetime.date) -> str:
    """A date to the month, in the active language: "March 2025", "2025년 3월", "2025年3月"."""
    return date_format(day, "YEAR_MONTH_FORMAT")


@dataclass(frozen=True)
class Shown:
    """A person as the output shows them. A pseudonymised person keeps no birth year or region."""

    pk: str
    label: str  # the name, or the pseudonym
    pseudonym: str
    named: bool
    role: str
    sex: str
    birth_year: int | None
    age: str  # the age band on the output's day, "" when unknown
    nationality: str
    region: str
    # Why not named ("level", "consent", "family"), "" when named.
    not_named_because: str = ""


@dataclass
class Disclosure:
    """What an output shows that could identify a person: for the approver, before approving."""

    label: str
    named: bool
    not_named_because: str
    facts: list[str] = field(default_factory=list)
    pk: str = ""


class Redactor:
    """Labels the people of one case for one document or summary, at one redaction level."""

    def __init__(
        self, case, *, level: str, on: datetime.date | None = None, to_state: bool = False
    ):
        if level == Redaction.AGGREGATE_ONLY:
            raise ValueError("An aggregate-only document shows no individual.")
        self.case = case
        self.on = on or dates.today()
        self.allow_names = level == Redaction.NAMED_WITH_CONSENT
        members = (
            CaseMember.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
        )
        self.people = [m.person for m in members]
        self._letters = {p.pk: letters(i) for i, p in enumerate(self.people)}
        # Parents of a child of the same case are "Mother" / "Father": part of the case's shape,
        # so the word does not change with the document's subject.
        self._parents = set(
            Relationship.objects.filter(
                kind=RelationshipKind.PARENT_OF,
                from_person__in=[p.pk for p in self.people],
                to_person__in=[p.pk for p in self.people],
            ).values_list("from_person_id", flat=True)
        )
        self._consents = {p.pk: self.allow_names and allows(p, NAMING_SCOPE) for p in self.people}
        # Named in documents, but not to the State: for an output that reaches it, not named.
        self._to_state = {p.pk: not to_state or allows(p, TO_STATE_SCOPE) for p in self.people}
        # The family rule: names only if every member of the case may be named.
        self.names_family = (
            bool(self.people) and all(self._consents.values()) and all(self._to_state.values())
        )
        self.named_any = False
        self._shown: dict = {}

    @property
    def pseudonymised(self) -> bool:
        """Whether the output pseudonymises (then everyone in it is pseudonymised)."""
        return not self.names_family

    def _word(self, person) -> str:
        if person.pk in self._parents:
            return {Sex.FEMALE: _("Mother"), Sex.MALE: _("Father")}.get(person.sex, _("Parent"))
        return {
            PersonRole.CHILD: _("Child"),
            PersonRole.PARTNER: _("Partner"),
            PersonRole.RELATIVE: _("Relative"),
        }.get(person.role, _("Person"))

    def pseudonym(self, person) -> str:
        letter = self._letters.get(person.pk)
        if letter is None:
            raise ValueError("Only members of the case appear in its documents.")
        base = _("%(word)s %(letter)s") % {"word": self._word(person), "letter": letter}
        band = age_band(person, self.on)
        if band:
            return _("%(pseudonym)s (aged %(band)s)") % {"pseudonym": base, "band": band}
        return base

    def _not_named_because(self, person) -> str:
        if self.names_family:
            return ""
        if not self.allow_names:
            return "level"
        if not self._consents.get(person.pk):
            return "consent"
        return "family" if self._to_state.get(person.pk) else "state"

    def show(self, person) -> Shown:
        pseudonym = self.pseudonym(person)
        named = self.names_family
        if named:
            self.named_any = True
        shown = Shown(
            pk=str(person.pk),
            label=person.full_name if named else pseudonym,
            pseudonym=pseudonym,
            named=named,
            role=person.get_role_display(),
            sex=person.get_sex_display(),
            birth_year=person.birth_year if named else None,
            age=age_band(person, self.on),
            nationality=person.get_nationality_display(),
            region=person.get_region_display() if named else "",
            not_named_because=self._not_named_because(person),
        )
        self._shown[person.pk] = shown
        return shown

    def region_for(self, person, *, needed: bool) -> str:
        """The person's region (a province or a country) where the argument needs it, or where
        the output names people; "" otherwise."""
        return self.region(person.region, needed=needed)

    def region(self, value: str, *, needed: bool) -> str:
        """A region code as printed: shown when named or needed, else ""."""
        if not value or not (needed or self.names_family):
            return ""
        return str(Region(value).label)

    def date(self, day: datetime.date) -> str:
        """A date of the case as printed: to the day when people are named, else the month."""
        return day.isoformat() if self.names_family else month(day)

    def case_reference(self) -> str:
        """The case's internal reference, only in an output that names people."""
        return self.case.reference if self.names_family else ""

    def disclosures(self) -> list[Disclosure]:
        """Per person shown so far: named or not and why, and the identifying facts printed."""
        listed = []
        for person in self.people:
            shown = self._shown.get(person.pk)
            if shown is None:
                continue
            found = []
            if shown.named:
                found.append(_("name"))
                if person.birth_year:
                    found.append(_("birth year %(year)s") % {"year": person.birth_year})
                if person.region:
                    found.append(str(person.get_region_display()))
            elif shown.age:
                found.append(_("age band %(band)s") % {"band": shown.age})
            listed.append(
                Disclosure(
                    label=shown.label,
                    named=shown.named,
                    not_named_because=shown.not_named_because,
                    facts=found,
                    pk=shown.pk,
                )
            )
        return listed

    def leaks(self, text: str) -> list[str]:
        """
        What `text` shows that a pseudonymised output must not: a member's name or alias, the
        case reference, a date of the case's records to the day. Codes, never the values, so
        the answer can be logged and stored. Empty when the output names people (then the
        approver decides) or leaks nothing.
        """
        if self.names_family:
            return []
        squeezed = re.sub(r"\s+", "", text)
        found = []
        names = [p.full_name for p in self.people if p.full_name != p.reference]
        # Objects, not values_list: encrypted fields are decrypted on the model only.
        names += [alias.name for alias in PersonAlias.objects.filter(person__in=self.people)]
        if any(len(name) >= 2 and re.sub(r"\s+", "", name) in squeezed for name in names):
            found.append("name")
        if self.case.reference and self.case.reference in squeezed:
            found.append("case_reference")
        if any(
            re.search(rf"(?<!\d){re.escape(form)}(?!\d)", squeezed)
            for day in self._case_days()
            for form in self._day_forms(day)
        ):
            found.append("exact_date")
        return found

    def _case_days(self) -> set:
        people = [p.pk for p in self.people]
        days = {p.date_of_birth for p in self.people if p.date_of_birth}
        days |= set(Incident.objects.filter(case=self.case).values_list("occurred_on", flat=True))
        days |= set(
            LegalStatusRecord.objects.filter(person__in=people).values_list(
                "effective_from", flat=True
            )
        )
        days |= set(
            LegalStatusRecord.objects.filter(
                person__in=people, effective_to__isnull=False
            ).values_list("effective_to", flat=True)
        )
        days |= set(Entitlement.objects.filter(person__in=people).values_list("as_of", flat=True))
        return {day for day in days if day}

    @staticmethod
    def _day_forms(day: datetime.date) -> set:
        # The forms a day takes in our outputs, without spaces: ISO, the long dates of the
        # active language, and the Chinese and Korean year-month-day.
        forms = {day.isoformat(), f"{day.year}年{day.month}月{day.day}日"}
        forms.add(f"{day.year}년{day.month}월{day.day}일")
        for pattern in ("DATE_FORMAT", "j F Y", "F j, Y", "N j, Y", "j N Y"):
            forms.add(re.sub(r"\s+", "", date_format(day, pattern)))
        return forms
