"""
The demo caseload behind `manage.py seed_demo`: staff, two field teams and invented households
like those the 2003-2005 policy papers describe. North Korean women live with Chinese men
without a registered marriage; their children are refused household registration and with it
kindergarten, school and medical care; there are raids, arrests, detention and deportation,
partners prosecuted for "illegal cohabitation" or bigamy, and some who reached South Korea.

Every name, place and contact is invented and goes through the encrypted fields like real data.
Everything random comes from the one `random.Random` handed in, so a seed always gives the same
names, counts and structure; primary keys, references and encryption nonces are fresh each run.
Rows are written with `bulk_create` in batches, one transaction per batch, and never through the
per-row services: a demo caseload is not a history of caseworkers' actions to audit.
"""

import base64
import datetime
import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import DateTimeField
from django.db.models.functions import Cast
from django_otp.oath import totp

from accounts.models import Team, TeamMembership, TOTPDevice, User
from consent.models import Consent
from consent.models import Method as ConsentMethod

from .choices import (
    AssignmentRole,
    CaseStatus,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    Nationality,
    NoteKind,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
from .models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from .references import new_reference

# Published in the README and printed by the command: demo accounts only, never real data.
DEMO_PASSWORD = "shimteo-demo-2026"  # noqa: S105
# The year of the Yanbian notice; any seed works, this one makes `make run` repeatable.
DEFAULT_SEED = 2003
DEFAULT_PEOPLE = 60
DEFAULT_BATCH_SIZE = 1000

Role = TeamMembership.Role
YANBIAN = "Yanbian field team"
SHENYANG = "Shenyang field team"


@dataclass(frozen=True)
class DemoTeam:
    name: str
    description: str
    regions: tuple[str, ...]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    language: str
    memberships: tuple[tuple[str, str], ...] = ()
    superuser: bool = False

    @property
    def role_label(self) -> str:
        if self.superuser:
            return "administrator (superuser, Django admin)"
        labels = [f"{Role(role).label.lower()}, {team}" for team, role in self.memberships]
        return "; ".join(labels)


TEAMS = (
    DemoTeam(
        YANBIAN,
        "Households in the Yanbian Korean Autonomous Prefecture, the rest of Jilin and in "
        "Heilongjiang.",
        (Region.JILIN, Region.HEILONGJIANG),
    ),
    DemoTeam(
        SHENYANG,
        "Households in Liaoning, along the Yalu, and further inland.",
        (Region.LIAONING, Region.SHANDONG),
    ),
)

STAFF = (
    DemoUser("admin", "Demo", "Administrator", "en", superuser=True),
    DemoUser("yanbian.supervisor", "Yanbian", "Supervisor", "ko", ((YANBIAN, Role.SUPERVISOR),)),
    DemoUser("yanbian.caseworker1", "Yanbian", "Caseworker 1", "ko", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser("yanbian.caseworker2", "Yanbian", "Caseworker 2", "ko", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser("yanbian.caseworker3", "Yanbian", "Caseworker 3", "en", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser(
        "shenyang.supervisor", "Shenyang", "Supervisor", "zh-hans", ((SHENYANG, Role.SUPERVISOR),)
    ),
    DemoUser(
        "shenyang.caseworker1",
        "Shenyang",
        "Caseworker 1",
        "zh-hans",
        ((SHENYANG, Role.CASEWORKER),),
    ),
    DemoUser(
        "shenyang.caseworker2", "Shenyang", "Caseworker 2", "ko", ((SHENYANG, Role.CASEWORKER),)
    ),
    DemoUser(
        "advocate",
        "Demo",
        "Legal Advocate",
        "en",
        ((YANBIAN, Role.LEGAL_ADVOCATE), (SHENYANG, Role.LEGAL_ADVOCATE)),
    ),
)


# --- Names -------------------------------------------------------------------------------------
# (Hangul, Hanzi, romanisation) so a Korean name can also be given its Chinese reading.
# North Korean spelling: 리, 림, 류, 로, 량 keep their initial consonant.
KOREAN_SURNAMES = (
    ("김", "金", "Kim", 22),
    ("리", "李", "Ri", 15),
    ("박", "朴", "Pak", 9),
    ("최", "崔", "Choe", 5),
    ("정", "郑", "Jong", 4),
    ("강", "姜", "Kang", 3),
    ("조", "赵", "Jo", 3),
    ("윤", "尹", "Yun", 2),
    ("장", "张", "Jang", 2),
    ("림", "林", "Rim", 2),
    ("한", "韩", "Han", 2),
    ("오", "吴", "O", 2),
    ("서", "徐", "So", 1),
    ("신", "申", "Sin", 1),
    ("권", "权", "Kwon", 1),
    ("황", "黄", "Hwang", 1),
    ("안", "安", "An", 1),
    ("송", "宋", "Song", 1),
    ("류", "柳", "Ryu", 1),
    ("전", "全", "Jon", 1),
    ("홍", "洪", "Hong", 1),
    ("고", "高", "Ko", 1),
    ("문", "文", "Mun", 1),
    ("량", "梁", "Ryang", 1),
    ("손", "孙", "Son", 1),
    ("백", "白", "Paek", 1),
    ("허", "许", "Ho", 1),
    ("남", "南", "Nam", 1),
    ("심", "沈", "Sim", 1),
    ("로", "卢", "Ro", 1),
    ("차", "车", "Cha", 1),
    ("주", "朱", "Ju", 1),
    ("지", "池", "Ji", 1),
    ("엄", "严", "Om", 1),
)
KOREAN_FEMALE_SYLLABLES = (
    ("순", "顺", "sun"),
    ("영", "英", "yong"),
    ("희", "姬", "hui"),
    ("옥", "玉", "ok"),
    ("금", "锦", "gum"),
    ("미", "美", "mi"),
    ("화", "花", "hwa"),
    ("숙", "淑", "suk"),
    ("정", "贞", "jong"),
    ("은", "恩", "un"),
    ("혜", "惠", "hye"),
    ("련", "莲", "ryon"),
    ("향", "香", "hyang"),
    ("명", "明", "myong"),
    ("선", "善", "son"),
    ("춘", "春", "chun"),
    ("경", "京", "gyong"),
    ("단", "丹", "dan"),
    ("복", "福", "bok"),
    ("애", "爱", "ae"),
    ("월", "月", "wol"),
    ("설", "雪", "sol"),
    ("실", "实", "sil"),
)
KOREAN_MALE_SYLLABLES = (
    ("철", "哲", "chol"),
    ("성", "成", "song"),
    ("남", "南", "nam"),
    ("혁", "赫", "hyok"),
    ("광", "光", "gwang"),
    ("일", "日", "il"),
    ("룡", "龙", "ryong"),
    ("명", "明", "myong"),
    ("호", "浩", "ho"),
    ("진", "镇", "jin"),
    ("국", "国", "guk"),
    ("수", "秀", "su"),
    ("학", "学", "hak"),
    ("천", "千", "chon"),
    ("만", "万", "man"),
    ("석", "石", "sok"),
)
CHINESE_SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "金", "朴", "崔", "姜",
)  # fmt: skip
CHINESE_MALE_GIVEN = (
    "伟", "强", "军", "勇", "杰", "涛", "明", "刚", "平", "辉", "鹏", "华", "建国", "建军",
    "志强", "国庆", "海龙", "永福", "德胜", "宝山", "长春", "东升", "文斌", "春生", "玉林",
    "铁柱", "振华", "立新", "福贵", "金山",
)  # fmt: skip
# Names a partner's family gives a woman in hiding, unrelated to her own.
CHINESE_FEMALE_GIVEN = (
    "丽", "梅", "红", "霞", "燕", "玲", "芳", "娟", "秀英", "春花", "美玲", "桂兰", "翠花",
    "玉兰", "海燕", "小红", "凤英", "金花",
)  # fmt: skip
CHINESE_BOY_GIVEN = (
    "浩然", "子轩", "宇航", "俊杰", "明轩", "天佑", "家豪", "博文", "志远", "鑫", "磊", "宇",
    "一鸣", "嘉乐", "晨阳",
)  # fmt: skip
CHINESE_GIRL_GIVEN = (
    "欣怡", "雨涵", "梓涵", "诗琪", "思雨", "佳怡", "美琳", "雪梅", "晓燕", "丹丹", "婷婷",
    "心悦", "可欣", "明月",
)  # fmt: skip


# --- Places ------------------------------------------------------------------------------------
DPRK_ORIGINS = (
    "함경북도 회령시",
    "함경북도 무산군",
    "함경북도 온성군",
    "함경북도 청진시",
    "함경북도 김책시",
    "함경북도 새별군",
    "함경북도 연사군",
    "함경북도 길주군",
    "함경남도 함흥시",
    "함경남도 단천시",
    "양강도 혜산시",
    "양강도 삼지연시",
    "양강도 김형직군",
    "양강도 보천군",
    "자강도 만포시",
    "자강도 강계시",
    "평안북도 신의주시",
    "평안남도 평성시",
    "평양시 대성구역",
)


@dataclass(frozen=True)
class ChineseRegion:
    region: str
    province: str
    towns: tuple[str, ...]
    detention_centre: str
    # (Chinese side, Korean side) of the crossing where deportees are handed over.
    crossing: str
    weight: int


JILIN_TOWNS = (
    "延吉市", "图们市", "龙井市", "和龙市", "珲春市", "敦化市", "安图县", "汪清县",
    "长白朝鲜族自治县", "白山市", "通化市", "集安市", "临江市", "蛟河市",
)  # fmt: skip
CHINESE_REGIONS = (
    ChineseRegion(
        Region.JILIN,
        "吉林省",
        JILIN_TOWNS,
        "图们边防拘留所",
        "图们 - 남양",
        55,
    ),
    ChineseRegion(
        Region.LIAONING,
        "辽宁省",
        ("丹东市", "宽甸满族自治县", "凤城市", "桓仁满族自治县", "沈阳市", "抚顺市", "本溪市"),
        "丹东边防拘留所",
        "丹东 - 신의주",
        22,
    ),
    ChineseRegion(
        Region.HEILONGJIANG,
        "黑龙江省",
        ("牡丹江市", "宁安市", "海林市", "鸡西市", "密山市", "尚志市", "五常市"),
        "牡丹江市看守所",
        "图们 - 남양",
        15,
    ),
    ChineseRegion(
        Region.SHANDONG,
        "山东省",
        ("青岛市即墨区", "烟台市莱阳市", "威海市文登区"),
        "青岛市看守所",
        "丹东 - 신의주",
        8,
    ),
)
VILLAGES = (
    "新兴村", "东明村", "光东村", "仁化村", "德新村", "明岩村", "青山村", "三合村", "崇善村",
    "柳洞村", "南坪村", "长财村", "龙山村", "太平村", "红旗村", "前进村",
)  # fmt: skip
# (place, phone prefix) along the routes out of China.
TRANSIT_PLACES = (
    ("Vientiane, Laos", "+856 20"),
    ("Bangkok, Thailand", "+66 8"),
    ("Ulaanbaatar, Mongolia", "+976 9"),
    ("Hanoi, Vietnam", "+84 9"),
    ("Phnom Penh, Cambodia", "+855 1"),
)
ROK_PROTECTION_PLACES = ("하나원, 경기도 안성시", "북한이탈주민보호센터, 경기도 시흥시")
ROK_HOMES = (
    "서울특별시 양천구 신월동",
    "서울특별시 노원구 중계동",
    "인천광역시 남동구 논현동",
    "경기도 화성시 봉담읍",
    "경기도 시흥시 정왕동",
    "부산광역시 해운대구 반송동",
    "충청남도 천안시 서북구",
)
OTHER_HOMES = (
    ("New Malden, London, United Kingdom", "+44 7"),
    ("Toronto, Canada", "+1 416"),
    ("Los Angeles, United States", "+1 213"),
)


# --- Paths through the statuses ---------------------------------------------------------------
# What happens to a woman after years undocumented in China, and how often in the demo.
PATHS = {
    "hiding": ((), 44),
    "detained": ((LegalStatus.DETAINED_CN,), 12),
    "repatriated": ((LegalStatus.DETAINED_CN, LegalStatus.REPATRIATED), 10),
    "in_transit": ((LegalStatus.IN_TRANSIT,), 5),
    "unhcr": ((LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION), 3),
    "rok_protection": ((LegalStatus.IN_TRANSIT, LegalStatus.ROK_PROTECTION), 5),
    "resettled_rok": (
        (LegalStatus.IN_TRANSIT, LegalStatus.ROK_PROTECTION, LegalStatus.RESETTLED_ROK),
        15,
    ),
    "resettled_other": (
        (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION, LegalStatus.RESETTLED_OTHER),
        3,
    ),
    "lost_contact": ((LegalStatus.UNKNOWN,), 3),
}
# Days from the previous status to this one, when it is not the first step out of hiding.
STEP_DAYS = {
    LegalStatus.REPATRIATED: (14, 120),
    LegalStatus.UNHCR_PROTECTION: (7, 60),
    LegalStatus.ROK_PROTECTION: (10, 90),
    LegalStatus.RESETTLED_ROK: (90, 200),
    LegalStatus.RESETTLED_OTHER: (180, 720),
}
STATUS_COUNTRY = {
    LegalStatus.UNDOCUMENTED_CN: Country.CHINA,
    LegalStatus.DETAINED_CN: Country.CHINA,
    LegalStatus.REPATRIATED: Country.DPRK,
    LegalStatus.IN_TRANSIT: Country.THIRD_COUNTRY,
    LegalStatus.UNHCR_PROTECTION: Country.THIRD_COUNTRY,
    LegalStatus.ROK_PROTECTION: Country.ROK,
    LegalStatus.RESETTLED_ROK: Country.ROK,
    LegalStatus.RESETTLED_OTHER: Country.OTHER,
    LegalStatus.CHILD_REGISTERED: Country.CHINA,
    LegalStatus.STATELESS: Country.CHINA,
    LegalStatus.UNKNOWN: Country.UNKNOWN,
}
STATUS_REGION = {
    LegalStatus.REPATRIATED: Region.DPRK,
    LegalStatus.IN_TRANSIT: Region.THIRD_COUNTRY,
    LegalStatus.UNHCR_PROTECTION: Region.THIRD_COUNTRY,
    LegalStatus.ROK_PROTECTION: Region.ROK,
    LegalStatus.RESETTLED_ROK: Region.ROK,
    LegalStatus.RESETTLED_OTHER: Region.OTHER,
    LegalStatus.UNKNOWN: Region.UNKNOWN,
}
RISK_BY_STATUS = {
    LegalStatus.DETAINED_CN: RiskLevel.CRITICAL,
    LegalStatus.REPATRIATED: RiskLevel.HIGH,
    LegalStatus.UNDOCUMENTED_CN: RiskLevel.HIGH,
    LegalStatus.IN_TRANSIT: RiskLevel.HIGH,
    LegalStatus.UNKNOWN: RiskLevel.HIGH,
    LegalStatus.UNHCR_PROTECTION: RiskLevel.MEDIUM,
    LegalStatus.ROK_PROTECTION: RiskLevel.LOW,
    LegalStatus.RESETTLED_ROK: RiskLevel.LOW,
    LegalStatus.RESETTLED_OTHER: RiskLevel.LOW,
}
LEFT_CHINA = {
    LegalStatus.IN_TRANSIT,
    LegalStatus.UNHCR_PROTECTION,
    LegalStatus.ROK_PROTECTION,
    LegalStatus.RESETTLED_ROK,
    LegalStatus.RESETTLED_OTHER,
}


def risk_level(status: str, *, recent_raid: bool = False, registered: bool = False) -> str:
    """A case's risk from its principal's current status: detention is the most urgent."""
    if status == LegalStatus.UNDOCUMENTED_CN:
        if recent_raid:
            return RiskLevel.CRITICAL
        if registered:
            return RiskLevel.MEDIUM
    return RISK_BY_STATUS.get(status, RiskLevel.MEDIUM)


@dataclass(frozen=True)
class Plan:
    """The shape of one household; the first few are fixed so even a tiny run shows every case."""

    path: str
    partner: bool = True
    children: int = 0
    registered: bool = False
    hukou: str | None = None


FIRST_HOUSEHOLDS = (
    Plan("hiding", children=2, hukou=EntitlementStatus.DENIED),
    Plan("detained", children=1),
    Plan("resettled_rok", children=1),
    Plan("hiding", children=1, registered=True, hukou=EntitlementStatus.GRANTED),
    Plan("repatriated", children=2, hukou=EntitlementStatus.DENIED),
    Plan("in_transit", partner=False),
)

STATUS_NOTES = {
    LegalStatus.UNDOCUMENTED_CN: (
        "Crossed the Tumen at night; has lived in hiding since.",
        "Brought across by a broker; stays indoors when strangers come to the village.",
        "Works in the fields with the partner's family; has no papers of any kind.",
        "",
    ),
    LegalStatus.DETAINED_CN: (
        "Taken in a night raid; family told to expect deportation.",
        "Held since an identity check on a bus.",
    ),
    LegalStatus.REPATRIATED: (
        "Handed over at the border; no news since.",
        "Relatives heard she was sent to a labour training camp.",
    ),
    LegalStatus.IN_TRANSIT: ("Travelling with a guide on the southern route.", ""),
    LegalStatus.UNHCR_PROTECTION: ("Registered with UNHCR; awaiting a decision.",),
    LegalStatus.ROK_PROTECTION: ("Reached a South Korean mission; transferred to Seoul.",),
    LegalStatus.RESETTLED_ROK: ("Left the settlement centre; lives in rented housing.", ""),
    LegalStatus.RESETTLED_OTHER: ("Resettled with help from a church group.",),
    LegalStatus.UNKNOWN: ("Phone disconnected; neighbours say she left the village.",),
    LegalStatus.STATELESS: ("", "Born at home; no birth certificate."),
    LegalStatus.CHILD_REGISTERED: ("Registered in the father's household.",),
}

DENIAL_NOTES = (
    "Refused: the mother is a North Korean without papers.",
    "Refused under the 2003 notice: no household registration.",
    "The office asked for the mother's ID card and a marriage certificate.",
)
PROSECUTION_NOTES = (
    "{partner} fined for illegal cohabitation with a North Korean woman.",
    "{partner} convicted of bigamy: he is still married to a Chinese wife.",
    "{partner} questioned and fined for harbouring an illegal immigrant.",
)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _years(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=round(n * 365.25))


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


# --- Staff -------------------------------------------------------------------------------------
@dataclass
class Staff:
    """The demo teams and their people, as the caseload generator needs them."""

    teams: dict[str, Team]
    supervisors: dict[str, User]
    caseworkers: dict[str, list[User]]
    advocates: list[User]
    created_users: int = 0
    created_teams: int = 0


def ensure_staff() -> Staff:
    """Create whatever demo teams, users and memberships are missing; never touch existing ones."""
    with transaction.atomic():
        teams, created_teams = {}, 0
        for spec in TEAMS:
            team, created = Team.objects.get_or_create(
                name=spec.name, defaults={"description": spec.description}
            )
            teams[spec.name] = team
            created_teams += created
        users = {
            u.username: u for u in User.objects.filter(username__in=[s.username for s in STAFF])
        }
        missing = [spec for spec in STAFF if spec.username not in users]
        # Hashed once: every demo account shares the published password, so one salt is enough.
        password = make_password(DEMO_PASSWORD) if missing else ""
        for spec in missing:
            users[spec.username] = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.shimteo.example",
                preferred_language=spec.language,
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
                password=password,
            )
        for spec in STAFF:
            demo_authenticator(users[spec.username])
            for team_name, role in spec.memberships:
                TeamMembership.objects.get_or_create(
                    user=users[spec.username], team=teams[team_name], defaults={"role": role}
                )
    memberships = TeamMembership.objects.filter(team__in=teams.values()).select_related(
        "user", "team"
    )
    supervisors, caseworkers, advocates = {}, {name: [] for name in teams}, {}
    for membership in memberships.order_by("user__username"):
        if membership.role == Role.SUPERVISOR:
            supervisors.setdefault(membership.team.name, membership.user)
        elif membership.role == Role.CASEWORKER:
            caseworkers[membership.team.name].append(membership.user)
        else:
            advocates[membership.user.username] = membership.user
    for name, workers in caseworkers.items():
        if not workers:
            raise ValueError(f"The demo team {name!r} has no caseworker.")
    return Staff(
        teams=teams,
        supervisors=supervisors,
        caseworkers=caseworkers,
        advocates=list(advocates.values()),
        created_users=len(missing),
        created_teams=created_teams,
    )


def demo_totp_key(username: str) -> str:
    """A demo account's authenticator secret (hex), derived from its published username."""
    return hashlib.sha256(f"shimteo-demo-authenticator:{username}".encode()).hexdigest()[:40]


def demo_authenticator(user: User) -> TOTPDevice:
    """
    Give a demo account a confirmed authenticator with a published secret, so that a demo can be
    tried without enrolling a phone (`manage.py demo_code <username>` prints the current code).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="demo authenticator", key=demo_totp_key(user.username), confirmed=True
    )


def demo_code(username: str) -> tuple[str, str]:
    """The current six-digit code of a demo account, and its secret in base32 for an app."""
    # The secret is encrypted, so it is compared here rather than in the query.
    devices = TOTPDevice.objects.filter(user__username=username, confirmed=True)
    device = next((d for d in devices if d.key == demo_totp_key(username)), None)
    if device is None:
        raise TOTPDevice.DoesNotExist(f"{username} has no demo authenticator.")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}", base64.b32encode(device.bin_key).decode()


# --- Caseload ----------------------------------------------------------------------------------
IncidentPerson = Incident.people.through
CASELOAD_MODELS = (
    Person,
    PersonAlias,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Case,
    CaseMember,
    CaseAssignment,
    Incident,
    IncidentPerson,
    CaseNote,
    Task,
    Consent,
)

# The day each kind of record was written down on, in a demo caseload.
WRITTEN_DOWN_ON = {
    LegalStatusRecord: "effective_from",
    Entitlement: "as_of",
    Incident: "occurred_on",
}


@dataclass
class Rows:
    """Unsaved rows for a batch of households, inserted together in foreign-key order."""

    by_model: dict[type, list] = field(default_factory=lambda: {m: [] for m in CASELOAD_MODELS})

    def add(self, obj):
        self.by_model[type(obj)].append(obj)
        return obj

    @property
    def people(self) -> int:
        return len(self.by_model[Person])

    def save(self, batch_size: int) -> Counter:
        """Insert every row in one transaction; the encrypted fields seal each value on the way."""
        with transaction.atomic():
            for model, objs in self.by_model.items():
                model.objects.bulk_create(objs, batch_size=batch_size)
            for model, day_field in WRITTEN_DOWN_ON.items():
                # `recorded_at` is set to now on insert; a real record was written down when it
                # happened, and a caseload all "recorded today" would fill every "recent" list.
                pks = [obj.pk for obj in self.by_model[model]]
                for start in range(0, len(pks), batch_size):
                    model.objects.filter(pk__in=pks[start : start + batch_size]).update(
                        recorded_at=Cast(day_field, DateTimeField())
                    )
        return Counter({count_label(model): len(objs) for model, objs in self.by_model.items()})


def count_label(model) -> str:
    return "IncidentPerson" if model is IncidentPerson else model.__name__


def caseload_exists() -> bool:
    return Person.objects.exists() or Case.objects.exists()


def reset_caseload() -> Counter:
    """
    Delete every case and person, dependants first so each delete is a plain query.
    Attachment rows go too; demo data has none, and production refuses the command.
    """
    deleted = Counter()
    for model in (Attachment, *reversed(CASELOAD_MODELS)):
        deleted[count_label(model)] = model.objects.all().delete()[0]
    return deleted


@dataclass
class Child:
    person: Person
    hukou: str
    hukou_on: datetime.date
    # Until when the child sought benefits in China: today, or the day they left with the mother.
    in_china_until: datetime.date
    denied: list[tuple[str, datetime.date]] = field(default_factory=list)


@dataclass
class Household:
    """What one household's rows are built from: its place, its staff and its timeline."""

    index: int
    plan: Plan
    china: ChineseRegion
    town: str
    address: str
    team_name: str
    caseworker: User
    supervisor: User
    origin: str
    arrival: datetime.date
    cohabiting: datetime.date
    # (status, first day) of each step out of hiding, in order.
    steps: list[tuple[str, datetime.date]]
    today: datetime.date
    # Whether and when the police searched the house while she was in hiding there.
    raided: bool
    raid_on: datetime.date
    principal: Person | None = None
    partner: Person | None = None
    surname: str = ""
    children: list[Child] = field(default_factory=list)
    advocate: User | None = None

    @property
    def left_hiding(self) -> datetime.date | None:
        return self.steps[0][1] if self.steps else None

    @property
    def current(self) -> str:
        return self.steps[-1][0] if self.steps else LegalStatus.UNDOCUMENTED_CN

    @property
    def recent_raid(self) -> bool:
        return (
            self.raided
            and self.current == LegalStatus.UNDOCUMENTED_CN
            and self.raid_on >= self.today - _days(180)
        )

    @property
    def size(self) -> int:
        return 1 + (self.partner is not None) + len(self.children)


class CaseloadBuilder:
    """Generates households one at a time from the seeded random source."""

    def __init__(self, *, rng: random.Random, staff: Staff, today: datetime.date):
        self.rng, self.staff, self.today = rng, staff, today
        self.households = 0
        self.references: set[str] = set()
        self.team_of_region = {region: spec.name for spec in TEAMS for region in spec.regions}

    def build(self, *, people: int, batch_size: int = DEFAULT_BATCH_SIZE, progress=None) -> Counter:
        """Create about `people` people in households, some `batch_size` people per transaction."""
        totals, made, rows = Counter(), 0, Rows()
        while made < people:
            made += self.household(rows)
            if rows.people >= batch_size or made >= people:
                totals.update(rows.save(batch_size))
                rows = Rows()
                if progress:
                    progress(made)
        return totals

    def household(self, rows: Rows) -> int:
        """Add one household, its case and its history to `rows`; return how many people it has."""
        h = self._household()
        first_person = len(rows.by_model[Person])
        self._principal(rows, h)
        if h.plan.partner:
            self._partner(rows, h)
            for born in self._birth_dates(h):
                self._child(rows, h, born)
        case = self._case(rows, h)
        self._incidents(rows, h, case)
        self._notes_and_tasks(rows, h, case)
        self._consents(rows, rows.by_model[Person][first_person:])
        return h.size

    def _consents(self, rows: Rows, people: list[Person]):
        """
        What each person of the household agreed to. The first households consent to everything,
        so that a demo brief can name them; later ones vary as real answers do. A separate random
        source keeps the rest of the caseload the same for the same seed.
        """
        rng = random.Random(f"consent-{self.households}")
        everything = self.households <= len(FIRST_HOUSEHOLDS)
        named = everything or rng.random() < 0.3
        for person in people:
            rows.add(
                Consent(
                    person=person,
                    method=rng.choice(list(ConsentMethod)),
                    given_on=self.today - _days(rng.randint(0, 400)),
                    store_data=True,
                    share_with_advocates=everything or rng.random() < 0.7,
                    named_in_documents=named,
                    statistics=everything or rng.random() < 0.9,
                )
            )

    # Small helpers over the random source.
    def _reference(self, prefix: str) -> str:
        while True:
            reference = new_reference(prefix)
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        if high <= low:
            return low
        return low + _days(self.rng.randint(0, (high - low).days))

    def _korean_name(self, sex: str, surname=None) -> tuple[str, str, str]:
        """A name in Hangul, its Chinese reading and its romanisation."""
        rng = self.rng
        if surname is None:
            surname = rng.choices(KOREAN_SURNAMES, weights=[s[3] for s in KOREAN_SURNAMES])[0]
        syllables = KOREAN_FEMALE_SYLLABLES if sex == Sex.FEMALE else KOREAN_MALE_SYLLABLES
        first, second = rng.sample(syllables, 2)
        hangul = surname[0] + first[0] + second[0]
        hanzi = surname[1] + first[1] + second[1]
        roman = f"{surname[2]} {first[2].capitalize()}-{second[2]}"
        return hangul, hanzi, roman

    def _phone(self, prefix: str = "+86") -> str:
        rng = self.rng
        if prefix == "+86":
            mobile = f"1{rng.choice('3589')}{rng.randint(0, 9)}"
            return f"+86 {mobile} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"
        if prefix == "+82":
            return f"+82 10-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
        return f"{prefix}{rng.randint(100, 999)} {rng.randint(0, 9999):04d}"

    def _plan(self, index: int) -> Plan:
        if index < len(FIRST_HOUSEHOLDS):
            return FIRST_HOUSEHOLDS[index]
        rng = self.rng
        path = rng.choices(list(PATHS), weights=[weight for _, weight in PATHS.values()])[0]
        if self._chance(0.1):
            return Plan(path, partner=False)
        children = rng.choices((0, 1, 2, 3), weights=(15, 40, 32, 13))[0]
        return Plan(path, children=children, registered=self._chance(0.07))

    def _household(self) -> Household:
        """Choose the place, the staff and the timeline: arrival, leaving hiding, what followed."""
        rng, today = self.rng, self.today
        index, plan = self.households, self._plan(self.households)
        self.households += 1
        china = rng.choices(CHINESE_REGIONS, weights=[r.weight for r in CHINESE_REGIONS])[0]
        town = rng.choice(china.towns)
        team_name = self.team_of_region[china.region]
        caseworker = rng.choice(self.staff.caseworkers[team_name])
        # Arrived at least five years ago, so there is time for a family and for what came after.
        arrival = self._between(datetime.date(1997, 6, 1), today - _years(5))
        path = PATHS[plan.path][0]
        steps = []
        if path:
            gaps = [rng.randint(*STEP_DAYS[status]) for status in path[1:]]
            if plan.path == "detained":
                first = today - _days(rng.randint(10, 400))
            else:
                first = self._between(arrival + _days(800), today - _days(sum(gaps) + 1))
            steps.append((path[0], first))
            for status, gap in zip(path[1:], gaps, strict=True):
                steps.append((status, steps[-1][1] + _days(gap)))
        left_hiding = steps[0][1] if steps else today
        # Together at least 400 days before she left, so a child can be born in between.
        cohabiting = arrival + _days(rng.randint(30, min(700, (left_hiding - arrival).days - 400)))
        village = rng.choice(VILLAGES)
        raided = plan.partner and self._chance(0.35)
        raid_on = self._between(max(cohabiting, today - _years(3)), today - _days(1))
        return Household(
            index=index,
            plan=plan,
            china=china,
            town=town,
            address=f"{china.province}{town} {village} {rng.randint(1, 12)}组",
            team_name=team_name,
            caseworker=caseworker,
            supervisor=self.staff.supervisors.get(team_name, caseworker),
            origin=rng.choice(DPRK_ORIGINS),
            arrival=arrival,
            cohabiting=cohabiting,
            steps=steps,
            today=today,
            raided=raided,
            raid_on=raid_on,
        )

    def _whereabouts(self, h: Household) -> tuple[str, str, str]:
        """Current location, contact and coarse region of the principal, from her status."""
        rng, status = self.rng, h.current
        if status == LegalStatus.UNDOCUMENTED_CN:
            return h.address, self._phone(), h.china.region
        if status == LegalStatus.DETAINED_CN:
            return h.china.detention_centre, "", h.china.region
        if status == LegalStatus.REPATRIATED:
            return f"{h.origin} (송환 후 소재 불명)", "", Region.DPRK
        if status in (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION):
            place, prefix = rng.choice(TRANSIT_PLACES)
            return place, self._phone(prefix), Region.THIRD_COUNTRY
        if status == LegalStatus.ROK_PROTECTION:
            return rng.choice(ROK_PROTECTION_PLACES), "", Region.ROK
        if status == LegalStatus.RESETTLED_ROK:
            return rng.choice(ROK_HOMES), self._phone("+82"), Region.ROK
        if status == LegalStatus.RESETTLED_OTHER:
            place, prefix = rng.choice(OTHER_HOMES)
            return place, self._phone(prefix), Region.OTHER
        return f"마지막 연락: {h.address}", "", Region.UNKNOWN

    def _status_place(self, h: Household, status: str) -> str:
        if status == LegalStatus.DETAINED_CN:
            return h.china.detention_centre
        if status == LegalStatus.REPATRIATED:
            return h.origin
        if status in (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION):
            return self.rng.choice(TRANSIT_PLACES)[0]
        if status in (LegalStatus.ROK_PROTECTION, LegalStatus.RESETTLED_ROK):
            return "대한민국"
        return ""

    def _statuses(self, rows: Rows, h: Household, person: Person, timeline):
        """One record per (status, start, place); each ends the day the next begins, the last stays open."""
        for i, (status, start, place) in enumerate(timeline):
            end = timeline[i + 1][1] if i + 1 < len(timeline) else None
            record = LegalStatusRecord(
                person_id=person.pk,
                status=status,
                effective_from=start,
                effective_to=end,
                country=STATUS_COUNTRY[status],
                place=place,
                source=self.rng.choices(
                    (StatusSource.CASEWORKER, StatusSource.FAMILY, StatusSource.PARTNER_NGO),
                    weights=(5, 4, 1),
                )[0],
                note=self.rng.choice(STATUS_NOTES.get(status, ("",))),
                recorded_by_id=h.caseworker.pk,
            )
            # bulk_create() skips save(): a child's status since birth must not store the birthday.
            record.store_start_of_period(person.date_of_birth)
            rows.add(record)

    def _principal(self, rows: Rows, h: Household):
        rng = self.rng
        sex = Sex.FEMALE if h.plan.partner or self._chance(0.6) else Sex.MALE
        born = h.arrival - _days(rng.randint(16 * 365, 36 * 365))
        hangul, hanzi, roman = self._korean_name(sex)
        location, contact, region = self._whereabouts(h)
        h.principal = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=hangul,
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=h.origin,
                current_location=location,
                contact=contact,
                notes=rng.choice(("", "", "Speaks only Korean.", "Needs regular medication.")),
                sex=sex,
                nationality=Nationality.DPRK,
                role=PersonRole.REFUGEE,
                region=region,
            )
        )
        if sex == Sex.FEMALE:
            # The name her partner's family gave her, or the Chinese reading of her own.
            given = rng.choice(CHINESE_SURNAMES) + rng.choice(CHINESE_FEMALE_GIVEN)
            rows.add(
                PersonAlias(person_id=h.principal.pk, name=given if self._chance(0.5) else hanzi)
            )
        elif self._chance(0.5):
            rows.add(PersonAlias(person_id=h.principal.pk, name=hanzi))
        if self._chance(0.3):
            rows.add(PersonAlias(person_id=h.principal.pk, name=roman))
        timeline = [(LegalStatus.UNDOCUMENTED_CN, h.arrival, f"{h.china.province}{h.town}")]
        timeline += [(status, start, self._status_place(h, status)) for status, start in h.steps]
        self._statuses(rows, h, h.principal, timeline)
        if h.plan.partner:
            self._principal_entitlements(rows, h)

    def _principal_entitlements(self, rows: Rows, h: Household):
        """A woman without papers cannot register her marriage, her residence, or be insured."""
        sought = []
        if h.plan.registered or self._chance(0.5):
            status = EntitlementStatus.GRANTED if h.plan.registered else EntitlementStatus.DENIED
            sought.append((EntitlementKind.MARRIAGE_REGISTRATION, status))
        for kind, p in (
            (EntitlementKind.HOUSEHOLD_REGISTRATION, 0.25),
            (EntitlementKind.MEDICAL_CARE, 0.2),
            (EntitlementKind.LABOUR_INSURANCE, 0.1),
        ):
            if self._chance(p):
                sought.append((kind, EntitlementStatus.DENIED))
        last_day = (h.left_hiding or self.today) - _days(1)
        for kind, status in sought:
            rows.add(
                Entitlement(
                    person_id=h.principal.pk,
                    kind=kind,
                    status=status,
                    as_of=self._between(h.cohabiting, last_day),
                    recorded_by_id=h.caseworker.pk,
                )
            )

    def _partner(self, rows: Rows, h: Household):
        rng = self.rng
        born = h.cohabiting - _days(rng.randint(22 * 365, 52 * 365))
        phone = self._phone()
        h.surname = rng.choice(CHINESE_SURNAMES)
        h.partner = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=h.surname + rng.choice(CHINESE_MALE_GIVEN),
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=f"{h.china.province}{h.town}",
                current_location=h.address,
                contact=phone,
                sex=Sex.MALE,
                nationality=Nationality.PRC,
                role=PersonRole.PARTNER,
                region=h.china.region,
            )
        )
        if h.current == LegalStatus.UNDOCUMENTED_CN and self._chance(0.5):
            # She has no phone of her own: calls go through his.
            h.principal.contact = f"{phone} (partner's phone)"
        registered = h.plan.registered
        rows.add(
            Relationship(
                from_person_id=h.principal.pk,
                to_person_id=h.partner.pk,
                kind=RelationshipKind.SPOUSE_OF if registered else RelationshipKind.PARTNER_OF,
                marriage_registered=registered,
            )
        )

    def _birth_dates(self, h: Household) -> list[datetime.date]:
        """Births while the couple lived together in China, at least 300 days apart."""
        window_end = (h.left_hiding or self.today) - _days(60)
        births = sorted(
            self._between(h.cohabiting + _days(280), window_end) for _ in range(h.plan.children)
        )
        kept = []
        for born in births:
            if born < window_end and (not kept or (born - kept[-1]).days >= 300):
                kept.append(born)
        return kept

    def _child(self, rows: Rows, h: Household, born: datetime.date):
        rng = self.rng
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
        hukou = (
            h.plan.hukou
            or rng.choices(
                (EntitlementStatus.GRANTED, EntitlementStatus.PENDING, EntitlementStatus.DENIED),
                weights=(75, 10, 15) if h.plan.registered else (8, 7, 85),
            )[0]
        )
        registered = hukou == EntitlementStatus.GRANTED
        # Some children leave with their mother; most stay behind with their father.
        follows = not registered and h.current in LEFT_CHINA and self._chance(0.35)
        if registered:
            nationality = Nationality.PRC
        elif follows:
            nationality = Nationality.UNKNOWN
        else:
            nationality = rng.choice((Nationality.STATELESS, Nationality.UNKNOWN))
        source = h.principal if follows else h.partner
        given = CHINESE_GIRL_GIVEN if sex == Sex.FEMALE else CHINESE_BOY_GIVEN
        person = rows.add(
            Person(
                reference=self._reference("P"),
                full_name=h.surname + rng.choice(given),
                date_of_birth=born,
                birth_year=born.year,
                place_of_origin=f"{h.china.province}{rng.choice(h.china.towns)}",
                current_location=source.current_location,
                sex=sex,
                nationality=nationality,
                role=PersonRole.CHILD,
                region=source.region,
            )
        )
        if self._chance(0.3):
            # The Korean name the mother calls the child by, with her own surname.
            surname = next(s for s in KOREAN_SURNAMES if s[0] == h.principal.full_name[0])
            rows.add(PersonAlias(person_id=person.pk, name=self._korean_name(sex, surname)[0]))
        for parent in (h.principal, h.partner):
            rows.add(
                Relationship(
                    from_person_id=parent.pk,
                    to_person_id=person.pk,
                    kind=RelationshipKind.PARENT_OF,
                )
            )
        until = h.left_hiding if follows else self.today
        hukou_on = born + _days(rng.randint(30, min(700, (until - born).days - 1)))
        child = Child(person=person, hukou=hukou, hukou_on=hukou_on, in_china_until=until)
        timeline = [(LegalStatus.STATELESS, born, "")]
        if registered:
            timeline.append((LegalStatus.CHILD_REGISTERED, hukou_on, h.china.province))
        elif follows:
            timeline += [
                (status, start, self._status_place(h, status)) for status, start in h.steps
            ]
        self._statuses(rows, h, person, timeline)
        self._child_entitlements(rows, h, child)
        h.children.append(child)

    def _child_entitlements(self, rows: Rows, h: Household, child: Child):
        """Hukou first; then kindergarten at three, school at six, a clinic: all follow the hukou."""
        rng, born = self.rng, child.person.date_of_birth
        benefit = (
            EntitlementStatus.GRANTED
            if child.hukou == EntitlementStatus.GRANTED
            else EntitlementStatus.DENIED
        )
        sought = [(EntitlementKind.HOUSEHOLD_REGISTRATION, child.hukou, child.hukou_on)]
        for kind, age in ((EntitlementKind.KINDERGARTEN, 3), (EntitlementKind.SCHOOL, 6)):
            on = born + _years(age) + _days(rng.randint(0, 200))
            if on < child.in_china_until:
                sought.append((kind, benefit, on))
        if self._chance(0.7):
            sought.append(
                # From the day after birth: a plaintext day equal to the encrypted birth date
                # would give it away.
                (
                    EntitlementKind.MEDICAL_CARE,
                    benefit,
                    self._between(born + _days(1), child.in_china_until),
                )
            )
        for kind, status, on in sought:
            note = ""
            if status == EntitlementStatus.DENIED:
                note = rng.choice(DENIAL_NOTES)
                child.denied.append((kind, on))
            rows.add(
                Entitlement(
                    person_id=child.person.pk,
                    kind=kind,
                    status=status,
                    as_of=on,
                    note=note,
                    recorded_by_id=h.caseworker.pk,
                )
            )

    def _case(self, rows: Rows, h: Household) -> Case:
        rng, today, current = self.rng, self.today, h.current
        # First contact within the last nine years, before she left hiding (if she did).
        last = min(h.left_hiding or today, today - _days(7))
        opened = self._between(min(max(h.arrival + _days(60), today - _years(9)), last), last)
        if current in (LegalStatus.RESETTLED_ROK, LegalStatus.RESETTLED_OTHER):
            status = CaseStatus.CLOSED
            closed = min(today, h.steps[-1][1] + _days(rng.randint(14, 90)))
        elif current in (LegalStatus.REPATRIATED, LegalStatus.UNKNOWN) and self._chance(0.6):
            status, closed = CaseStatus.ON_HOLD, None
        else:
            status, closed = CaseStatus.OPEN, None
        summary = f"{LegalStatus(current).label}; {h.size} in the household; {h.town}."
        case = rows.add(
            Case(
                reference=self._reference("C"),
                team_id=self.staff.teams[h.team_name].pk,
                owner_id=h.caseworker.pk,
                status=status,
                risk_level=risk_level(
                    current, recent_raid=h.recent_raid, registered=h.plan.registered
                ),
                summary=summary,
                opened_on=opened,
                closed_on=closed,
            )
        )
        rows.add(CaseMember(case_id=case.pk, person_id=h.principal.pk, role=MemberRole.PRINCIPAL))
        if h.partner:
            rows.add(CaseMember(case_id=case.pk, person_id=h.partner.pk, role=MemberRole.PARTNER))
        for child in h.children:
            rows.add(CaseMember(case_id=case.pk, person_id=child.person.pk, role=MemberRole.CHILD))
        rows.add(
            CaseAssignment(
                case_id=case.pk,
                user_id=h.caseworker.pk,
                role=AssignmentRole.CASEWORKER,
                assigned_by_id=h.supervisor.pk,
            )
        )
        needs_advocate = current == LegalStatus.DETAINED_CN or any(c.denied for c in h.children)
        if (
            self.staff.advocates
            and status != CaseStatus.CLOSED
            and needs_advocate
            and self._chance(0.5)
        ):
            h.advocate = rng.choice(self.staff.advocates)
            rows.add(
                CaseAssignment(
                    case_id=case.pk,
                    user_id=h.advocate.pk,
                    role=AssignmentRole.LEGAL_ADVOCATE,
                    assigned_by_id=h.supervisor.pk,
                )
            )
        return case

    def _incidents(self, rows: Rows, h: Household, case: Case):
        rng, today = self.rng, self.today
        mother, partner = h.principal, h.partner
        events = []
        if self._chance(0.2):
            events.append(
                (
                    IncidentKind.TRAFFICKING,
                    h.arrival + _days(rng.randint(1, 30)),
                    [mother],
                    f"Sold by brokers soon after crossing, for {rng.randint(5, 30) * 1000} yuan.",
                )
            )
        if h.raided and h.current == LegalStatus.UNDOCUMENTED_CN:
            events.append(
                (
                    IncidentKind.RAID,
                    h.raid_on,
                    [mother, partner],
                    "Police and border patrol searched the village at night; "
                    f"{mother.full_name} hid at a neighbour's.",
                )
            )
        if h.steps and h.steps[0][0] == LegalStatus.DETAINED_CN:
            taken = h.steps[0][1]
            if h.raided:
                events.append(
                    (
                        IncidentKind.RAID,
                        taken,
                        [mother, partner],
                        f"Night raid on the house in {h.town}.",
                    )
                )
            events.append((IncidentKind.ARREST, taken, [mother], "Arrested; no papers to show."))
            events.append(
                (
                    IncidentKind.DETENTION,
                    taken,
                    [mother],
                    f"Held at {h.china.detention_centre} awaiting deportation.",
                )
            )
            if len(h.steps) > 1:
                events.append(
                    (
                        IncidentKind.DEPORTATION,
                        h.steps[1][1],
                        [mother],
                        f"Handed over to North Korean border guards at {h.china.crossing}.",
                    )
                )
        prosecuted = self._chance(0.25 if h.current == LegalStatus.DETAINED_CN else 0.07)
        if partner and prosecuted:
            events.append(
                (
                    IncidentKind.PARTNER_PROSECUTED,
                    self._between(h.cohabiting + _days(365), today - _days(1)),
                    [partner],
                    rng.choice(PROSECUTION_NOTES).format(partner=partner.full_name),
                )
            )
        for child in h.children:
            for kind, on in child.denied:
                if kind == EntitlementKind.SCHOOL or self._chance(0.4):
                    events.append(
                        (
                            IncidentKind.BENEFIT_DENIED,
                            on,
                            [child.person, partner],
                            f"{EntitlementKind(kind).label} refused to {child.person.full_name}: "
                            "no household registration.",
                        )
                    )
        for kind, on, people, description in events:
            incident = rows.add(
                Incident(
                    case_id=case.pk,
                    kind=kind,
                    occurred_on=on,
                    region=h.china.region,
                    description=description,
                    recorded_by_id=h.caseworker.pk,
                )
            )
            for person in people:
                if person is not None:
                    rows.add(IncidentPerson(incident_id=incident.pk, person_id=person.pk))

    def _notes_and_tasks(self, rows: Rows, h: Household, case: Case):
        rng, today, current = self.rng, self.today, h.current
        child = h.children[0].person.full_name if h.children else ""
        names = {
            "mother": h.principal.full_name,
            "partner": h.partner.full_name if h.partner else "",
            "child": child,
            "town": h.town,
        }
        # Each note says how the contact took place; the first meeting opened the case.
        first = (
            NoteKind.VISIT,
            "First meeting with %(mother)s through the church network in %(town)s.",
        )
        notes = []
        if current == LegalStatus.UNDOCUMENTED_CN:
            notes.append(
                (
                    NoteKind.VISIT,
                    "Home visit: %(mother)s is well but afraid after police checks nearby.",
                )
            )
            notes.append(
                (NoteKind.MESSAGE, "Message from %(mother)s: the children are well, rent is due.")
            )
        if current == LegalStatus.DETAINED_CN and h.partner:
            notes.append(
                (NoteKind.CALL, "%(partner)s says %(mother)s is held pending deportation.")
            )
        if current in LEFT_CHINA:
            notes.append((NoteKind.CALL, "%(mother)s called from abroad; she is safe for now."))
        if child:
            notes.append(
                (NoteKind.OFFICE, "The school in %(town)s again refused %(child)s without a hukou.")
            )
        last = case.closed_on or today
        chosen = [(first, case.opened_on)] + [
            (note, self._between(case.opened_on, last))
            for note in rng.sample(notes, rng.randint(0, len(notes)))
        ]
        for (kind, text), day in chosen:
            rows.add(
                CaseNote(
                    case_id=case.pk,
                    author_id=h.caseworker.pk,
                    kind=kind,
                    contacted_on=day,
                    body=text % names,
                )
            )

        if case.status == CaseStatus.CLOSED:
            return
        tasks = ["Check on %(mother)s's safety and renew the consent form."]
        if child:
            tasks.append("Ask the school in %(town)s again about enrolling %(child)s.")
            tasks.append("Draft the advocacy letter on %(child)s's household registration.")
        if current == LegalStatus.DETAINED_CN:
            tasks.append("Find a lawyer willing to visit %(mother)s before deportation.")
        if current in LEFT_CHINA:
            tasks.append("Confirm %(mother)s's protection status with the partner organisation.")
        for i, text in enumerate(rng.sample(tasks, rng.randint(1, min(3, len(tasks))))):
            assignee = h.advocate if h.advocate and "advocacy" in text else h.caseworker
            due = today + _days(rng.randint(-45, 40))
            done = due < today and self._chance(0.4)
            if h.index == 0 and i == 0:
                # The first household always has an overdue task, so even a tiny demo shows one.
                due, done = today - _days(10), False
            rows.add(
                Task(
                    case_id=case.pk,
                    title=text % names,
                    due_on=due,
                    assignee_id=assignee.pk,
                    completed_at=_aware(due) if done else None,
                    completed_by_id=assignee.pk if done else None,
                    created_by_id=h.caseworker.pk,
                )
            )
