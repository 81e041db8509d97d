"""
The risk screening of the intake: yes/no questions, each with a weight; the sum suggests a risk
level, which the caseworker may override with a reason. An organisation tunes the questions in
SHIMTEO_INTAKE_SCREENING (a list of (key, label, weight)) and the thresholds in
SHIMTEO_INTAKE_RISK_THRESHOLDS (lowest score for high and critical, then medium).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casework.choices import RiskLevel


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    weight: int


DEFAULT_QUESTIONS = (
    Question(
        "deportation_threat",
        _("Is anyone in the family at risk of arrest or deportation now?"),
        5,
    ),
    Question("detained_member", _("Is a member of the family detained?"), 4),
    Question(
        "trafficking",
        _("Has the person been trafficked or sold, or are they controlled by someone?"),
        4,
    ),
    Question("recent_raid", _("Has there been a raid or arrest in the past year?"), 3),
    Question("no_safe_place", _("Does the person lack a safe place to stay?"), 3),
    Question("medical_need", _("Does anyone need medical care urgently?"), 3),
    Question(
        "child_without_registration",
        _("Is a child without household registration, or out of school?"),
        2,
    ),
    Question("no_income", _("Is the family without any income?"), 1),
)
# Lowest score for each level, highest level first.
DEFAULT_THRESHOLDS = ((RiskLevel.CRITICAL, 9), (RiskLevel.HIGH, 5), (RiskLevel.MEDIUM, 2))


def questions() -> tuple[Question, ...]:
    configured = getattr(settings, "SHIMTEO_INTAKE_SCREENING", None)
    if not configured:
        return DEFAULT_QUESTIONS
    return tuple(Question(key, label, int(weight)) for key, label, weight in configured)


def score(answers: dict) -> int:
    """The sum of the weights of the questions answered yes (`answers`: key → bool)."""
    return sum(question.weight for question in questions() if answers.get(question.key))


def suggested_level(answers: dict) -> str:
    total = score(answers)
    thresholds = getattr(settings, "SHIMTEO_INTAKE_RISK_THRESHOLDS", None) or DEFAULT_THRESHOLDS
    for level, lowest in thresholds:
        if total >= lowest:
            return RiskLevel(level).value
    return RiskLevel.LOW.value
