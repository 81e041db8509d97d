"""
A pytest plugin that counts, for each browser test, the documents (page loads) and script requests
(the drafts' saves) its pages fetch, in every browser context the test opens: the stable figure of
what a walk costs, where wall time on a loaded machine is not (benchmarks/RESULTS.md, "The browser
walks at lower cost"). Appends "documents fetches test-id" lines to $WALK_PAGE_LOADS_OUT:

    PYTHONPATH=. WALK_PAGE_LOADS_OUT=loads.txt .venv/bin/pytest -p benchmarks.walk_page_loads tests/browser
"""

import os

import pytest

COUNTED = ("document", "fetch")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    page = item.funcargs.get("page")
    if page is None:
        return (yield)
    counts = dict.fromkeys(COUNTED, 0)

    def finished(request) -> None:
        if request.resource_type in counts:
            counts[request.resource_type] += 1

    page.context.on("requestfinished", finished)
    # The windows a test opens later (`open_page`) are contexts of the same browser.
    browser = page.context.browser
    new_context = browser.new_context

    def counted_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("requestfinished", finished)
        return context

    browser.new_context = counted_context
    try:
        return (yield)
    finally:
        del browser.new_context  # the class's method again
        with open(os.environ.get("WALK_PAGE_LOADS_OUT", "walk_page_loads.txt"), "a") as out:
            out.write(f"{counts['document']} {counts['fetch']} {item.nodeid}\n")
