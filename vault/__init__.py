"""Field-level encryption: keyring, encrypted model fields, blind indexes, encrypted files, rotation."""
