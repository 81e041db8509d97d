"""
The browser tests never wait for "the" load state after a click that navigates: Playwright may
answer at once for the page still shown, which then goes away while the test reads it (CI failed
so: "Execution context was destroyed"). Such a click goes through `click_to_open`
(tests/browser/conftest.py), or is followed by something only the new page has.
"""

import ast
import itertools
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
# Calls that may start a navigation.
NAVIGATING = {"click", "press", "evaluate", "submit", "check", "select_option"}


def _called(statement) -> str | None:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        function = statement.value.func
        if isinstance(function, ast.Attribute):
            return function.attr
    return None


def _racing_waits(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for before, after in itertools.pairwise(body):
            if _called(before) in NAVIGATING and _called(after) == "wait_for_load_state":
                found.append(f"{path.name}:{after.lineno}")
    return found


def test_no_browser_test_waits_for_the_load_state_right_after_a_click():
    racing = [place for path in sorted(BROWSER_TESTS.glob("*.py")) for place in _racing_waits(path)]
    assert racing == [], f"use click_to_open (tests/browser/conftest.py) instead: {racing}"
