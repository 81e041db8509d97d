"""
Invented places: where in North Korea people come from, where in China they hide, and the
routes and homes beyond.
"""

from dataclasses import dataclass

from casework.choices import Region

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
