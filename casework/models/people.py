import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from vault.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
)
from vault.models import UUIDModel

from .. import dates
from ..choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    NameKeyKind,
    Nationality,
    PersonRole,
    Region,
    RelationshipKind,
    Sex,
    StatusSource,
)
from ..querysets import (
    NAME_SCOPE,
    CaseScopedQuerySet,
    InForceManager,
    PersonQuerySet,
    PersonScopedQuerySet,
    RelationshipQuerySet,
)
from ..references import person_reference
from .base import RecordedBy, Versioned
from .corrections import Correctable


class Person(UUIDModel, Versioned):
    """
    Someone an NGO helps or whose ties matter to a case: a refugee, their child, their partner.
    Every identifying field is encrypted; the plain fields are coarse, for statistics only.
    """

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=person_reference, editable=False
    )
    full_name = EncryptedCharField(_("full name"), max_length=200)
    full_name_index = BlindIndexField(source="full_name", scope=NAME_SCOPE)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    place_of_origin = EncryptedCharField(_("place of origin"), max_length=200, blank=True)
    current_location = EncryptedCharField(_("current location"), max_length=300, blank=True)
    contact = EncryptedCharField(_("contact"), max_length=300, blank=True)
    contact_index = BlindIndexField(source="contact", scope="person-contact")
    notes = EncryptedTextField(_("notes"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=10, choices=Nationality.choices, default=Nationality.UNKNOWN
    )
    role = models.CharField(_("role"), max_length=10, choices=PersonRole.choices)
    region = models.CharField(
        _("province or region"), max_length=20, choices=Region.choices, default=Region.UNKNOWN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
                name="casework_person_birth_year_plausible",
            ),
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        dob = self.date_of_birth
        problem = dates.birth_year_error(date_of_birth=dob, birth_year=self.birth_year)
        if problem:
            raise ValidationError({"birth_year": problem})
        if dob and not self.birth_year:
            self.birth_year = dob.year
        if dob and not self._state.adding:
            self._clean_birth_against_family(dob)

    def _clean_birth_against_family(self, dob):
        # A corrected date of birth must still leave every parent born before every child.
        ties = Relationship.objects.filter(kind=RelationshipKind.PARENT_OF).select_related(
            "from_person", "to_person"
        )
        for tie in ties.filter(to_person=self):
            parent_dob = tie.from_person.date_of_birth
            if parent_dob and dob <= parent_dob:
                raise ValidationError(
                    {
                        "date_of_birth": _(
                            "This date of birth is on or before that of %(reference)s, "
                            "recorded as this person's parent."
                        )
                        % {"reference": tie.from_person.reference}
                    }
                )
        for tie in ties.filter(from_person=self):
            child_dob = tie.to_person.date_of_birth
            if child_dob and child_dob <= dob:
                raise ValidationError(
                    {
                        "date_of_birth": _(
                            "This date of birth is on or after that of %(reference)s, "
                            "recorded as this person's child."
                        )
                        % {"reference": tie.to_person.reference}
                    }
                )


class PersonAlias(Correctable):
    """Another name a person is known by: a Chinese name, a romanisation, a name used in hiding."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("person")
    )
    name = EncryptedCharField(_("name"), max_length=200)
    name_index = BlindIndexField(source="name", scope=NAME_SCOPE)

    objects = InForceManager.from_queryset(PersonScopedQuerySet)()
    with_voided = PersonScopedQuerySet.as_manager()
    correctable_fields = ("name",)
    record_kind = "alias"

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self):
        return _("Alias of %(reference)s") % {"reference": self.person.reference}


class NameKey(models.Model):
    """
    One normalised form of a person's name or of an alias (the family name alone, the name
    romanised, its pinyin...: `casework.names`), kept only as a keyed digest, so that a name can be
    found however it was spelled without any form of it stored in clear. Written by
    `casework.services.names` whenever a name or an alias changes, and by `reindex_names`.
    """

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="name_keys",
        verbose_name=_("person"),
        # Indexed with the digest instead (`casework_namekey_person`).
        db_index=False,
    )
    # A copy of the person's reference, which never changes once given (`Person.reference` is
    # not editable and nothing rewrites it): a search walks one digest's keys already in the
    # order of its page (by reference) and stops when the page is full, instead of visiting
    # every key of a common family name and then looking up each person's reference to sort.
    reference = models.CharField(_("reference"), max_length=12)
    # The alias the key was made from; none for the person's own name.
    alias = models.ForeignKey(
        PersonAlias,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alias"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NameKeyKind.choices)
    digest = models.CharField(_("digest"), max_length=32)

    class Meta:
        verbose_name = _("name key")
        verbose_name_plural = _("name keys")
        indexes = [
            # Covering, and in the page's order: a search reads one digest's keys by reference
            # from the index alone (an index-only scan), checks each for visibility and stops
            # at the page's end, never reading the table's pages, which hold them scattered.
            models.Index(
                fields=["digest", "reference"],
                include=["person", "alias", "kind"],
                name="casework_namekey_digest_ref",
            ),
            # A case search asks, of each case it walks, whether a member has one of the
            # digests: the person's few keys, found without reading the table.
            models.Index(fields=["person", "digest"], name="casework_namekey_person"),
        ]

    def __str__(self):
        return f"{self.person_id} · {self.kind}"


class CaseNameKey(models.Model):
    """
    A name key of a case's member (`NameKey`), copied beside the case's place in the case list
    (its risk rank and reference): a search for a family name thousands hold walks one digest's
    entries already in list order, probes only the cases that hold it and stops when its page
    is full, where walking the cases themselves read every case, holding the name or not, and
    probed its members' keys. Kept by PostgreSQL triggers on name keys, members and cases in the
    writer's own transaction (migration 0023), so every writer (the name services, merge,
    erasure, the bulk import, the seed, `reindex_names`) keeps it without having to remember
    to; elsewhere (SQLite) there are no triggers and the search walks the cases.
    """

    id = models.BigAutoField(primary_key=True)
    # No foreign key constraints: the triggers write and delete these rows while Django deletes
    # keys, members and cases in its own order, and a constraint would fail a deletion whose
    # rows the triggers had not reached yet.
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Found by `casework_casenamekey_case` below, which the foreign key's own index only
        # repeated.
        db_index=False,
        related_name="+",
        verbose_name=_("case"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Nothing looks an entry up by its person or its alias (the triggers find a key's entries
        # by `key_id`, a member's by case): an index on either cost every seed, import and
        # merge a write for each of the ~15 entries a person has in each of their cases.
        db_index=False,
        related_name="+",
        verbose_name=_("person"),
    )
    # The NameKey copied, whose deletion deletes the copy.
    key_id = models.BigIntegerField(_("name key"))
    alias = models.ForeignKey(
        PersonAlias,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        db_index=False,
        related_name="+",
        verbose_name=_("alias"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NameKeyKind.choices)
    digest = models.CharField(_("digest"), max_length=32)
    risk_rank = models.PositiveSmallIntegerField(_("risk rank"))
    reference = models.CharField(_("case reference"), max_length=12)
    # The case's team, so that a search's walk passes over the entries of cases in teams the
    # reader has nothing to do with inside the index (`Case...team_may_be_seen`), instead of
    # probing each such case for visibility; and the member's role, which names who matched.
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Read only from the walk's index, never looked up alone.
        db_index=False,
        related_name="+",
        verbose_name=_("team"),
    )
    role = models.CharField(_("role in case"), max_length=10, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("case name key")
        verbose_name_plural = _("case name keys")
        indexes = [
            # In the case list's order, the case last so that a digest's entries of one case
            # come together: a search merges its digests' walks and groups a case's entries
            # without sorting, covering the match's code (kind, alias).
            models.Index(
                fields=["digest", "risk_rank", "reference", "case"],
                include=["kind", "alias", "team"],
                name="casework_casenamekey_walk",
            ),
            # The triggers find a case's entries (its risk changed, a member left) and a key's.
            models.Index(fields=["case"], name="casework_casenamekey_case"),
            models.Index(fields=["key_id"], name="casework_casenamekey_key"),
        ]

    def __str__(self):
        return f"{self.case_id} · {self.kind}"


class Relationship(Correctable):
    """A family tie, read as `from_person` <kind> `to_person` (e.g. mother is parent of child)."""

    from_person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="relationships_from",
        verbose_name=_("from person"),
    )
    to_person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="relationships_to",
        verbose_name=_("to person"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RelationshipKind.choices)
    marriage_registered = models.BooleanField(
        _("marriage registered"),
        null=True,
        blank=True,
        help_text=_("For couples: whether the marriage is registered with the authorities."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InForceManager.from_queryset(RelationshipQuerySet)()
    with_voided = RelationshipQuerySet.as_manager()
    correctable_fields = ("kind", "marriage_registered")
    record_kind = "tie"

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")),
                name="casework_relationship_not_to_self",
            ),
            # A voided tie does not stand in the way of the right one.
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"],
                condition=Q(voided_at__isnull=True),
                name="casework_relationship_unique",
            ),
        ]

    def __str__(self):
        return f"{self.from_person} {self.get_kind_display()} {self.to_person}"

    @property
    def is_couple(self) -> bool:
        return self.kind in (RelationshipKind.PARTNER_OF, RelationshipKind.SPOUSE_OF)

    def clean(self):
        self.clean_own()
        if not (self.from_person_id and self.to_person_id):
            return
        if self.kind == RelationshipKind.PARENT_OF:
            self._clean_parenthood()
        elif self.is_couple:
            self._clean_couple()

    def clean_own(self):
        """
        The rules a tie keeps by itself, without reading other ties (a bulk write of new people,
        who have none on file yet, asks these and `dates.check_parenthood`).
        """
        if self.from_person_id and self.from_person_id == self.to_person_id:
            raise ValidationError(_("A person cannot be related to themselves."))
        if not self.is_couple and self.marriage_registered is not None:
            raise ValidationError(
                {"marriage_registered": _("Only a couple can have a registered marriage.")}
            )

    def _clean_parenthood(self):
        reverse = Relationship.objects.filter(
            from_person_id=self.to_person_id,
            to_person_id=self.from_person_id,
            kind=RelationshipKind.PARENT_OF,
        )
        if reverse.exists():
            raise ValidationError(_("A child cannot also be the parent of their own parent."))
        if self.to_person_id in self._ancestor_ids(self.from_person_id):
            raise ValidationError(_("A person cannot be the parent of one of their own ancestors."))
        # The family rule of casework.dates, as the intake's Family step applies it.
        dates.check_parenthood(self.from_person, self.to_person, field=None)

    @staticmethod
    def _ancestor_ids(person_id) -> set:
        ancestors, generation = set(), {person_id}
        while generation:
            parents = set(
                Relationship.objects.filter(
                    kind=RelationshipKind.PARENT_OF, to_person_id__in=generation
                ).values_list("from_person_id", flat=True)
            )
            generation = parents - ancestors
            ancestors |= generation
        return ancestors

    def _clean_couple(self):
        # A couple is one tie whichever way it was entered.
        reverse = Relationship.objects.filter(
            from_person_id=self.to_person_id, to_person_id=self.from_person_id, kind=self.kind
        ).exclude(pk=self.pk)
        if reverse.exists():
            raise ValidationError(_("This tie between these two people is already recorded."))


class LegalStatusRecord(Correctable, RecordedBy):
    """
    One period of a person's legal situation. The records of a person form their timeline;
    the one without `effective_to` is the current status (at most one, enforced by the database).
    `effective_to` is the day the next status began.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="status_records", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=20, choices=LegalStatus.choices)
    # For a period that began at birth this is not the day it began: that day is the person's
    # encrypted date of birth, and a plaintext copy of it here would undo the encryption (a
    # child's "stateless since birth" gave away the birth date). See `store_start_of_period()`.
    effective_from = models.DateField(_("effective from"))
    since_birth = models.BooleanField(
        _("since birth"),
        default=False,
        help_text=_("The period began on the day the person was born."),
    )
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    country = models.CharField(
        _("country"), max_length=2, choices=Country.choices, default=Country.UNKNOWN
    )
    place = EncryptedCharField(_("place"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=StatusSource.choices, default=StatusSource.CASEWORKER
    )
    note = EncryptedTextField(_("note"), blank=True)

    objects = InForceManager.from_queryset(PersonScopedQuerySet)()
    with_voided = PersonScopedQuerySet.as_manager()
    correctable_fields = (
        "status",
        "effective_from",
        "effective_to",
        "country",
        "place",
        "source",
        "note",
    )
    record_kind = "status"

    class Meta:
        ordering = ["person", "effective_from"]
        get_latest_by = "effective_from"
        verbose_name = _("legal status record")
        verbose_name_plural = _("legal status records")
        constraints = [
            # A voided status is no status: the one it had closed can be current again.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(effective_to__isnull=True, voided_at__isnull=True),
                name="casework_one_open_status_per_person",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="casework_status_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_to"])]

    def __str__(self):
        since = _("since birth") if self.since_birth else self.effective_from
        return f"{self.person} · {self.get_status_display()} · {since}"

    def save(self, *args, **kwargs):
        self.store_start_of_period(self.person.date_of_birth if self.person_id else None)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.effective_to is None

    @staticmethod
    def birth_placeholder(birth_year: int) -> datetime.date:
        """
        What `effective_from` holds for a period since birth: the last day before the birth year.
        Never the date of birth itself, yet before it, so that every query asking "which status
        on day X" or ordering a timeline still finds the period where it belongs; the birth year
        is stored in clear already.
        """
        return datetime.date(birth_year - 1, 12, 31)

    def store_start_of_period(self, date_of_birth: datetime.date | None) -> None:
        """
        Called before every save (and by bulk writers): a period said to begin on the date of
        birth is stored as `since_birth` with the placeholder day; a period whose day was
        changed away from the placeholder is no longer since birth.
        """
        if date_of_birth is None:
            return
        placeholder = self.birth_placeholder(date_of_birth.year)
        if self.effective_from == date_of_birth:
            self.since_birth, self.effective_from = True, placeholder
        elif self.since_birth and self.effective_from != placeholder:
            self.since_birth = False

    def clean(self):
        self.clean_dates()
        if self.person_id and self.effective_from and not self.since_birth and not self.is_voided:
            self._clean_overlap()

    def clean_dates(self):
        """
        The period's own dates: it ends after it starts, and not before the person was born. A
        bulk write of new people (no other period to overlap yet) asks only these.
        """
        if self.effective_to and self.effective_from and self.effective_to <= self.effective_from:
            raise ValidationError(
                {"effective_to": _("A status must end after the day it started.")}
            )
        if self.person_id and self.effective_from and not self.since_birth:
            dob = self.person.date_of_birth
            if dob and self.effective_from < dob:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "A status cannot begin before the person was born (%(born)s)."
                        )
                        % {"born": date_format(dob)}
                    }
                )

    def _clean_overlap(self):
        others = LegalStatusRecord.objects.filter(person_id=self.person_id).exclude(pk=self.pk)
        # Half-open periods [from, to) overlap when each starts before the other ends.
        others = others.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=self.effective_from)
        )
        if self.effective_to:
            others = others.filter(effective_from__lt=self.effective_to)
        clash = others.order_by("effective_from").first()
        if clash:
            raise ValidationError(
                _(
                    "These dates overlap the status “%(status)s” that began on %(start)s. "
                    "Change the status from a later date, or correct the earlier record."
                )
                % {"status": clash.get_status_display(), "start": date_format(clash.effective_from)}
            )


class Entitlement(Correctable, RecordedBy):
    """
    What happened when a person sought a benefit the papers withhold: the latest record of each
    kind is the person's present situation, and earlier ones are its history.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="entitlements", verbose_name=_("person")
    )
    kind = models.CharField(_("benefit"), max_length=25, choices=EntitlementKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=EntitlementStatus.choices)
    as_of = models.DateField(_("as of"))
    note = EncryptedTextField(_("note"), blank=True)

    objects = InForceManager.from_queryset(PersonScopedQuerySet)()
    with_voided = PersonScopedQuerySet.as_manager()
    correctable_fields = ("kind", "status", "as_of", "note")
    record_kind = "benefit"
    # Which of a person's records of one benefit is their situation: the first in this order
    # (the latest as of, then the latest entered, then the highest key).
    LATEST_FIRST = ("-as_of", "-recorded_at", "-pk")

    class Meta:
        ordering = ["person", "kind", "-as_of", "-recorded_at"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()}: {self.get_status_display()}"


class Incident(Correctable, RecordedBy):
    """A dated event in a case: a raid, an arrest, a refusal, a deportation, trafficking."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="incidents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    region = models.CharField(
        _("province or region"), max_length=20, choices=Region.choices, default=Region.UNKNOWN
    )
    description = EncryptedTextField(_("description"), blank=True)
    people = models.ManyToManyField(
        Person, related_name="incidents", blank=True, verbose_name=_("people involved")
    )

    objects = InForceManager.from_queryset(CaseScopedQuerySet)()
    with_voided = CaseScopedQuerySet.as_manager()
    correctable_fields = ("kind", "occurred_on", "region", "description")
    record_kind = "incident"

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["kind", "occurred_on"])]

    def __str__(self):
        return f"{self.case} · {self.get_kind_display()} · {self.occurred_on}"
