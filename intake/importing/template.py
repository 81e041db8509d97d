"""
The column template a supervisor downloads: the header row and an example household.
"""

import csv
import io

from ..import_columns import KEYS


def template_csv() -> bytes:
    """
    The column template, UTF-8 with a BOM so Excel reads it: a header row of column keys and an
    example household (a mother, her Chinese partner, their child) under the household number
    "example", which the import skips.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KEYS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(EXAMPLE_HOUSEHOLD)
    return buffer.getvalue().encode("utf-8-sig")


_EXAMPLE_CONSENT = {
    "consent_method": "verbal",
    "consent_given_on": "2024-03-08",
    "consent_scopes": "store_data; statistics",
}
EXAMPLE_HOUSEHOLD = [
    {
        "household": "example",
        "relation": "mother",
        "full_name": "김예시",
        "sex": "female",
        "birth_year": "1985",
        "nationality": "dprk",
        "region": "cn-jilin",
        "legal_status": "undocumented_cn",
        "status_since": "2005-06-01",
        "status_country": "CN",
        "risk_level": "high",
        **_EXAMPLE_CONSENT,
    },
    {
        "household": "example",
        "relation": "father",
        "full_name": "王例",
        "sex": "male",
        "birth_year": "1978",
        "nationality": "prc",
        **_EXAMPLE_CONSENT,
    },
    {
        "household": "example",
        "relation": "child",
        "full_name": "王小例",
        "sex": "female",
        "date_of_birth": "2012-04-03",
        "nationality": "stateless",
        "benefits_refused": "household_registration; school",
    },
]
