"""
Households in an imported spreadsheet: the rows sharing a household number are one family, with
one case. Their relation column says who each is — the head (the person the case is about), the
partner or spouse, the mother or father of the household's children, a child — and the family is
put into the intake's Family step as the wizard would have posted it: one partner, the children,
and who of the two is each child's mother and father. The step's own checks then hold the family
rules (casework.dates.parenthood_error) for a whole household before anything is written.

The head's partner is a parent of the children only where the file says so (the row is marked
mother or father, not partner or spouse), as in the wizard: a woman's children are often not her
present partner's.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from casework.choices import RelationshipKind, Sex

from .forms import NOT_KNOWN, PARTNER, PRINCIPAL
from .import_reading import Row
from .import_values import Relation, split

ADULTS = (Relation.HEAD, Relation.MOTHER, Relation.FATHER, Relation.PARTNER, Relation.SPOUSE)
PARENTS = (Relation.HEAD, Relation.MOTHER, Relation.FATHER)
# Where an error of the Family step's form lands: the partner's row, in this column.
PARTNER_FIELDS = {
    "partner_name": "full_name",
    "partner_sex": "sex",
    "partner_birth_year": "birth_year",
    "partner_nationality": "nationality",
    "partner_tie": "relation",
    "marriage_registered": "relation",
}
CHILD_FIELDS = {"mother": "relation", "father": "relation"}
# The columns a household member's row brings in besides its household and relation: the
# Family step asks no more of a partner or a child. The head's consent covers the partner (a
# partner's own consent columns say whether it does) and the children.
_MEMBER = {"household", "relation", "full_name", "sex", "birth_year", "nationality"}
PARTNER_COLUMNS = _MEMBER | {
    "consent_method",
    "consent_given_on",
    "consent_scopes",
    "consent_witness",
}
CHILD_COLUMNS = _MEMBER | {"date_of_birth", "benefits_refused"}


@dataclass
class Household:
    head: Row
    partner: Row | None = None
    children: list = field(default_factory=list)

    @property
    def rows(self) -> list:
        return [self.head, *([self.partner] if self.partner else []), *self.children]


def units_of(rows: list) -> list[list]:
    """The rows grouped by household number, in the order each household first appears; a row
    without a number is a household of its own."""
    units, households = [], {}
    for row in rows:
        number = " ".join(row.values.get("household", "").split()).casefold()
        if not number:
            units.append([row])
        elif number in households:
            households[number].append(row)
        else:
            households[number] = [row]
            units.append(households[number])
    return units


def _relation(row: Row) -> str:
    return row.values.get("relation", "").strip().lower()


def arrange(rows: list) -> Household | None:
    """
    Who is who in a household's rows, or None with the rows' errors filled: one head (else the
    children's mother, else their father), at most one other adult, the rest children.
    """
    if len(rows) == 1:
        return Household(head=rows[0])
    for row in rows:
        # Blank, or a word no catalogue knows (조카) until it is mapped once for the file.
        if _relation(row) not in Relation.values:
            row.errors.append(
                ("relation", _("Say who this person is in the household (head, partner, child).")),
            )
    if any(row.errors for row in rows):
        return None
    by_relation = {}
    for row in rows:
        by_relation.setdefault(_relation(row), []).append(row)
    head = next(
        (by_relation[kind][0] for kind in PARENTS if by_relation.get(kind)),
        None,
    )
    if head is None:
        rows[0].errors.append(
            ("relation", _("A household needs its head, or the children's mother or father.")),
        )
        return None
    household = Household(head=head)
    for row in rows:
        if row is head:
            continue
        relation = _relation(row)
        if relation == Relation.CHILD:
            household.children.append(row)
        elif relation == Relation.HEAD:
            row.errors.append(("relation", _("A household has one head.")))
        elif household.partner is None:
            household.partner = row
        else:
            row.errors.append(
                (
                    "relation",
                    _(
                        "A household is imported with its head, one partner and the children: "
                        "give this person a household number of their own."
                    ),
                )
            )
    if any(row.errors for row in rows):
        return None
    return household


def _parent_slot(row: Row) -> str | None:
    """Whether a parent of the household's children is their mother or father, or neither."""
    relation = _relation(row)
    if relation == Relation.MOTHER:
        return "mother"
    if relation == Relation.FATHER:
        return "father"
    if relation == Relation.HEAD:
        return "father" if row.values.get("sex", "").lower() == Sex.MALE else "mother"
    return None


def _year(row: Row) -> str:
    born = row.values.get("date_of_birth", "")
    return row.values.get("birth_year", "") or (born[:4] if born[:4].isdigit() else "")


def family_answers(household: Household) -> dict:
    """The Family step as the wizard would have posted it for this household."""
    value = lambda row, key: row.values.get(key, "")  # noqa: E731
    answers = {
        "partner_nationality": ["unknown"],
        "marriage_registered": ["unknown"],
        "children-TOTAL_FORMS": [str(len(household.children))],
        "children-INITIAL_FORMS": ["0"],
    }
    parents = {}
    if household.head is not None and len(household.rows) > 1:
        slot = _parent_slot(household.head)
        if slot:
            parents[slot] = PRINCIPAL
    partner = household.partner
    if partner is not None:
        tie = RelationshipKind.SPOUSE_OF if _relation(partner) == Relation.SPOUSE else None
        answers.update(
            {
                "partner_name": [value(partner, "full_name")],
                "partner_sex": [value(partner, "sex").lower()],
                "partner_birth_year": [_year(partner)],
                "partner_nationality": [value(partner, "nationality").lower() or "unknown"],
                "partner_tie": [tie or RelationshipKind.PARTNER_OF],
            }
        )
        slot = _parent_slot(partner)
        if slot and slot not in parents:
            parents[slot] = PARTNER
        elif slot:
            partner.errors.append(
                (
                    "relation",
                    _("The household already has the children's %(parent)s.")
                    % {"parent": _("mother") if slot == "mother" else _("father")},
                )
            )
    for index, child in enumerate(household.children):
        prefix = f"children-{index}-"
        answers.update(
            {
                prefix + "full_name": [value(child, "full_name")],
                prefix + "sex": [value(child, "sex").lower() or "unknown"],
                prefix + "date_of_birth": [value(child, "date_of_birth")],
                prefix + "birth_year": [value(child, "birth_year")],
                prefix + "nationality": [value(child, "nationality").lower() or "unknown"],
                prefix + "mother": [parents.get("mother", NOT_KNOWN)],
                prefix + "father": [parents.get("father", NOT_KNOWN)],
                prefix + "benefits_refused": [
                    kind.lower() for kind in split(value(child, "benefits_refused"))
                ],
            }
        )
    return answers


def note_unused(household: Household) -> None:
    """
    Say on each member's row which filled cells the import will not bring in, and why, so that
    nothing is dropped unseen: the report shows them beside the row.
    """
    head = household.head
    members = [(household.partner, PARTNER_COLUMNS)] if household.partner else []
    members += [(child, CHILD_COLUMNS) for child in household.children]
    for row, used in members:
        row.unused = []
        for column, text in row.values.items():
            if not text or column in used:
                continue
            if column.startswith("consent_") and text == head.values.get(column):
                continue  # the head's consent, written again on a child's row: it is kept
            if column == "date_of_birth" and row is household.partner:
                why = _("Only the year of birth is kept for a partner.")
            else:
                why = _(
                    "Only the head of a household brings this column in: the others' rows "
                    "give their name, sex, birth, nationality and (a child's) refused benefits."
                )
            row.unused.append((column, why))


def place_family_errors(household: Household, step) -> None:
    """Put the Family step's errors on the rows and columns they are about."""
    head = household.head
    for name, messages in step.form.errors.items():
        row = household.partner if name in PARTNER_FIELDS and household.partner else head
        column = PARTNER_FIELDS.get(name, "")
        if name == "partner_birth_year" and not row.values.get("birth_year"):
            column = "date_of_birth"
        row.errors.extend((column, message) for message in messages)
    children = step.sets["children"]
    for child, form in zip(household.children, children.forms, strict=False):
        for name, messages in form.errors.items():
            column = CHILD_FIELDS.get(name, "" if name == "__all__" else name)
            child.errors.extend((column, message) for message in messages)
    head.errors.extend(("", message) for message in children.non_form_errors())
