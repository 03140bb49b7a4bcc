"""Topics and votes end to end through the CLI, as an outside script would drive them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import assert_refused, xmen


def _roster(data_dir: Path, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(
            xmen(
                data_dir,
                "households",
                "add",
                "--estate",
                "景德里",
                "--tenant",
                f"住户{i}",
                "--address",
                f"文庙路 2 弄 {i // 4 + 1} 号 {i % 4 + 1}01 室",
                "--area",
                str(30 + i),
            ).stdout.strip()
        )
    return ids


def _topic_to_voting(data_dir: Path, proposer: str) -> str:
    topic = xmen(
        data_dir,
        "topics",
        "add",
        "--estate",
        "景德里",
        "--title",
        "垃圾箱房水斗改造",
        "--proposer",
        proposer,
        "--category",
        "设施维修",
    ).stdout.strip()
    for state in ("accepted", "consulting", "deliberating", "voting"):
        xmen(data_dir, "topics", "advance", topic, "--to", state)
    return topic


def test_create_issue_cast_close_result(data_dir: Path) -> None:
    households = _roster(data_dir, 9)
    topic = _topic_to_voting(data_dir, households[0])
    vote = xmen(
        data_dir,
        "votes",
        "create",
        "--topic",
        topic,
        "--question",
        "是否同意改造垃圾箱房水斗？",
        "--rule",
        "art278",
    ).stdout.strip()
    issued = json.loads(xmen(data_dir, "votes", "issue", vote, "--json").stdout)
    assert len(issued) == 9 and {b["household"] for b in issued} == set(households)
    by_household = {b["household"]: b["serial"] for b in issued}
    # six of nine take part (exactly two thirds); four agree (more than half of six)
    for household, how in zip(households[:6], ["同意"] * 4 + ["弃权", "blank"], strict=True):
        choice = ["--blank"] if how == "blank" else ["--choice", how]
        xmen(data_dir, "votes", "cast", vote, "--serial", by_household[household], *choice)
    xmen(data_dir, "votes", "cast", vote, "--household", households[6], "--spoilt")
    result = json.loads(xmen(data_dir, "votes", "result", vote, "--json").stdout)
    assert result["rule"] == "art278"
    assert result["electorate"]["households"] == 9
    assert result["participated"]["households"] == 7
    assert result["counts"]["同意"] == {"households": 4, "area": 30 + 31 + 32 + 33}
    assert (result["blank"], result["spoilt"], result["not_returned"], result["in_review"]) == (
        1,
        1,
        2,
        0,
    )
    assert result["participation_met"] is True
    # 4 of 7 households agree (8 > 7), and 126 of the 231 m² taking part (252 > 231)
    assert result["passed"] is True
    assert "votes" in xmen(data_dir, "topics", "show", topic, "--json").stdout
    out = xmen(data_dir, "votes", "close", vote).stdout
    assert "表决已结束" in out
    shown = json.loads(xmen(data_dir, "topics", "show", topic, "--json").stdout)
    assert shown["state"] in ("passed", "failed")
    assert shown["transitions"][-1]["note"].startswith("表决结果")
    assert_refused(
        xmen(
            data_dir,
            "votes",
            "cast",
            vote,
            "--serial",
            by_household[households[8]],
            "--choice",
            "同意",
            check=False,
        ),
        "已经结束",
    )


def test_bad_ballot_input_is_refused_and_nothing_recorded(data_dir: Path) -> None:
    households = _roster(data_dir, 3)
    topic = _topic_to_voting(data_dir, households[0])
    vote = xmen(
        data_dir,
        "votes",
        "create",
        "--topic",
        topic,
        "--question",
        "是否同意？",
        "--rule",
        "residents",
    ).stdout.strip()
    serial = json.loads(xmen(data_dir, "votes", "issue", vote, "--json").stdout)[0]["serial"]
    wrong = serial[:-1] + str((int(serial[-1]) + 1) % 10)
    assert_refused(
        xmen(data_dir, "votes", "cast", vote, "--serial", wrong, "--choice", "同意", check=False),
        "校验位",
    )
    assert_refused(
        xmen(data_dir, "votes", "cast", vote, "--serial", serial, "--choice", "也许", check=False),
        "不是这次表决的选项",
    )
    xmen(data_dir, "votes", "cast", vote, "--serial", serial, "--choice", "同意")
    assert_refused(
        xmen(
            data_dir, "votes", "cast", vote, "--serial", serial, "--choice", "不同意", check=False
        ),
        "不能重复登记",
    )
    result = json.loads(xmen(data_dir, "votes", "result", vote, "--json").stdout)
    assert result["participated"]["households"] == 1


def test_workflow_refusals(data_dir: Path) -> None:
    households = _roster(data_dir, 2)
    topic = xmen(
        data_dir, "topics", "add", "--estate", "景德里", "--title", "弄堂运动会"
    ).stdout.strip()
    assert_refused(
        xmen(data_dir, "topics", "advance", topic, "--to", "voting", check=False), "下一步可以是"
    )
    assert_refused(
        xmen(data_dir, "topics", "advance", topic, "--to", "declined", check=False), "理由"
    )
    assert_refused(
        xmen(
            data_dir,
            "votes",
            "create",
            "--topic",
            topic,
            "--question",
            "是否？",
            "--rule",
            "residents",
            check=False,
        ),
        "表决中",
    )
    xmen(data_dir, "topics", "threshold", "--estate", "景德里", "--households", "1")
    out = xmen(data_dir, "topics", "support", topic, "--household", households[1]).stdout
    assert "已达到" in out
    listed = json.loads(xmen(data_dir, "topics", "list", "--estate", "景德里", "--json").stdout)
    assert listed[0]["supports"] == 1 and listed[0]["state"] == "proposed"
    xmen(data_dir, "topics", "advance", topic, "--to", "declined", "--note", "不属于公共事务")
    assert (
        json.loads(xmen(data_dir, "topics", "show", topic, "--json").stdout)["state"] == "declined"
    )


def test_custom_rule_and_area_check(data_dir: Path) -> None:
    xmen(
        data_dir,
        "households",
        "add",
        "--estate",
        "景德里",
        "--tenant",
        "甲",
        "--address",
        "文庙路 1 号",
    )
    households = json.loads(xmen(data_dir, "households", "list", "--json").stdout)
    topic = _topic_to_voting(data_dir, households[0]["id"])
    assert_refused(
        xmen(
            data_dir,
            "votes",
            "create",
            "--topic",
            topic,
            "--question",
            "是否？",
            "--rule",
            "art278-major",
            check=False,
        ),
        "甲",
    )
    assert_refused(
        xmen(
            data_dir,
            "votes",
            "create",
            "--topic",
            topic,
            "--question",
            "是否？",
            "--rule",
            "custom",
            "--participation",
            "abc",
            "--pass",
            "1/2",
            check=False,
        ),
        "2/3",
    )
    vote = xmen(
        data_dir,
        "votes",
        "create",
        "--topic",
        topic,
        "--question",
        "选哪个方案？",
        "--options",
        "方案一,方案二,弃权",
        "--rule",
        "custom",
        "--participation",
        "1/2",
        "--pass",
        "1/2",
        "--basis",
        "headcount",
    ).stdout.strip()
    xmen(data_dir, "votes", "issue", vote)
    xmen(data_dir, "votes", "cast", vote, "--household", "文庙路 1 号", "--choice", "方案二")
    result = json.loads(xmen(data_dir, "votes", "result", vote, "--json").stdout)
    assert result["passed"] and result["winner"] == "方案二"
