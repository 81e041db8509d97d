"""The `day` filter writes a day exactly as Django's `date` filter does, in every language."""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from casework.templatetags.casework_dates import day


@pytest.mark.parametrize("language", ["en", "ko", "zh-hans"])
def test_day_is_the_date_filter(language):
    days = [datetime.date(2026, month, 3 + month) for month in range(1, 13)]
    with translation.override(language):
        for value in [*days, *days]:  # the second time from the cache
            assert day(value) == date_filter(value)


def test_day_leaves_other_values_to_the_date_filter():
    moment = datetime.datetime(2026, 12, 3, 9, 15, tzinfo=datetime.UTC)
    assert day(moment) == date_filter(moment)
    assert day(None) == "" == date_filter(None)
