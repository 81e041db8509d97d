import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter


def crash_with(full_name):
    person_name = full_name  # a decrypted value held in a frame
    raise RuntimeError(f"boom {len(person_name)}")


@pytest.mark.parametrize("debug", [True, False])
def test_error_reports_hold_no_posted_value_nor_frame_variable(settings, debug):
    """A traceback report of a failed person form shows neither the form's fields nor locals."""
    settings.DEBUG = debug
    # Built at run time: the report quotes source lines, and these must not be in them.
    name, contact = "".join(["김", "순희"]), " ".join(["+86", "138", "0000", "1234"])
    request = RequestFactory().post("/people/new/", {"full_name": name, "contact": contact})
    try:
        crash_with(request.POST["full_name"])
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    for secret in (name, contact):
        assert secret not in text
        assert secret not in html
    assert "full_name" in text  # the field names stay, to help whoever debugs
