class VaultError(Exception):
    """Base class for every encryption failure; never swallowed into None or ciphertext."""


class DecryptionError(VaultError):
    """A value could not be decrypted: tampered, moved to another row or column, or wrong key."""


class UnknownKeyError(DecryptionError):
    """The value was encrypted with a key id that is not in the keyring."""


class EncryptedLookupError(VaultError):
    """An encrypted column was used in a query in a way that cannot work on ciphertext."""
