"""Random, non-sequential references: the only identifiers shown in URLs, lists and filenames."""

import re
import secrets

# Crockford-style alphabet without 0/O, 1/I/L and U, so references survive being read aloud.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def person_reference() -> str:
    return new_reference("P")


def case_reference() -> str:
    return new_reference("C")


# What a reference is made of, loosely: references written before this alphabet (and by tests)
# are still letters, digits and hyphens, never a name's spaces, Hangul or Chinese characters.
_REFERENCE_CHARACTERS = re.compile(r"[A-Z0-9-]+")


def could_be_reference(text: str) -> bool:
    """Whether `text` (upper case) could be a case's or a person's reference, to look it up."""
    return _REFERENCE_CHARACTERS.fullmatch(text) is not None
