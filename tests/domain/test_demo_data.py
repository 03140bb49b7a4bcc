"""The demo data generator: deterministic, complete and valid by the roster's own rules."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xmen_desktop.domain import address, demo_data, validation
from xmen_desktop.domain.demo_data import (
    SAMPLE_TOPICS,
    DemoEstate,
    DemoHousehold,
    DemoMember,
    DemoResident,
    generate,
)
from xmen_desktop.domain.estates import BODY_KINDS, BODY_ROLES, ESTATES

RELATIONS = {"本人", "配偶", "子女", "儿媳", "女婿", "孙子女", "父母", "其他"}
ESTATE_CODES = [e.code for e in ESTATES]


@pytest.fixture(scope="module")
def default() -> list[DemoEstate]:
    return generate()


@pytest.fixture(scope="module")
def large() -> list[DemoEstate]:
    return generate(12000)


def households(estates: list[DemoEstate]) -> list[DemoHousehold]:
    return [h for e in estates for h in e.households]


def residents(estates: list[DemoEstate]) -> list[DemoResident]:
    return [r for h in households(estates) for r in h.residents]


def assert_valid_resident(resident: DemoResident) -> None:
    assert validation.required_name(resident.name, "name") == resident.name
    assert resident.relation in RELATIONS
    assert resident.gender in ("男", "女")
    assert 1920 <= resident.birth_year <= demo_data.REFERENCE_YEAR
    assert validation.phone(resident.phone) == resident.phone
    assert validation.notes(resident.notes) == resident.notes


def assert_valid_household(household: DemoHousehold) -> None:
    assert validation.required_name(household.tenant) == household.tenant
    assert address.required(household.address) == household.address
    assert address.canonical(household.address) == household.address
    parts = address.parse(household.address)
    assert parts.road and parts.lane and parts.number and parts.room
    assert address.join(parts.road, parts.lane, parts.number, parts.room) == household.address
    assert validation.phone(household.phone) == household.phone
    assert validation.household_size(household.size) == household.size
    assert household.size == len(household.residents)
    if household.area_centi is not None:
        assert 12_00 <= household.area_centi <= 60_00
        text = validation.area_text(household.area_centi)
        assert validation.area_centi(text) == household.area_centi
    assert validation.notes(household.notes) == household.notes
    tenant = household.residents[0]
    assert tenant.relation == "本人"
    assert tenant.name == household.tenant
    assert tenant.phone == household.phone
    assert demo_data.REFERENCE_YEAR - tenant.birth_year >= 18
    assert all(r.relation != "本人" for r in household.residents[1:])
    for resident in household.residents:
        assert_valid_resident(resident)


def assert_valid_members(estate: DemoEstate) -> None:
    by_body: dict[str, list[DemoMember]] = {kind: [] for kind in BODY_KINDS}
    for member in estate.members:
        assert member.body in BODY_KINDS
        assert member.role in BODY_ROLES
        assert 0 <= member.household_index < len(estate.households)
        household = estate.households[member.household_index]
        assert 0 <= member.resident_index < len(household.residents)
        resident = household.residents[member.resident_index]
        assert member.term_start.year - resident.birth_year >= 18
        assert member.term_start < member.term_end
        by_body[member.body].append(member)
    if not estate.households:
        assert estate.members == []
        return
    count = len(estate.households)
    seats = {
        kind: [(m.household_index, m.resident_index) for m in ms] for kind, ms in by_body.items()
    }
    for kind, where in seats.items():
        assert len(set(where)) == len(where), f"{kind}: one person sits once"

    assembly = by_body["assembly"]
    assert min(15, count) <= len(assembly) <= 30
    assert len({m.household_index for m in assembly}) == len(assembly), "one per household"

    executive = by_body["executive"]
    roles = Counter(m.role for m in executive)
    assert min(5, len(assembly)) <= len(executive) <= 9
    assert roles["主任"] == 1
    assert roles["副主任"] in ((1, 2) if len(executive) >= 2 else (0,))
    assert set(roles) <= {"主任", "副主任", "委员"}
    assert set(seats["executive"]) <= set(seats["assembly"]), "elected from the assembly"

    liaison = by_body["liaison"]
    assert 1 <= len(liaison) <= 3
    assert {m.role for m in liaison} == {"联络员"}

    mediation = by_body["mediation"]
    adult_by = mediation[0].term_start.year - 18
    adults = sum(1 for h in estate.households for r in h.residents if r.birth_year <= adult_by)
    assert min(3, adults) <= len(mediation) <= 5
    assert Counter(m.role for m in mediation)["主任"] == 1
    assert {m.role for m in mediation} <= {"主任", "调解员"}

    terms = {(m.term_start, m.term_end) for m in estate.members}
    assert len(terms) == 1, "one term for the whole estate"


def assert_valid(estates: list[DemoEstate]) -> None:
    assert [e.code for e in estates] == ESTATE_CODES
    for estate in estates:
        keys = [address.key(h.address) for h in estate.households]
        assert len(set(keys)) == len(keys), f"{estate.code}: addresses must be unique"
        for household in estate.households:
            assert_valid_household(household)
        assert_valid_members(estate)
    every = [address.key(h.address) for h in households(estates)]
    assert len(set(every)) == len(every), "each estate has its own roads"


def test_same_inputs_give_the_same_output(default: list[DemoEstate]) -> None:
    assert generate() == default
    assert generate(600, 20261127) == default
    assert generate(37, seed=5) == generate(37, seed=5)


def test_another_seed_gives_other_data(default: list[DemoEstate]) -> None:
    assert generate(seed=1) != default


def test_output_does_not_depend_on_string_hashing() -> None:
    root = Path(demo_data.__file__).resolve().parents[2]
    script = (
        "from xmen_desktop.domain.demo_data import generate; "
        "import hashlib; print(hashlib.sha256(repr(generate(300)).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


@pytest.mark.parametrize("total", [600, 12000, 7, 6, 1, 0])
def test_totals(total: int) -> None:
    estates = generate(total)
    counts = [len(e.households) for e in estates]
    assert sum(counts) == total
    if total >= len(ESTATES):
        assert min(counts) >= 1, "every estate gets some households"
    else:
        assert counts == [1] * total + [0] * (len(ESTATES) - total)


def test_households_are_spread_unevenly(default: list[DemoEstate]) -> None:
    counts = [len(e.households) for e in default]
    assert len(set(counts)) > 1
    assert min(counts) >= 30


def test_negative_total_is_refused() -> None:
    with pytest.raises(ValueError):
        generate(-1)


def test_default_values_are_valid(default: list[DemoEstate]) -> None:
    assert_valid(default)


def test_large_values_are_valid(large: list[DemoEstate]) -> None:
    assert sum(len(e.households) for e in large) == 12000
    assert_valid(large)


@settings(max_examples=40, deadline=None)
@given(total=st.integers(0, 250), seed=st.integers(0, 2**32))
def test_any_total_and_seed_is_valid(total: int, seed: int) -> None:
    estates = generate(total, seed)
    assert sum(len(e.households) for e in estates) == total
    assert_valid(estates)


def test_small_estates_still_get_bodies() -> None:
    estates = generate(7)
    for estate in estates:
        bodies = Counter(m.body for m in estate.members)
        assert bodies["assembly"] == len(estate.households)
        assert bodies["executive"] >= 1
        assert bodies["liaison"] >= 1
        assert bodies["mediation"] >= 1
    assert all(e.members == [] for e in generate(1)[1:])


def test_doorways_hold_four_to_eight_flats(default: list[DemoEstate]) -> None:
    for estate in default:
        doorways = Counter(address.parse(h.address).doorway for h in estate.households)
        assert all(4 <= flats <= 8 for flats in doorways.values()), estate.code
        assert 5 <= len(doorways) <= 35
        roads = {address.parse(h.address).road for h in estate.households}
        assert roads <= {road for road, _, _ in demo_data._ESTATE_ROADS[estate.code]}


def test_main_lanes_match_the_sample_rosters(default: list[DemoEstate]) -> None:
    first = {e.code: e.households[0].address for e in default}
    assert first["xiaoximen"].startswith("复兴东路 1234 弄 1 号 ")
    assert first["longmencun"].startswith("尚文路 133 弄 1 号 ")


def test_phones_mix_mobiles_landlines_and_none(large: list[DemoEstate]) -> None:
    phones = [h.phone for h in households(large)]
    landlines = sum(1 for p in phones if p and p.startswith("021-6328"))
    missing = sum(1 for p in phones if p is None)
    mobiles = sum(1 for p in phones if p and len(p) == 11 and p[0] == "1")
    assert landlines + missing + mobiles == len(phones)
    assert 0.07 < landlines / len(phones) < 0.13
    assert 0.03 < missing / len(phones) < 0.07


def test_areas_and_notes_look_like_a_roster(large: list[DemoEstate]) -> None:
    rows = households(large)
    no_area = sum(1 for h in rows if h.area_centi is None)
    assert 0 < no_area < len(rows) * 0.06
    assert any(h.area_centi is not None and h.area_centi % 10 for h in rows)
    empty = sum(1 for h in rows if not h.notes)
    assert empty > len(rows) * 0.6, "notes are mostly empty"
    notes = {part for h in rows for part in h.notes.split("；") if part}
    assert notes == {
        "独居老人",
        "楼组长",
        "空置",
        "租户",
        "志愿者",
        "行动不便，需上门",
        "二房东转租",
    }
    for household in rows:
        if "独居老人" in household.notes:
            assert household.size == 1
            assert demo_data.REFERENCE_YEAR - household.residents[0].birth_year >= 70


def test_families_hang_together(large: list[DemoEstate]) -> None:
    for household in households(large):
        tenant = household.residents[0]
        for resident in household.residents[1:]:
            if resident.relation == "配偶":
                assert resident.gender != tenant.gender
            if resident.relation == "儿媳":
                assert resident.gender == "女"
            if resident.relation == "女婿":
                assert resident.gender == "男"
            if resident.relation == "子女":
                assert resident.birth_year > tenant.birth_year
            if resident.relation == "父母":
                assert resident.birth_year < tenant.birth_year
        names = [r.name for r in household.residents]
        assert len(set(names)) == len(names)


def test_names_mix_old_young_and_rare(large: list[DemoEstate]) -> None:
    names = [r.name for r in residents(large)]
    joined = "".join(names)
    for old in ("阿毛", "根宝", "桂兰", "金娣", "小妹", "福生"):
        assert old in joined
    rare = sum(1 for n in names if any(c in n for c in "喆堃昇赟珺"))
    assert 0 < rare < len(names) * 0.05, "rare characters now and then"
    assert len(set(names)) > len(names) * 0.2


def test_sample_topics_cover_every_estate() -> None:
    assert list(SAMPLE_TOPICS) == ESTATE_CODES
    for titles in SAMPLE_TOPICS.values():
        assert 3 <= len(titles) == len(set(titles))
        assert all(t and t == t.strip() for t in titles)
    assert "垃圾分类我先行" in SAMPLE_TOPICS["xiaoximen"]
    assert "垃圾箱房水斗改造" in SAMPLE_TOPICS["jingdeli"]
    assert any("龙门乡愁" in t for t in SAMPLE_TOPICS["longmencun"])
