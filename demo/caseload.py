"""
The rows of a demo caseload: what they are built from, how a batch of them is saved, and
how the whole caseload is counted and deleted.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import DateTimeField
from django.db.models.functions import Cast

from accounts.models import User
from casework.choices import LegalStatus
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from consent.models import Consent

from .paths import Plan, _days
from .places import ChineseRegion

IncidentPerson = Incident.people.through
CASELOAD_MODELS = (
    Person,
    PersonAlias,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Case,
    CaseMember,
    CaseAssignment,
    Incident,
    IncidentPerson,
    CaseNote,
    Task,
    Consent,
)

# The day each kind of record was written down on, in a demo caseload.
WRITTEN_DOWN_ON = {
    LegalStatusRecord: "effective_from",
    Entitlement: "as_of",
    Incident: "occurred_on",
}


@dataclass
class Rows:
    """Unsaved rows for a batch of households, inserted together in foreign-key order."""

    by_model: dict[type, list] = field(default_factory=lambda: {m: [] for m in CASELOAD_MODELS})

    def add(self, obj):
        self.by_model[type(obj)].append(obj)
        return obj

    @property
    def people(self) -> int:
        return len(self.by_model[Person])

    def save(self, batch_size: int) -> Counter:
        """Insert every row in one transaction; the encrypted fields seal each value on the way."""
        with transaction.atomic():
            for model, objs in self.by_model.items():
                model.objects.bulk_create(objs, batch_size=batch_size)
            for model, day_field in WRITTEN_DOWN_ON.items():
                # `recorded_at` is set to now on insert; a real record was written down when it
                # happened, and a caseload all "recorded today" would fill every "recent" list.
                pks = [obj.pk for obj in self.by_model[model]]
                for start in range(0, len(pks), batch_size):
                    model.objects.filter(pk__in=pks[start : start + batch_size]).update(
                        recorded_at=Cast(day_field, DateTimeField())
                    )
        return Counter({count_label(model): len(objs) for model, objs in self.by_model.items()})


def count_label(model) -> str:
    return "IncidentPerson" if model is IncidentPerson else model.__name__


def caseload_exists() -> bool:
    return Person.objects.exists() or Case.objects.exists()


def reset_caseload() -> Counter:
    """
    Delete every case and person, dependants first so each delete is a plain query.
    Attachment rows go too; demo data has none, and production refuses the command.
    """
    deleted = Counter()
    for model in (Attachment, *reversed(CASELOAD_MODELS)):
        deleted[count_label(model)] = model.objects.all().delete()[0]
    return deleted


@dataclass
class Child:
    person: Person
    hukou: str
    hukou_on: datetime.date
    # Until when the child sought benefits in China: today, or the day they left with the mother.
    in_china_until: datetime.date
    denied: list[tuple[str, datetime.date]] = field(default_factory=list)


@dataclass
class Household:
    """What one household's rows are built from: its place, its staff and its timeline."""

    index: int
    plan: Plan
    china: ChineseRegion
    town: str
    address: str
    team_name: str
    caseworker: User
    supervisor: User
    origin: str
    arrival: datetime.date
    cohabiting: datetime.date
    # (status, first day) of each step out of hiding, in order.
    steps: list[tuple[str, datetime.date]]
    today: datetime.date
    # Whether and when the police searched the house while she was in hiding there.
    raided: bool
    raid_on: datetime.date
    principal: Person | None = None
    partner: Person | None = None
    surname: str = ""
    children: list[Child] = field(default_factory=list)
    # The names and Korean aliases given to its children so far: none is given twice.
    child_names: set[str] = field(default_factory=set)
    advocate: User | None = None

    @property
    def left_hiding(self) -> datetime.date | None:
        return self.steps[0][1] if self.steps else None

    @property
    def current(self) -> str:
        return self.steps[-1][0] if self.steps else LegalStatus.UNDOCUMENTED_CN

    @property
    def recent_raid(self) -> bool:
        return (
            self.raided
            and self.current == LegalStatus.UNDOCUMENTED_CN
            and self.raid_on >= self.today - _days(180)
        )

    @property
    def size(self) -> int:
        return 1 + (self.partner is not None) + len(self.children)
