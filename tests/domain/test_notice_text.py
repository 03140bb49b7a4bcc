from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xmen_desktop.domain.notice_text import NoticeBlock, parse_notice, parse_runs, plain_text


def test_every_line_is_a_block_and_blank_lines_only_separate() -> None:
    blocks = parse_notice("第一段。\n第二段。\n\n\n第三段。\r\n第四段。")
    assert [block.kind for block in blocks] == ["paragraph"] * 4
    assert [block.text for block in blocks] == ["第一段。", "第二段。", "第三段。", "第四段。"]


def test_typed_indents_and_invisible_characters_are_dropped() -> None:
    (block,) = parse_notice("\u3000\u3000为进一步\u200b改善\ufeff小区环境。  ")
    assert block.text == "为进一步改善小区环境。"


@pytest.mark.parametrize(
    ("line", "label", "text"),
    [
        ("1. 兑换对象：居民", "1.", "兑换对象：居民"),
        ("1．兑换对象", "1．", "兑换对象"),
        ("2、登记地点", "2、", "登记地点"),
        ("(3) 报名", "(3)", "报名"),
        ("（3）报名", "（3）", "报名"),
        ("一、会议议程", "一、", "会议议程"),
        ("十二、其他", "十二、", "其他"),
        ("（一）拆除车棚", "（一）", "拆除车棚"),
        ("①量血压", "①", "量血压"),
        ("●公安不会要求转账", "●", "公安不会要求转账"),
        ("- 带好水杯", "-", "带好水杯"),
    ],
)
def test_numbered_and_bulleted_items(line: str, label: str, text: str) -> None:
    (block,) = parse_notice(line)
    assert (block.kind, block.label, block.text) == ("item", label, text)


@pytest.mark.parametrize(
    "line", ["1.5米以下的儿童免费", "3、4号楼的居民请注意", "2026年12月1日起施行", "-3℃", "1."]
)
def test_numbers_that_are_not_labels(line: str) -> None:
    (block,) = parse_notice(line)
    assert block.kind == "paragraph"
    assert block.label == ""
    assert block.text == line


def test_headings_are_short_lines_ending_with_a_colon() -> None:
    blocks = parse_notice("活动安排：\n注意事项:\n" + "请" * 30 + "：\n二、会议议程：")
    assert [block.kind for block in blocks] == ["heading", "heading", "paragraph", "item"]


def test_emphasis() -> None:
    assert parse_runs("请**准时**参加，**带好证件**。") == (
        ("请", False),
        ("准时", True),
        ("参加，", False),
        ("带好证件", True),
        ("。", False),
    )
    assert parse_runs("全角＊＊也行＊＊") == (("全角", False), ("也行", True))
    assert parse_runs("只有一个**没有配对") == (("只有一个**没有配对", False),)
    (item,) = parse_notice("3. **严禁**在楼道充电")
    assert item.kind == "item" and item.runs == (("严禁", True), ("在楼道充电", False))
    (heading,) = parse_notice("**活动安排：**")
    assert heading == NoticeBlock("heading", (("活动安排：", True),))


def test_an_empty_body_has_no_blocks() -> None:
    assert parse_notice("") == ()
    assert parse_notice(" \n\u3000\n\t") == ()


@given(st.text(alphabet="各位居民：，。一二1.、（）**\n 　●-", max_size=120))
def test_parsing_keeps_every_visible_character(body: str) -> None:
    blocks = parse_notice(body)
    kept = plain_text(blocks)
    # Only emphasis marks and whitespace may go.
    strip = str.maketrans("", "", " \u3000\n*")
    assert kept.translate(strip) == body.translate(strip)
    assert all(block.text.strip() for block in blocks)
