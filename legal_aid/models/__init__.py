"""
Legal aid's models: the citable corpus (`corpus`: the papers, their provisions and figures, the
instruments and authorities that answer them, the restriction catalogue) and the advocacy
documents built from it (`documents`). The citation-label scheme is described in `corpus`.
"""

from .corpus import (
    Authority,
    AuthorityQuerySet,
    Figure,
    Instrument,
    Provision,
    Restriction,
    RestrictionAuthority,
    RestrictionEvidence,
    SourceDocument,
    Topic,
)
from .documents import AdvocacyDocument, AdvocacyDocumentQuerySet

__all__ = [
    "AdvocacyDocument",
    "AdvocacyDocumentQuerySet",
    "Authority",
    "AuthorityQuerySet",
    "Figure",
    "Instrument",
    "Provision",
    "Restriction",
    "RestrictionAuthority",
    "RestrictionEvidence",
    "SourceDocument",
    "Topic",
]
