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
