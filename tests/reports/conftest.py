"""
The reports' known caseload (`tests.scenarios.known_caseload`, January to June 2025), built once
for each test module: the reports only read it, and what a test adds is undone after it.
"""

from reports.tables import Filters

from ..conftest import built_once
from ..factories import TeamFactory
from ..scenarios import D, known_caseload, persona

PERIOD = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 6, 30))


def _build():
    alice, charlie = persona("alice"), persona("charlie")
    persona("sue")  # North's supervisor, who reads every North case
    return known_caseload(
        team_north=TeamFactory(name="North"),
        team_south=TeamFactory(name="South"),
        alice=alice,
        charlie=charlie,
    )


_built_once, caseload = built_once(_build, name="caseload")
