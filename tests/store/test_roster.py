from __future__ import annotations

import pytest
from sqlmodel import select

from xmen_desktop.store import roster
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import NotFound, ValidationFailed
from xmen_desktop.store.models import Household


def _estate(store: Store, name: str = "小西门") -> str:
    with store.read() as session:
        return roster.resolve_estate(session, name).id


def _add(store: Store, estate_id: str, **values: object) -> str:
    fields = {"tenant": "王阿毛", "address": "复兴东路 12 弄 3 号 201 室", **values}
    with store.write() as session:
        return roster.add_household(session, estate_id, fields).id


def test_estates_resolve_by_name_code_or_id_and_unknown_names_say_which_exist(store: Store) -> None:
    with store.read() as session:
        xiaoximen = roster.resolve_estate(session, "小西门")
        assert roster.resolve_estate(session, "xiaoximen").id == xiaoximen.id
        assert roster.resolve_estate(session, xiaoximen.id).id == xiaoximen.id
        with pytest.raises(NotFound) as missing:
            roster.resolve_estate(session, "徐家汇")
    assert "龙门村" in missing.value.message


def test_a_household_is_stored_with_clean_values(store: Store) -> None:
    estate_id = _estate(store)
    household_id = _add(store, estate_id, phone="138 1234 5678", area="45.5", size="3")
    with store.read() as session:
        (row,) = roster.list_households(session, estate_id)
    assert row.id == household_id
    assert (row.phone, row.area_centi, row.size) == ("13812345678", 4550, 3)
    assert row.address == "复兴东路 12 弄 3 号 201 室"


def test_an_address_already_on_the_roster_is_refused_however_it_is_typed(store: Store) -> None:
    estate_id = _estate(store)
    _add(store, estate_id)
    with pytest.raises(ValidationFailed) as refused:
        _add(store, estate_id, tenant="李", address="复兴东路１２弄3号201室")
    assert refused.value.errors[0].field == "address"
    assert "王阿毛" in refused.value.message
    # the same flat number in another estate is another flat
    _add(store, _estate(store, "龙门村"))


def test_bad_fields_are_all_reported_and_nothing_is_saved(store: Store) -> None:
    estate_id = _estate(store)
    with pytest.raises(ValidationFailed) as refused:
        _add(store, estate_id, tenant="", phone="12345", area="四十")
    assert {e.field for e in refused.value.errors} == {"tenant", "phone", "area"}
    with store.read() as session:
        assert roster.list_households(session) == []


def test_editing_to_an_address_taken_by_another_household_is_refused(store: Store) -> None:
    estate_id = _estate(store)
    _add(store, estate_id)
    other = _add(store, estate_id, tenant="李", address="复兴东路 12 弄 3 号 202 室")
    with pytest.raises(ValidationFailed), store.write() as session:
        roster.update_household(session, other, {"address": "复兴东路 12 弄 3 号 201 室"})
    with store.write() as session:  # keeping one's own address is fine
        roster.update_household(
            session, other, {"address": "复兴东路12弄3号202室", "notes": "楼组长"}
        )


def test_deleting_a_household_removes_its_residents_and_their_seats(store: Store) -> None:
    estate_id = _estate(store)
    household_id = _add(store, estate_id)
    with store.write() as session:
        resident = roster.add_resident(
            session, household_id, {"name": "王阿毛", "relation": "本人"}
        )
        roster.add_member(
            session, estate_id, {"body": "assembly", "name": "王阿毛", "resident_id": resident.id}
        )
    with store.write() as session:
        roster.delete_household(session, household_id)
    with store.read() as session:
        assert roster.list_households(session) == []
        assert roster.list_residents(session, household_id) == []
        assert roster.list_members(session, estate_id) == []
        assert session.get(Household, household_id).cl == 2  # kept as a tombstone
        with pytest.raises(NotFound):
            roster.get_household(session, household_id)
    # the flat can be entered again
    _add(store, estate_id)


def test_a_resident_of_another_estate_cannot_sit_on_this_estates_body(store: Store) -> None:
    other_household = _add(store, _estate(store, "龙门村"))
    with store.write() as session:
        resident = roster.add_resident(session, other_household, {"name": "赵"})
    with pytest.raises(ValidationFailed), store.write() as session:
        roster.add_member(
            session, _estate(store), {"body": "executive", "name": "赵", "resident_id": resident.id}
        )


def test_members_are_listed_by_body_then_rank(store: Store) -> None:
    estate_id = _estate(store)
    with store.write() as session:
        for body, name, role in [
            ("mediation", "甲", "调解员"),
            ("executive", "乙", "委员"),
            ("executive", "丙", "主任"),
            ("assembly", "丁", "成员"),
        ]:
            roster.add_member(session, estate_id, {"body": body, "name": name, "role": role})
    with store.read() as session:
        names = [m.name for m in roster.list_members(session, estate_id)]
    assert names == ["丁", "丙", "乙", "甲"]


def test_summaries_count_live_rows_per_estate(store: Store) -> None:
    estate_id = _estate(store)
    first = _add(store, estate_id, area="30.25")
    _add(store, estate_id, address="复兴东路 12 弄 3 号 202 室", area="20")
    with store.write() as session:
        roster.add_resident(session, first, {"name": "甲"})
        roster.add_resident(session, first, {"name": "乙"})
    with store.read() as session:
        summary = {s.name: s for s in roster.estate_summaries(session)}
    assert (summary["小西门"].households, summary["小西门"].residents) == (2, 2)
    assert summary["小西门"].area_centi == 5025
    assert summary["陆兴"].households == 0
    with store.read() as session:
        assert len(session.exec(select(Household)).all()) == 2
