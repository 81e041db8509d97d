"""
The corpus matches the papers, word for word, in the data file and in the loaded rows; the figures
are the papers' numbers; the authorities are only the checked ones, with China's status and the
cautions respected.
"""

import hashlib
import re

import pytest

from casework.choices import EntitlementKind, EntitlementStatus, PersonRole
from legal_aid.corpus import PAPERS_FILE, corpus_data
from legal_aid.models import (
    Authority,
    Figure,
    Instrument,
    Provision,
    Restriction,
    RestrictionEvidence,
    SourceDocument,
    Topic,
)

PAPER = PAPERS_FILE.read_text(encoding="utf-8")
DATA = corpus_data()
PROVISIONS = [(doc, item) for doc in DATA["documents"] for item in doc["provisions"]]

# The figures the issue names, and the other numbers the papers state, exactly.
FIGURES = {
    "court-cases-2003": ("CC-2004-P2", 6341, "exact"),
    "homicide-suicide-cases-2003": ("CC-2004-P2", 19, "exact"),
    "bigamy-punishments-2003": ("CC-2004-P2", 26, "exact"),
    "refugees-in-area": ("YBF-2004-P1", 93000, "more_than"),
    "new-detention-camps": ("YBF-2004-P2", 6, "exact"),
    "detention-spending": ("YBF-2004-P2", 26_000_000, "more_than"),
    "upkeep-spending": ("YBF-2004-P2", 10_000_000, "more_than"),
    "upkeep-growth": ("YBF-2004-P2", 30, "more_than"),
    "requested-appropriation": ("YBF-2004-P3", 30_000_000, "exact"),
    "mass-crossings": ("MPS-2005-P1", 6, "exact"),
    "deported-by-2004": ("MPS-2005-P2", 133009, "exact"),
    "estimated-staying": ("MPS-2005-P3", 400000, "about"),
}

# The checked list of ../shared/LEGAL_AUTHORITIES.md (not in the repository), transcribed:
# instrument code -> (China's status, status verified, the pinpoints we may cite).
CHECKED = {
    "CRC": ("party", True, {f"art. {n}" for n in (2, 3, 7, "7(2)", 8, 22, 24, 26, 28, 35)}),
    "ICCPR": ("signatory_only", True, {"art. 23", "art. 24(1)", "art. 24(2)", "art. 24(3)"}),
    "ICESCR": ("party", True, {"art. 9", "art. 10(3)", "art. 12", "art. 13"}),
    "RC": ("party", True, {"art. 31", "art. 33"}),
    "CAT": ("party", True, {"art. 3"}),
    "CEDAW": ("party", True, {"art. 6", "art. 9(2)", "art. 16"}),
    "STATELESS": ("not_party", False, set()),
    "PRC-NAT": ("domestic", True, {"art. 3", "art. 4", "art. 5", "art. 6"}),
    "PRC-CIV": ("domestic", True, {"art. 1071"}),
    "PRC-MAR": ("domestic", True, {"art. 25"}),
    "PRC-EDU": ("domestic", True, {"art. 4", "art. 5", "art. 12"}),
    "PRC-MIN": ("domestic", True, {"art. 3", "art. 4"}),
    "PRC-HUKOU-2015": ("domestic", True, {""}),
    "CRC-CO": ("not_applicable", True, {"para. 40", "para. 83(a)", "para. 83(c)"}),
    "CAT-CO": ("not_applicable", True, {"para. 46"}),
    "COI": ("not_applicable", True, {"paras 38\u201345", "paras 80\u201394"}),
    "UNHCR": ("not_applicable", True, {""}),
    "CN-DPRK-1986": ("not_applicable", True, {""}),
    # The further authorities (interpretive texts): symbols and dates checked, paragraphs not,
    # except para. 4 of the Committee against Torture's general comment No. 4.
    "CRC-GC-22": ("not_applicable", True, {""}),
    "CRC-GC-23": ("not_applicable", True, {""}),
    "CAT-GC-4": ("not_applicable", True, {"", "para. 4"}),
    "CEDAW-GR-32": ("not_applicable", True, {""}),
}

CHILD_RESTRICTIONS = [
    "child-registration-denied",
    "child-education-denied",
    "child-medical-care-denied",
    "child-welfare-denied",
]


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


# The data file against the paper


def test_the_paper_copy_is_the_one_the_data_was_taken_from():
    """papers_en.txt is byte for byte the file whose digest the data records."""
    digest = hashlib.sha256(PAPERS_FILE.read_bytes()).hexdigest()
    assert digest == DATA["source_sha256"]


@pytest.mark.parametrize(("doc", "item"), PROVISIONS, ids=[i["label"] for _, i in PROVISIONS])
def test_every_provision_text_is_verbatim_in_the_paper(doc, item):
    """A provision's text is a whole line of the paper, and a numbered item keeps its number."""
    lines = PAPER.split("\n")
    if item["kind"] == "item":
        assert f"{item['number']}.\xa0{item['text']}" in lines
    else:
        assert item["text"] in lines
    assert item["label"].startswith(doc["code"] + "-")


def test_every_numbered_item_of_the_paper_is_a_provision():
    """Items 1 to 5 of the Yanbian notice are YB-2003-1 … YB-2003-5, nothing missing."""
    numbered = re.findall(r"^(\d+)\.\s(.+)$", PAPER, flags=re.MULTILINE)
    assert [int(n) for n, _ in numbered] == [1, 2, 3, 4, 5]
    items = {i["label"]: i["text"] for _, i in PROVISIONS if i["kind"] == "item"}
    assert items == {f"YB-2003-{n}": text for n, text in numbered}


def test_every_paragraph_of_the_papers_is_a_provision():
    """Every body paragraph of the four papers is cited somewhere; only the editor's note is not."""
    texts = {item["text"] for _, item in PROVISIONS}
    # Headings, dates, signatures and addressees are short lines; body paragraphs are long.
    body = [line for line in _paragraphs(PAPER) if len(line) > 100]
    missing = [line for line in body if line not in texts and not re.match(r"^\d+\.\s", line)]
    assert [line[:14] for line in missing] == ["Editor\u2019s Note:"]


def test_labels_follow_the_scheme():
    """Item labels are CODE-n; paragraph labels are CODE-Pn, numbered in order from 1."""
    for doc in DATA["documents"]:
        paragraphs = [i for i in doc["provisions"] if i["kind"] == "paragraph"]
        assert [p["number"] for p in paragraphs] == list(range(1, len(paragraphs) + 1))
        for item in doc["provisions"]:
            prefix = "P" if item["kind"] == "paragraph" else ""
            assert item["label"] == f"{doc['code']}-{prefix}{item['number']}"


def test_document_fields_are_taken_from_the_paper():
    """Titles, issuers and addressees are the paper's own words; dates are the papers' dates."""
    for doc in DATA["documents"]:
        assert doc["title"] in PAPER.split("\n")
        for line in doc["issuing_body"].split("\n"):
            assert line in PAPER.split("\n")
        for line in [*doc["addressees"].split("\n"), *doc["copied_to"].split("\n")]:
            assert line in PAPER.replace("\xa0", " ")
    dates = {doc["code"]: doc["issued_on"] for doc in DATA["documents"]}
    assert dates == {
        "YB-2003": "2003-11-16",
        "CC-2004": "2004-01-15",
        "YBF-2004": "2004-10-19",
        "MPS-2005": "2005-03-15",
    }


def test_every_document_says_what_its_source_says_and_no_more():
    """
    The provenance printed in documents is what the seed page says (LEGAL_AUTHORITIES caution 3):
    a translation reproduced "as authorized by the Epoch Times" by an unnamed publisher, no
    translator or date of translation, authenticity unverified. The drafter's caution is apart.
    """
    for doc in DATA["documents"]:
        note = doc["provenance_note"]
        assert "not been independently verified" in note
        assert "as authorized by the Epoch Times" in note and "June 12, 2009" in note
        assert "The translator and the date of the translation are not stated" in note
        assert doc["translation_date"] is None
        for instruction in ("cite it as reported", "say so", "Cite every paper"):
            assert instruction not in note
        assert "Cite every paper as reported" in doc["caution"]


def test_figures_are_the_papers_numbers_in_the_papers_words():
    """Each figure sits on the provision that states it, with the exact value and its wording."""
    texts = {item["label"]: item["text"] for _, item in PROVISIONS}
    figures = {f["key"]: f for f in DATA["figures"]}
    assert set(figures) == set(FIGURES)
    for key, (label, value, qualifier) in FIGURES.items():
        figure = figures[key]
        assert (figure["provision"], figure["value"], figure["qualifier"]) == (
            label,
            value,
            qualifier,
        )
        assert figure["quote"] in texts[label]


def test_figure_quotes_hold_their_value():
    """The number in each quote is the stored value ("over 26 million" is 26,000,000)."""
    for figure in DATA["figures"]:
        match = re.search(r"(\d[\d,]*)(%| million)?", figure["quote"])
        number = int(match.group(1).replace(",", ""))
        if match.group(2) == " million":
            number *= 1_000_000
        assert number == figure["value"], figure["key"]


def test_topics_are_known():
    for _, item in PROVISIONS:
        assert item["topics"]
        assert set(item["topics"]) <= set(Topic.values), item["label"]


# Authorities


def test_only_checked_authorities_are_in_the_data():
    """Every instrument and pinpoint is on the checked list, with China's status as checked."""
    for instrument in DATA["instruments"]:
        status, verified, pinpoints = CHECKED[instrument["code"]]
        assert (instrument["china_status"], instrument["status_verified"]) == (status, verified)
        for authority in instrument["authorities"]:
            assert authority["pinpoint"] in pinpoints, authority["label"]
            assert authority["summary"]


def test_iccpr_is_never_presented_as_binding(db):
    """China signed the ICCPR but never ratified it; the party treaties bind it."""
    assert Instrument.objects.get(code="ICCPR").binds_china is False
    assert "not ratified" in Instrument.objects.get(code="ICCPR").china_status_detail
    for code in ("CRC", "ICESCR", "RC", "CAT", "CEDAW", "PRC-NAT"):
        assert Instrument.objects.get(code=code).binds_china is True


def test_unverified_statuses_are_not_citable(db):
    """The statelessness conventions stay unconfirmed and have nothing to cite."""
    stateless = Instrument.objects.get(code="STATELESS")
    assert stateless.status_verified is False
    assert stateless.binds_china is False
    assert not stateless.authorities.exists()
    assert Authority.objects.citable().count() == Authority.objects.count()


def test_non_refoulement_is_always_paired_with_cat_and_the_crc_committee(db):
    """Caution 1: Refugee Convention art. 33 and CRC art. 22 never stand alone."""
    for label in ("RC-33", "CRC-22"):
        partners = set(Authority.objects.get(label=label).cite_with.values_list("label", flat=True))
        assert partners == {"CAT-3", "CRC-CO-83a"}
    for restriction in Restriction.objects.filter(authorities__label__in=["RC-33", "CRC-22"]):
        cited = set(restriction.authorities.values_list("label", flat=True))
        assert {"CAT-3", "CRC-CO-83a"} <= cited, restriction.slug


def test_every_pairing_is_honoured_in_the_catalogue(db):
    """Whatever an authority must be cited with is cited with it in every restriction."""
    for restriction in Restriction.objects.all():
        cited = set(restriction.authorities.values_list("label", flat=True))
        for authority in restriction.authorities.all():
            needed = set(authority.cite_with.values_list("label", flat=True))
            assert needed <= cited, (restriction.slug, authority.label)


@pytest.mark.parametrize("slug", CHILD_RESTRICTIONS)
def test_a_childs_argument_starts_with_nationality(db, slug):
    """Caution 2: Nationality Law art. 4 first, then the 2015 hukou opinion, then the rest."""
    order = list(
        Restriction.objects.get(slug=slug)
        .authority_links.order_by("position")
        .values_list("authority__label", flat=True)
    )
    assert order[:2] == ["PRC-NAT-4", "PRC-HUKOU-2015"]


def test_schooling_follows_nationality_and_registration(db):
    order = list(
        Restriction.objects.get(slug="child-education-denied")
        .authority_links.order_by("position")
        .values_list("authority__label", flat=True)
    )
    assert order.index("PRC-HUKOU-2015") < order.index("PRC-EDU-4") < order.index("PRC-EDU-5")


# The loaded rows against the data


def test_the_migration_loaded_every_document_and_provision(db):
    """The rows are the data file: same documents, labels, texts and order."""
    assert list(SourceDocument.objects.values_list("code", flat=True)) == [
        doc["code"] for doc in DATA["documents"]
    ]
    loaded = list(
        Provision.objects.order_by("document__position", "position").values_list(
            "label", "kind", "number", "text", "topics"
        )
    )
    expected = [(i["label"], i["kind"], i["number"], i["text"], i["topics"]) for _, i in PROVISIONS]
    assert loaded == expected
    for provision in Provision.objects.all():
        assert provision.text in PAPER


def test_the_migration_loaded_the_figures(db):
    loaded = {
        f.key: (f.provision.label, f.value, f.qualifier)
        for f in Figure.objects.select_related("provision")
    }
    assert loaded == FIGURES


def test_the_migration_loaded_every_authority(db):
    expected = {a["label"] for i in DATA["instruments"] for a in i["authorities"]}
    assert set(Authority.objects.values_list("label", flat=True)) == expected
    for authority in Authority.objects.select_related("instrument"):
        assert authority.pinpoint in CHECKED[authority.instrument.code][2]


def test_every_loaded_row_passes_validation(db):
    """Choices (entitlement and incident kinds, roles, statuses) are casework's own values."""
    for model in (SourceDocument, Provision, Figure, Instrument, Authority, Restriction):
        for row in model.objects.all():
            row.full_clean()
    for rule in RestrictionEvidence.objects.all():
        rule.full_clean()


def test_the_child_hukou_restriction_is_evidenced_by_a_denied_registration(db):
    """YB-2003-2 imposes the hukou refusal, shown by a child's denied household registration."""
    restriction = Provision.objects.get(label="YB-2003-2").restrictions.get()
    assert restriction.slug == "child-registration-denied"
    rule = restriction.evidence_rules.get()
    assert (rule.entitlement_kind, rule.entitlement_status, rule.person_role) == (
        EntitlementKind.HOUSEHOLD_REGISTRATION,
        EntitlementStatus.DENIED,
        PersonRole.CHILD,
    )


def test_every_restriction_is_imposed_answered_and_evidenced(db):
    for restriction in Restriction.objects.all():
        assert restriction.provisions.exists(), restriction.slug
        assert restriction.authorities.exists(), restriction.slug
        assert restriction.evidence_rules.exists(), restriction.slug


def test_loading_again_changes_nothing(db):
    """A later migration may call load() again: it updates in place and duplicates nothing."""
    from django.apps import apps

    from legal_aid.corpus import load

    counts = [m.objects.count() for m in (Provision, Figure, Authority, Restriction)]
    links = list(Restriction.objects.values_list("slug", "authority_links__authority__label"))
    load(apps)
    assert [m.objects.count() for m in (Provision, Figure, Authority, Restriction)] == counts
    assert list(Restriction.objects.values_list("slug", "authority_links__authority__label")) == (
        links
    )
