"""``xmen households export-person`` and ``erase``, run as an office script or a person would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

TENANT, ADDRESS, PHONE = "王阿毛", "复兴东路 1234 弄 1 号 101 室", "13812345678"


def xmen(
    data_dir: Path, *args: str, check: bool = True, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it: no terminal to ask on."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("XMEN_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "xmen_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        stdin=stdin,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture
def household(data_dir: Path) -> tuple[str, str]:
    """(household id, resident id) of a household with a spouse."""
    xmen(data_dir, "init", "--site-name", "小西门居委会")
    household = xmen(
        data_dir,
        "households",
        "add",
        "--estate",
        "小西门",
        "--tenant",
        TENANT,
        "--address",
        ADDRESS,
        "--phone",
        PHONE,
        "--notes",
        "独居老人",
    ).stdout.strip()
    # A resident goes in through the store: the CLI has no resident command.
    code = (
        "from xmen_desktop.store.database import Store\n"
        "from xmen_desktop.store import roster\n"
        f"store = Store.open({str(data_dir)!r})\n"
        "with store.write() as s:\n"
        f"    print(roster.add_resident(s, {household!r}, {{'name': '李秀英', "
        "'relation': '配偶', 'phone': '13987651234'}).id)\n"
        "store.close()\n"
    )
    resident = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    return household, resident


def listed(data_dir: Path) -> list[dict[str, object]]:
    return json.loads(xmen(data_dir, "households", "list", "--json").stdout)


# ---------------------------------------------------------------------------- export-person


def test_export_person_as_pdf_and_as_workbook(
    data_dir: Path, household: tuple[str, str], tmp_path: Path
) -> None:
    household_id, resident_id = household
    pdf = tmp_path / "王阿毛个人信息.pdf"
    out = xmen(data_dir, "households", "export-person", household_id, str(pdf))
    assert TENANT in out.stdout and str(pdf) in out.stdout
    with pdfplumber.open(io.BytesIO(pdf.read_bytes())) as document:
        text = "".join((page.extract_text() or "") for page in document.pages)
    flat = "".join(text.split())
    assert "个人信息查询结果" in flat and TENANT in flat and "".join(ADDRESS.split()) in flat
    assert PHONE in flat and "李秀英" in flat and "家庭成员" in flat

    book_path = tmp_path / "李秀英.xlsx"
    xmen(data_dir, "households", "export-person", resident_id, str(book_path))
    book = load_workbook(book_path, read_only=True)
    assert book.sheetnames[:2] == ["说明", "基本信息"]
    facts = dict(r[:2] for r in book["基本信息"].iter_rows(min_row=2, values_only=True))
    assert facts["姓名"] == "李秀英" and facts["电话"] == "13987651234"
    book.close()

    audit = xmen(data_dir, "audit", "list", "--kind", "subject_export", "--json").stdout
    details = [line["detail"] for line in json.loads(audit)]
    assert len(details) == 2 and all(ADDRESS in d for d in details)


def test_export_person_refuses_what_it_cannot_do(
    data_dir: Path, household: tuple[str, str], tmp_path: Path
) -> None:
    household_id, _ = household
    refused(
        xmen(
            data_dir,
            "households",
            "export-person",
            household_id,
            str(tmp_path / "a.docx"),
            check=False,
        ),
        ".pdf",
        ".xlsx",
    )
    refused(
        xmen(
            data_dir,
            "households",
            "export-person",
            household_id,
            str(tmp_path / "没有这个文件夹" / "a.pdf"),
            check=False,
        ),
        "文件夹不存在",
    )
    refused(
        xmen(
            data_dir,
            "households",
            "export-person",
            "00000000-0000-0000-0000-000000000000",
            str(tmp_path / "a.pdf"),
            check=False,
        ),
        "找不到",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing written


# ---------------------------------------------------------------------------- erase


def test_erase_without_a_terminal_needs_yes(data_dir: Path, household: tuple[str, str]) -> None:
    household_id, _ = household
    result = xmen(data_dir, "households", "erase", household_id, check=False)
    refused(result, "--yes", "没有删除")
    assert listed(data_dir)[0]["tenant"] == TENANT

    out = xmen(data_dir, "households", "erase", household_id, "--yes", "--reason", "本人书面申请")
    assert "已删除" in out.stdout and ADDRESS in out.stdout
    (row,) = listed(data_dir)
    assert (row["tenant"], row["phone"], row["notes"], row["address"]) == (
        "（已删除）",
        None,
        "",
        ADDRESS,
    )
    dumped = xmen(data_dir, "dump").stdout
    for gone in (TENANT, PHONE, "李秀英", "13987651234", "独居老人"):
        assert gone not in dumped
    audit = json.loads(xmen(data_dir, "audit", "list", "--kind", "erase", "--json").stdout)
    assert [line["detail"] for line in audit] == [
        f"删除了一户的个人信息（{ADDRESS}，连同 1 位家庭成员），原因：本人书面申请"
    ]

    again = xmen(data_dir, "households", "erase", household_id, "--yes", check=False)
    refused(again, "已经删除过了")
    unknown = xmen(
        data_dir,
        "households",
        "erase",
        "00000000-0000-0000-0000-000000000000",
        "--yes",
        check=False,
    )
    refused(unknown, "找不到")


def test_erase_one_resident(data_dir: Path, household: tuple[str, str]) -> None:
    _, resident_id = household
    xmen(data_dir, "households", "erase", resident_id, "--yes")
    dumped = xmen(data_dir, "dump").stdout
    assert "李秀英" not in dumped and "13987651234" not in dumped
    assert TENANT in dumped and listed(data_dir)[0]["tenant"] == TENANT


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize(("answer", "erased"), [("不是这个名字", False), (TENANT, True)])
def test_erase_on_a_terminal_asks_for_the_name(
    data_dir: Path, household: tuple[str, str], answer: str, erased: bool
) -> None:
    import pty

    household_id, _ = household
    main, side = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "xmen_desktop", "--data-dir", str(data_dir)]
    process = subprocess.Popen(
        [*command, "households", "erase", household_id],
        stdin=side,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(side)
    try:
        time.sleep(0.2)  # the answer waits in the terminal until the question is read
        os.write(main, (answer + "\n").encode("utf-8"))
        _, stderr = process.communicate(timeout=120)
    finally:
        os.close(main)
    question = stderr.decode("utf-8")
    assert "删除后不能恢复" in question and TENANT in question and ADDRESS in question
    assert "Traceback" not in question
    assert (process.returncode == 0) is erased
    tenant = listed(data_dir)[0]["tenant"]
    assert tenant == ("（已删除）" if erased else TENANT)
    if not erased:
        assert "没有删除" in question
