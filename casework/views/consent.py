"""
The forms that record and renew what a person consents to.
"""

from django.utils.translation import gettext as _

from consent.checks import current_consent
from consent.models import Consent

from .. import dates, services
from ..forms.consent import ConsentRecordForm, ConsentRenewalForm
from ..models import Person
from ..permissions import consent_witnesses, editable_cases_of_person, editable_people
from .common import (
    CONSENT_FORM_TEMPLATE,
    _consent_url,
    _data,
    _editable_person,
    _form_page,
    _person_context,
    _person_titles,
    form_view,
)


def _consent_people(request, person: Person):
    """The people and staff a consent of `person` may name: those of the cases the user works."""
    cases = editable_cases_of_person(request.user, person)
    guardians = (
        editable_people(request.user)
        .filter(memberships__case__in=cases.values("pk"))
        .exclude(pk=person.pk)
        .distinct()
        .order_by("reference")
    )
    return dates.possible_guardians(guardians, person), consent_witnesses(cases)


def _consent_initial(current: Consent | None) -> dict:
    """A new record starts from the one in force: most often a scope or two changes."""
    if current is None or not current.is_asked:
        return {}
    return {
        "consent": "guardian" if current.guardian_id else "given",
        "scopes": current.scopes,
        "method": current.method,
        "guardian": current.guardian.reference if current.guardian_id else None,
    }


@form_view
def consent_record(request, person_ref):
    """Record what the person agrees to now, or why they could not be asked."""
    person, case = _editable_person(request, person_ref, "consent_record")
    guardians, witnesses = _consent_people(request, person)
    current = current_consent(person)
    form = ConsentRecordForm(
        _data(request),
        guardians=guardians,
        witnesses=witnesses,
        initial=_consent_initial(current),
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.person_consent_record(
            person=person, actor=request.user, case=case, **form.consent_fields()
        ),
        **_person_titles(_("Record the consent of %(person)s"), person),
        success=_("The consent was recorded."),
        next_url=_consent_url(person),
        context={**_person_context(person), "current": current},
        template=CONSENT_FORM_TEMPLATE,
    )


@form_view
def consent_renew(request, person_ref):
    """The person confirms what they agreed to; the date to ask again moves on."""
    person, case = _editable_person(request, person_ref, "consent_renew")
    _guardians, witnesses = _consent_people(request, person)
    return _form_page(
        request,
        ConsentRenewalForm(_data(request), witnesses=witnesses),
        save=lambda data: services.person_consent_renew(
            person=person, actor=request.user, case=case, **data
        ),
        **_person_titles(_("Renew the consent of %(person)s"), person),
        success=_("The consent was renewed."),
        next_url=_consent_url(person),
        context={**_person_context(person), "current": current_consent(person)},
        template=CONSENT_FORM_TEMPLATE,
        submit=_("Renew"),
    )
