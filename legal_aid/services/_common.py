"""What the document services share: the model's choices, the withdrawn document's refusal, and
the leak check of a rendered file (at rendering and again at each Word download)."""

from django.core.exceptions import PermissionDenied

from ..documents import facts, vocabulary
from ..models import AdvocacyDocument

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction
Status = AdvocacyDocument.Status
Format = AdvocacyDocument.RecipientFormat


class DocumentWithdrawn(PermissionDenied):
    """A document withdrawn because someone it named was erased, or revoked because someone it
    named withdrew their consent to be named, is never downloaded again."""


def _leaks(document: AdvocacyDocument, snapshot: dict, text: str) -> list[str]:
    """What the text of a rendered file shows that it must not: never the requester's username;
    in a pseudonymised document nothing the Redactor hides either."""
    found = []
    if document.case_id and snapshot.get("pseudonymised"):
        found += facts.redactor_for(document).leaks(text)
    if vocabulary.username_shown(document.requested_by.get_username(), text):
        found.append("username")
    return found
