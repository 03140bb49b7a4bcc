from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain import address, validation
from xmen_desktop.domain.validation import FieldError, RecordInvalid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        (13812345678, "13812345678"),
        ("63281234", "021-63281234"),
        ("6328-1234", "021-63281234"),
        ("021-63281234", "021-63281234"),
        ("(021)63281234", "021-63281234"),
        ("021-63281234转12", "021-63281234转12"),
        ("63281234-123", "021-63281234转123"),
        ("", None),
        (None, None),
    ],
)
def test_phone_accepts_mobiles_and_shanghai_landlines(raw: object, expected: str | None) -> None:
    assert validation.phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12345678901", "1381234567", "138123456789", "010-62345678", "abc", "6328123"]
)
def test_phone_refuses_what_is_not_a_mainland_number(raw: str) -> None:
    with pytest.raises(FieldError) as refused:
        validation.phone(raw)
    assert refused.value.field == "phone"
    assert "电话" in str(refused.value)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mainland_mobile_is_accepted(number: str) -> None:
    assert validation.phone(number) == number


@pytest.mark.parametrize(
    ("raw", "centi"),
    [
        ("45.5", 4550),
        ("45.25", 4525),
        ("45", 4500),
        (45.5, 4550),
        (48, 4800),
        ("45.5㎡", 4550),
        ("４５．５", 4550),
        ("45.5平方米", 4550),
        ("", None),
        (None, None),
    ],
)
def test_area_is_kept_in_hundredths(raw: object, centi: int | None) -> None:
    assert validation.area_centi(raw) == centi


@pytest.mark.parametrize("raw", ["abc", "四十五", "45.555", "-3", "0", "1000.01", "nan", True])
def test_area_refuses_non_numbers_and_bad_precision(raw: object) -> None:
    with pytest.raises(FieldError) as refused:
        validation.area_centi(raw)
    assert refused.value.field == "area"


@given(st.integers(min_value=1, max_value=100_000))
def test_area_text_round_trips(centi: int) -> None:
    assert validation.area_centi(validation.area_text(centi)) == centi


def test_household_record_reports_every_bad_field_at_once() -> None:
    with pytest.raises(RecordInvalid) as refused:
        validation.clean_household({"tenant": " ", "address": "", "phone": "12", "area": "x"})
    assert {e.field for e in refused.value.errors} == {"tenant", "address", "phone", "area"}


def test_household_size_must_be_a_small_whole_number() -> None:
    assert validation.household_size("3人") == 3
    assert validation.household_size(4.0) == 4
    for bad in ("三", "0", "31", 2.5):
        with pytest.raises(FieldError):
            validation.household_size(bad)


def test_member_term_must_not_end_before_it_starts() -> None:
    with pytest.raises(RecordInvalid):
        validation.clean_member(
            {
                "body": "执行委员会",
                "name": "李",
                "term_start": "2027-01-01",
                "term_end": "2026-01-01",
            }
        )
    cleaned = validation.clean_member(
        {"body": "执行委员会", "name": "李", "term_start": "2024/7/1"}
    )
    assert cleaned["body"] == "executive"


@pytest.mark.parametrize(
    "raw",
    [
        "复兴东路12弄3号201室",
        "复兴东路 12 弄 3 号 201 室",
        " 复兴东路１２弄３号２０１室 ",
        "复兴东路12 弄3号 201室",
    ],
)
def test_one_flat_has_one_spelling(raw: str) -> None:
    assert address.canonical(raw) == "复兴东路 12 弄 3 号 201 室"
    assert address.key(raw) == "复兴东路12弄3号201室"


def test_split_columns_join_into_one_address() -> None:
    assert address.join("复兴东路", "1234", 1, 101) == "复兴东路 1234 弄 1 号 101 室"
    assert address.join("复兴东路", "1234弄", "1号", "101室") == "复兴东路 1234 弄 1 号 101 室"
    assert address.join("复兴东路", 1234.0, 1.0, 101.0) == "复兴东路 1234 弄 1 号 101 室"


def test_doorway_groups_the_flats_of_one_entrance() -> None:
    first = address.parse("复兴东路 1234 弄 1 号 101 室")
    second = address.parse("复兴东路1234弄1号402室")
    assert first.doorway == second.doorway == "复兴东路 1234 弄 1 号"
    assert (first.road, first.lane, first.number, first.room) == ("复兴东路", "1234", "1", "101")
    assert address.parse("中华路 5 号").doorway == "中华路 5 号"
