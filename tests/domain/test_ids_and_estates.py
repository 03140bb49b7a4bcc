from __future__ import annotations

import uuid

import pytest

from xmen_desktop.domain import ids
from xmen_desktop.domain.estates import ESTATES, estate_by_name_or_code


def test_new_ids_are_random_uuids() -> None:
    first, second = ids.new_id(), ids.new_id()
    assert first != second
    assert uuid.UUID(first).version == 4


def test_natural_ids_are_the_same_everywhere_and_differ_by_identity() -> None:
    assert ids.natural_id("ballot", "v1", "h1") == ids.natural_id("ballot", "v1", "h1")
    assert ids.natural_id("ballot", "v1", "h1") != ids.natural_id("ballot", "v1", "h2")
    # "a/b" + "c" must not collide with "a" + "b/c" in a way that matters: parts are ordered
    assert uuid.UUID(ids.natural_id("estate", "xiaoximen")).version == 5


def test_natural_id_refuses_empty_parts() -> None:
    with pytest.raises(ValueError):
        ids.natural_id("ballot", "")


def test_the_six_estates_have_fixed_ids() -> None:
    assert [e.name for e in ESTATES] == ["小西门", "龙门村", "普育里", "景德里", "安澜", "陆兴"]
    # Pinned: these ids are on every PC already; they must never change.
    assert ESTATES[0].id == "c93fd03c-50eb-5721-b325-1c2e86b4819b"
    assert len({e.id for e in ESTATES}) == 6


def test_estates_are_found_by_name_code_or_id() -> None:
    xiaoximen = ESTATES[0]
    for key in ("小西门", "xiaoximen", xiaoximen.id, "小西门自治家园"):
        assert estate_by_name_or_code(key) == xiaoximen
    assert estate_by_name_or_code("徐家汇") is None
    assert ids.is_id(xiaoximen.id) and not ids.is_id("小西门")
