from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.printing import notice_corpus as corpus
from tests.printing.samples import RARE_NAMES, decode_qr_codes
from xmen_desktop.domain.notice_text import parse_notice
from xmen_desktop.printing import fonts
from xmen_desktop.printing.documents import NoticeDoc
from xmen_desktop.printing.notices import (
    LAYOUTS,
    MIN_PICTURE,
    MissingCharactersError,
    _measure,
    _Style,
    notice_missing_chars,
    render_notice,
)
from xmen_desktop.printing.text import NO_LINE_END, NO_LINE_START, wrap_spans

LAYOUT_NAMES = ("a4", "a3", "large")
MIN_BODY = {"a4": 16.0, "large": 22.0, "a3": 24.0}
MIN_TITLE = {"a4": 28.0, "large": 28.0, "a3": 60.0}
# The marks the brief names; the renderer keeps the longer lists of text.py.
FORBIDDEN_START = set("，。、；：？！）》」』】")
FORBIDDEN_END = set("（《「『【")
NOT_A_CHAR = re.compile(r"\s")


def render(doc: NoticeDoc, layout: str = "a4", **options: bool) -> bytes:
    out = io.BytesIO()
    render_notice(doc, out, layout=layout, **options)
    return out.getvalue()


def rich_doc(**changes: object) -> NoticeDoc:
    """A notice with everything: emphasis, items, a heading, rare names, picture, QR code."""
    names = "、".join(RARE_NAMES)
    body = f"""各位居民：
小区将于2026年12月5日（星期六）上午9:00开展**废旧自行车公益兑换**活动，现将有关事项通知如下：
兑换办法：
1. 每交来一辆废旧自行车，可兑换环保袋一个、洗衣液一瓶，数量有限，换完为止。
2. 请携带本人身份证或户口簿登记，一户最多兑换三辆。
3. 行动不便的老人可提前联系楼组长，由志愿者**上门收车**。
本次活动的志愿者：{names}。
特此通知。"""
    doc = NoticeDoc(
        kind_label="活动通知",
        title="废旧自行车公益兑换",
        blocks=parse_notice(body),
        issuer="小西门自治家园执行委员会",
        issued_on=dt.date(2026, 11, 28),
        publicity_from=dt.date(2026, 12, 1),
        publicity_to=dt.date(2026, 12, 7),
        image=corpus.photo(),
        image_caption="兑换地点：小区3号门东侧",
        qr_text="tel:63281234",
        qr_caption="扫码拨打咨询电话",
        estates=("小西门", "龙门村"),
        reference="小西门自治〔2026〕12号",
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def chars_by_page(pdf: bytes) -> list[list[dict]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [list(page.chars) for page in document.pages]


def stream_text(pdf: bytes) -> str:
    """Every character in drawing order (the order the renderer wrote them), no whitespace."""
    text = "".join(c["text"] for page in chars_by_page(pdf) for c in page)
    return NOT_A_CHAR.sub("", text)


def lines_of(pdf: bytes) -> list[str]:
    """Printed lines: characters grouped by page and baseline, left to right."""
    lines: dict[tuple[int, float], list[dict]] = defaultdict(list)
    for number, page in enumerate(chars_by_page(pdf)):
        for char in page:
            lines[(number, round(char["matrix"][5], 1))].append(char)
    ordered = sorted(lines.items(), key=lambda item: (item[0][0], -item[0][1]))
    return [
        NOT_A_CHAR.sub("", "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])))
        for _, chars in ordered
    ]


def expected_sequence(doc: NoticeDoc) -> list[str]:
    blocks = list(doc.blocks)
    salutation = doc.salutation
    if blocks and (blocks[0].text == salutation or blocks[0].text.startswith("各位")):
        salutation = blocks.pop(0).text  # a typed salutation replaces the default
    pieces = [doc.title, salutation]
    pieces += [block.label + block.text for block in blocks]
    if doc.publicity_from and doc.publicity_to:
        pieces.append(
            f"公示期：{doc.publicity_from.year}年{doc.publicity_from.month}月"
            f"{doc.publicity_from.day}日至{doc.publicity_to.year}年{doc.publicity_to.month}月"
            f"{doc.publicity_to.day}日"
        )
    pieces += [doc.issuer, f"{doc.issued_on.year}年{doc.issued_on.month}月{doc.issued_on.day}日"]
    return [NOT_A_CHAR.sub("", piece) for piece in pieces if piece]


def assert_in_order(text: str, pieces: list[str]) -> None:
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing after position {position}: {text[position:]!r}"
        position = found + len(piece)


def without_page_furniture(text: str, doc: NoticeDoc) -> str:
    text = text.replace(NOT_A_CHAR.sub("", f"{doc.title}（续）"), "")
    return re.sub(r"第\d+页共\d+页", "", text)


# --- what is printed -----------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_every_layout_prints_the_whole_notice_in_order(layout: str) -> None:
    doc = rich_doc()
    pdf = render(doc, layout)
    text = without_page_furniture(stream_text(pdf), doc)
    assert fonts.PLACEHOLDER not in text
    assert_in_order(text, expected_sequence(doc))
    for name in RARE_NAMES:
        assert name in text
    for caption in (doc.image_caption, doc.qr_caption, doc.reference, "小西门、龙门村"):
        assert caption in text
    # The kind is printed above a title that does not say it.
    assert text.startswith("活动通知" + doc.title)
    # Text extraction by position agrees (what pdftotext or a copy-paste would give).
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        flowed = NOT_A_CHAR.sub("", "".join(p.extract_text() or "" for p in document.pages))
    for name in RARE_NAMES:
        assert name in flowed


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_fonts_are_embedded_subsets_of_the_two_bundled_faces(layout: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(rich_doc(), layout)))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            names.add(name)
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), name  # embedded
            assert re.match(r"/?[A-Z]{6}\+", name), f"{name} is not a subset"
    assert any("UMing" in name for name in names), names  # the Song body
    assert any("WenQuanYi" in name for name in names), names  # the Hei title and emphasis
    assert not any("Helvetica" in name or "STSong" in name for name in names), names


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_body_and_title_sizes(layout: str) -> None:
    doc = rich_doc()
    pages = chars_by_page(render(doc, layout))
    chars = [c for page in pages for c in page]
    song = [c for c in chars if "UMing" in c["fontname"]]
    body_text = NOT_A_CHAR.sub("", "".join(b.text for b in doc.blocks))
    assert song
    # Every Song character is body text (salutation, paragraphs, items, issuer, date) except
    # the small document number and estates line under the title.
    small = set(doc.reference + "张贴小区：" + "、".join(doc.estates))
    for c in song:
        if round(c["size"], 2) < MIN_BODY[layout] and not c["text"].isspace():
            assert c["text"] in small, (c["text"], c["size"])
    # Captions, the document number and the page footer are the only smaller type.
    small_size = LAYOUTS[layout].small
    body_sizes = {
        round(c["size"], 2)
        for c in chars
        if c["text"] in body_text and c["size"] > small_size + 0.5
    }
    assert min(body_sizes) >= MIN_BODY[layout]
    # The emphasis (Hei) is set at the body size too (the small ones: the running head).
    hei_body = [
        c
        for c in chars
        if "WenQuanYi" in c["fontname"]
        and c["text"] in "废旧上收"
        and c["size"] > LAYOUTS[layout].footer + 0.5
    ]
    assert len(hei_body) >= 6
    assert all(round(c["size"], 2) >= MIN_BODY[layout] for c in hei_body)
    title = [c for c in pages[0] if c["text"] in doc.title and c["size"] >= MIN_TITLE[layout]]
    assert NOT_A_CHAR.sub("", "".join(c["text"] for c in title)).startswith(doc.title)
    assert LAYOUTS[layout].title_max >= title[0]["size"] >= MIN_TITLE[layout]


def test_the_qr_code_scans_back() -> None:
    pdf = render(rich_doc(qr_text="tel:63281234", image=None), "a4")
    assert [code.text for code in decode_qr_codes(pdf)] == ["tel:63281234"]
    pdf = render(rich_doc(qr_text="报名请找楼组长", image=None), "a4")
    assert [code.text for code in decode_qr_codes(pdf)] == ["报名请找楼组长"]


# --- line breaking -------------------------------------------------------------------------


def assert_lines_break_properly(lines: list[str]) -> None:
    for line in lines:
        assert line, lines
        assert line[0] not in FORBIDDEN_START, line
        assert line[-1] not in FORBIDDEN_END, line


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_no_line_of_the_corpus_starts_or_ends_with_the_wrong_punctuation(layout: str) -> None:
    assert len(corpus.CORPUS) >= 20
    for i, sample in enumerate(corpus.CORPUS):
        with_extras = {"image": corpus.photo(), "qr_text": "tel:63281234"} if i % 5 == 0 else {}
        doc = corpus.doc(sample, **with_extras)  # type: ignore[arg-type]
        pdf = render(doc, layout)
        assert_lines_break_properly(lines_of(pdf))
        text = without_page_furniture(stream_text(pdf), doc)
        assert fonts.PLACEHOLDER not in text
        assert_in_order(text, expected_sequence(doc))


TRICKY = "各位居民请于12月5日前到服务点登记，。、；：？！）》」』】（《「『【“”‘’——……·1234 abc"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet=TRICKY, min_size=1, max_size=90), min_size=1, max_size=4),
    st.sampled_from(LAYOUT_NAMES),
)
def test_generated_text_breaks_properly(paragraphs: list[str], layout: str) -> None:
    # A block that itself begins with closing punctuation cannot avoid starting a line with it.
    paragraphs = [p.lstrip("".join(NO_LINE_START) + " ") or "空" for p in paragraphs]
    paragraphs = [p.rstrip("".join(NO_LINE_END) + " ") or "空" for p in paragraphs]
    doc = rich_doc(blocks=parse_notice("\n".join(paragraphs)), image=None, qr_text=None)
    pdf = render(doc, layout)
    assert_lines_break_properly(lines_of(pdf))
    text = without_page_furniture(stream_text(pdf), doc)
    assert_in_order(text, [NOT_A_CHAR.sub("", p) for p in paragraphs])


@given(
    st.lists(
        st.tuples(st.text(alphabet=TRICKY, min_size=1, max_size=30), st.booleans()), max_size=6
    ),
    st.floats(min_value=40, max_value=400),
)
def test_styled_wrapping_keeps_every_character_and_the_rules(
    runs: list[tuple[str, bool]], width: float
) -> None:
    song = _Style(fonts.song_font(), 16)
    hei = _Style(fonts.hei_font(), 16, bold=True)
    spans = [(text, hei if bold else song) for text, bold in runs]
    text = "".join(text for text, _ in spans)
    lines = wrap_spans(spans, _measure, width, indent=32)
    printed = ["".join(piece for piece, _ in line) for line in lines]
    assert "".join(printed).replace(" ", "") == text.replace(" ", "")
    for i, line in enumerate(printed):
        if i and line:
            assert line[0] not in NO_LINE_START or text.lstrip().startswith(line), printed
        if i < len(printed) - 1 and line:
            assert line[-1] not in NO_LINE_END or text.rstrip().endswith(line), printed


def test_emphasis_does_not_change_where_punctuation_goes() -> None:
    song = _Style(fonts.song_font(), 16)
    hei = _Style(fonts.hei_font(), 16, bold=True)
    spans = [("请大家", song), ("准时参加", hei), ("。谢谢", song)]
    for width in range(50, 200, 3):
        for line in wrap_spans(spans, _measure, width)[1:]:
            assert line[0][0][0] != "。"


# --- title ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize(
    "title",
    [
        "通知",
        "关于使用公共维修资金维修5号、6号楼屋面的征询公告",
        "关于小西门小区2号楼底层原自行车棚改造为邻里点（含助餐取餐点、图书角和快递暂存柜）"
        "的方案征求全体居民意见的征询公告",
        "A" * 80,
    ],
)
def test_the_title_fits_within_the_margins(layout: str, title: str) -> None:
    doc = rich_doc(title=title, kind_label="征询公告", image=None)
    pdf = render(doc, layout)
    page = chars_by_page(pdf)[0]
    sizes = LAYOUTS[layout]
    width = sizes.pagesize[0]
    title_chars = [c for c in page if c["size"] >= sizes.title_min - 0.01]
    assert NOT_A_CHAR.sub("", "".join(c["text"] for c in title_chars)) == title
    for c in title_chars:
        assert c["x0"] >= sizes.margin_x - 0.5, c
        assert c["x1"] <= width - sizes.margin_x + 0.5, c
    lines = {round(c["matrix"][5]) for c in title_chars}
    one_line = stringWidth(title, fonts.hei_font(), sizes.title_min) / (width - 2 * sizes.margin_x)
    if one_line < 0.95:
        assert len(lines) == 1  # a title that fits on one line is set on one line
    elif one_line < 1.8:
        assert len(lines) == 2
    if len(title) <= 4:
        assert title_chars[0]["size"] == pytest.approx(sizes.title_max)


def test_the_kind_is_not_repeated_when_the_title_says_it() -> None:
    text = stream_text(render(rich_doc(title="关于开展废旧自行车兑换活动的通知")))
    assert text.startswith("关于开展")
    text = stream_text(render(rich_doc(kind_label="温馨提示", title="冬季用电用火安全")))
    assert text.startswith("温馨提示冬季用电用火安全")


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_page_numbers_only_when_a_notice_runs_over_one_page(layout: str) -> None:
    short = rich_doc(image=None, qr_text=None)
    pdf = render(short, layout)
    if len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1:
        assert "第1页" not in stream_text(pdf)
    short_a4 = render(corpus.doc(corpus.CORPUS[6]), "a4")  # 温馨提示: a short one
    assert len(pypdf.PdfReader(io.BytesIO(short_a4)).pages) == 1
    assert "页" not in stream_text(short_a4)
    long = rich_doc(blocks=parse_notice("\n".join([corpus.CORPUS[0].body] * 4)))
    pdf = render(long, layout)
    pages = chars_by_page(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = NOT_A_CHAR.sub("", "".join(c["text"] for c in page))
        assert text.endswith(f"第{number}页共{len(pages)}页")
        if number > 1:
            assert text.startswith(f"{long.title}（续）")
    # The issuer and date are on the last page, after the last paragraph.
    last = NOT_A_CHAR.sub("", "".join(c["text"] for c in pages[-1]))
    assert "特此通知。" in last and long.issuer in last


def test_the_issuer_block_sits_at_the_lower_right() -> None:
    doc = rich_doc(image=None, qr_text=None)
    page = chars_by_page(render(doc))[-1]
    issuer = [c for c in page if c["text"] in doc.issuer and c["size"] >= 16]
    issuer = issuer[-len(doc.issuer) :]
    body = [c for c in page if c["size"] >= 16 and c["top"] < issuer[0]["top"]]
    width = LAYOUTS["a4"].pagesize[0]
    assert issuer[0]["x0"] > width / 2 - 40  # the right half
    assert issuer[0]["top"] > max(c["bottom"] for c in body) + 10 * 2.83  # room for the seal


# --- determinism and output ----------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_a_reprint_is_byte_identical(layout: str, tmp_path: Path) -> None:
    first = render(rich_doc(), layout)
    assert render(rich_doc(), layout) == first
    path = tmp_path / "notice.pdf"
    render_notice(rich_doc(), path, layout=layout)
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["notice.pdf"]


def test_a_failed_print_leaves_the_previous_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "notice.pdf"
    render_notice(rich_doc(), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="图片"):
        render_notice(rich_doc(image=b"not a picture"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["notice.pdf"]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "标题不能为空"),
        ({"blocks": ()}, "正文不能为空"),
        ({"blocks": parse_notice("\n\u3000\n")}, "正文不能为空"),
        ({"publicity_to": None}, "公示期要同时填"),
        ({"publicity_to": dt.date(2026, 11, 1)}, "结束日期不能早于"),
        ({"qr_text": "https://example.org/" + "x" * 400}, "二维码的内容太长"),
        ({"image": b"GIF89a......"}, "图片"),
    ],
)
def test_bad_input_is_refused_in_plain_chinese(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(rich_doc(**changes))
    with pytest.raises(ValueError, match="版式"):
        render(rich_doc(), "a5")


def test_a_character_no_font_has_is_replaced_visibly_and_reported() -> None:
    odd = "😀"
    assert fonts.missing_chars(odd) == [odd]
    doc = rich_doc(blocks=parse_notice(f"请带上{odd}和身份证。\n谢谢合作。"))
    assert notice_missing_chars(doc) == [odd]
    text = stream_text(render(doc))
    assert f"请带上{fonts.PLACEHOLDER}和身份证。" in text
    with pytest.raises(MissingCharactersError) as refused:
        render(doc, strict=True)
    assert refused.value.chars == (odd,)
    assert odd in str(refused.value)
    assert notice_missing_chars(rich_doc()) == []


def test_a_character_one_face_lacks_comes_from_the_other() -> None:
    # The Song face lacks some GBK ideographs the Hei face has, and the Hei face some symbols.
    song_only = next(
        chr(code)
        for code in range(0x2000, 0x3000)  # the Hei face has every GBK ideograph the Song has
        if fonts.has_char(fonts.song_font(), chr(code))
        and not fonts.has_char(fonts.hei_font(), chr(code))
    )
    hei_only = next(
        chr(code)
        for code in range(0x4E00, 0x9FA6)
        if fonts.has_char(fonts.hei_font(), chr(code))
        and not fonts.has_char(fonts.song_font(), chr(code))
    )
    doc = rich_doc(
        title=f"标题{song_only}", blocks=parse_notice(f"正文{hei_only}，**强调{song_only}**。")
    )
    assert notice_missing_chars(doc) == []
    chars = [c for page in chars_by_page(render(doc)) for c in page]
    fonts_of = {c["text"]: c["fontname"] for c in chars}
    assert "WenQuanYi" in fonts_of[hei_only]
    assert "UMing" in fonts_of[song_only]
    assert fonts.PLACEHOLDER not in "".join(c["text"] for c in chars)


def test_a_huge_picture_is_drawn_scaled_to_fit() -> None:
    doc = rich_doc(image=corpus.photo(6000, 4000), qr_text=None)
    pdf = render(doc)
    assert len(pdf) < 2_500_000
    sizes = LAYOUTS["a4"]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        images = [image for page in document.pages for image in page.images]
        assert len(images) == 1
        image = images[0]
        assert image["x0"] >= sizes.margin_x - 0.5
        assert image["x1"] <= sizes.pagesize[0] - sizes.margin_x + 0.5
        assert image["bottom"] - image["top"] <= sizes.image_height + 0.5
        assert image["srcsize"][0] <= 3000  # resampled to 300 dpi at its printed size


def test_a_transparent_png_and_a_tiny_picture_print() -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(buffer, "PNG")
    pdf = render(rich_doc(image=buffer.getvalue(), blocks=parse_notice("请互相转告。")))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        (image,) = [image for page in document.pages for image in page.images]
    assert image["x1"] - image["x0"] == pytest.approx(300 * 72 / 100)  # 100 dpi at most


def test_a_typed_salutation_replaces_the_default_and_is_printed_once() -> None:
    doc = rich_doc(blocks=parse_notice("各位业主、公房承租人：\n请于月底前交回表决票。"))
    text = stream_text(render(doc))
    assert "各位业主、公房承租人：请于月底前交回表决票。" in text
    assert "各位居民" not in text
    doc = rich_doc(blocks=parse_notice("各位居民：\n请于月底前交回表决票。"))
    assert stream_text(render(doc)).count("各位居民：") == 1


def test_a_number_keeps_its_unit_on_its_line() -> None:
    song = _Style(fonts.song_font(), 16)
    text = "表决票将由楼组长逐户发放，请于12月20日前交回，共30天。"
    for width in range(60, 300, 2):
        lines = [
            "".join(p for p, _ in line) for line in wrap_spans([(text, song)], _measure, width)
        ]
        assert not any(line.startswith(("日", "天")) for line in lines), lines


def test_a_picture_shrinks_rather_than_push_the_end_of_a_notice_onto_another_sheet() -> None:
    sizes = LAYOUTS["a4"]
    line = "为清理楼道和弄堂里长期无人骑行的“僵尸车”，释放公共空间，特开展本次活动。"
    shrunk = []
    for count in range(4, 16):
        doc = rich_doc(qr_text=None, blocks=parse_notice("\n".join([line] * count)))
        with pdfplumber.open(io.BytesIO(render(doc))) as document:
            (image,) = [image for page in document.pages for image in page.images]
            pages = len(document.pages)
        height = image["bottom"] - image["top"]
        assert height >= MIN_PICTURE * sizes.image_height - 0.5  # never below half its height
        if pages == 1 and height < sizes.image_height - 1:
            shrunk.append(count)
    assert shrunk, "no notice kept to one sheet by a smaller picture"


@example(text="“““”一", width=64.0)
@given(
    st.text(alphabet="欢迎大家来当观众志愿者一起找回弄堂里的老味道，。！、“”（）", max_size=120),
    st.floats(min_value=16 * 4, max_value=400),
)
def test_no_paragraph_ends_with_a_lonely_character(text: str, width: float) -> None:
    song = _Style(fonts.song_font(), 16)
    lines = wrap_spans([(text, song)], _measure, width, no_lonely_char=True)
    printed = ["".join(piece for piece, _ in line) for line in lines]
    assert "".join(printed) == text
    visible = [c for c in printed[-1] if c not in NO_LINE_START]
    # A line of nothing but quotes and marks has no character to hand down ("“““”" / "一"):
    # the rule can only hold where the line before has ideographs to give.
    ideographs = [c for c in printed[-2] if "\u4e00" <= c <= "\u9fff"] if len(printed) >= 2 else []
    if len(ideographs) >= 4:
        assert len(visible) >= 2, printed
    for i, line in enumerate(printed):
        if i and line:
            assert line[0] not in NO_LINE_START or text.startswith(line), printed
