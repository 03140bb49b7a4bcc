"""Roster import and export at the store level: plan, apply all or nothing, export, re-import."""

from __future__ import annotations

from pathlib import Path

import pytest

from xmen_desktop.store import roster, roster_import
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.tabular import Table, TableRow

SAMPLES = Path(__file__).resolve().parents[1] / "data"
XIAOXIMEN = SAMPLES / "roster-xiaoximen.xlsx"
LONGMENCUN = SAMPLES / "roster-longmencun-gb18030.csv"

BAD_CSV = """\
尚文路小区住户名册（2026年）,,,,,
承租人,地址,电话,人数,面积,备注
张桂英,尚文路133弄1号101室,13812345678,2,30.5,独居老人
李建国,,13812345679,2,30,
王小妹,尚文路133弄1号102室,12345,2,三十,
,,,,,
赵德明,尚文路133弄1号101室,021-63281234,3,45,楼组长
钱秀英,尚文路133弄1号103室,63281234转12,3,45.25,
孙志强,尚文路133弄1号104室,13912345678,1,20,空置
注：本表由居委会整理
"""


class StopHere(Exception):
    """Stands in for a cancelled job."""


def estate_ids(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {e.name: e.id for e in roster.list_estates(session)}


def roster_rows(store: Store, estate_id: str) -> list[tuple[object, ...]]:
    with store.read() as session:
        return sorted(
            (h.tenant, h.address, h.phone, h.size, h.area_centi, h.notes)
            for h in roster.list_households(session, estate_id)
        )


def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "有问题的名册.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    return path


def test_plan_reads_the_split_address_sample(store: Store) -> None:
    ids = estate_ids(store)
    with store.read() as session:
        plan = roster_import.plan_import(session, ids["小西门"], XIAOXIMEN)
    assert plan.header_row == 2
    assert {"road", "lane", "number", "room", "tenant"} <= set(plan.mapping)
    assert len(plan.records) == 96
    assert plan.problems == []
    assert (plan.skipped_blank, plan.skipped_notes) == (12, 1)
    first = plan.records[0]
    assert (first.row, first.tenant, first.address) == (3, "陈桂兰", "复兴东路 1234 弄 1 号 101 室")


def test_plan_reads_the_gb18030_csv(store: Store) -> None:
    ids = estate_ids(store)
    with store.read() as session:
        plan = roster_import.plan_import(session, ids["龙门村"], LONGMENCUN)
    assert plan.header_row == 1
    assert len(plan.valid_records) == 60
    assert plan.problems == []


def test_every_bad_row_is_reported_with_its_row_number(store: Store, tmp_path: Path) -> None:
    ids = estate_ids(store)
    with store.read() as session:
        plan = roster_import.plan_import(session, ids["普育里"], bad_csv(tmp_path))
    assert [(p.row, p.field) for p in plan.problems] == [
        (4, "address"),
        (5, "area"),
        (5, "phone"),
        (7, "address"),
    ]
    assert plan.problem_rows == [4, 5, 7]
    assert [r.row for r in plan.valid_records] == [3, 8, 9]
    assert (plan.skipped_blank, plan.skipped_notes) == (1, 1)
    assert plan.problems[3].describe() == "第 7 行 地址：与第 3 行地址重复"


def test_apply_imports_in_one_go_and_a_second_plan_finds_every_row_taken(store: Store) -> None:
    ids = estate_ids(store)
    with store.write() as session:
        plan = roster_import.plan_import(session, ids["小西门"], XIAOXIMEN)
        assert roster_import.apply_import(session, ids["小西门"], plan) == 96
    assert len(roster_rows(store, ids["小西门"])) == 96

    with store.read() as session:
        again = roster_import.plan_import(session, ids["小西门"], XIAOXIMEN)
    assert again.problem_rows == [r.row for r in again.records]
    assert len(again.problem_rows) == 96
    assert all("已有这个地址" in p.message for p in again.problems)
    assert again.valid_records == []


def test_apply_refuses_when_the_roster_changed_since_the_plan(store: Store) -> None:
    ids = estate_ids(store)
    estate = ids["小西门"]
    with store.read() as session:
        plan = roster_import.plan_import(session, estate, XIAOXIMEN)
    with store.write() as session:
        roster.add_household(
            session, estate, {"tenant": "先来的人", "address": "复兴东路1234弄1号101室"}
        )
    with pytest.raises(StoreError, match="第 3 行"), store.write() as session:
        roster_import.apply_import(session, estate, plan)
    assert len(roster_rows(store, estate)) == 1


def test_progress_is_reported_and_stopping_rolls_everything_back(store: Store) -> None:
    ids = estate_ids(store)
    estate = ids["小西门"]
    with store.read() as session:
        plan = roster_import.plan_import(session, estate, XIAOXIMEN)

    seen: list[tuple[int, int]] = []

    def stop_after_first_chunk(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 50:
            raise StopHere

    with pytest.raises(StopHere), store.write() as session:
        roster_import.apply_import(session, estate, plan, progress=stop_after_first_chunk)
    assert seen == [(0, 96), (50, 96)]
    assert roster_rows(store, estate) == []

    seen.clear()
    with store.write() as session:
        roster_import.apply_import(session, estate, plan, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 96), (50, 96), (96, 96)]
    assert len(roster_rows(store, estate)) == 96


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_into_another_estate_round_trips(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    ids = estate_ids(store)
    with store.write() as session:
        plan = roster_import.plan_import(session, ids["小西门"], XIAOXIMEN)
        roster_import.apply_import(session, ids["小西门"], plan)
    target = tmp_path / f"导出{suffix}"
    with store.read() as session:
        assert roster_import.export_roster(session, ids["小西门"], target) == 96
    with store.write() as session:
        plan = roster_import.plan_import(session, ids["景德里"], target)
        assert plan.problems == []
        assert roster_import.apply_import(session, ids["景德里"], plan) == 96
    assert roster_rows(store, ids["景德里"]) == roster_rows(store, ids["小西门"])


def test_export_refuses_other_file_types(store: Store, tmp_path: Path) -> None:
    ids = estate_ids(store)
    with pytest.raises(StoreError, match=r"\.xlsx"), store.read() as session:
        roster_import.export_roster(session, ids["小西门"], tmp_path / "名册.pdf")


def test_a_mapping_without_tenant_or_address_is_refused(store: Store) -> None:
    ids = estate_ids(store)
    table = roster_import.load_table(XIAOXIMEN)
    index = roster_import.header_index(table)
    with store.read() as session:
        for mapping in ({"road": 1, "number": 3}, {"tenant": 5, "road": 1}):
            with pytest.raises(StoreError, match="承租人"):
                roster_import.plan_from_table(
                    session, ids["小西门"], table, header_at=index, mapping=mapping
                )
        plan = roster_import.plan_from_table(
            session,
            ids["小西门"],
            table,
            header_at=index,
            mapping={"tenant": 5, "road": 1, "number": 3},
        )
    assert plan.records[0].address == "复兴东路 1 号"


def test_a_table_without_a_header_is_explained() -> None:
    table = Table([TableRow(1, ["甲", "乙"]), TableRow(2, ["1", "2"])])
    with pytest.raises(StoreError, match="找不到表头"):
        roster_import.header_index(table)


def test_an_unreadable_file_is_a_store_error(tmp_path: Path) -> None:
    old = tmp_path / "名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(StoreError, match="另存为"):
        roster_import.load_table(old)
