"""Reading rosters from .xlsx/.csv with Excel's row numbers, and writing them back safely."""

from __future__ import annotations

import ast
import codecs
import os
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xmen_desktop.store.tabular as tabular
from xmen_desktop.store.tabular import (
    Table,
    TableReadError,
    TableRow,
    TableWriteError,
    read_table,
    write_table,
)

HEADER = ["户主", "地址", "手机", "人口", "面积", "备注"]
ROWS = [
    ["段德明", "尚文路133弄1号101室", "13968778006", "2", "33.8", "行动不便，需上门"],
    ["冯珺", "尚文路133弄1号202室", "63289575", "1", "18.5", None],
]


def samples_dir() -> Path:
    """The copies of the real sample rosters kept in tests/data."""
    folder = Path(__file__).resolve().parents[1] / "data"
    assert (folder / "roster-xiaoximen.xlsx").is_file(), "tests/data lacks the sample rosters"
    return folder


def write_text(path: Path, lines: list[str], encoding: str, newline: str = "\r\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def cells(table: Table) -> list[list[object]]:
    return [row.cells for row in table.rows]


# --- the real samples ------------------------------------------------------------------------


def test_sample_xlsx_keeps_excel_row_numbers_title_and_note() -> None:
    table = read_table(samples_dir() / "roster-xiaoximen.xlsx")

    assert [row.number for row in table.rows] == list(range(1, 112))
    assert table.width == 10
    title = table.rows[0].cells
    assert isinstance(title[0], str) and title[0].startswith("小西门小区")
    assert title[1:] == [None] * 9  # the rest of the merged title range is blank
    assert table.rows[1].cells[:6] == ["序号", "路名", "弄", "号", "室", "承租人姓名"]
    first = table.rows[2]
    assert first.number == 3
    assert first.cells[:5] == [1, "复兴东路", "1234", 1, 101]
    assert first.cells[8] == pytest.approx(51.7)
    assert table.rows[10].cells == [None] * 10  # the blank row between doorways, Excel row 11
    last = table.rows[-1]
    assert last.number == 111
    assert isinstance(last.cells[0], str) and last.cells[0].startswith("注：")


def test_sample_gb18030_csv_is_decoded_and_split_on_ascii_commas_only() -> None:
    table = read_table(samples_dir() / "roster-longmencun-gb18030.csv")

    assert len(table.rows) == 61
    assert table.width == 6
    assert table.rows[0].cells == HEADER
    assert table.rows[1] == TableRow(2, ROWS[0])  # "，" in the note did not split it
    assert table.rows[-1].number == 61
    assert table.rows[-1].cells[0] == "贾珺"


# --- CSV encodings and delimiters ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk", "gb2312"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    lines = [",".join(HEADER), ",".join(c or "" for c in ROWS[0]).replace("，", "；")]
    path = write_text(tmp_path / "名单.csv", lines, encoding)

    table = read_table(path)

    assert table.rows[0].cells == HEADER
    assert table.rows[1].cells[0] == "段德明"
    assert table.rows[1].cells[5] == "行动不便；需上门"


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", [",".join(HEADER)], "utf-8-sig")
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    assert read_table(path).rows[0].cells[0] == "户主"


def test_excel_unicode_text_export_utf16_tab(tmp_path: Path) -> None:
    # Excel's "Unicode 文本 (*.txt)" is UTF-16 with a BOM and tab separated.
    path = tmp_path / "名单.txt"
    text = "\r\n".join(["\t".join(HEADER), "\t".join(c or "" for c in ROWS[0])]) + "\r\n"
    path.write_bytes(text.encode("utf-16"))

    assert cells(read_table(path)) == [HEADER, ROWS[0]]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    lines = [delimiter.join(HEADER)] + [delimiter.join(c or "" for c in row) for row in ROWS]
    path = write_text(tmp_path / "a.csv", lines, "utf-8")

    assert cells(read_table(path)) == [HEADER, *ROWS]


def test_stray_delimiters_inside_text_do_not_win(tmp_path: Path) -> None:
    tab_lines = ["户主\t地址\t备注", "张三\t复兴东路1号\t有, 逗号", "李四\t复兴东路2号\t无"]
    comma_lines = ["户主,地址,备注", "张三,复兴东路1号,a;b\tc", "李四,复兴东路2号,无"]

    from_tabs = read_table(write_text(tmp_path / "tab.csv", tab_lines, "utf-8"))
    from_commas = read_table(write_text(tmp_path / "comma.csv", comma_lines, "utf-8"))

    assert from_tabs.rows[1].cells == ["张三", "复兴东路1号", "有, 逗号"]
    assert from_commas.rows[1].cells == ["张三", "复兴东路1号", "a;b\tc"]


def test_fullwidth_comma_is_not_a_delimiter(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a.csv", ["户主，地址", "张三，复兴东路1号", "李四，复兴东路2号"], "utf-8"
    )
    assert cells(read_table(path)) == [["户主，地址"], ["张三，复兴东路1号"], ["李四，复兴东路2号"]]


def test_title_line_does_not_confuse_the_sniffer(tmp_path: Path) -> None:
    lines = ["龙门村住户名单；2026年11月", "\t".join(HEADER), "\t".join(c or "" for c in ROWS[0])]
    path = write_text(tmp_path / "a.csv", lines, "utf-8")

    table = read_table(path)

    assert table.rows[0].cells == ["龙门村住户名单；2026年11月", None, None, None, None, None]
    assert table.rows[1].cells == HEADER


def test_excel_sep_hint_line_is_honoured_and_not_counted(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", ["sep=;", "户主;地址", "张三;复兴东路1号"], "utf-8")
    assert read_table(path).rows == [
        TableRow(1, ["户主", "地址"]),
        TableRow(2, ["张三", "复兴东路1号"]),
    ]


def test_quoted_multiline_cell_is_one_excel_row(tmp_path: Path) -> None:
    lines = ["户主,备注", '张三,"第一行', '第二行"', "李四,无"]
    table = read_table(write_text(tmp_path / "a.csv", lines, "utf-8"))

    assert table.rows == [
        TableRow(1, ["户主", "备注"]),
        TableRow(2, ["张三", "第一行\r\n第二行"]),
        TableRow(3, ["李四", "无"]),
    ]


def test_blank_lines_keep_their_row_numbers_and_trailing_blanks_are_dropped(
    tmp_path: Path,
) -> None:
    lines = ["户主,地址", "", "张三,复兴东路1号", " , ", "李四", "", ",,"]
    table = read_table(write_text(tmp_path / "a.csv", lines, "utf-8"))

    assert table.rows == [
        TableRow(1, ["户主", "地址"]),
        TableRow(2, [None, None]),
        TableRow(3, ["张三", "复兴东路1号"]),
        TableRow(4, [None, None]),
        TableRow(5, ["李四", None]),  # padded to the table's width
    ]


def test_excel_text_wrapper_is_unwrapped(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.csv", ["户主,电话", '张三,="02163281234"'], "utf-8")
    assert read_table(path).rows[1].cells == ["张三", "02163281234"]


# --- refusals --------------------------------------------------------------------------------


def test_old_xls_asks_to_save_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "名单.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    with pytest.raises(TableReadError) as caught:
        read_table(path)

    assert ".xls" in caught.value.message
    assert "另存为" in caught.value.message and ".xlsx" in caught.value.message
    assert str(caught.value) == caught.value.message


def test_xls_that_is_really_xlsx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    write_table(path, HEADER, ROWS)
    renamed = path.rename(tmp_path / "名单.xls")

    assert read_table(renamed).rows[0].cells == HEADER


def test_password_protected_xlsx_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "EncryptionInfo".encode("utf-16-le")
    path.write_bytes(ole)

    with pytest.raises(TableReadError, match="密码"):
        read_table(path)


def valid_xlsx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.xlsx"
        write_table(path, HEADER, ROWS)
        return path.read_bytes()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"this is not a spreadsheet at all", id="text"),
        pytest.param(os.urandom(2048), id="random"),
        pytest.param(b"PK\x03\x04" + bytes(300), id="broken-zip"),
        pytest.param(None, id="truncated-xlsx"),
        pytest.param(b"", id="empty"),
    ],
)
def test_corrupt_xlsx_raises_plain_message(tmp_path: Path, content: bytes | None) -> None:
    if content is None:
        whole = valid_xlsx_bytes()
        content = whole[: len(whole) // 2]
    path = tmp_path / "名单.xlsx"
    path.write_bytes(content)

    with pytest.raises(TableReadError) as caught:
        read_table(path)

    assert "无法读取文件" in caught.value.message
    assert "Excel (.xlsx) 或 CSV" in caught.value.message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(TableReadError, match="无法读取文件"):
        read_table(path)


@pytest.mark.parametrize("name", ["名单.docx", "名单.pdf", "名单.ods", "名单"])
def test_other_extensions_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")

    with pytest.raises(TableReadError, match=r"Excel \(\.xlsx\) 或 CSV"):
        read_table(path)


def test_binary_file_named_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))

    with pytest.raises(TableReadError, match="不是文本表格"):
        read_table(path)


def test_undecodable_text_asks_for_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xff\xff\xff\xff,\x81\x30\n")  # neither UTF-8 nor GB18030

    with pytest.raises(TableReadError, match="编码"):
        read_table(path)


@pytest.mark.parametrize("name", ["空.csv", "空.xlsx"])
def test_empty_table_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_bytes(codecs.BOM_UTF8 + b"\r\n ,\r\n")
    else:
        openpyxl.Workbook().save(path)

    with pytest.raises(TableReadError, match="没有任何内容"):
        read_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableReadError, match="找不到文件"):
        read_table(tmp_path / "没有这个文件.xlsx")


# --- xlsx details ----------------------------------------------------------------------------


def test_xlsx_values_keep_their_types_and_first_visible_sheet_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "模板"
    hidden["A1"] = "不要读这一页"
    hidden.sheet_state = "hidden"
    sheet = workbook.create_sheet("名单")
    sheet["A1"] = "户主"
    sheet["B1"] = "电话"
    sheet["A3"] = "张三"
    sheet["B3"] = 13812345678
    sheet["C3"] = 45.5
    sheet["D3"] = datetime(2026, 11, 1)
    sheet["E3"] = "=1+1"  # a formula without a cached value: blank with data_only
    path = tmp_path / "名单.xlsx"
    workbook.save(path)

    table = read_table(path)

    assert table.rows == [
        TableRow(1, ["户主", "电话", None, None]),
        TableRow(2, [None, None, None, None]),
        TableRow(3, ["张三", 13812345678, 45.5, datetime(2026, 11, 1)]),
    ]
    assert isinstance(table.rows[2].cells[1], int)


# --- writing ---------------------------------------------------------------------------------


def test_xlsx_round_trip_keeps_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "导出.xlsx"
    rows: list[list[object]] = [
        ["陈桂兰", "复兴东路 1234 弄 1 号 101 室", "13812345678", 4, 51.7, "独居老人"],
        ["徐德明", "复兴东路 1234 弄 3 号 101 室", "021-63289575", None, 53.3, "=SUM(A1:A2)"],
        ["尹伟民", "复兴东路 1234 弄 1 号 102 室", "0213", 2, 41, date(2026, 11, 1)],
    ]

    write_table(path, HEADER, rows)

    assert cells(read_table(path)) == [
        HEADER,
        rows[0],
        [*rows[1][:3], None, 53.3, "=SUM(A1:A2)"],
        [*rows[2][:5], datetime(2026, 11, 1)],
    ]
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].font.b
    assert not sheet["A2"].font.b
    assert sheet["C2"].data_type == "s" and sheet["C2"].number_format == "@"
    assert sheet["F3"].data_type == "s"  # "=…" stays text, never a formula
    assert sheet["D2"].data_type == "n"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["D"].width >= 6


def test_csv_round_trip_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "导出.csv"
    rows: list[list[object]] = [
        ["陈桂兰", "复兴东路 1234 弄 1 号 101 室", "13812345678", 4, 51.7, "独居，老人"],
        ["徐德明", "复兴东路 1234 弄 3 号 101 室", "021-63289575", None, None, '说"明"\n两行'],
    ]

    write_table(path, HEADER, rows)

    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in raw
    assert cells(read_table(path)) == [
        HEADER,
        ["陈桂兰", "复兴东路 1234 弄 1 号 101 室", "13812345678", "4", "51.7", "独居，老人"],
        ["徐德明", "复兴东路 1234 弄 3 号 101 室", "021-63289575", None, None, '说"明"\n两行'],
    ]


# Tabs and semicolons inside cells would make any delimiter guess ambiguous; commas, quotes
# and line breaks are what quoting must carry through.
text_cell = st.text(
    alphabet=st.sampled_from(list("张三李四复兴东路弄号室，、；abcXYZ0123456789 ,\"'\n-")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() != "")


@settings(max_examples=60, deadline=None)
@given(
    header=st.lists(text_cell, min_size=2, max_size=5),
    body=st.lists(st.lists(text_cell, min_size=5, max_size=5), min_size=1, max_size=6),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_round_trip_property(header: list[str], body: list[list[str]], suffix: str) -> None:
    body = [row[: len(header)] for row in body]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{suffix}"
        write_table(path, header, list(body))
        assert cells(read_table(path)) == [header, *body]


def test_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "名单.xlsx"
    write_table(path, HEADER, ROWS)
    before = path.read_bytes()

    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tabular.os, "replace", refuse)
    with pytest.raises(TableWriteError, match="正在 Excel 中打开"):
        write_table(path, HEADER, [["新的内容"]])

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.xlsx"]


def test_failure_while_filling_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    write_table(path, HEADER, ROWS)
    before = path.read_bytes()

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_table(path, HEADER, [["张三", Broken()]])

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.csv"]


def test_unsupported_write_extension(tmp_path: Path) -> None:
    with pytest.raises(TableWriteError, match=r"\.xlsx 或 \.csv"):
        write_table(tmp_path / "名单.xls", HEADER, ROWS)
    assert list(tmp_path.iterdir()) == []


def test_written_file_permissions_follow_umask(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions only")
    path = tmp_path / "a.csv"
    write_table(path, HEADER, ROWS)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_store_module_never_imports_qt() -> None:
    tree = ast.parse(Path(tabular.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith(("PySide", "PyQt", "shiboken")) for name in imported)


def test_reading_is_independent_of_newline_style(tmp_path: Path) -> None:
    for newline in ("\r\n", "\n", "\r"):
        path = write_text(
            tmp_path / "a.csv", [",".join(HEADER), "张三,复兴东路1号"], "utf-8", newline
        )
        assert read_table(path).rows[1].cells[:2] == ["张三", "复兴东路1号"]
