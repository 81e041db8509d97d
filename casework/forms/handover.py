"""Who works a case: assigned, shared with an advocate, transferred; a leaver's cases handed on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Team, TeamMembership

from ..choices import AssignmentRole
from .common import User, UserChoiceField


class CaseAssignForm(forms.Form):
    # Buttons, not lists: each caseworker's workload stands beside the name (the view sets it),
    # and a phone's list cut it off at the width of the screen.
    caseworker = UserChoiceField(
        label=_("Caseworker"), queryset=User.objects.none(), widget=forms.RadioSelect
    )
    replaces = UserChoiceField(
        label=_("Instead of"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: add to the case's caseworkers"),
        widget=forms.RadioSelect,
        # Offered as a button of its own, chosen until another is (buttons drop it otherwise).
        blank=True,
    )

    def __init__(self, *args, caseworkers, assigned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers
        self.fields["replaces"].queryset = assigned


class ShareForm(forms.Form):
    advocate = UserChoiceField(label=_("Legal advocate"), queryset=User.objects.none())

    def __init__(self, *args, advocates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"].queryset = advocates


class TransferForm(forms.Form):
    to_team = forms.ModelChoiceField(label=_("To team"), queryset=Team.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand that this team's caseworkers will no longer see the case."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = teams


class TeamReassignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    from_user = UserChoiceField(
        label=_("Cases of"),
        queryset=User.objects.none(),
        help_text=_("The caseworker who is leaving; inactive accounts are listed too."),
    )
    to_user = UserChoiceField(label=_("Hand them to"), queryset=User.objects.none())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        members = TeamMembership.objects.filter(team__in=teams)
        self.fields["from_user"].queryset = User.objects.filter(
            team_memberships__in=members
        ).distinct().order_by("username") | User.objects.filter(
            case_assignments__role=AssignmentRole.CASEWORKER,
            case_assignments__case__team__in=teams,
        ).distinct().order_by("username")
        # Cases go only to those who work the team's cases: never to its legal advocates.
        working = members.filter(role__in=roles.WORKING_ROLES)
        self.fields["to_user"].queryset = (
            User.objects.filter(is_active=True, team_memberships__in=working)
            .distinct()
            .order_by("username")
        )
