"""The addresses of a table's rows, each page's reversed once per page kind and key kind."""

import functools
import re
import uuid

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse


def _url_name_exists(viewname: str) -> bool:
    *namespaces, name = viewname.split(":")
    resolver = get_resolver()
    for namespace in namespaces:
        try:
            resolver = resolver.namespace_dict[namespace][1]
        except KeyError:
            return False
    return name in resolver.reverse_dict


# Rows of the case and person pages each link to a few pages that differ only by the row's key
# (a case page of 25 timeline entries made some 60 calls of reverse(), ≈ 80 µs each). The address
# is reversed once with a stand-in key of the key's kind, then the row's key is put in its place.
# A text's stand-in is no UUID, so that a text given where the pattern wants a UUID still fails.
_STAND_IN = uuid.UUID(int=0)
_TEXT_STAND_IN = "stand-in-key"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9-]+")


@functools.lru_cache(maxsize=1024)
def _address_with_stand_in(
    viewname: str, leading: tuple, stand_in, prefix: str, urlconf
) -> str | None:
    try:
        return reverse(viewname, urlconf=urlconf, args=[*leading, stand_in])
    except NoReverseMatch:
        # The stand-in does not fit the pattern (a number, say): reverse() checks each key.
        return None


def _row_address(viewname: str, *leading, key) -> str:
    """reverse(viewname, args=[*leading, key]), for a key of letters, digits and hyphens (a UUID,
    a reference) in the last part of the pattern; any other key goes through reverse() itself,
    which checks it against the pattern and quotes it."""
    return _row_addresses((viewname,), *leading, key=key)[0]


def _row_addresses(viewnames: tuple, *leading, key, where: tuple | None = None) -> list[str]:
    """_row_address of each of `viewnames` for one row, the script prefix and URL configuration
    (thread-local reads) asked once for all of them, or given as `where` by a table's `_Writer`."""
    text = str(key)
    if not _PLAIN_KEY.fullmatch(text):
        return [reverse(viewname, args=[*leading, key]) for viewname in viewnames]
    prefix, urlconf = where or (get_script_prefix(), get_urlconf())
    stand_in = _STAND_IN if isinstance(key, uuid.UUID) else _TEXT_STAND_IN
    addresses = []
    for viewname in viewnames:
        address = _address_with_stand_in(viewname, leading, stand_in, prefix, urlconf)
        addresses.append(
            reverse(viewname, args=[*leading, key])
            if address is None
            else address.replace(str(stand_in), text, 1)
        )
    return addresses


def _row_address_if_exists(viewname: str, *leading, key) -> str:
    """`url_if_exists(viewname, *leading, key)` for a row, reversed as `_row_address` does."""
    return _row_address(viewname, *leading, key=key) if _url_name_exists(viewname) else ""
