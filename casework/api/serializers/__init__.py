"""
The shapes of casework records in the API. Serializers check the shape of a request and name the
records it points to; the rules live in casework.services, which the viewsets call. Encrypted
fields read and write as plain JSON values: the model attribute decrypts and encrypts them.

The package is split by sub-domain, as casework.services is: `common` (the bases and shared
fields), `consent`, `people`, `search`, `cases`, `records`, `corrections` and `checkins`.
"""
