"""
The time-zone picker (the account page and a team's settings) groups the six hundred IANA zones by
region, with the zones of our work first (issue 16).
"""

import re

from django.urls import reverse

from ..conftest import sign_in

OUR_ZONES = [
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Pyongyang",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Vientiane",
    "Asia/Ulaanbaatar",
    "UTC",
]


def _groups(page: str) -> list[tuple[str, list[str]]]:
    """The <optgroup>s of the time-zone <select>, with the zone values of each, in order."""
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    return [
        (label, re.findall(r'<option value="([^"]+)"', body))
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    ]


def test_the_account_page_offers_the_zones_of_our_work_first_then_regions(client, alice):
    sign_in(client, alice)
    groups = _groups(client.get(reverse("accounts:security")).content.decode())
    assert groups[0] == ("Zones of our work", OUR_ZONES)
    labels = [label for label, _zones in groups]
    assert {"Asia", "Europe", "Americas", "Pacific Ocean"} <= set(labels)
    asia = dict(groups)["Asia"]
    assert "Asia/Tokyo" in asia and "Asia/Shanghai" not in asia  # offered once, first
    assert sum(len(zones) for _label, zones in groups) > 500


def test_the_region_names_are_translated(client, alice):
    sign_in(client, alice)
    page = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    labels = [label for label, _zones in _groups(page)]
    assert labels[0] == "우리 업무의 시간대"
    assert "아시아" in labels and "유럽" in labels and "Asia" not in labels
    assert "Asia/Vientiane (라오스)" in page


def test_choosing_a_zone_from_a_group_is_kept(client, alice):
    sign_in(client, alice)
    client.post(reverse("accounts:time_zone"), {"time_zone": "Asia/Seoul"})
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Seoul"
    page = client.get(reverse("accounts:security")).content.decode()
    assert '<option value="Asia/Seoul" selected>' in page


def test_a_teams_settings_group_the_zones_too(admin_client, team_north):
    page = admin_client.get(reverse("admin:accounts_team_change", args=[team_north.pk]))
    groups = _groups(page.content.decode())
    assert groups[0][0] == "Zones of our work"
    assert groups[0][1][0] == "Asia/Shanghai"
