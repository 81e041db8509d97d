"""
What a person agrees to, as the caseworker's pages ask it: consent's own forms with the parent or
guardian and the witness chosen by name among those the user may choose.
"""

from consent.forms import ConsentAnswerForm, ConsentRenewForm

from ..models import Person
from .common import PersonChoiceField, User, UserChoiceField


class ConsentPartForm(ConsentAnswerForm):
    """
    The consent part, with the parent or guardian chosen by name among the people the user works
    with, and the witness among the staff of the person's teams.
    """

    guardian = PersonChoiceField(
        label=ConsentAnswerForm.base_fields["guardian"].label,
        help_text=ConsentAnswerForm.base_fields["guardian"].help_text,
        queryset=Person.objects.none(),
        required=False,
        to_field_name="reference",
    )
    witnessed_by_user = UserChoiceField(
        label=ConsentAnswerForm.base_fields["witnessed_by_user"].label,
        queryset=User.objects.none(),
        required=False,
    )


class ConsentRecordForm(ConsentPartForm):
    """What a person agrees to now, recorded from their page."""


class ConsentRenewalForm(ConsentRenewForm):
    witnessed_by_user = UserChoiceField(
        label=ConsentRenewForm.base_fields["witnessed_by_user"].label,
        queryset=User.objects.none(),
        required=False,
    )
