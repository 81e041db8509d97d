"""docs/ARCHITECTURE.md stays true: every app of ours is in its diagram and under the import contracts."""

import re
import tomllib

from django.apps import apps
from django.conf import settings

ARCHITECTURE = settings.BASE_DIR / "docs" / "ARCHITECTURE.md"


def _our_apps() -> set[str]:
    return {
        config.name
        for config in apps.get_app_configs()
        if (settings.BASE_DIR / config.name.split(".")[0]).is_dir()
    }


def _layers() -> list[str]:
    contracts = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]
    layered = next(c for c in contracts["importlinter"]["contracts"] if c["type"] == "layers")
    return layered["layers"]


def test_every_app_is_in_the_diagram():
    diagram = ARCHITECTURE.read_text().split("```")[1]
    drawn = set(re.findall(r"^\s+([a-z_]+(?:\s*[|:]\s*[a-z_]+)*)\s{2,}", diagram, re.M))
    names = {name.strip() for line in drawn for name in re.split(r"[|:]", line)}
    assert _our_apps() - names == set()


def test_every_app_and_config_is_held_by_the_layers_contract():
    layered = {name.strip() for layer in _layers() for name in re.split(r"[|:]", layer)}
    assert (_our_apps() | {"config"}) - layered == set()


def test_the_diagram_draws_the_layers_in_the_contracts_order():
    diagram = ARCHITECTURE.read_text().split("```")[1]
    drawn = [
        re.sub(r"\s+", " ", match.strip())
        for match in re.findall(r"^\s+([a-z_]+(?:\s*[|:]\s*[a-z_]+)*)\s{2,}", diagram, re.M)
    ]
    assert drawn == [re.sub(r"\s+", " ", layer) for layer in _layers()]


# A user named after a persona, made anywhere but tests/scenarios.py: another "lena" who is not
# North's advocate, another "bob" who is not North's caseworker.
_PERSONA_MADE = re.compile(
    r"""(?:Factory|create_user|create)\(\s*(?:username\s*=\s*)?["'](alice|bob|charlie|sue|lena)["']"""
)


def test_the_personas_are_made_in_scenarios_alone():
    """
    docs/ARCHITECTURE.md, "Tests": the five personas are defined once (`tests.scenarios.persona`,
    offered as fixtures by tests/conftest.py). A test that needs another user names them apart
    (amal: a legal advocate of another team), so that "lena" means one person in every test.
    """
    tests = settings.BASE_DIR / "tests"
    made = [
        f"{path.relative_to(tests)}:{number}: {line.strip()}"
        for path in sorted(tests.rglob("*.py"))
        if path.name != "scenarios.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _PERSONA_MADE.search(line)
    ]
    assert made == []
