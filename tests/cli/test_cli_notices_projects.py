"""Notices, projects and meetings through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import assert_refused, xmen


def test_notices_add_list_show_post(data_dir: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(
        "各位居民：\n\n本周六上午在弄堂举行运动会。\n\n1. 报名：居委会\n2. 时间：9:00", "utf-8"
    )
    notice = xmen(
        data_dir,
        "notices",
        "add",
        "--estate",
        "小西门",
        "--estate",
        "龙门村",
        "--kind",
        "activity",
        "--title",
        "弄堂运动会通知",
        "--body-file",
        str(body),
        "--issuer",
        "小西门自治家园执行委员会",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-07",
    ).stdout.strip()
    listed = json.loads(xmen(data_dir, "notices", "list", "--json").stdout)
    assert [(n["id"], n["kind"], n["estates"]) for n in listed] == [
        (notice, "activity", ["小西门", "龙门村"])
    ]
    xmen(data_dir, "notices", "post", notice, "--board", "1号门口宣传栏", "--date", "2026-12-01")
    shown = json.loads(xmen(data_dir, "notices", "show", notice, "--json").stdout)
    assert shown["postings"][0]["board"] == "1号门口宣传栏"
    printable = json.loads(xmen(data_dir, "print", "list", "--estate", "龙门村", "--json").stdout)
    assert [(p["kind"], p["id"]) for p in printable] == [("notice", notice)]
    assert json.loads(xmen(data_dir, "print", "list", "--estate", "陆兴", "--json").stdout) == []


def test_bad_notices_are_refused(data_dir: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("正文", "utf-8")
    base = ["notices", "add", "--estate", "all", "--kind", "通知", "--body-file", str(body)]
    assert_refused(xmen(data_dir, *base, "--title", "", check=False), "标题")
    assert_refused(
        xmen(
            data_dir,
            *base,
            "--title",
            "t",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-01",
            check=False,
        ),
        "结束日期",
    )
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"not a photo")
    assert_refused(xmen(data_dir, *base, "--title", "t", "--image", str(fake), check=False), "图片")
    assert json.loads(xmen(data_dir, "notices", "list", "--json").stdout) == []


def test_projects_and_meetings(data_dir: Path) -> None:
    xmen(data_dir, "demo", "--households", "24")
    project = xmen(
        data_dir,
        "projects",
        "add",
        "--estate",
        "小西门",
        "--title",
        "邻里点改造",
        "--budget",
        "材料费=1000",
        "--budget",
        "人工=500.5",
        "--lead",
        "王阿姨",
    ).stdout.strip()
    xmen(data_dir, "projects", "expense", project, "--amount", "1200", "--line", "材料费")
    assert_refused(
        xmen(data_dir, "projects", "expense", project, "--amount", "十元", check=False), "金额"
    )
    assert_refused(
        xmen(data_dir, "projects", "expense", project, "--amount", "1.005", check=False), "两位小数"
    )
    xmen(data_dir, "projects", "milestone", project, "--title", "材料到位", "--due", "2030-01-01")
    shown = json.loads(xmen(data_dir, "projects", "show", project, "--json").stdout)
    assert (shown["budget_fen"], shown["spent_fen"], shown["over_budget"]) == (
        150050,
        120000,
        False,
    )
    assert [line["item"] for line in shown["lines"] if line["spent_fen"] > line["budget_fen"]] == [
        "材料费"
    ]
    xmen(data_dir, "projects", "status", project, "--to", "in_progress")
    assert_refused(
        xmen(data_dir, "projects", "status", project, "--to", "planned", check=False), "不能改为"
    )
    meeting = xmen(
        data_dir,
        "meetings",
        "add",
        "--estate",
        "小西门",
        "--form",
        "assembly",
        "--date",
        "2030-01-05",
        "--time",
        "14:00",
        "--place",
        "活动室",
        "--agenda",
        "审议改造方案",
        "--invite-households",
    ).stdout.strip()
    households = json.loads(
        xmen(data_dir, "households", "list", "--estate", "小西门", "--json").stdout
    )
    out = xmen(data_dir, "meetings", "attend", meeting, "--who", households[0]["address"]).stdout
    assert "到会 1" in out
    assert_refused(
        xmen(data_dir, "meetings", "attend", meeting, "--who", "不认识", check=False), "邀请名单"
    )
    xmen(data_dir, "meetings", "minutes", meeting, "--resolution", "同意改造方案")
    listed = json.loads(xmen(data_dir, "meetings", "list", "--json").stdout)
    assert listed[0]["invited"] == len(households)


def test_print_notice_in_each_layout(data_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    body = tmp_path / "body.txt"
    body.write_text("本周六举行弄堂运动会，欢迎张喆、李堃报名。", "utf-8")
    notice = xmen(
        data_dir,
        "notices",
        "add",
        "--estate",
        "all",
        "--kind",
        "activity",
        "--title",
        "弄堂运动会",
        "--body-file",
        str(body),
        "--issuer",
        "老西门街道",
    ).stdout.strip()
    for layout in ("a4", "a3", "large"):
        out = tmp_path / f"{layout}.pdf"
        xmen(data_dir, "print", "notice", notice, "--out", str(out), "--layout", layout)
        text = "".join(page.extract_text() for page in PdfReader(out).pages)
        assert "弄堂运动会" in text and "张喆" in text and "李堃" in text
    assert_refused(
        xmen(data_dir, "print", "notice", notice, "--out", str(tmp_path / "x.txt"), check=False),
        ".pdf",
    )


def test_meeting_and_project_documents_print(data_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    xmen(data_dir, "demo", "--households", "12")
    project = xmen(
        data_dir,
        "projects",
        "add",
        "--estate",
        "小西门",
        "--title",
        "邻里点改造",
        "--budget",
        "材料费=100",
    ).stdout.strip()
    xmen(data_dir, "projects", "expense", project, "--amount", "150", "--line", "材料费")
    meeting = xmen(
        data_dir,
        "meetings",
        "add",
        "--estate",
        "小西门",
        "--form",
        "assembly",
        "--date",
        "2030-01-05",
        "--agenda",
        "审议方案",
        "--invite-households",
        "--place",
        "活动室",
    ).stdout.strip()
    xmen(data_dir, "meetings", "minutes", meeting, "--resolution", "同意方案")
    expected = {
        "meeting-notice": "审议方案",
        "sign-in": "签到",
        "minutes": "同意方案",
        "project": "超支",
    }
    for kind, word in expected.items():
        out = tmp_path / f"{kind}.pdf"
        ref = project if kind == "project" else meeting
        xmen(data_dir, "print", kind, ref, "--out", str(out))
        text = "".join(page.extract_text() for page in PdfReader(out).pages)
        assert word in text, kind
    kinds = {
        p["kind"]
        for p in json.loads(xmen(data_dir, "print", "list", "--estate", "小西门", "--json").stdout)
    }
    assert {"meeting-notice", "sign-in", "minutes", "project"} <= kinds
    past = xmen(
        data_dir,
        "meetings",
        "add",
        "--estate",
        "小西门",
        "--form",
        "hearing",
        "--date",
        "2020-01-05",
        "--place",
        "活动室",
    ).stdout.strip()
    assert_refused(
        xmen(
            data_dir, "print", "meeting-notice", past, "--out", str(tmp_path / "p.pdf"), check=False
        ),
        "已经过去",
    )
    xmen(data_dir, "print", "meeting-notice", past, "--out", str(tmp_path / "p.pdf"), "--yes")
