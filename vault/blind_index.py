"""
Blind indexes: keyed, truncated HMAC-SHA256 of a normalised value, for exact-match search
without decrypting. Each scope (e.g. "person-name") has its own key, derived by HKDF from
SHIMTEO_INDEX_KEY, so equal values in different scopes do not give equal digests.

Rotating the index key: the new key becomes SHIMTEO_INDEX_KEY and the old one goes to
SHIMTEO_OLD_INDEX_KEYS; saves store digests under the new key, searches (`blind_indexes()`) match
both, and `manage.py reindex_blind_indexes` recomputes the stored digests (vault/reindex.py).
"""

import functools
import hashlib
import hmac
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .keyring import get_keyring

DIGEST_BYTES = 16
# Letters, marks and digits carry a name; spaces, punctuation and symbols vary between writers.
KEPT_CATEGORIES = ("L", "M", "N")


def normalise(value: str) -> str:
    """
    Fold the ways one name can be typed into one form: NFKC composes decomposed Hangul and
    folds full-width and compatibility forms, casefold ignores case, and separators are dropped.
    """
    if value.isascii():
        # NFKC leaves ASCII as it is, and casefold() of ASCII is lower().
        folded = value.lower()
    else:
        folded = unicodedata.normalize("NFKC", value).casefold()
        folded = unicodedata.normalize("NFKC", folded)
    if folded.isalnum():
        # Every character is a letter or a number (isalnum() is categories L and N, which a test
        # checks over all of Unicode), so nothing would be dropped: most names, typed unspaced.
        return folded
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in KEPT_CATEGORIES)


@functools.cache
def derive_index_key(scope: str, generation: int = 0) -> bytes:
    """The scope's key from the current index key (generation 0) or an old one (1, 2, ...)."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"shimteo-blind-index:{scope}".encode(),
    ).derive(get_keyring().index_keys[generation])


class Digest(str):
    """A blind-index value computed by this module; the only kind an index column accepts."""

    __slots__ = ()


def _digest(scope: str, folded: str, generation: int) -> Digest:
    mac = hmac.new(derive_index_key(scope, generation), folded.encode(), hashlib.sha256)
    return Digest(mac.hexdigest()[: DIGEST_BYTES * 2])


def blind_index(scope: str, value: str | None) -> Digest | None:
    """
    The digest of `value` in `scope` under the current index key, the one every save stores;
    None when nothing searchable is left after folding.
    """
    if value is None:
        return None
    folded = normalise(str(value))
    if not folded:
        return None
    return _digest(scope, folded, 0)


def blind_indexes(scope: str, value: str | None) -> list[Digest]:
    """
    Every digest a stored row with this value may hold: under the current index key and, during
    an index-key rotation, under each old key. Searches match any of them (`field__in=`), so
    they keep finding rows `reindex_blind_indexes` has not reached yet. Empty when nothing
    searchable is left.
    """
    if value is None:
        return []
    folded = normalise(str(value))
    if not folded:
        return []
    generations = range(len(get_keyring().index_keys))
    return [_digest(scope, folded, generation) for generation in generations]
