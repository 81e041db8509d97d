"""Random, non-sequential references: the only identifiers shown in URLs, lists and filenames."""

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
