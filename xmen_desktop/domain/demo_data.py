"""Realistic demo data for the six estates: households, residents and body members.

Pure and deterministic: one ``random.Random(seed)`` drives everything, there is no I/O, no SQL
and no Qt, and the same arguments always give the same result. The values look like the
rosters the estates keep (lane addresses doorway by doorway, old Shanghai given names beside
young ones, a landline here and there, short notes such as 独居老人 or 二房东转租) and every
one of them passes the field rules in ``validation`` and ``address`` unchanged.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from xmen_desktop.domain import address
from xmen_desktop.domain.estates import ESTATES

DEFAULT_TOTAL_HOUSEHOLDS = 600
DEFAULT_SEED = 20261127
REFERENCE_YEAR = 2026  # ages are reckoned against the year the rosters were last updated


@dataclass(frozen=True)
class DemoResident:
    name: str
    relation: str  # 本人, 配偶, 子女, 儿媳, 女婿, 孙子女, 父母, 其他
    gender: str  # 男 / 女
    birth_year: int
    phone: str | None
    notes: str


@dataclass(frozen=True)
class DemoHousehold:
    tenant: str
    address: str
    phone: str | None
    size: int
    area_centi: int | None
    notes: str
    residents: list[DemoResident]  # the tenant first (本人); len(residents) == size


@dataclass(frozen=True)
class DemoMember:
    body: str  # a key of estates.BODY_KINDS
    household_index: int  # into DemoEstate.households
    resident_index: int  # into that household's residents
    role: str
    term_start: datetime.date
    term_end: datetime.date


@dataclass(frozen=True)
class DemoEstate:
    code: str
    households: list[DemoHousehold]
    members: list[DemoMember]


# --- Topics ---------------------------------------------------------------------------------

# A few topic titles per estate; the first ones are the projects the estates actually ran.
SAMPLE_TOPICS: dict[str, list[str]] = {
    "xiaoximen": [
        "垃圾分类我先行",
        "废旧自行车公益兑换",
        "邻里点改造",
        "新邻里公约征集",
        "弄堂运动会",
    ],
    "longmencun": [
        "美丽龙门：楼道微更新",
        "龙门睦邻：邻里结对互助",
        "龙门乡愁：老照片与老故事征集",
        "弄堂公共晾晒区整理",
    ],
    "puyuli": [
        "美丽家园建设实事工程意见征询",
        "楼道堆物清理",
        "公共照明更换",
        "独居老人结对关爱",
    ],
    "jingdeli": [
        "非机动车乱停放整治",
        "垃圾箱房水斗改造",
        "电瓶车集中充电点设置",
        "议题征询制度试行",
    ],
    "anlan": [
        "新邻里公约征集",
        "垃圾分类定时定点投放",
        "弄堂绿化认养",
        "废旧自行车清理",
    ],
    "luxing": [
        "美丽家园：外墙与雨棚修缮",
        "非机动车停放划线",
        "邻里点改造",
        "睦邻茶话会",
    ],
}


# --- Addresses ------------------------------------------------------------------------------

# Each estate has its own roads. The first lane is the estate's main lane; when it is full,
# further lanes on the same roads are added, numbered within the road's range.
_ESTATE_ROADS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "xiaoximen": (("复兴东路", 1200, 1400), ("中华路", 1300, 1500)),
    "longmencun": (("尚文路", 100, 200), ("学前街", 60, 160)),
    "puyuli": (("大林路", 200, 400), ("蓬莱路", 150, 300)),
    "jingdeli": (("文庙路", 100, 250), ("河南南路", 700, 900)),
    "anlan": (("安澜路", 30, 160), ("方浜中路", 80, 260)),
    "luxing": (("陆家浜路", 400, 700), ("西藏南路", 1000, 1300)),
}
_MAIN_LANES: dict[str, tuple[str, int]] = {
    "xiaoximen": ("复兴东路", 1234),
    "longmencun": ("尚文路", 133),
    "puyuli": ("大林路", 315),
    "jingdeli": ("文庙路", 172),
    "anlan": ("安澜路", 61),
    "luxing": ("陆家浜路", 541),
}
# Relative size of the estates (uneven on purpose), jittered by the seed.
_ESTATE_WEIGHTS: dict[str, float] = {
    "xiaoximen": 1.35,
    "longmencun": 1.1,
    "puyuli": 0.95,
    "jingdeli": 1.0,
    "anlan": 0.7,
    "luxing": 0.8,
}

# --- Names ----------------------------------------------------------------------------------

_SURNAMES: tuple[tuple[str, int], ...] = (
    ("张", 60), ("王", 55), ("陈", 55), ("李", 45), ("徐", 40), ("朱", 38), ("周", 36),
    ("沈", 34), ("陆", 30), ("顾", 30), ("吴", 30), ("杨", 28), ("黄", 28), ("孙", 24),
    ("金", 22), ("胡", 22), ("钱", 20), ("蒋", 18), ("唐", 18), ("姚", 16), ("曹", 16),
    ("许", 15), ("施", 15), ("范", 12), ("严", 12), ("汤", 12), ("龚", 10), ("俞", 10),
    ("倪", 10), ("郁", 8), ("盛", 8), ("薛", 8), ("潘", 8), ("宋", 8), ("邵", 8),
    ("秦", 7), ("庄", 7), ("袁", 7), ("马", 7), ("石", 6), ("瞿", 5), ("卫", 5),
    ("奚", 4), ("浦", 4), ("毛", 5), ("戴", 6), ("丁", 6), ("夏", 6), ("蔡", 6),
    ("葛", 4), ("贺", 4), ("季", 4), ("凌", 3), ("缪", 3), ("欧阳", 1), ("司马", 1),
)  # fmt: skip
# Renters and those who married in come from all over the country.
_OTHER_SURNAMES: tuple[str, ...] = (
    "刘", "赵", "杨", "马", "何", "罗", "高", "郭", "梁", "谢", "韩", "冯", "邓", "曾",
    "彭", "雷", "叶", "程", "付", "汪", "田", "余", "杜", "覃", "向", "廖", "蒋", "熊",
)  # fmt: skip

# Given names by era of birth and gender.
_GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "男"): (
        "阿毛", "根宝", "福生", "荣根", "金宝", "阿根", "林生", "德明", "德兴", "宝根",
        "永康", "兴发", "炳生", "妙根", "杏生", "关林", "阿大", "小弟", "金根", "仁宝",
    ),
    ("old", "女"): (
        "桂兰", "金娣", "小妹", "秀英", "宝珍", "彩凤", "凤英", "阿珍", "月娥", "杏娣",
        "招娣", "美娣", "玉珍", "翠英", "根娣", "阿毛", "引娣", "佩珍", "菊英", "巧珍",
    ),
    ("mid", "男"): (
        "建国", "国庆", "伟民", "德明", "建华", "卫东", "志强", "跃进", "国强", "建平",
        "永明", "振华", "海林", "金龙", "荣根", "福生", "根宝", "明华", "立新", "文龙",
    ),
    ("mid", "女"): (
        "美华", "惠芬", "雪芳", "丽娟", "海燕", "红英", "美玲", "秀珍", "凤珍", "玲娣",
        "建英", "国英", "卫红", "丽华", "敏华", "彩凤", "金娣", "桂兰", "小妹", "雅琴",
    ),
    ("adult", "男"): (
        "志强", "伟", "军", "勇", "斌", "磊", "杰", "俊", "海峰", "晓东",
        "文杰", "春雷", "毅", "骏", "晓峰", "立伟", "振宇", "明", "剑", "伟民",
    ),
    ("adult", "女"): (
        "丽娟", "海燕", "敏", "静", "燕", "莉", "晓燕", "雯", "颖", "蓓蕾",
        "佳", "琳", "晓红", "慧", "倩", "雪芳", "晓雯", "婷", "洁", "艳",
    ),
    ("young", "男"): (
        "浩", "宇", "俊杰", "思远", "子轩", "一鸣", "天佑", "昊天", "奕辰", "浩然",
        "睿", "晨阳", "宇航", "皓轩", "梓豪", "嘉俊", "文博", "逸飞", "家豪", "沐阳",
    ),
    ("young", "女"): (
        "佳怡", "诗涵", "欣怡", "雨桐", "梓萱", "思琪", "语嫣", "子涵", "依诺", "心怡",
        "怡雯", "若曦", "梦瑶", "嘉怡", "可馨", "雨欣", "诗琪", "悦", "思佳", "晨曦",
    ),
}  # fmt: skip
# Characters outside the common range that rosters must still show and sort: now and then.
_RARE_GIVEN: dict[str, tuple[str, ...]] = {
    "男": ("喆", "堃", "昇", "赟", "文喆", "子堃", "嘉赟", "昇平", "翀", "晔"),
    "女": ("珺", "赟", "珺怡", "玥", "婧", "喆", "琇", "昕玥", "堃怡", "晔"),
}
_RARE_NAME_RATE = 0.05  # of those born since 1970

# --- Notes ----------------------------------------------------------------------------------

NOTE_ALONE = "独居老人"
NOTE_GROUP_LEADER = "楼组长"
NOTE_VACANT = "空置"
NOTE_RENTED = "租户"
NOTE_SUBLET = "二房东转租"
NOTE_VOLUNTEER = "志愿者"
NOTE_HOME_VISIT = "行动不便，需上门"
NOTE_PARTY = "党员"
NOTE_AWAY = "人户分离"
_NOTE_SEPARATOR = "；"

_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
    "151", "152", "153", "155", "156", "157", "158", "159", "166", "176",
    "177", "180", "181", "182", "183", "186", "187", "189", "198", "199",
)  # fmt: skip
_LANDLINE_EXCHANGE = "6328"
_MAX_FLOORS = 6  # old public housing has no lifts
_NAME_RETRIES = 5

# Household kinds and how common they are.
_KINDS: tuple[tuple[str, int], ...] = (
    ("lone_elder", 14),
    ("elder_couple", 18),
    ("couple_child", 18),
    ("three_generations", 20),
    ("with_parent", 10),
    ("single_adult", 8),
    ("rented", 8),
    ("vacant", 4),
)


# --- Generator ------------------------------------------------------------------------------


def generate(
    total_households: int = DEFAULT_TOTAL_HOUSEHOLDS, seed: int = DEFAULT_SEED
) -> list[DemoEstate]:
    """Demo households for all six estates, in the order of ``ESTATES``.

    The households are spread unevenly but every estate gets some; with fewer than six
    households the first estates get one each and the others none (no households, no members).
    """
    if total_households < 0:
        raise ValueError("total_households must not be negative")
    rng = random.Random(seed)
    counts = _split(rng, total_households)
    return [
        _Generator(rng, estate.code).estate(count)
        for estate, count in zip(ESTATES, counts, strict=True)
    ]


def _split(rng: random.Random, total: int) -> list[int]:
    """Households per estate: at least one each when there are enough, otherwise in order."""
    n = len(ESTATES)
    if total < n:
        return [1 if i < total else 0 for i in range(n)]
    weights = [_ESTATE_WEIGHTS[e.code] * rng.uniform(0.8, 1.2) for e in ESTATES]
    rest = total - n
    shares = [rest * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(n), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + 1 for c in counts]


@dataclass(frozen=True)
class _Person:
    surname: str
    resident: DemoResident


class _Generator:
    """Builds one estate; holds the shared random stream and the estate's roads."""

    def __init__(self, rng: random.Random, code: str) -> None:
        self.rng = rng
        self.code = code
        self._surnames = [s for s, _ in _SURNAMES]
        self._surname_weights = list(itertools.accumulate(w for _, w in _SURNAMES))
        self._kinds = [k for k, _ in _KINDS]
        self._kind_weights = list(itertools.accumulate(w for _, w in _KINDS))
        self._builders: dict[str, Callable[[list[str]], list[_Person]]] = {
            "lone_elder": self._kind_lone_elder,
            "elder_couple": self._kind_elder_couple,
            "couple_child": self._kind_couple_child,
            "three_generations": self._kind_three_generations,
            "with_parent": self._kind_with_parent,
            "single_adult": self._kind_single_adult,
            "rented": self._kind_rented,
            "vacant": self._kind_vacant,
        }
        self._names_taken: set[str] = set()  # no two people of one household share a name

    # -- estate --------------------------------------------------------------------------

    def estate(self, count: int) -> DemoEstate:
        households: list[DemoHousehold] = []
        for doorway, rooms in self._doorways(count):
            leader = self.rng.randrange(len(rooms)) if self.rng.random() < 0.5 else -1
            areas = self._column_areas(rooms)
            for i, room in enumerate(rooms):
                text = address.join(doorway[0], doorway[1], doorway[2], room)
                area = areas[room[-1]] if self.rng.random() < 0.8 else self._area()
                if self.rng.random() < 0.03:
                    area = None
                households.append(self._household(text, area, leader=i == leader))
        members = self._members(households) if households else []
        return DemoEstate(self.code, households, members)

    def _doorways(self, count: int) -> list[tuple[tuple[str, str, str], list[str]]]:
        """(road, lane, number) and its rooms, 4 to 8 flats a doorway, lane by lane."""
        rng = self.rng
        if count == 0:
            return []
        if count < 4:
            sizes = [count]
        else:
            low, high = -(-count // 8), count // 4
            doorways = min(high, max(low, round(count / rng.uniform(5.0, 7.0))))
            sizes = [4] * doorways
            open_ = list(range(doorways))
            for _ in range(count - 4 * doorways):
                pick = rng.randrange(len(open_))
                sizes[open_[pick]] += 1
                if sizes[open_[pick]] == 8:
                    open_[pick] = open_[-1]
                    open_.pop()
        lanes = self._lanes()
        result: list[tuple[tuple[str, str, str], list[str]]] = []
        road, lane = next(lanes)
        capacity, number = rng.randint(6, 22), 0
        for size in sizes:
            if number == capacity:
                road, lane = next(lanes)
                capacity, number = rng.randint(6, 22), 0
            number += 1
            result.append(((road, str(lane), str(number)), self._rooms(size)))
        return result

    def _lanes(self) -> Iterator[tuple[str, int]]:
        main = _MAIN_LANES[self.code]
        yield main
        used = {main}
        roads = _ESTATE_ROADS[self.code]
        while True:
            road, low, high = self.rng.choice(roads)
            lane = self.rng.randint(low, high)
            if (road, lane) in used:
                # Taken: draw again, unless every lane number of the estate's roads is used
                # (some tens of thousands of households for one estate).
                if len(used) >= sum(h - lo + 1 for _, lo, h in roads):
                    raise ValueError("too many households for the estate's roads")
                continue
            used.add((road, lane))
            yield road, lane

    def _rooms(self, size: int) -> list[str]:
        per_floor = self.rng.choices((1, 2, 3), cum_weights=(10, 85, 100))[0]
        per_floor = max(per_floor, -(-size // _MAX_FLOORS))
        rooms = [
            f"{floor}{flat:02d}"
            for floor in range(1, size // per_floor + 2)
            for flat in range(1, per_floor + 1)
        ]
        return rooms[:size]

    def _column_areas(self, rooms: Sequence[str]) -> dict[str, int]:
        """Flats above one another (same last digit) usually have the same floor area."""
        columns = dict.fromkeys(room[-1] for room in rooms)  # ordered: same seed, same areas
        return {column: self._area() for column in columns}

    def _area(self) -> int:
        """12 to 60 m² in hundredths, mostly with one decimal as on the lease."""
        rng = self.rng
        if rng.random() < 0.7:
            return rng.randint(120, 600) * 10
        return rng.randint(1200, 6000)

    # -- households ----------------------------------------------------------------------

    def _household(self, text: str, area: int | None, *, leader: bool) -> DemoHousehold:
        rng = self.rng
        kind = rng.choices(self._kinds, cum_weights=self._kind_weights)[0]
        notes: list[str] = []
        self._names_taken.clear()
        people = self._builders[kind](notes)
        tenant = people[0].resident
        if leader and kind not in ("vacant", "rented") and REFERENCE_YEAR - tenant.birth_year < 85:
            notes.append(NOTE_GROUP_LEADER)
        elif rng.random() < 0.04 and kind not in ("vacant", "rented"):
            notes.append(NOTE_VOLUNTEER)
        residents = [p.resident for p in people]
        return DemoHousehold(
            tenant=tenant.name,
            address=text,
            phone=tenant.phone,
            size=len(residents),
            area_centi=area,
            notes=_NOTE_SEPARATOR.join(notes),
            residents=residents,
        )

    def _kind_lone_elder(self, notes: list[str]) -> list[_Person]:
        gender = "女" if self.rng.random() < 0.65 else "男"
        tenant = self._tenant(gender, self.rng.randint(72, 96))
        if self.rng.random() < 0.6:
            notes.append(NOTE_ALONE)
        if REFERENCE_YEAR - tenant.resident.birth_year >= 80 and self.rng.random() < 0.2:
            notes.append(NOTE_HOME_VISIT)
        return [tenant]

    def _kind_elder_couple(self, notes: list[str]) -> list[_Person]:
        tenant = self._tenant(self._gender(), self.rng.randint(65, 92))
        return [tenant, self._spouse(tenant)]

    def _kind_couple_child(self, notes: list[str]) -> list[_Person]:
        tenant = self._tenant(self._gender(), self.rng.randint(36, 62))
        spouse = self._spouse(tenant)
        people = [tenant, spouse]
        people.append(self._child(tenant, spouse))
        if tenant.resident.birth_year >= 1980 and self.rng.random() < 0.15:
            people.append(self._child(tenant, spouse))
        return people

    def _kind_three_generations(self, notes: list[str]) -> list[_Person]:
        rng = self.rng
        tenant = self._tenant(self._gender(), rng.randint(58, 86))
        spouse = self._spouse(tenant) if rng.random() < 0.8 else None
        child = self._child(tenant, spouse, min_age=24)
        people = [tenant] + ([spouse] if spouse else []) + [child]
        in_law = None
        if rng.random() < 0.85:
            in_law = self._in_law(child)
            people.append(in_law)
        grandchildren = 1 if rng.random() < 0.9 else 0
        if grandchildren and rng.random() < 0.15:
            grandchildren = 2
        father = child if child.resident.gender == "男" else in_law
        first_born = child.resident.birth_year + rng.randint(24, 34)
        for n in range(grandchildren):
            born = min(REFERENCE_YEAR, first_born + n * rng.randint(2, 6))
            people.append(
                self._person(
                    "孙子女",
                    father.surname if father else child.surname,
                    self._gender(),
                    born,
                )
            )
        return people

    def _kind_with_parent(self, notes: list[str]) -> list[_Person]:
        rng = self.rng
        tenant = self._tenant(self._gender(), rng.randint(45, 66))
        people = [tenant]
        spouse = self._spouse(tenant) if rng.random() < 0.8 else None
        if spouse:
            people.append(spouse)
        born = tenant.resident.birth_year - rng.randint(22, 34)
        born = max(born, REFERENCE_YEAR - 101)
        gender = "女" if rng.random() < 0.7 else "男"
        surname = tenant.surname if gender == "男" else self._surname()
        parent = self._person("父母", surname, gender, born)
        people.append(parent)
        if rng.random() < 0.7:
            people.append(self._child(tenant, spouse))
        return people

    def _kind_single_adult(self, notes: list[str]) -> list[_Person]:
        tenant = self._tenant(self._gender(), self.rng.randint(28, 66))
        people = [tenant]
        if self.rng.random() < 0.25:  # a sibling or a cousin sharing the flat
            people.append(
                self._person(
                    "其他",
                    tenant.surname,
                    self._gender(),
                    tenant.resident.birth_year + self.rng.randint(-8, 8),
                )
            )
        return people

    def _kind_rented(self, notes: list[str]) -> list[_Person]:
        rng = self.rng
        notes.append(NOTE_SUBLET if rng.random() < 0.3 else NOTE_RENTED)
        tenant = self._tenant(self._gender(), rng.randint(45, 85), away=True)
        people = [tenant]
        for _ in range(rng.choices((1, 2, 3, 4), cum_weights=(35, 75, 92, 100))[0]):
            born = REFERENCE_YEAR - rng.randint(20, 48)
            people.append(
                self._person(
                    "其他", rng.choice(_OTHER_SURNAMES), self._gender(), born, phone="mobile"
                )
            )
        return people

    def _kind_vacant(self, notes: list[str]) -> list[_Person]:
        notes.append(NOTE_VACANT)
        return [self._tenant(self._gender(), self.rng.randint(40, 90), away=True)]

    # -- people --------------------------------------------------------------------------

    def _tenant(self, gender: str, age: int, *, away: bool = False) -> _Person:
        person = self._person(
            "本人", self._surname(), gender, REFERENCE_YEAR - age, phone="household"
        )
        if away:
            return self._with_notes(person, NOTE_AWAY)
        return person

    def _spouse(self, partner: _Person) -> _Person:
        other = "女" if partner.resident.gender == "男" else "男"
        born = partner.resident.birth_year + self.rng.randint(-3, 6) * (1 if other == "女" else -1)
        return self._person("配偶", self._surname(), other, min(born, REFERENCE_YEAR - 20))

    def _child(self, parent: _Person, other: _Person | None, *, min_age: int = 0) -> _Person:
        rng = self.rng
        born = parent.resident.birth_year + rng.randint(23, 34)
        born = min(born, REFERENCE_YEAR - min_age)
        if parent.resident.gender == "男" or other is None:
            surname = parent.surname
        else:
            surname = other.surname
        return self._person("子女", surname, self._gender(), born)

    def _in_law(self, child: _Person) -> _Person:
        gender = "女" if child.resident.gender == "男" else "男"
        born = child.resident.birth_year + self.rng.randint(-4, 4)
        surname = self.rng.choice(_OTHER_SURNAMES) if self.rng.random() < 0.3 else self._surname()
        return self._person("儿媳" if gender == "女" else "女婿", surname, gender, born)

    def _person(
        self,
        relation: str,
        surname: str,
        gender: str,
        born: int,
        *,
        phone: Literal["", "household", "mobile"] = "",
    ) -> _Person:
        rng = self.rng
        age = REFERENCE_YEAR - born
        notes: list[str] = []
        if age >= 18 and rng.random() < 0.07:
            notes.append(NOTE_PARTY)
        if age >= 80 and relation != "本人" and rng.random() < 0.12:
            notes.append(NOTE_HOME_VISIT)
        elif 18 <= age < 60 and relation in ("子女", "儿媳", "女婿") and rng.random() < 0.08:
            notes.append(NOTE_AWAY)
        if phone == "household":  # the number on the roster: mobile, landline or none
            number = self._household_phone()
        elif phone == "mobile":
            number = self._mobile() if rng.random() < 0.9 else None
        elif age < 14 or (age >= 85 and rng.random() < 0.6) or rng.random() < 0.35:
            number = None
        else:
            number = self._mobile()
        name = surname + self._given(gender, born)
        for _ in range(_NAME_RETRIES):
            if name not in self._names_taken:
                break
            name = surname + self._given(gender, born)
        self._names_taken.add(name)
        resident = DemoResident(
            name=name,
            relation=relation,
            gender=gender,
            birth_year=born,
            phone=number,
            notes=_NOTE_SEPARATOR.join(notes),
        )
        return _Person(surname, resident)

    def _with_notes(self, person: _Person, note: str) -> _Person:
        r = person.resident
        notes = _NOTE_SEPARATOR.join(n for n in (note, r.notes) if n)
        resident = DemoResident(r.name, r.relation, r.gender, r.birth_year, r.phone, notes)
        return _Person(person.surname, resident)

    def _gender(self) -> str:
        return "男" if self.rng.random() < 0.5 else "女"

    def _surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_weights)[0]

    def _given(self, gender: str, born: int) -> str:
        rng = self.rng
        if born >= 1970 and rng.random() < _RARE_NAME_RATE:
            return rng.choice(_RARE_GIVEN[gender])
        if born < 1950:
            era = "old"
        elif born < 1970:
            era = "mid"
        elif born < 1990:
            era = "adult"
        else:
            era = "young"
        return rng.choice(_GIVEN[era, gender])

    def _household_phone(self) -> str | None:
        roll = self.rng.random()
        if roll < 0.05:
            return None
        if roll < 0.15:
            return f"021-{_LANDLINE_EXCHANGE}{self.rng.randrange(10_000):04d}"
        return self._mobile()

    def _mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    # -- bodies --------------------------------------------------------------------------

    def _members(self, households: list[DemoHousehold]) -> list[DemoMember]:
        rng = self.rng
        start = datetime.date(2024, rng.choice((5, 6, 7)), 1)
        end = datetime.date(start.year + 3, start.month, 1) - datetime.timedelta(days=1)
        adult_by = start.year - 18

        def adults(h: int) -> list[int]:
            return [
                r
                for r, resident in enumerate(households[h].residents)
                if resident.birth_year <= adult_by
            ]

        def member(body: str, where: tuple[int, int], role: str) -> DemoMember:
            return DemoMember(body, where[0], where[1], role, start, end)

        # 议事大会: one representative from each of 15 to 30 households that live there,
        # usually the tenant, sometimes another adult of the family.
        living = [
            h
            for h, household in enumerate(households)
            if not any(n in household.notes for n in (NOTE_VACANT, NOTE_RENTED, NOTE_SUBLET))
        ]
        living_set = set(living)
        others = [h for h in range(len(households)) if h not in living_set]
        wanted = min(rng.randint(15, 30), len(households))
        chosen = rng.sample(living, min(wanted, len(living)))
        chosen += rng.sample(others, wanted - len(chosen))
        chosen.sort()
        assembly: list[tuple[int, int]] = []
        for h in chosen:
            family = [r for r in adults(h) if households[h].residents[r].relation != "其他"]
            r = rng.choice(family[1:]) if len(family) > 1 and rng.random() < 0.2 else 0
            assembly.append((h, r))

        # 执行委员会: elected from the representatives, of working age or young retirees.
        def age(where: tuple[int, int]) -> int:
            return start.year - households[where[0]].residents[where[1]].birth_year

        fit = [w for w in assembly if 30 <= age(w) <= 75]
        rest = [w for w in assembly if w not in fit]
        pool = rng.sample(fit, len(fit)) + rng.sample(rest, len(rest))
        executive = pool[: min(rng.randint(5, 9), len(pool))]
        deputies = 2 if len(executive) >= 7 and rng.random() < 0.5 else 1
        roles = (["主任"] + ["副主任"] * deputies + ["委员"] * len(executive))[: len(executive)]

        # 党建联络员: party members first; 纠纷调处委员会: respected residents of 45 to 80.
        everyone = [(h, r) for h in range(len(households)) for r in adults(h)]
        party = [w for w in everyone if NOTE_PARTY in _resident(households, w).notes]
        liaison_count = min(rng.randint(1, 3), len(everyone))
        liaisons = rng.sample(party, min(liaison_count, len(party)))
        if len(liaisons) < liaison_count:
            spare = [w for w in everyone if w not in liaisons]
            liaisons += rng.sample(spare, liaison_count - len(liaisons))
        elders = [w for w in everyone if 45 <= age(w) <= 80 and w[0] in living_set]
        mediation_count = min(rng.randint(3, 5), len(everyone))
        mediators = rng.sample(elders, min(mediation_count, len(elders)))
        if len(mediators) < mediation_count:
            spare = [w for w in everyone if w not in mediators]
            mediators += rng.sample(spare, mediation_count - len(mediators))

        members = [member("assembly", w, "成员") for w in assembly]
        members += [member("executive", w, role) for w, role in zip(executive, roles, strict=True)]
        members += [member("liaison", w, "联络员") for w in sorted(liaisons)]
        members += [
            member("mediation", w, "主任" if i == 0 else "调解员") for i, w in enumerate(mediators)
        ]
        return members


def _resident(households: Sequence[DemoHousehold], where: tuple[int, int]) -> DemoResident:
    return households[where[0]].residents[where[1]]
