"""
Encrypted model fields and blind-index fields.

An encrypted value lives in the database as AES-256-GCM ciphertext text whose associated data is
`app_label.model.field:<pk>`. Values read from the database stay sealed until the attribute is
first read on its model instance, so lists that never show a field never decrypt it.
Writes go through `Model.save()` or `bulk_create()`, the only paths that know the row's primary
key; `QuerySet.update()` and `bulk_update()` with plaintext are refused.
"""

import datetime
import json
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from . import crypto
from .blind_index import DIGEST_BYTES, Digest, blind_index
from .exceptions import DecryptionError, EncryptedLookupError, VaultError
from .keyring import get_keyring

# Per-instance memo of {attname: (plaintext bytes, token, pk)}, so saving an unchanged value
# neither decrypts nor re-encrypts it.
MEMO_ATTR = "_vault_memo"
# Per-instance (pk, pk as bytes): a UUID's text is worth making once a row, not once a field.
PK_TEXT_ATTR = "_vault_pk_text"


class Sealed:
    """Ciphertext as read from, or about to be written to, an encrypted column."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __eq__(self, other):
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self):
        return hash(self.token)

    def __repr__(self):
        return "<Sealed>"

    @property
    def key_id(self) -> str:
        return crypto.token_key_id(self.token)


class EncryptedWriteError(VaultError):
    """Plaintext reached an encrypted column by a path that cannot encrypt it."""


class EncryptedAttribute(DeferredAttribute):
    """Decrypts a sealed value the first time it is read from its instance."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.unseal(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin:
    descriptor_class = EncryptedAttribute

    def __init__(self, *args, **kwargs):
        for option in ("primary_key", "unique", "db_index"):
            if kwargs.get(option):
                raise ImproperlyConfigured(
                    f"An encrypted field cannot be {option}: ciphertext is random. "
                    "Add a BlindIndexField for exact-match search."
                )
        super().__init__(*args, **kwargs)

    def get_internal_type(self):
        return "TextField"

    @cached_property
    def associated_data_prefix(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.name}:".encode()

    def associated_data(self, pk) -> bytes:
        return self.associated_data_prefix + str(pk).encode()

    def instance_associated_data(self, instance, pk) -> bytes:
        """`associated_data(pk)`, with the pk's text kept on the instance for its other fields."""
        cached = instance.__dict__.get(PK_TEXT_ATTR)
        if cached is None or cached[0] != pk:
            cached = instance.__dict__[PK_TEXT_ATTR] = (pk, str(pk).encode())
        return self.associated_data_prefix + cached[1]

    # Conversion between Python values and the bytes that are encrypted.
    def to_plaintext(self, value) -> bytes:
        if isinstance(value, str):
            return value.encode()
        return str(self.to_python(value)).encode()

    def from_plaintext(self, data: bytes):
        return data.decode()

    def unseal(self, instance, sealed: Sealed):
        pk = instance.pk
        if pk is None:
            raise VaultError(f"{self.model.__name__}.{self.name}: cannot decrypt without a pk.")
        plaintext = crypto.decrypt(sealed.token, self.instance_associated_data(instance, pk))
        instance.__dict__.setdefault(MEMO_ATTR, {})[self.attname] = (plaintext, sealed.token, pk)
        return self.from_plaintext(plaintext)

    def seal(self, instance, value) -> Sealed:
        pk = instance.pk
        if pk is None:
            raise VaultError(
                f"{self.model.__name__} needs its primary key before an encrypted value is "
                "saved: give the model a UUID primary key with a default."
            )
        plaintext = self.to_plaintext(value)
        memo = instance.__dict__.get(MEMO_ATTR)
        memo = memo.get(self.attname) if memo else None
        if (
            memo
            and memo[0] == plaintext
            and memo[2] == pk
            and crypto.token_key_id(memo[1]) == get_keyring().primary_key_id
        ):
            return Sealed(memo[1])
        token = crypto.encrypt(plaintext, self.instance_associated_data(instance, pk))
        instance.__dict__.setdefault(MEMO_ATTR, {})[self.attname] = (plaintext, token, pk)
        return Sealed(token)

    def reseal_if_stale(self, instance, sealed: Sealed) -> Sealed:
        """
        Re-encrypt an unchanged value that is still under an old key, so that a save during or
        after key rotation never writes an old key's ciphertext back.
        """
        keyring = get_keyring()
        try:
            if sealed.key_id == keyring.primary_key_id:
                return sealed
            plaintext = crypto.decrypt(sealed.token, self.associated_data(instance.pk), keyring)
        except DecryptionError:
            # A save that does not change this value keeps it as stored; reading it still raises.
            return sealed
        resealed = Sealed(crypto.encrypt(plaintext, self.associated_data(instance.pk), keyring))
        instance.__dict__[self.attname] = resealed
        return resealed

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            return self.reseal_if_stale(model_instance, value)
        return self.seal(model_instance, value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def to_python(self, value):
        if isinstance(value, Sealed):
            return value
        return super().to_python(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        raise EncryptedWriteError(
            f"{self.model.__name__}.{self.name} is encrypted: write it with Model.save() or "
            "bulk_create(), which know the row it belongs to; update() and bulk_update() cannot."
        )

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if prepared else self.get_prep_value(value)

    def get_db_prep_save(self, value, connection):
        return self.get_db_prep_value(value, connection, prepared=False)

    def value_to_string(self, obj):
        # Serialized dumps carry ciphertext, never plaintext.
        sealed = self.pre_save(obj, add=False)
        return None if sealed is None else sealed.token

    def _refuse_query(self, name):
        raise EncryptedLookupError(
            f"{self.model.__name__}.{self.name} is encrypted, so the lookup or transform "
            f"{name!r} cannot work on it; only 'isnull' can. Search through its blind index."
        )

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        self._refuse_query(lookup_name)

    def get_transform(self, lookup_name):
        self._refuse_query(lookup_name)


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """Plaintext length is limited by `max_length` in validation; the column itself is text."""


class EncryptedDateField(EncryptedFieldMixin, models.DateField):
    def to_plaintext(self, value) -> bytes:
        return self.to_python(value).isoformat().encode()

    def from_plaintext(self, data: bytes):
        return datetime.date.fromisoformat(data.decode())


class EncryptedJSONField(EncryptedFieldMixin, models.JSONField):
    def to_plaintext(self, value) -> bytes:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False).encode()

    def from_plaintext(self, data: bytes):
        return json.loads(data.decode(), cls=self.decoder)


class BlindIndexField(models.CharField):
    """
    A keyed digest of an encrypted field's normalised value, kept in step on every save.
    Fields sharing a `scope` are comparable (a person's name and their aliases).
    """

    def __init__(self, *, source: str, scope: str, **kwargs):
        self.source, self.scope = source, scope
        kwargs.update(max_length=DIGEST_BYTES * 2, editable=False, null=True, blank=True)
        kwargs.setdefault("db_index", True)
        super().__init__(**kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for option in ("max_length", "editable", "null", "blank"):
            kwargs.pop(option, None)
        kwargs.update(source=self.source, scope=self.scope)
        return name, path, args, kwargs

    def db_type(self, connection):
        # varchar(n) under its other name: PostgreSQL's schema editor adds a second index for LIKE
        # (varchar_pattern_ops) to every indexed column whose type is spelt "varchar", which no
        # digest lookup uses and every insert paid for. Not char(n): bulk_create() casts to the
        # type without its length, and "character[]" is char(1), which would truncate digests.
        return f"character varying({self.max_length})"

    def digest(self, value: str | None) -> Digest | None:
        return blind_index(self.scope, value)

    def pre_save(self, model_instance, add):
        source = model_instance._meta.get_field(self.source)
        raw = model_instance.__dict__.get(source.attname)
        if isinstance(raw, Sealed):
            current = model_instance.__dict__.get(self.attname)
            return None if current is None else Digest(current)
        digest = self.digest(raw)
        model_instance.__dict__[self.attname] = digest
        return digest

    def get_prep_value(self, value):
        if value is None or isinstance(value, Digest):
            return value
        raise EncryptedWriteError(
            f"{self.model.__name__}.{self.name} holds blind-index digests: compare it with "
            f"{self.model.__name__}._meta.get_field({self.name!r}).digest(value), and never "
            "write it directly."
        )


def encrypted_fields(model) -> list[EncryptedFieldMixin]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


class EncryptedQuerySet(models.QuerySet):
    """Refuses `update()` of encrypted and blind-index columns, even to NULL, to keep them in step."""

    def update(self, **kwargs):
        for name, value in kwargs.items():
            field = self.model._meta.get_field(name)
            if isinstance(field, BlindIndexField) or (
                isinstance(field, EncryptedFieldMixin) and not isinstance(value, Sealed)
            ):
                raise EncryptedWriteError(
                    f"{self.model.__name__}.{name} is encrypted or indexed: change it with "
                    "Model.save() so its ciphertext and blind index stay in step."
                )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before any query: inside bulk_update's own atomic block the error would also
        # break the caller's transaction.
        for name in fields:
            field = self.model._meta.get_field(name)
            if isinstance(field, EncryptedFieldMixin | BlindIndexField):
                raise EncryptedWriteError(
                    f"{self.model.__name__}.{name} is encrypted or indexed: bulk_update() cannot "
                    "encrypt per row; save each object with Model.save()."
                )
        return super().bulk_update(objs, fields, batch_size=batch_size)
