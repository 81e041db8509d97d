"""
Advocacy documents argued from the facts, as a legal advocate would try them: families built
with the casework services, documents rendered once per module by WeasyPrint and read back.

- A mother in Liaoning, undocumented but not detained, and her son by a Chinese father: school
  was refused and later granted, medical care is refused now.
- A mother detained in Yanbian Prefecture, and her daughter by a Chinese father, refused
  household registration and school; the parents could not register their marriage.
- A young man born in 2006 in Heilongjiang, refused kindergarten as a boy and hukou now.
- A stateless girl in Jilin whose parents are both North Korean.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from casework import dates
from casework.choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    Nationality,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
from casework.services import (
    case_open,
    entitlement_record,
    incident_record,
    legal_status_change,
    person_create,
    relationship_create,
)
from legal_aid import services
from legal_aid.corpus import corpus_data
from legal_aid.documents import facts, preview, rendering
from legal_aid.models import AdvocacyDocument

from ..factories import TeamFactory
from ..scenarios import persona

# Each test runs in its own savepoint inside the module's transaction (see `world`).
pytestmark = pytest.mark.django_db

Kind = AdvocacyDocument.Kind
PSEUDONYMS = AdvocacyDocument.Redaction.PSEUDONYMISED
LANGUAGES = [code for code, _label in AdvocacyDocument.Language.choices]
TODAY = dates.today()


def years_ago(years: int, month: int = 3, day: int = 1) -> datetime.date:
    return datetime.date(TODAY.year - years, month, day)


def text_of(pdf: bytes) -> str:
    """The PDF's text on one line, pseudonyms without their age band ("Mother A")."""
    # Read by PDFium, as the app reads a document back (pypdf took seconds of CPU per document).
    text = preview.pdf_text(pdf)
    return re.sub(r" \(aged \d+ (?:to \d+|or over)\)", "", re.sub(r"\s+", " ", text))


class Family:
    """One household of a case, built through the casework services as a caseworker would."""

    def __init__(self, actor, team, *, region):
        self.actor, self.region = actor, region
        self.case = case_open(team=team, actor=actor, risk_level=RiskLevel.HIGH)

    def person(self, name, *, role, sex, nationality, born, member_role=MemberRole.PRINCIPAL):
        return person_create(
            actor=self.actor,
            case=self.case,
            role_in_case=member_role,
            full_name=name,
            role=role,
            sex=sex,
            nationality=nationality,
            region=self.region,
            date_of_birth=born,
        )

    def parent(self, parent, child):
        relationship_create(
            from_person=parent, to_person=child, kind=RelationshipKind.PARENT_OF, actor=self.actor
        )

    def couple(self, a, b, *, registered):
        relationship_create(
            from_person=a,
            to_person=b,
            kind=RelationshipKind.PARTNER_OF,
            marriage_registered=registered,
            actor=self.actor,
        )

    def status(self, person, status, since, country=Country.CHINA):
        legal_status_change(
            person=person,
            status=status,
            effective_from=since,
            country=country,
            source=StatusSource.CASEWORKER,
            actor=self.actor,
            place="Tumen holding centre" if status == LegalStatus.DETAINED_CN else "",
        )

    def benefit(self, person, kind, status, as_of):
        entitlement_record(person=person, kind=kind, status=status, as_of=as_of, actor=self.actor)

    def incident(self, kind, on, *people):
        incident_record(
            case=self.case,
            kind=kind,
            occurred_on=on,
            region=self.region,
            people=people,
            actor=self.actor,
        )


def render(kind, *, family, subject, actor, language="en"):
    document = services.document_request(
        kind=kind,
        case=family.case,
        subject=subject,
        language=language,
        redaction=PSEUDONYMS,
        actor=actor,
    )
    document = services.document_render(document_id=document.pk)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    with document.file.open("rb") as handle:
        return document, handle.read()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The four families, their documents rendered once, read back as text; rolled back after."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        team = TeamFactory(name="North")
        alice = persona("alice")
        built = {"alice": alice}

        liaoning = Family(alice, team, region=Region.LIAONING)
        mother = liaoning.person(
            "최은희",
            role=PersonRole.REFUGEE,
            sex=Sex.FEMALE,
            nationality=Nationality.DPRK,
            born=years_ago(38),
        )
        father = liaoning.person(
            "刘强",
            role=PersonRole.PARTNER,
            sex=Sex.MALE,
            nationality=Nationality.PRC,
            born=years_ago(45),
            member_role=MemberRole.PARTNER,
        )
        son = liaoning.person(
            "류민호",
            role=PersonRole.CHILD,
            sex=Sex.MALE,
            nationality=Nationality.UNKNOWN,
            born=years_ago(9),
            member_role=MemberRole.CHILD,
        )
        liaoning.parent(mother, son)
        liaoning.parent(father, son)
        liaoning.couple(mother, father, registered=False)
        liaoning.status(mother, LegalStatus.UNDOCUMENTED_CN, years_ago(12))
        liaoning.status(son, LegalStatus.UNDOCUMENTED_CN, years_ago(9))  # since birth, in China
        liaoning.benefit(son, EntitlementKind.SCHOOL, EntitlementStatus.DENIED, years_ago(3, 9))
        liaoning.benefit(son, EntitlementKind.SCHOOL, EntitlementStatus.GRANTED, years_ago(2, 9))
        liaoning.benefit(son, EntitlementKind.MEDICAL_CARE, EntitlementStatus.DENIED, years_ago(1))
        liaoning.benefit(
            son, EntitlementKind.HOUSEHOLD_REGISTRATION, EntitlementStatus.DENIED, years_ago(1)
        )
        built["liaoning"] = liaoning
        built["liaoning_appeal"] = render(
            Kind.DEPORTATION_APPEAL, family=liaoning, subject=mother, actor=alice
        )
        built["liaoning_brief"] = render(
            Kind.CHILD_ACCESS_BRIEF, family=liaoning, subject=son, actor=alice
        )
        built["liaoning_people"] = {"mother": mother, "son": son}

        yanbian = Family(alice, team, region=Region.YANBIAN)
        mother = yanbian.person(
            "박순옥",
            role=PersonRole.REFUGEE,
            sex=Sex.FEMALE,
            nationality=Nationality.DPRK,
            born=years_ago(34),
        )
        father = yanbian.person(
            "金志刚",
            role=PersonRole.PARTNER,
            sex=Sex.MALE,
            nationality=Nationality.PRC,
            born=years_ago(40),
            member_role=MemberRole.PARTNER,
        )
        daughter = yanbian.person(
            "김하나",
            role=PersonRole.CHILD,
            sex=Sex.FEMALE,
            nationality=Nationality.UNKNOWN,
            born=years_ago(7),
            member_role=MemberRole.CHILD,
        )
        yanbian.parent(mother, daughter)
        yanbian.parent(father, daughter)
        yanbian.couple(mother, father, registered=False)
        yanbian.status(mother, LegalStatus.UNDOCUMENTED_CN, years_ago(10))
        yanbian.incident(IncidentKind.ARREST, TODAY - datetime.timedelta(days=100), mother)
        yanbian.status(mother, LegalStatus.DETAINED_CN, TODAY - datetime.timedelta(days=99))
        yanbian.status(daughter, LegalStatus.STATELESS, years_ago(7))  # since birth, in China
        yanbian.benefit(
            daughter, EntitlementKind.HOUSEHOLD_REGISTRATION, EntitlementStatus.DENIED, years_ago(1)
        )
        yanbian.benefit(daughter, EntitlementKind.SCHOOL, EntitlementStatus.DENIED, years_ago(0, 1))
        built["yanbian_appeal"] = render(
            Kind.DEPORTATION_APPEAL, family=yanbian, subject=mother, actor=alice
        )
        built["yanbian_brief"] = render(
            Kind.CHILD_ACCESS_BRIEF,
            family=yanbian,
            subject=daughter,
            actor=alice,
            language="zh-hans",
        )

        heilongjiang = Family(alice, team, region=Region.HEILONGJIANG)
        young_man = heilongjiang.person(
            "정성민",
            role=PersonRole.CHILD,
            sex=Sex.MALE,
            nationality=Nationality.UNKNOWN,
            born=datetime.date(2006, 5, 20),
            member_role=MemberRole.CHILD,
        )
        heilongjiang.benefit(
            young_man,
            EntitlementKind.KINDERGARTEN,
            EntitlementStatus.DENIED,
            datetime.date(2010, 9, 1),
        )
        heilongjiang.benefit(
            young_man,
            EntitlementKind.HOUSEHOLD_REGISTRATION,
            EntitlementStatus.DENIED,
            years_ago(1),
        )
        built["adult_brief"] = render(
            Kind.CHILD_ACCESS_BRIEF, family=heilongjiang, subject=young_man, actor=alice
        )

        jilin = Family(alice, team, region=Region.JILIN)
        parent = jilin.person(
            "한미영",
            role=PersonRole.REFUGEE,
            sex=Sex.FEMALE,
            nationality=Nationality.DPRK,
            born=years_ago(30),
        )
        girl = jilin.person(
            "한별",
            role=PersonRole.CHILD,
            sex=Sex.FEMALE,
            nationality=Nationality.STATELESS,
            born=years_ago(4),
            member_role=MemberRole.CHILD,
        )
        jilin.parent(parent, girl)
        jilin.status(parent, LegalStatus.RESETTLED_ROK, years_ago(1), country=Country.ROK)
        jilin.status(girl, LegalStatus.STATELESS, years_ago(4))
        jilin.benefit(girl, EntitlementKind.KINDERGARTEN, EntitlementStatus.DENIED, years_ago(0, 1))
        built["stateless_brief"] = render(
            Kind.CHILD_ACCESS_BRIEF, family=jilin, subject=girl, actor=alice, language="ko"
        )
        built["jilin_brief"] = render(
            Kind.CHILD_ACCESS_BRIEF, family=jilin, subject=girl, actor=alice
        )
        built["jilin"] = jilin
        built["resettled"] = parent

        # Every kind in every language, as the template lays it out (the PDFs above are the same
        # template's output): the texts the guidance test reads.
        built["html"] = {}
        report = services.document_request(
            kind=Kind.CASELOAD_REPORT,
            language="en",
            redaction=AdvocacyDocument.Redaction.AGGREGATE_ONLY,
            actor=alice,
        )
        for language in LANGUAGES:
            for kind, subject, family in (
                (Kind.CHILD_ACCESS_BRIEF, daughter, yanbian),
                (Kind.DEPORTATION_APPEAL, mother, yanbian),
                (Kind.CASELOAD_REPORT, None, None),
            ):
                if kind == Kind.CASELOAD_REPORT:
                    document = report
                else:
                    document = services.document_request(
                        kind=kind,
                        case=family.case,
                        subject=subject,
                        language=language,
                        redaction=PSEUDONYMS,
                        actor=alice,
                    )
                document.language = language
                built["html"][kind, language] = rendering.render_html(facts.gather(document))
        yield built
        transaction.set_rollback(True)


def pdf_text(world, key) -> str:
    return text_of(world[key][1])


def cited(world, key) -> set[str]:
    """The library labels a document cites, as its snapshot keeps them (never printed)."""
    labels = world[key][0].snapshot["cited"]
    return set(labels["provisions"]) | set(labels["authorities"])


# The mother in Liaoning, not detained.


def test_an_appeal_for_a_woman_not_detained_asks_no_release(world):
    text = pdf_text(world, "liaoning_appeal")
    # In hiding, not held: no UN communication (it would announce her), a lawyer's submission.
    assert world["liaoning_appeal"][0].recipient_format == "lawyer_submission"
    assert "Appeal to prevent arrest and forced return" in text
    assert "Release" not in text and "detained since" not in text
    assert "Do not arrest Mother A" in text and "do not return them to the DPRK" in text
    assert "Halt the return" not in text
    assert "Give UNHCR access to Mother A" in text
    # Law stated with its scope, and the State's line answered, not led with.
    assert (
        "on account of race, religion, nationality, membership of a particular social group" in text
    )
    assert "refugees sur place" in text
    assert text.index("The risk of torture on return") < text.index("hunger and survival")
    labels = cited(world, "liaoning_appeal")
    assert {"MPS-2005-P4", "CAT-GC-4"} <= labels
    assert "Contra Border Patrol Bureau, Ministry of Public Security" in text
    assert "See Committee against Torture, general comment No. 4 (2017)" in text
    # A woman: the CEDAW Committee's general recommendation on refugee status, no pinpoint.
    assert "CEDAW-GR-32" in labels
    assert "See Committee on the Elimination of Discrimination against Women, general" in text
    # Not a child: nothing of the Convention on the Rights of the Child is claimed for her.
    assert "CRC-22" not in labels and "A child seeking" not in text
    # The call about women is argued; the one about children only read with art. 33, not cited.
    sources = {
        note["source"]
        for section in world["liaoning_appeal"][0].snapshot["sections"]
        for paragraph in section.get("paragraphs", [])
        for note in paragraph.get("notes", [])
    }
    assert "CRC-CO-83c" in sources and "CRC-CO-83a" not in sources
    # Her son is a minor but no return is pending: no separation argued, no family request.
    assert "Separation of a child" not in text
    # The Yanbian notice does not govern her: its item 5 is not cited.
    assert "YB-2003-5" not in labels


def test_a_brief_for_a_boy_in_liaoning_argues_nationality_first_and_asks_only_what_is_refused(
    world,
):
    text = pdf_text(world, "liaoning_brief")
    # Nationality first, from the recorded facts: born in China, a Chinese father.
    assert text.index("Nationality comes first") < text.index("What is refused now")
    assert "Child C was born in China" in text
    assert "Under art. 4 of the Nationality Law" in text
    assert "a DNA paternity test is the condition to meet" in text
    assert "Register Child C in the household register of Father B, the child's father" in text
    assert "Recognise Child C as a Chinese national" in text
    # School was refused, then granted: told as history, not argued, not asked.
    assert "School was refused, and has since been granted." in text
    assert "Admit Child C to school" not in text
    # Medical care is refused now: argued with art. 24's own words, and asked.
    assert "strive to ensure that no child is deprived of access to health care" in text
    assert "Give Child C medical care" in text
    # Outside Yanbian: the notice is evidence of a practice, with a signal; no withdrawal asked.
    assert "The family does not live in Yanbian Prefecture" in text
    assert "YB-2003-3" in cited(world, "liaoning_brief")
    assert "Cf. Government of Yanbian Korean Autonomous Prefecture" in text
    assert "Withdraw" not in text
    # The marriage ban of item 4 does not govern them either.
    assert "The parents' marriage is not registered." in text
    assert "YB-2003-4" not in cited(world, "liaoning_brief")
    # Events are sourced to the case record, by kind and month.
    assert "Case record: Medical care," in text
    assert "Case record: Refusal of School," in text


# The mother detained in Yanbian, with a Chinese daughter.


def test_an_appeal_for_a_detained_mother_of_a_chinese_child_argues_separation_first(world):
    text = pdf_text(world, "yanbian_appeal")
    # Detained: the UN special procedures' urgent appeal, in the order they ask for.
    assert "Urgent appeal to the UN special procedures" in text
    assert "The person concerned" in text and "Domestic steps taken" in text
    assert "detained, 3 months so far" in text
    # The place of detention is never printed for someone not named with consent.
    assert "Tumen" not in text
    # The arrest is the case record's, to the month; never footnoted to the papers.
    month = dates.today() - datetime.timedelta(days=100)
    assert f"Case record: Arrest, {month:%B %Y}." in text
    first_law = text.index("Separation of a child from the parent")
    assert first_law < text.index("The risk of torture on return") < text.index("Non-refoulement")
    assert "is a Chinese national by art. 4 of the Nationality Law" in text
    assert "Return would separate a Chinese child from the parent" in text
    for request in (
        "Release Mother A from detention.",
        "Halt the return of Mother A to the DPRK at once.",
        "Do not separate Mother A from Child C",
        "Give UNHCR access to Mother A",
    ):
        assert request in text, request
    # Art. 31 with its conditions; the papers only as evidence of a practice, as reported.
    assert "present themselves without delay to the authorities and show good cause" in text
    assert "evidence of that practice, not of this person's case" in text
    assert "YB-2003-5" in cited(world, "yanbian_appeal")  # the notice governs where she lives


def test_a_chinese_brief_for_a_yanbian_child_asks_the_prefecture_to_withdraw_its_notice(world):
    text = pdf_text(world, "yanbian_brief")
    labels = cited(world, "yanbian_brief")
    assert "YB-2003-4" in labels  # the marriage ban explains the unregistered marriage
    assert {"YB-2003-2", "YB-2003-3", "PRC-NAT-4", "PRC-HUKOU-2015", "PRC-EDU-4"} <= labels
    assert "YB-2003" not in text and "PRC-NAT-4" not in text
    squeezed = re.sub(r"\s+", "", text)
    assert "撤回作为上述拒绝依据的2003年11月16日延边州通知第2项和第3项" in squeezed
    assert "依《国籍法》第四条承认子女C" in squeezed


def test_a_chinese_document_runs_a_signal_on_into_what_it_cites(world):
    """
    Chinese writes no space after a citation signal ("参见《…》"), but keeps one before Latin
    letters or digits ("参见 CAT/C/GC/4"); English keeps its space ("See CAT/C/GC/4").
    """
    signalled = re.compile(r"<em>([^<]+)</em>(\s?)(.)")
    for language in ("zh-hans", "en"):
        found = [
            (signal, gap, after)
            for kind in (Kind.CHILD_ACCESS_BRIEF, Kind.DEPORTATION_APPEAL)
            for signal, gap, after in signalled.findall(world["html"][kind, language])
            if signal in {"See", "Cf.", "参见", "比较"}
        ]
        assert found, language
        for signal, gap, after in found:
            latin = after.isascii() and after.isalnum()
            assert bool(gap) == (latin or language == "en"), (signal, gap, after)
        if language == "zh-hans":
            assert any(not gap for _signal, gap, _after in found)


# The young man born in 2006.


def test_a_brief_for_someone_born_in_2006_treats_him_as_the_adult_he_is(world):
    text = pdf_text(world, "adult_brief")
    assert "Nationality, household registration and access to services" in text
    assert "The person and the family" in text
    assert "The child and the family" not in text
    assert "Admit" not in text
    assert "Kindergarten was refused; at" in text and "nothing is asked for it here" in text
    assert "Register Child A in the household register." in text
    # No child-specific law for an adult: not the CRC, its Committee, the Minors Law.
    for label in ("CRC-", "PRC-MIN-", "PRC-EDU-", "ICCPR-24"):
        assert not any(c.startswith(label) for c in cited(world, "adult_brief")), label


# The stateless girl.


def test_a_korean_brief_for_a_stateless_child_argues_crc_article_7_2(world):
    text = pdf_text(world, "stateless_brief")
    labels = cited(world, "stateless_brief")
    assert {"CRC-7-2", "CRC-GC-23"} <= labels
    assert "CMW/C/GC/4-CRC/C/GC/23" in text
    assert "유치원" in text  # kindergarten, asked in Korean
    assert (
        "참조 이주노동자위원회" in text and "비교 여성차별철폐위원회" in text
    )  # signals, in Korean
    assert "PRC-NAT-4" not in labels  # no Chinese parent: no nationality by art. 4 argued
    assert "PRC-EDU-4" not in labels  # kindergarten is not compulsory schooling
    # Jilin, the prefecture not recorded: the notice may govern her, and nothing says it does not.
    assert "옌볜 자치주에 살지 않" not in text
    assert "가족이 옌볜 자치주에 산다면" in text


def test_a_brief_for_a_family_in_jilin_never_says_it_lives_outside_yanbian(world):
    """
    Recorded as Jilin, the prefecture not: the family may live in Yanbian (Helong, say). The
    brief says the notice applies if it does, and never that the family lives elsewhere.
    """
    text = " ".join(pdf_text(world, "jilin_brief").split())
    assert "does not live in Yanbian" not in text
    assert "If the family lives in Yanbian Prefecture, the refusals apply items 2 and 3" in text
    assert "Withdraw" not in text
    assert {"YB-2003-2", "YB-2003-3"} <= cited(world, "jilin_brief")


# What no fact supports is refused.


def test_an_appeal_for_someone_resettled_is_refused_with_the_reason(world):
    refused = pytest.raises(ValidationError, match="No recorded fact supports an urgent appeal")
    with refused, transaction.atomic():
        services.document_request(
            kind=Kind.DEPORTATION_APPEAL,
            case=world["jilin"].case,
            subject=world["resettled"],
            language="en",
            redaction=PSEUDONYMS,
            actor=world["alice"],
        )


# No drafting guidance in any output.


def _guidance() -> list[str]:
    data = corpus_data()
    cautions = [i["caution"] for i in data["instruments"] if i["caution"]]
    cautions += [d["caution"] for d in data["documents"]]
    phrases = [
        "never present",
        "do not state",
        "cite no other",
        "cite it as reported",
        "say so",
        "cite only",
        "argue nationality first",
        "do not attribute",
        "rely on",
        "Caution",
    ]
    return cautions + phrases


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [k for k, _label in Kind.choices])
def test_no_document_prints_guidance_meant_for_the_drafter(world, kind, language):
    html = world["html"][kind, language]
    for phrase in _guidance():
        assert phrase.lower() not in html.lower(), phrase
    if kind != Kind.CASELOAD_REPORT:
        assert {
            "en": "not been independently verified",
            "ko": "독립적으로 확인되지 않았다",
            "zh-hans": "未经独立核实",
        }[language] in html


def test_no_pdf_prints_guidance_meant_for_the_drafter(world):
    for key in ("liaoning_appeal", "liaoning_brief", "yanbian_appeal", "adult_brief"):
        text = pdf_text(world, key).lower()
        for phrase in _guidance():
            assert phrase.lower() not in text, (key, phrase)
        assert "the translator and the date of the translation are not stated" in text
        assert "registeration [sic]" in text or "YB-2003-1" not in cited(world, key)


# Wording (issue 18, point 5).

ENGLISH = ("liaoning_appeal", "liaoning_brief", "yanbian_appeal", "yanbian_brief", "adult_brief")


@pytest.mark.parametrize("key", ENGLISH)
def test_the_english_reads_as_english(world, key):
    """
    No footnote sentence run together, no record note in lower case, no work cited "supra" in
    its own note, no form heading ("/ ID") in a sentence, no table row that says "persuasive"
    twice, and no age band that leaves its sentence without a comma.
    """
    text = " ".join(pdf_text(world, key).split())
    assert not re.search(r"\.in the words", text) and "in the words of the paper" not in text
    assert not re.search(r"Case record: [a-z]", text)
    assert "refused household registration (hukou) / ID" not in text and "0 years old" not in text
    assert "persuasive, not itself a treaty. — persuasive" not in text
    assert not re.search(r", aged \d+ to \d+ [a-z]", text)
    for section in world[key][0].snapshot["sections"]:
        for paragraph in section.get("paragraphs", []):
            for note in paragraph.get("notes", []):
                assert f"supra n. {paragraph.get('note_number')}" not in note.get("note", "")


def test_ages_and_lists_are_said_as_a_sentence_says_them():
    """A baby is "under one year old", never "0 years old"; refusals are a list with "and"."""
    from legal_aid.documents.casefacts import Age
    from legal_aid.documents.compose import age_text, benefits_in_sentence

    assert age_text(Age(0, 0)) == "under one year old"
    assert age_text(Age(0, 1)) == "under two years old"
    assert age_text(Age(3, 3)) == "3 years old"
    refused = [EntitlementKind.HOUSEHOLD_REGISTRATION, EntitlementKind.MEDICAL_CARE]
    assert benefits_in_sentence(refused) == (
        "household registration (hukou), an identity card and medical care"
    )
