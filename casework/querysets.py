"""
Who sees what. `visible_to(user)` on these querysets is the one rule for visibility:
every view, viewset, admin page, download and export starts from it.
"""

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from accounts.models import TeamMembership
from vault.blind_index import blind_indexes
from vault.fields import EncryptedQuerySet

from .choices import AssignmentRole

NAME_SCOPE = "person-name"


def _any_of(rows, *, probed: bool) -> Q:
    """
    Whether the outer case has any of `rows` (its assignments of some kind): EXISTS, or with `probed` a scalar subquery that
    PostgreSQL can only run case by case. A list walked in page order and stopped at its page
    (or a count stopped at its bound) reads a page's worth of cases, each probed in the index;
    but PostgreSQL plans the EXISTS for every case the walk might read (it does not count on the
    LIMIT), so it first hashed every assignment of the user: 7,500 rows for a caseworker at
    100,000 people and ten times as many at a million, on every page of her list.
    """
    if probed:
        # The case's own column, which the (case, user, role) index holds: an index-only probe.
        return Q(IsNull(Subquery(rows.values("case")[:1]), False))
    return Q(Exists(rows))


def _worked_by(user, *, assignment_role: str | None = None, probed: bool = False) -> Q:
    """
    Cases `user` works now. The visibility rule, "my cases" and the edit check all start from it.

    - A case of a team the user is a current member of (any role), and assigned to them (in
      `assignment_role`, if given) or owned by them. Assignment and ownership alone grant nothing:
      whoever leaves the team stops seeing and changing its cases at once, and sees them again
      when re-added, without anyone having to unassign them first.
    - Every case of a team they supervise.
    - A case shared with them as legal advocate (`case_share`), while they hold a legal-advocate
      membership of any team. Advocates are often not members of the sharing team, so for them
      "current membership" is their standing as an advocate: the share stands until it is
      withdrawn or until they hold no legal-advocate membership anywhere (left their last team
      as advocate), whichever comes first.

    `probed`: the same cases, each tested on its own (`_any_of`), for lists that walk the cases
    in an index's order and stop at a page or a bound.
    """
    CaseAssignment = apps.get_model("casework", "CaseAssignment")
    memberships = TeamMembership.objects.filter(user=user)
    # `team IN (the user's teams)`: a handful of rows read once through the (user, team) unique
    # index and hashed, then a hash probe per case, in lists and single-case checks alike.
    member_teams = memberships.values("team")
    supervised_teams = memberships.filter(role=TeamMembership.Role.SUPERVISOR).values("team")
    # EXISTS rather than `pk IN (...)`: PostgreSQL probes the assignment index for a single case
    # (0.1 ms) and still hashes the user's assignments once when it scans many (lists, counts).
    # `IN` always hashed them all, 3-5 ms for a caseworker with 7,500 cases, even for one case.
    assignments = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)
    shares = assignments.filter(role=AssignmentRole.LEGAL_ADVOCATE)
    if assignment_role is not None:
        assignments = assignments.filter(role=assignment_role)
    # Cheap tests first, since PostgreSQL evaluates AND/OR left to right: the hashed team lists
    # settle most cases, so a case is probed for an assignment at most once, and a case of a
    # team the user is not in is never probed unless they are an advocate.
    member = Q(team__in=member_teams)
    assignment_counts = member
    if assignment_role in (None, AssignmentRole.LEGAL_ADVOCATE):
        # Uncorrelated, so evaluated once per query (an InitPlan): for anyone who is no
        # advocate, no case outside their teams is probed for a share.
        advocate = memberships.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
        assignment_counts |= Q(Exists(advocate)) & _any_of(shares, probed=probed)
    worked = Q(team__in=supervised_teams) | (member & Q(owner=user))
    worked |= assignment_counts & _any_of(assignments, probed=probed)
    return worked


def _worked_counts(user) -> Q:
    """
    The rows of `CaseloadCount` that add up to the open cases `user` works, by the rule of
    `_worked_by` (change the two together; tests/casework/test_caseload_counts.py holds them
    equal). A team splits the rule, and a case belongs to one team, so the rows never count a
    case twice: a supervised team's own count; the cases the user owns or is assigned to in the
    other teams they are a member of; and, while they are an advocate anywhere, the cases shared
    with them in teams they are no member of.
    """
    memberships = TeamMembership.objects.filter(user=user)
    member_teams = memberships.values("team")
    supervised_teams = memberships.filter(role=TeamMembership.Role.SUPERVISOR).values("team")
    advocate = memberships.filter(role=TeamMembership.Role.LEGAL_ADVOCATE)
    Kind = apps.get_model("casework", "CaseloadCount").Kind
    supervised = Q(kind=Kind.TEAM, user=None, team__in=supervised_teams)
    member = Q(kind=Kind.WORKED, user=user, team__in=member_teams) & ~Q(team__in=supervised_teams)
    shared = Q(kind=Kind.SHARED, user=user) & ~Q(team__in=member_teams) & Q(Exists(advocate))
    return supervised | member | shared


def _sees_cases(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _case_visibility(user, *, probed: bool = False) -> Q | None:
    """The rule as a condition on Case rows, or None when the user sees no case at all."""
    BreakGlassAccess = apps.get_model("casework", "BreakGlassAccess")
    if not _sees_cases(user):
        return None
    # Administrators (superusers included) see a case's content only while a break-glass grant
    # they asked for, with a written reason, is running.
    broken_glass = BreakGlassAccess.objects.filter(user=user, expires_at__gt=timezone.now())
    return _worked_by(user, probed=probed) | Q(pk__in=broken_glass.values("case"))


def _cases_visible_to(user):
    Case = apps.get_model("casework", "Case")
    visibility = _case_visibility(user)
    return Case.objects.none() if visibility is None else Case.objects.filter(visibility)


def person_seen_by(user, person) -> Exists | Q:
    """
    Whether the person at `person` (an OuterRef to a person id) is one `user` may see: the rule
    of `PersonQuerySet.visible_to` as a condition probed row by row (a member of a visible case),
    for the queries that walk rows in their page's order and stop when the page is full, where
    `pk IN (every visible person)` would first gather thousands of people the page never shows.
    """
    CaseMember = apps.get_model("casework", "CaseMember")
    visibility = _case_visibility(user)
    if visibility is None:
        return Q(pk__in=[])
    visible_cases = _cases_visible_to(user).values("pk")
    return Exists(CaseMember.objects.filter(person=person, case__in=visible_cases))


class CaseQuerySet(EncryptedQuerySet):
    def visible_to(self, user, *, probed: bool = False):
        """
        The cases `user` sees. `probed`: the same cases, for a list read most at risk first a
        page at a time and counted up to a bound (the case list): each case its walk reads is
        tested on its own, so a page costs what its cases cost however many the user works.
        Lists and counts that read every visible case (reports) leave it off: for them one pass
        over the user's assignments is cheaper than a probe per case. (The dashboard's lists
        probe each row they read through `selectors._on_my_case`; its counts are kept.)
        """
        # The rule's own condition on these rows, not `pk IN (SELECT pk FROM case ...)`: the
        # same rows without a second scan of every case and a join on its ids.
        visibility = _case_visibility(user, probed=probed)
        return self.none() if visibility is None else self.filter(visibility)

    def worked_by(self, user, *, assignment_role: str | None = None):
        """Narrows to the cases `user` works (see `_worked_by`); start from `visible_to(user)`."""
        return self.filter(_worked_by(user, assignment_role=assignment_role))

    def worked_now_by(self, user, *, assignment_role: str | None = None):
        """
        `visible_to(user).worked_by(user)` with the rule written once: working a case is one of
        the two ways of seeing it (the other a running break-glass grant), so the cases a user
        works are all among those they see. Written twice, the ORM compiled the rule's
        subqueries twice and PostgreSQL tested both for every case of a dashboard list.
        """
        if not _sees_cases(user):
            return self.none()
        return self.worked_by(user, assignment_role=assignment_role)

    def open(self):
        return self.exclude(status="closed")

    def most_at_risk_first(self):
        return self.order_by("risk_rank", "reference")


class CaseloadCountQuerySet(models.QuerySet):
    def worked_now_by(self, user):
        """The counts whose sum is `Case.objects.worked_now_by(user).open()` counted."""
        return self.filter(_worked_counts(user)) if _sees_cases(user) else self.none()


class PersonQuerySet(EncryptedQuerySet):
    def visible_to(self, user):
        CaseMember = apps.get_model("casework", "CaseMember")
        members = CaseMember.objects.filter(case__in=_cases_visible_to(user).values("pk"))
        return self.filter(pk__in=members.values("person"))

    def matching_name(self, name: str):
        """People whose name or an alias equals `name` once folded (any Unicode form or case)."""
        # More than one digest only while the index key is rotated (see vault.blind_index).
        digests = blind_indexes(NAME_SCOPE, name)
        if not digests:
            return self.none()
        PersonAlias = apps.get_model("casework", "PersonAlias")
        Person = apps.get_model("casework", "Person")
        aliased = PersonAlias.objects.filter(name_index__in=digests).order_by().values("person")
        named = Person.objects.filter(full_name_index__in=digests).order_by().values("pk")
        # One list of ids from the two indexes: `full_name_index = d OR pk IN (aliases)` cannot
        # use the name's index, and scanned every person (50 ms at 100,000 people; now ~1 ms).
        return self.filter(pk__in=named.union(aliased))


class RecordQuerySet(EncryptedQuerySet):
    """The records a caseworker can correct or void (casework.models.corrections.Correctable)."""

    def in_force(self):
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class InForceManager(models.Manager):
    """
    The default manager of a record that can be voided: a voided record is a mistake, so it is
    left out of every page, list, report, document, check and count that reads `objects`
    (relations such as `person.status_records` included) without each of them having to
    remember it. Only the history pages, "show voided records" and the writers that must keep
    every row (erasure, merge) read `with_voided`. Django's base manager, used for saves,
    deletion and foreign keys, stays unfiltered.
    """

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class CaseScopedQuerySet(RecordQuerySet):
    """Records that belong to a case (notes, tasks, incidents, attachments) are seen through it."""

    def visible_to(self, user):
        return self.filter(case__in=_cases_visible_to(user).values("pk"))


class PersonScopedQuerySet(RecordQuerySet):
    """Records about a person (aliases, statuses, entitlements) are seen through the person."""

    person_field = "person"

    def visible_to(self, user):
        Person = apps.get_model("casework", "Person")
        visible = Person.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.person_field}__in": visible})


class RelationshipQuerySet(RecordQuerySet):
    """A family tie is seen only when both people are: otherwise it would name someone out of scope."""

    def visible_to(self, user):
        Person = apps.get_model("casework", "Person")
        visible = Person.objects.visible_to(user).values("pk")
        return self.filter(from_person__in=visible, to_person__in=visible)
