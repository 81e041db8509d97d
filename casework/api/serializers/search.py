"""
The searches by name, posted in the body: what a person or case search takes, and each record it
found with why.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .cases import CaseListSerializer
from .people import PersonListSerializer


class FoundMixin(serializers.Serializer):
    """Why a search found the record: its rank (0 best) and the reason in words."""

    match_rank = serializers.IntegerField(
        source="match.rank",
        read_only=True,
        help_text=_(
            "-1 the reference, 0 the exact name or alias, 1 the whole name in another script "
            "or spelling, 2 the family name and the given name's initial, 3 the family name "
            "only, 4 the given name only."
        ),
    )
    match_reason = serializers.CharField(source="match.reason", read_only=True)


class PersonFoundSerializer(FoundMixin, PersonListSerializer):
    """A person a name search found, best first, with why."""

    class Meta(PersonListSerializer.Meta):
        fields = [*PersonListSerializer.Meta.fields, "match_rank", "match_reason"]
        read_only_fields = fields


class PersonSearchSerializer(serializers.Serializer):
    """A name searched for: sent in the body, so that it stays out of addresses and logs."""

    name = serializers.CharField(
        max_length=200,
        help_text=_(
            "A name or alias in any script or spelling: Hangul, Chinese characters (simplified "
            "or traditional), pinyin, any romanisation of a Korean name, or a family name alone."
        ),
    )


class CaseFoundSerializer(FoundMixin, CaseListSerializer):
    """A case a search found, best first, with why and through whom."""

    match_person = serializers.CharField(
        source="match.person.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_(
            "The reference of the member whose name or alias matched (not always the "
            "principal); null when the case's or a member's reference matched."
        ),
    )

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "match_rank", "match_reason", "match_person"]
        read_only_fields = fields


class CaseSearchSerializer(serializers.Serializer):
    """What the case search takes: in the body, so that a name stays out of addresses and logs."""

    q = serializers.CharField(
        max_length=200,
        help_text=_(
            "A case reference (C-…), a person reference (P-…), or a member's name or alias in "
            "any script or spelling (as the person search takes it)."
        ),
    )
