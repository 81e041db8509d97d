"""
The forms that register and change a person: their names, family ties, legal status and benefits.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import dates, services
from ..forms.people import (
    AliasForm,
    EntitlementForm,
    PersonCreateForm,
    PersonEditForm,
    RelationshipForm,
    StatusChangeForm,
    StatusPeriodForm,
)
from ..permissions import (
    can_register_person,
    editable_cases,
    editable_cases_of_person,
    editable_people,
    may_register_people,
)
from .common import (
    CONSENT_FORM_TEMPLATE,
    _data,
    _editable_person,
    _form_page,
    _person_context,
    _person_titles,
    _person_url,
    form_view,
)

# People


@form_view
def person_create(request):
    """Register a person, with their other names, in one of the cases the user works."""
    if request.method == "GET" and not may_register_people(request.user):
        # No case to register into (a legal advocate; a caseworker on her first day): said, with
        # the way in for someone new, rather than a form whose list of cases is empty.
        return render(
            request,
            "casework/forms/no_case_to_register_into.html",
            {"takes_intakes": can_register_person(request.user, None)},
        )
    cases = editable_cases(request.user).order_by("reference")
    chosen = request.GET.get("case", "")
    # A child's parent or guardian is in the child's case: offered from the chosen case when
    # there is one, else from all the user's cases (the service checks they share the case).
    guardians = editable_people(request.user).order_by("reference")
    if chosen and cases.filter(reference=chosen).exists():
        guardians = guardians.filter(memberships__case__reference=chosen)
    form = PersonCreateForm(
        _data(request),
        cases=cases,
        guardians=dates.possible_guardians(guardians),
        initial={"case": chosen} if chosen else {},
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.person_create(
            actor=request.user,
            aliases=data["aliases"],
            case=data["case"],
            role_in_case=data["role_in_case"],
            consent=form.consent_fields(),
            **form.person_fields(),
        ),
        title=_("Register a person"),
        success=_("The person was registered."),
        next_url=_person_url,
        cancel_url=reverse("casework:dashboard"),
        rename={"name": "aliases"},
        submit=_("Register"),
        template=CONSENT_FORM_TEMPLATE,
    )


@form_view
def person_edit(request, person_ref):
    person, case = _editable_person(request, person_ref, "person_edit")
    fields = list(PersonEditForm.base_fields)
    initial = {name: getattr(person, name) for name in fields if name != "version"}
    form = PersonEditForm(_data(request), initial={**initial, "version": person.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.person_update(
            person=person,
            actor=request.user,
            expected_version=data["version"],
            case=case,
            **form.person_fields(),
        ),
        **_person_titles(_("Edit %(person)s"), person),
        success=_("The changes were saved."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def alias_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "alias_add")
    return _form_page(
        request,
        AliasForm(_data(request)),
        save=lambda data: services.person_alias_add(
            person=person, name=data["name"], actor=request.user, case=case
        ),
        **_person_titles(_("Add another name for %(person)s"), person),
        success=_("The name was added."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def relationship_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "relationship_add")
    # Relatives are chosen among the people of the cases of this person that the user may
    # change: a tie speaks about both people (casework.permissions.can_record_tie).
    shared_cases = editable_cases_of_person(request.user, person).values("pk")
    people = (
        editable_people(request.user)
        .filter(memberships__case__in=shared_cases)
        .exclude(pk=person.pk)
        .distinct()
        .order_by("reference")
    )
    form = RelationshipForm(_data(request), people=people)
    return _form_page(
        request,
        form,
        save=lambda data: services.relationship_create(
            **form.tie(person), actor=request.user, case=case
        ),
        **_person_titles(_("Record a family tie of %(person)s"), person),
        success=_("The family tie was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


def _status_fields(data) -> dict:
    names = ("status", "effective_from", "country", "place", "source", "note")
    return {name: data[name] for name in names}


@form_view
def status_change(request, person_ref):
    person, case = _editable_person(request, person_ref, "status_change")
    return _form_page(
        request,
        StatusChangeForm(_data(request)),
        save=lambda data: services.legal_status_change(
            person=person, actor=request.user, case=case, **_status_fields(data)
        ),
        **_person_titles(_("Change the legal status of %(person)s"), person),
        success=_("The new legal status was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def status_period_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "status_period_add")
    return _form_page(
        request,
        StatusPeriodForm(_data(request)),
        save=lambda data: services.legal_status_record_add(
            person=person,
            actor=request.user,
            case=case,
            effective_to=data["effective_to"],
            **_status_fields(data),
        ),
        **_person_titles(_("Add a past status of %(person)s"), person),
        success=_("The past status was added to the timeline."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def entitlement_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "entitlement_add")
    return _form_page(
        request,
        EntitlementForm(_data(request)),
        save=lambda data: services.entitlement_record(
            person=person, actor=request.user, case=case, **data
        ),
        **_person_titles(_("Record a benefit sought by %(person)s"), person),
        success=_("The benefit was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )
