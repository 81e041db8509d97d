"""What a model needs for the vault's encrypted fields: an identity from the moment it is made."""

import uuid

from django.db import models


class UUIDModel(models.Model):
    """
    A row whose primary key is a random UUID given when the object is made, before its first save:
    every encrypted field binds its ciphertext to the row's identity (`vault.fields`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True
