from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections import Counter

import pdfplumber
import pypdf
import pytest
from reportlab.lib.units import mm

from tests.printing.samples import RARE_NAMES
from xmen_desktop.printing.documents import MeetingNoticeDoc, MinutesDoc, SignInSheetDoc
from xmen_desktop.printing.meetings import (
    ROW_HEIGHT,
    meeting_notice,
    render_meeting_notice,
    render_minutes,
    render_sign_in,
    room_text,
    signature_lines,
)

SPACE = re.compile(r"\s+")
HOME = "小西门自治家园"
AGENDA = (
    "审议弄堂口非机动车棚改造方案",
    "2. 通报2025年自治金使用情况",  # a number typed by staff: printed once, not "2. 2."
    "讨论楼道堆物清理和**消防通道**管理办法",
)


def notice_doc(**changes: object) -> MeetingNoticeDoc:
    doc = MeetingNoticeDoc(
        home_name=HOME,
        form_label="议事大会",
        title="关于召开居民议事大会的通知",
        held_on=dt.date(2026, 3, 14),
        starts_at="14:00",
        place="小西门居委会二楼会议室",
        convener="小西门自治家园执行委员会",
        agenda=AGENDA,
        invitees="全体住户",
        issuer="小西门自治家园执行委员会",
        issued_on=dt.date(2026, 3, 3),
        notes="每户请派一名代表参加。",
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


DOORWAYS = (("复兴东路1234弄3号", 9), ("复兴东路1234弄5号", 20), ("复兴东路1234弄7号", 4))


def sign_in_doc(doorways: tuple[tuple[str, int], ...] = DOORWAYS) -> SignInSheetDoc:
    rows = []
    for doorway, count in doorways:
        for i in range(count):
            room = f"{i // 3 + 1}0{i % 3 + 1}室"
            tenant = RARE_NAMES[i % len(RARE_NAMES)] if i % 2 == 0 else f"徐{doorway[-2]}{i}"
            rows.append((doorway, doorway + room, tenant))
    return SignInSheetDoc(
        home_name=HOME,
        meeting_title="2026年第一次居民议事大会",
        held_on=dt.date(2026, 3, 14),
        starts_at="14:00",
        place="小西门居委会二楼会议室",
        rows=tuple(rows),
    )


MINUTES = """会议由王建国主持。
讨论情况：
1. 多数居民同意方案。
2. 陈赟提出**每月检查一次**。"""


def minutes_doc(**changes: object) -> MinutesDoc:
    doc = MinutesDoc(
        home_name=HOME,
        meeting_title="2026年第一次居民议事大会",
        form_label="议事大会",
        held_on=dt.date(2026, 3, 14),
        starts_at="14:00",
        place="小西门居委会二楼会议室",
        convener="王建国",
        recorder="赵珺",
        invited=80,
        present=40,
        proxy=5,
        absent=35,
        quorum_line="到会（含委托）45 户，超过应到 80 户的半数，符合居民会议规则",
        agenda=AGENDA,
        minutes=MINUTES,
        resolutions=(
            ("同意在3号门东侧空地建设非机动车棚。", "弄堂口非机动车棚改造", "通过（同意62户）"),
            ("楼道堆物于4月底前清理完毕。", "", ""),
        ),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def render(renderer, doc, **options) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    renderer(doc, out, **options)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text line by line, without spaces. Characters are grouped into lines by
    their baseline (the two faces have different ascents, which confuses extract_text)."""
    texts = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            lines: list[list[dict]] = []
            for char in sorted(page.chars, key=lambda c: -c["matrix"][5]):
                if lines and abs(lines[-1][0]["matrix"][5] - char["matrix"][5]) < 1.0:
                    lines[-1].append(char)
                else:
                    lines.append([char])
            text = "".join(
                "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])) for line in lines
            )
            texts.append(SPACE.sub("", text))
    return texts


def font_report(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) for each font the pages use."""
    report = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            report.append((str(font["/BaseFont"]), embedded))
    return report


def assert_fonts_embedded(pdf: bytes) -> None:
    report = font_report(pdf)
    assert report
    for base_font, embedded in report:
        assert embedded, base_font
        assert "STSong" not in base_font and "Helvetica" not in base_font


# --- 会议通知 ------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["a4", "a3"])
def test_the_meeting_notice_gives_date_time_place_and_the_numbered_agenda(layout: str) -> None:
    pdf = render(render_meeting_notice, notice_doc(), layout=layout)
    pages = page_texts(pdf)
    assert len(pages) == 1, "a meeting notice of this length fits one sheet"
    text = pages[0]
    for piece in (
        "关于召开居民议事大会的通知",
        "全体住户：",
        "会议时间：2026年3月14日（星期六）14:00",
        "会议地点：小西门居委会二楼会议室",
        "参会人员：全体住户",
        "会议议程：",
        "1.审议弄堂口非机动车棚改造方案",
        "2.通报2025年自治金使用情况",
        "3.讨论楼道堆物清理和消防通道管理办法",
        "每户请派一名代表参加。",
        "特此通知。",
        "小西门自治家园执行委员会",
        "2026年3月3日",
    ):
        assert piece in text, piece
    assert "2.2." not in text
    assert "委托" in text  # an assembly says how to send someone in one's place


def test_the_meeting_notice_is_a_notice() -> None:
    notice = meeting_notice(notice_doc(form_label="执行委员会会议", invitees="执行委员会成员"))
    assert notice.kind_label == "会议通知"
    assert notice.salutation == "各位执行委员会成员："
    assert meeting_notice(notice_doc(invitees="5号楼各户")).salutation == "5号楼各户："
    assert [block.label for block in notice.blocks if block.kind == "item"] == ["1.", "2.", "3."]
    assert not any("委托" in block.text for block in notice.blocks)  # only for an assembly


def test_a_meeting_notice_needs_a_place() -> None:
    with pytest.raises(ValueError, match="地点"):
        meeting_notice(notice_doc(place=" "))


# --- 签到表 --------------------------------------------------------------------------------


def doorway_of(page: str) -> str | None:
    match = re.search(r"门牌：(.+?号)", page)
    return match.group(1) if match else None


def test_the_sign_in_sheet_has_every_tenant_and_address_on_its_doorways_page() -> None:
    doc = sign_in_doc()
    pages = page_texts(render(render_sign_in, doc))
    doorway_pages = [page for page in pages if doorway_of(page)]
    for doorway, address, tenant in doc.rows:
        room = room_text(doorway, address)
        assert doorway + room == address
        holders = [page for page in doorway_pages if doorway_of(page) == doorway]
        assert any(tenant in page and room in page for page in holders), (tenant, address)
    text = "".join(pages)
    for name in RARE_NAMES:
        assert name in text


def test_each_doorway_starts_its_own_page_and_a_long_one_continues() -> None:
    doc = sign_in_doc()
    pages = page_texts(render(render_sign_in, doc))
    # 9, 20 and 4 households: one sheet, two sheets, one sheet, then the summary.
    assert [doorway_of(page) for page in pages] == [
        "复兴东路1234弄3号",
        "复兴东路1234弄5号",
        "复兴东路1234弄5号",
        "复兴东路1234弄7号",
        None,
    ]
    for page in pages[:4]:
        assert len(re.findall(r"门牌：", page)) == 1, "one doorway per page"
        # The table head is on every sheet, continuation sheets included.
        for head in ("序号", "地址（室号）", "承租人", "签名", "备注/委托人"):
            assert head in page
        assert "2026年第一次居民议事大会" in page and "14:00" in page
        assert "小西门居委会二楼会议室" in page and "2026年3月14日（星期六）" in page
    assert "（续）" in pages[2] and "第2张共2张" in pages[2]
    assert "（续）" not in pages[1] and "第1张共2张" in pages[1]
    # Numbering runs on across a doorway's sheets.
    assert "20" in pages[2] and "13" in pages[2] and "12" in pages[1]


def test_page_numbers_and_totals_to_fill_in() -> None:
    pages = page_texts(render(render_sign_in, sign_in_doc()))
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in page
    assert "本门牌应到9户，实到" in pages[0]
    assert "应到" not in pages[1]  # the doorway continues on the next sheet
    assert "本门牌应到20户，实到" in pages[2]
    last = pages[-1]
    assert "合计应到33户，实到＿＿＿＿户" in last
    for doorway, count in DOORWAYS:
        assert doorway in last and str(count) in last


def test_a_single_doorway_has_no_summary_sheet() -> None:
    pages = page_texts(render(render_sign_in, sign_in_doc((("复兴东路1234弄3号", 6),))))
    assert len(pages) == 1
    assert "本门牌应到6户，实到" in pages[0]
    assert "第1页共1页" in pages[0]


def test_rows_are_tall_and_names_large_enough_to_sign_and_read() -> None:
    assert 12 * mm <= ROW_HEIGHT
    doc = sign_in_doc()
    pdf = render(render_sign_in, doc)
    # The characters of the names (not the digits, which the footer has too).
    tenants = {char for _d, _a, tenant in doc.rows for char in tenant if not char.isascii()}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages[:-1]:
            # Each table row is drawn as a rectangle across the table.
            rows = [rect for rect in page.rects if rect["width"] > 170 * mm]
            assert len(rows) >= 5
            assert min(rect["height"] for rect in rows) >= 12 * mm - 0.1
            heights = Counter(round(rect["height"], 1) for rect in rows)
            assert heights[round(ROW_HEIGHT, 1)] >= 4
            sizes = [char["size"] for char in page.chars if char["text"] in tenants]
            assert sizes and min(sizes) >= 14


def test_an_empty_sheet_is_refused() -> None:
    with pytest.raises(ValueError, match="没有要签到的住户"):
        render(render_sign_in, dataclasses.replace(sign_in_doc(), rows=()))


def test_room_text_shortens_only_under_its_own_doorway() -> None:
    assert room_text("复兴东路1234弄3号", "复兴东路1234弄3号201室") == "201室"
    assert room_text("复兴东路1234弄3号", "复兴东路1234弄30号201室") == "复兴东路1234弄30号201室"
    assert room_text("复兴东路1234弄3号", "复兴东路1234弄3号") == "复兴东路1234弄3号"


# --- 会议纪要 ------------------------------------------------------------------------------


def test_the_minutes_have_the_sections_resolutions_and_their_links() -> None:
    pdf = render(render_minutes, minutes_doc())
    text = "".join(page_texts(pdf))
    for piece in (
        "2026年第一次居民议事大会纪要",
        "会议形式：议事大会",
        "会议时间：2026年3月14日（星期六）14:00",
        "会议地点：小西门居委会二楼会议室",
        "应到80户，本人到会40户，委托到会5户，缺席35户。",
        "到会（含委托）45户，超过应到80户的半数，符合居民会议规则。",
        "会议议程",
        "2.通报2025年自治金使用情况",
        "会议情况",
        "讨论情况：",
        "陈赟提出每月检查一次",
        "会议决议",
        "1.同意在3号门东侧空地建设非机动车棚。",
        "关联议题：弄堂口非机动车棚改造",
        "表决结果：通过（同意62户）",
        "2.楼道堆物于4月底前清理完毕。",
    ):
        assert piece in text, piece
    assert text.count("关联议题") == 1  # the second resolution has no link


def test_the_minutes_end_with_signature_lines() -> None:
    doc = minutes_doc()
    pdf = render(render_minutes, doc)
    pages = page_texts(pdf)
    last = pages[-1]
    for piece in ("主持人（签字）：", "记录人（签字）：", "参会代表签字："):
        assert piece in last
    assert signature_lines(doc) == 24  # 45 present: the most the minutes give; all sign in
    assert signature_lines(minutes_doc(present=3, proxy=0)) == 6
    assert signature_lines(minutes_doc(present=7, proxy=0)) == 9  # a full row of three
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines = [
            line
            for page in document.pages
            for line in page.lines
            if abs(line["top"] - line["bottom"]) < 0.1 and line["width"] > 30 * mm
        ]
    assert len(lines) >= signature_lines(doc) + 2  # the representatives', host's, recorder's
    if len(pages) > 1:
        for number, page in enumerate(pages, start=1):
            assert f"第{number}页共{len(pages)}页" in page


def test_minutes_without_resolutions_say_so_and_count_people_for_a_committee() -> None:
    doc = minutes_doc(
        form_label="执行委员会会议",
        meeting_title="执行委员会第三次会议",
        quorum_line="",
        invited=7,
        present=6,
        proxy=0,
        absent=1,
        resolutions=(),
    )
    text = "".join(page_texts(render(render_minutes, doc)))
    assert "执行委员会第三次会议纪要" in text
    assert "应到7人，本人到会6人，委托到会0人，缺席1人。" in text
    assert "本次会议未形成决议。" in text


# --- all of them -------------------------------------------------------------------------


DOCUMENTS = [
    (render_meeting_notice, notice_doc, {}),
    (render_meeting_notice, notice_doc, {"layout": "a3"}),
    (render_sign_in, sign_in_doc, {}),
    (render_minutes, minutes_doc, {}),
]


@pytest.mark.parametrize(("renderer", "make", "options"), DOCUMENTS)
def test_fonts_are_embedded_and_a_reprint_is_byte_identical(renderer, make, options) -> None:  # type: ignore[no-untyped-def]
    first = render(renderer, make(), **options)
    assert render(renderer, make(), **options) == first
    assert_fonts_embedded(first)


def test_a_path_is_written_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "签到表.pdf"
    render_sign_in(sign_in_doc(), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["签到表.pdf"]
