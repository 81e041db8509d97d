"""
Asking for a document: what the facts support (`document_offers`), the rules a request must
meet, a new document (`document_request`) and a new version of one (`document_regenerate`),
each queued for rendering after commit.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.services import record
from casework.choices import MemberRole, PersonRole
from casework.models import Case, CaseMember

from .. import permissions
from ..documents import facts
from ..documents.formats.recipients import needs_contact
from ..models import AdvocacyDocument
from ._common import Format, Kind, Redaction
from .queue import _enqueue


def _validate_format(*, kind, recipient_format, language) -> None:
    if recipient_format not in AdvocacyDocument.formats_for(kind):
        raise ValidationError(
            {"recipient_format": _("This kind of document is not offered in that form.")}
        )
    if (
        recipient_format == Format.AUTHORITY_LETTER
        and language != AdvocacyDocument.Language.ZH_HANS
    ):
        raise ValidationError(
            {"language": _("A letter to a Chinese authority is written in Chinese.")}
        )


def _validate_scope(
    *, kind, case, subject, redaction, team, actor, recipient_format="", language=""
) -> None:
    """The rules a request must meet; also checked again when a document is regenerated."""
    _validate_format(kind=kind, recipient_format=recipient_format, language=language)
    if kind == Kind.CASELOAD_REPORT:
        if case is not None or subject is not None:
            raise ValidationError(_("A caseload report covers cases, not one case or person."))
        if redaction != Redaction.AGGREGATE_ONLY:
            raise ValidationError(
                {"redaction": _("A caseload report shows figures only, no individual.")}
            )
        if team is not None and not permissions.can_report_on_team(actor, team):
            raise ValidationError({"team": _("You can scope a report only to a team you are in.")})
        return
    if not permissions.can_request_document_on(actor, case):
        raise PermissionDenied(_("You cannot see this case."))
    if team is not None:
        raise ValidationError({"team": _("Only a caseload report is scoped to a team.")})
    if needs_contact(recipient_format, case.team, language):
        raise ValidationError(
            {
                "recipient_format": _(
                    "A document in this form gives the recipient the team's confidential "
                    "contact, and %(team)s has none. Ask an administrator to set the team's "
                    "submitting organisation and confidential contact (Administration, Teams)."
                )
                % {"team": case.team.name}
            }
        )
    if redaction == Redaction.AGGREGATE_ONLY:
        raise ValidationError(
            {
                "redaction": _(
                    "A brief or an appeal is about one person: choose names with consent or "
                    "pseudonyms. Figures only is for caseload reports."
                )
            }
        )
    if subject is None:
        raise ValidationError({"subject": _("Choose the person the document is about.")})
    member = CaseMember.objects.filter(case=case, person=subject).first()
    if member is None:
        raise ValidationError({"subject": _("This person is not a member of the case.")})
    if kind == Kind.CHILD_ACCESS_BRIEF and not is_child_member(member):
        raise ValidationError(
            {
                "subject": _(
                    "A submission on a child's nationality, registration and schooling is about "
                    "a child."
                )
            }
        )
    # The rules of legal_aid.documents.rules decide whether the facts support the document at
    # all: an appeal for someone at no recorded risk, a brief with nothing to ask, is refused.
    refusal = facts.plan_refusal(
        kind=kind, case=case, subject=subject, user=actor, recipient_format=recipient_format
    )
    if refusal:
        # Refused for the form (a UN communication would announce the person) when the kind
        # itself would do: said under the form's field, else under the person's.
        in_another_form = not facts.plan_refusal(kind=kind, case=case, subject=subject, user=actor)
        raise ValidationError({"recipient_format" if in_another_form else "subject": refusal})


def is_child_member(member: CaseMember) -> bool:
    """A child's submission is about a child: by the person's role or their role in the case."""
    return member.person.role == PersonRole.CHILD or member.role == MemberRole.CHILD


@dataclass(frozen=True)
class Offer:
    """A document the facts support: its kind, about whom, and in which forms (usual first)."""

    kind: str
    subject: object
    formats: tuple[str, ...]

    @property
    def urgent(self) -> bool:
        return Format.UN_COMMUNICATION in self.formats


def document_offers(*, case: Case, actor) -> list[Offer]:
    """
    The documents the recorded facts support for the members of `case`, the most fitting first:
    an urgent appeal for someone detained or arrested, then a child's submission, then the other
    appeals. What the request form offers; the request is checked again by `document_request`.
    """
    offers = []
    members = CaseMember.objects.filter(case=case).select_related("person").order_by("added_at")
    for member in members:
        kinds = [Kind.DEPORTATION_APPEAL] + (
            [Kind.CHILD_ACCESS_BRIEF] if is_child_member(member) else []
        )
        for kind in kinds:
            supported = facts.formats_supported(
                kind=kind, case=case, subject=member.person, user=actor
            )
            if supported:
                offers.append(Offer(kind=kind, subject=member.person, formats=tuple(supported)))
    offers.sort(key=lambda offer: (not offer.urgent, offer.kind != Kind.CHILD_ACCESS_BRIEF))
    return offers


def _default_format(*, kind, case, subject, actor) -> str:
    """The kind's usual form; for someone in hiding, an appeal goes to the partner lawyer, not the
    UN (whose communication would announce them to the Government)."""
    usual = AdvocacyDocument.formats_for(kind)[0]
    if (
        usual == Format.UN_COMMUNICATION
        and subject is not None
        and case is not None
        and facts.plan_refusal(
            kind=kind, case=case, subject=subject, user=actor, recipient_format=usual
        )
    ):
        return Format.LAWYER_SUBMISSION
    return usual


def _validate_deadline(*, deadline, case, team) -> None:
    """A deadline is a day to come, or today, where the document's team works."""
    from casework import dates

    if deadline is not None and deadline < dates.today(team=case.team if case else team):
        raise ValidationError({"deadline": _("A deadline cannot be in the past.")})


def _unknown_to_authority(*, recipient_format, case, subject, actor) -> bool:
    """A letter to a Chinese authority about someone it does not know of yet."""
    return recipient_format == Format.AUTHORITY_LETTER and not facts.known_to_authority(
        case=case, subject=subject, user=actor
    )


UNKNOWN_TO_AUTHORITY_WARNING = _lazy(
    "The authorities are not recorded as knowing of this person: they are not detained or "
    "arrested, and no refusal of theirs is recorded. A letter would tell the authorities where "
    "they are. Send it only if the person knows and wants it, and confirm that decision below; "
    "it is recorded."
)


def document_request(
    *,
    kind: str,
    language: str,
    redaction: str,
    actor,
    case: Case | None = None,
    subject=None,
    team=None,
    recipient_format: str = "",
    proceed_despite_unknown: bool = False,
    deadline=None,
) -> AdvocacyDocument:
    """
    Queue a new document (version 1 of a new series); a worker renders it after commit. Without
    `recipient_format` the kind's default form is used. `deadline`, a day not yet past in the
    team's time zone, is printed on the cover. A letter to a Chinese authority about
    someone it does not know of is refused with a warning unless `proceed_despite_unknown`
    records the requester's decision.
    """
    recipient_format = recipient_format or _default_format(
        kind=kind, case=case, subject=subject, actor=actor
    )
    _validate_scope(
        kind=kind,
        case=case,
        subject=subject,
        redaction=redaction,
        team=team,
        actor=actor,
        recipient_format=recipient_format,
        language=language,
    )
    _validate_deadline(deadline=deadline, case=case, team=team)
    unknown = case is not None and _unknown_to_authority(
        recipient_format=recipient_format, case=case, subject=subject, actor=actor
    )
    if unknown and not proceed_despite_unknown:
        raise ValidationError({"proceed_despite_unknown": UNKNOWN_TO_AUTHORITY_WARNING})
    document = AdvocacyDocument(
        kind=kind,
        case=case,
        subject=subject,
        team=team,
        language=language,
        redaction=redaction,
        recipient_format=recipient_format,
        sent_despite_unknown=unknown,
        deadline=deadline,
        requested_by=actor,
    )
    document.full_clean()
    with transaction.atomic():
        document.save()
        record(
            actor,
            "create",
            document,
            kind=kind,
            language=language,
            redaction=redaction,
            recipient_format=recipient_format,
            # The warning was shown and the requester chose to send it anyway.
            sent_despite_unknown=unknown,
            deadline=deadline.isoformat() if deadline else None,
        )
        _enqueue(document)
    return document


def document_regenerate(*, document: AdvocacyDocument, actor) -> AdvocacyDocument:
    """A new version of `document`'s series from today's facts; earlier versions are kept."""
    with transaction.atomic():
        # Lock the series so two regenerations cannot take the same version number.
        list(AdvocacyDocument.objects.select_for_update().filter(series=document.series))
        _validate_scope(
            kind=document.kind,
            case=document.case,
            subject=document.subject,
            redaction=document.redaction,
            team=document.team,
            actor=actor,
            recipient_format=document.recipient_format,
            language=document.language,
        )
        latest = AdvocacyDocument.objects.filter(series=document.series).aggregate(
            top=Max("version")
        )["top"]
        new = AdvocacyDocument(
            series=document.series,
            version=latest + 1,
            kind=document.kind,
            case=document.case,
            subject=document.subject,
            team=document.team,
            language=document.language,
            redaction=document.redaction,
            recipient_format=document.recipient_format,
            # The decision to write to an authority that did not know the person stands.
            sent_despite_unknown=document.sent_despite_unknown,
            # The recipient's deadline stands for every version of the series.
            deadline=document.deadline,
            requested_by=actor,
        )
        new.full_clean()
        new.save()
        record(actor, "create", new, kind=new.kind, version=new.version, previous=str(document.pk))
        _enqueue(new)
    return new
