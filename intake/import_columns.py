"""
The import's column template: each column's key, its names in Korean, English and Chinese (all
accepted as headers), what goes in it, and whether it is required. The downloadable template,
the header detection and the report's column names all read it here.
"""

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    korean: str
    english: str
    help_ko: str
    help_en: str
    required: bool = False
    chinese: str = ""
    help_zh: str = ""


# The template: each column's key (the header the template carries), its Korean, English and
# Chinese names (accepted as headers too), and what goes in it. Kept here, not in gettext
# catalogues: the template is always trilingual, whatever the interface language.
COLUMNS = (
    Column(
        "full_name",
        "이름",
        "Full name",
        "전체 이름",
        "The full name",
        required=True,
        chinese="姓名",
        help_zh="完整姓名",
    ),
    Column(
        "aliases",
        "다른 이름",
        "Other names",
        "중국 이름, 로마자 표기 등; 여러 개는 ;로 구분",
        "Chinese name, romanisation…; several separated by ;",
        chinese="其他姓名",
        help_zh="中文名、罗马字拼写等; 多个用 ; 分隔",
    ),
    Column(
        "sex",
        "성별",
        "Sex",
        "female, male, other, unknown",
        "female, male, other, unknown",
        chinese="性别",
        help_zh="female, male, other, unknown",
    ),
    Column(
        "date_of_birth",
        "생년월일",
        "Date of birth",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        chinese="出生日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "birth_year",
        "출생 연도",
        "Birth year",
        "날짜를 모를 때",
        "When the date is not known",
        chinese="出生年份",
        help_zh="不知道具体日期时填写",
    ),
    Column(
        "nationality",
        "국적",
        "Nationality",
        "dprk, prc, stateless, other, unknown",
        "dprk, prc, stateless, other, unknown",
        chinese="国籍",
        help_zh="dprk, prc, stateless, other, unknown",
    ),
    Column("place_of_origin", "출신지", "Place of origin", "", "", chinese="原籍"),
    Column(
        "contact",
        "연락처",
        "Contact",
        "안전한 연락처만",
        "Only a contact that is safe to use",
        chinese="联系方式",
        help_zh="只填写安全可用的联系方式",
    ),
    Column(
        "current_location",
        "현재 거주지",
        "Where the person lives now",
        "",
        "",
        chinese="现居住地",
    ),
    Column(
        "region",
        "지역",
        "Province or region",
        "cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, cn-inner-mongolia, "
        "cn-other, kp, kr, third-country, other, unknown",
        "cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, cn-inner-mongolia, "
        "cn-other, kp, kr, third-country, other, unknown",
        chinese="省份或地区",
        help_zh="cn-jilin, cn-liaoning, cn-heilongjiang, cn-shandong, cn-beijing, "
        "cn-inner-mongolia, cn-other, kp, kr, third-country, other, unknown",
    ),
    Column(
        "legal_status",
        "법적 신분",
        "Legal status",
        "undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
        "undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
        chinese="法律身份",
        help_zh="undocumented_cn, detained_cn, repatriated, in_transit, unhcr, rok_protection, "
        "resettled_rok, resettled_other, child_registered, stateless, deceased, unknown",
    ),
    Column(
        "status_since",
        "신분 시작일",
        "Status since",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        chinese="身份起始日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "status_country",
        "국가",
        "Country",
        "CN, KP, KR, XT, XX, ZZ",
        "CN, KP, KR, XT, XX, ZZ",
        chinese="国家",
        help_zh="CN, KP, KR, XT, XX, ZZ",
    ),
    Column(
        "benefits_refused",
        "거부된 혜택",
        "Benefits refused",
        "household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; ;로 구분",
        "household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; separated by ;",
        chinese="被拒绝的权益",
        help_zh="household_registration, kindergarten, school, medical_care, labour_insurance, "
        "social_welfare, marriage_registration; 用 ; 分隔",
    ),
    Column(
        "consent_method",
        "동의 방법",
        "Consent given",
        "verbal, written, interpreter",
        "verbal, written, interpreter",
        required=True,
        chinese="同意方式",
        help_zh="verbal, written, interpreter",
    ),
    Column(
        "consent_given_on",
        "동의 날짜",
        "Consent given on",
        "YYYY-MM-DD",
        "YYYY-MM-DD",
        required=True,
        chinese="同意日期",
        help_zh="YYYY-MM-DD",
    ),
    Column(
        "consent_scopes",
        "동의 범위",
        "Consent scopes",
        "store_data(필수), share_with_advocates, named_in_documents, statistics, "
        "identity_to_state; ;로 구분",
        "store_data (required), share_with_advocates, named_in_documents, statistics, "
        "identity_to_state; separated by ;",
        required=True,
        chinese="同意范围",
        help_zh="store_data (必填), share_with_advocates, named_in_documents, statistics, "
        "identity_to_state; 用 ; 分隔",
    ),
    Column("consent_witness", "증인", "Witnessed by", "", "", chinese="见证人"),
    Column(
        "risk_level",
        "위험도",
        "Risk level",
        "low, medium, high, critical (기본: low)",
        "low, medium, high, critical (default: low)",
        chinese="风险等级",
        help_zh="low, medium, high, critical (默认: low)",
    ),
    Column("needs", "필요한 도움", "Needs", "", "", chinese="所需帮助"),
    # A household: the rows sharing a number are one family with one case. The relation says
    # who each is: the head (the person the case is about), their partner, a child.
    Column(
        "household",
        "가구",
        "Household",
        "같은 가구의 사람들은 같은 번호",
        "The same number for the people of one household",
        chinese="户",
        help_zh="同一户的人填写相同编号",
    ),
    Column(
        "relation",
        "관계",
        "Relation",
        "본인/세대주, 배우자, 모 또는 부 (자녀의), 자녀 (딸, 아들)",
        "head, partner or spouse, mother or father of the children, child (daughter, son)",
        chinese="关系",
        help_zh="户主/本人, 配偶, 母亲或父亲 (子女的), 子女 (女儿, 儿子)",
    ),
)
# Other headers staff give these columns.
HEADER_SYNONYMS = {
    "household": (
        "가구번호",
        "가구 번호",
        "세대",
        "household number",
        "household no",
        "户号",
        "户编号",
    ),
    "relation": (
        "가구주와의 관계",
        "세대주와의 관계",
        "relation to head",
        "relationship",
        "与户主关系",
        "与户主的关系",
    ),
}
KEYS = [column.key for column in COLUMNS]
REQUIRED = [column.key for column in COLUMNS if column.required]


def fold_key(text) -> str:
    """A header (or a cell, for a row's fingerprint) as compared: NFKC, case folded, _ for spaces."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold().replace(" ", "_")


def header_names() -> dict:
    """Every accepted header, folded, to its column's key."""
    names = {}
    for column in COLUMNS:
        for name in (column.key, column.korean, column.english, column.chinese):
            names[fold_key(name)] = column.key
    for key, synonyms in HEADER_SYNONYMS.items():
        for name in synonyms:
            names[fold_key(name)] = key
    return names
