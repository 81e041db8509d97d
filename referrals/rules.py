"""
Which consent a referral needs: the one home of the map from a kind of provider to the consent
scopes (consent.models.Scope) a person must have given before they are referred to it.

- Lawyers and partner NGOs take up the person's case outside the team, as a legal advocate does:
  "share my case with legal advocates".
- UNHCR and an embassy receive a formal request that names the person to an authority: that
  consent, and "name me in advocacy documents".
- A clinic, a shelter, a school or another service is told only what its sheet shows, and the
  sheet names people only with their consent to be named (casework.redaction): the referral
  needs the person's details kept on file, "keep my details on file".

A child's consent is the one a parent or guardian gave on their behalf (consent.Consent.guardian):
the consent in force answers, whoever gave it.
"""

from consent.checks import current_consent
from consent.models import Scope

from .choices import ProviderKind

REQUIRED_SCOPES: dict[str, tuple[str, ...]] = {
    ProviderKind.LAWYER: (Scope.SHARE_WITH_ADVOCATES,),
    ProviderKind.PARTNER_NGO: (Scope.SHARE_WITH_ADVOCATES,),
    ProviderKind.UNHCR: (Scope.SHARE_WITH_ADVOCATES, Scope.NAMED_IN_DOCUMENTS),
    ProviderKind.EMBASSY: (Scope.SHARE_WITH_ADVOCATES, Scope.NAMED_IN_DOCUMENTS),
    ProviderKind.CLINIC: (Scope.STORE_DATA,),
    ProviderKind.SHELTER: (Scope.STORE_DATA,),
    ProviderKind.SCHOOL: (Scope.STORE_DATA,),
    ProviderKind.OTHER: (Scope.STORE_DATA,),
}


def missing_scopes(person, provider_kind: str) -> list[str]:
    """The scopes a referral of `person` to a provider of `provider_kind` needs and lacks."""
    consent = current_consent(person)
    return [
        scope
        for scope in REQUIRED_SCOPES[ProviderKind(provider_kind)]
        if consent is None or not consent.allows(scope)
    ]


def scope_labels(scopes) -> list[str]:
    return [str(Scope(scope).label) for scope in scopes]
