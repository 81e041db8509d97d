"""
How people appear in what leaves the screen: an advocacy document (legal_aid) and a printed case
summary. A person is named only when the chosen redaction level allows names AND their consent in
force allows "named_in_documents"; everyone else gets a pseudonym such as "Child A, born 2015".
Places are coarse (a province or a country, from the plain `region` choice), never the encrypted
place fields. One home for the rule, here in casework, so that legal_aid (above) and casework's
own pages both ask it.

Pseudonyms are stable: the letter comes from the person's place in the order they joined the case
(CaseMember.added_at, then pk), and the word from who they are in the case, so "Child A" in one
document about a case is "Child A" in the next.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from consent.checks import allows

from .choices import PersonRole, Redaction, RelationshipKind, Sex
from .models import CaseMember, Relationship

NAMING_SCOPE = "named_in_documents"
# The levels that show individuals, offered wherever a person's record leaves the screen: an
# aggregate-only output shows no one, so it has no use for a Redactor.
INDIVIDUAL_LEVELS = [
    (value, label) for value, label in Redaction.choices if value != Redaction.AGGREGATE_ONLY
]


def letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style, so a large family never runs out."""
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("A") + remainder) + text
    return text


@dataclass(frozen=True)
class Shown:
    """A person as the document shows them."""

    pk: str
    label: str  # the name, or the pseudonym
    pseudonym: str
    named: bool
    role: str
    sex: str
    birth_year: int | None
    nationality: str
    region: str


class Redactor:
    """Labels the people of one case for one document or summary, at one redaction level."""

    def __init__(self, case, *, level: str):
        if level == Redaction.AGGREGATE_ONLY:
            raise ValueError("An aggregate-only document shows no individual.")
        self.allow_names = level == Redaction.NAMED_WITH_CONSENT
        members = (
            CaseMember.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
        )
        self._letters = {m.person_id: letters(i) for i, m in enumerate(members)}
        people = [m.person for m in members]
        # Parents of a child of the same case are "Mother" / "Father": part of the case's shape,
        # so the word does not change with the document's subject.
        self._parents = set(
            Relationship.objects.filter(
                kind=RelationshipKind.PARENT_OF,
                from_person__in=[p.pk for p in people],
                to_person__in=[p.pk for p in people],
            ).values_list("from_person_id", flat=True)
        )
        self.named_any = False

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
        if person.birth_year:
            return _("%(pseudonym)s, born %(year)s") % {
                "pseudonym": base,
                "year": person.birth_year,
            }
        return base

    def show(self, person) -> Shown:
        pseudonym = self.pseudonym(person)
        named = self.allow_names and allows(person, NAMING_SCOPE)
        if named:
            self.named_any = True
        return Shown(
            pk=str(person.pk),
            label=person.full_name if named else pseudonym,
            pseudonym=pseudonym,
            named=named,
            role=person.get_role_display(),
            sex=person.get_sex_display(),
            birth_year=person.birth_year,
            nationality=person.get_nationality_display(),
            region=person.get_region_display(),
        )
