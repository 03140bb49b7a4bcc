"""The CLI is a contract: run it as a user or an outside script would, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES


def xmen(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("XMEN_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "xmen_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) >= 1
    for word in words:
        assert word in result.stderr


def test_init_add_list_set_delete(data_dir: Path) -> None:
    assert "站点" in xmen(data_dir, "init", "--site-name", "小西门居委会").stdout
    new_id = xmen(
        data_dir,
        "households",
        "add",
        "--estate",
        "小西门",
        "--tenant",
        "王阿毛",
        "--address",
        "复兴东路 1234 弄 1 号 101 室",
        "--phone",
        "13812345678",
        "--size",
        "3",
        "--area",
        "45.5",
        "--notes",
        "独居老人",
    ).stdout.strip()
    assert len(new_id) == 36
    listed = json.loads(xmen(data_dir, "households", "list", "--estate", "小西门", "--json").stdout)
    assert listed == [
        {
            "id": new_id,
            "estate": listed[0]["estate"],
            "estate_name": "小西门",
            "tenant": "王阿毛",
            "address": "复兴东路 1234 弄 1 号 101 室",
            "phone": "13812345678",
            "size": 3,
            "area": 45.5,
            "notes": "独居老人",
        }
    ]
    xmen(data_dir, "households", "set", new_id, "--phone", "63281234", "--area", "50")
    (row,) = json.loads(xmen(data_dir, "households", "list", "--json").stdout)
    assert (row["phone"], row["area"]) == ("021-63281234", 50)
    xmen(data_dir, "households", "delete", new_id)
    assert json.loads(xmen(data_dir, "households", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--tenant", "", "--address", "中华路 1 号"], ["承租人"]),
        (["--tenant", "李", "--address", "中华路 1 号", "--phone", "1234"], ["电话"]),
        (["--tenant", "李", "--address", "中华路 1 号", "--area", "四十"], ["面积"]),
        (["--tenant", "李", "--address", "中华路 1 号", "--area", "40.123"], ["两位小数"]),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(
    data_dir: Path, extra: list[str], words: list[str]
) -> None:
    result = xmen(data_dir, "households", "add", "--estate", "小西门", *extra, check=False)
    assert_refused(result, *words)
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(xmen(data_dir, "households", "list", "--json").stdout) == []


def test_duplicate_address_unknown_estate_and_unknown_id_are_refused(data_dir: Path) -> None:
    add = [
        "households",
        "add",
        "--estate",
        "小西门",
        "--tenant",
        "甲",
        "--address",
        "中华路 1 号 101 室",
    ]
    xmen(data_dir, *add)
    assert_refused(xmen(data_dir, *add, check=False), "已有这个地址")
    assert_refused(
        xmen(data_dir, "households", "list", "--estate", "徐家汇", check=False), "徐家汇"
    )
    assert_refused(xmen(data_dir, "households", "delete", "no-such-id", check=False), "找不到")
    assert_refused(xmen(data_dir, "households", "frobnicate", check=False), "--help")


def test_json_output_is_only_json(data_dir: Path) -> None:
    xmen(data_dir, "demo", "--households", "30")
    out = xmen(data_dir, "households", "list", "--json").stdout
    rows = json.loads(out)
    assert len(rows) == 30
    assert {r["estate_name"] for r in rows} == {
        "小西门",
        "龙门村",
        "普育里",
        "景德里",
        "安澜",
        "陆兴",
    }


def test_import_the_real_samples(data_dir: Path) -> None:
    out = xmen(
        data_dir,
        "households",
        "import",
        str(SAMPLES / "roster-xiaoximen.xlsx"),
        "--estate",
        "小西门",
    ).stdout
    assert "96" in out
    out = xmen(
        data_dir,
        "households",
        "import",
        str(SAMPLES / "roster-longmencun-gb18030.csv"),
        "--estate",
        "龙门村",
    ).stdout
    assert "60" in out
    rows = json.loads(xmen(data_dir, "households", "list", "--estate", "小西门", "--json").stdout)
    first = next(r for r in rows if r["address"] == "复兴东路 1234 弄 1 号 101 室")
    assert (first["tenant"], first["phone"], first["area"], first["notes"]) == (
        "陈桂兰",
        "18260181590",
        51.7,
        "独居老人",
    )
    landline = next(r for r in rows if r["tenant"] == "徐德明")
    assert landline["phone"] == "021-63289575"


def test_import_with_bad_rows_imports_nothing_unless_told_to_skip(
    data_dir: Path, tmp_path: Path
) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_bytes(
        "景德里住户名册\n承租人,地址,手机,面积\n甲,文庙路 1 号 101 室,13812345678,30\n"
        "乙,文庙路 1 号 102 室,123,30\n丙,文庙路 1 号 103 室,13812345679,三十\n"
        ",文庙路 1 号 104 室,,\n丁,文庙路 1 号 105 室,,25.5\n".encode("gb18030")
    )
    result = xmen(data_dir, "households", "import", str(roster), "--estate", "景德里", check=False)
    assert_refused(result, "第 4 行", "第 5 行", "第 6 行", "未导入")
    assert json.loads(xmen(data_dir, "households", "list", "--json").stdout) == []
    out = xmen(
        data_dir, "households", "import", str(roster), "--estate", "景德里", "--skip-invalid"
    ).stdout
    assert "已导入 2 户" in out
    again = xmen(data_dir, "households", "import", str(roster), "--estate", "景德里", check=False)
    assert_refused(again, "已有这个地址")


def _roster(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    fields = ("address", "tenant", "phone", "size", "area", "notes")
    return sorted(tuple(r[f] for f in fields) for r in rows)


def test_export_then_import_round_trips(data_dir: Path, tmp_path: Path) -> None:
    xmen(
        data_dir,
        "households",
        "import",
        str(SAMPLES / "roster-xiaoximen.xlsx"),
        "--estate",
        "小西门",
    )
    for suffix in ("xlsx", "csv"):
        exported = tmp_path / f"out.{suffix}"
        xmen(data_dir, "households", "export", str(exported), "--estate", "小西门")
        other = tmp_path / f"other-{suffix}"
        xmen(other, "households", "import", str(exported), "--estate", "小西门")
        mine = json.loads(xmen(data_dir, "households", "list", "--json").stdout)
        theirs = json.loads(xmen(other, "households", "list", "--json").stdout)
        assert _roster(mine) == _roster(theirs)


def test_import_of_a_file_that_is_not_a_roster(data_dir: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "photo.xlsx"
    bogus.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert_refused(
        xmen(data_dir, "households", "import", str(bogus), "--estate", "小西门", check=False)
    )
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    assert_refused(
        xmen(data_dir, "households", "import", str(old), "--estate", "小西门", check=False), ".xlsx"
    )


def test_dump_is_canonical_and_without_local_fields(data_dir: Path, tmp_path: Path) -> None:
    xmen(data_dir, "demo", "--households", "12")
    first = xmen(data_dir, "dump").stdout
    assert first == xmen(data_dir, "dump").stdout
    data = json.loads(first)
    assert {"body_member", "estate", "household", "resident", "topic", "ballot"} <= set(data)
    assert "site" not in data and "change_log" not in data and "local_identity" not in data
    for records in data.values():
        assert [r["id"] for r in records] == sorted(r["id"] for r in records)
        assert all("cl" not in r for r in records)
    # another PC with the same estates but its own identity dumps the same empty data
    assert xmen(tmp_path / "a", "dump").stdout == xmen(tmp_path / "b", "dump").stdout


def test_a_database_that_is_not_ours_is_refused(data_dir: Path) -> None:
    (data_dir / "xmen.sqlite3").write_text("这不是数据库", "utf-8")
    assert_refused(xmen(data_dir, "households", "list", check=False), "不是本软件的数据库")
    assert (data_dir / "xmen.sqlite3").read_text("utf-8") == "这不是数据库"


def test_demo_refuses_a_database_with_households(data_dir: Path) -> None:
    xmen(data_dir, "demo", "--households", "6")
    assert_refused(xmen(data_dir, "demo", check=False), "空的数据库")


def test_selftest_passes(data_dir: Path) -> None:
    assert "自检通过" in xmen(data_dir, "selftest").stdout


def test_a_relative_data_dir_works(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "xmen_desktop", "--data-dir", "rel", "households", "list"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "rel" / "xmen.sqlite3").exists()
