"""Roster parsing: header detection, column mapping and row checks with Excel's row numbers."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xmen_desktop.domain.roster as roster_module
from xmen_desktop.domain.roster import (
    FIELD_CHOICES,
    HEADER_ALIASES,
    RosterParse,
    RosterRecord,
    RowError,
    find_header,
    guess_mapping,
    parse_rows,
)
from xmen_desktop.store.tabular import Table, read_table

CSV_MAPPING = {"tenant": 0, "address": 1, "phone": 2, "size": 3, "area": 4, "notes": 5}


def samples_dir() -> Path:
    """The copies of the real sample rosters kept in tests/data."""
    folder = Path(__file__).resolve().parents[1] / "data"
    assert (folder / "roster-xiaoximen.xlsx").is_file(), "tests/data lacks the sample rosters"
    return folder


def parse_table(table: Table) -> RosterParse:
    """What the import does: find the header, guess the columns, parse the rows below."""
    grid = [row.cells for row in table.rows]
    index = find_header(grid)
    assert index is not None
    mapping = guess_mapping(grid[index])
    return parse_rows([(row.number, row.cells) for row in table.rows[index + 1 :]], mapping)


def problems(result: RosterParse) -> list[tuple[int, str]]:
    return [(error.row, error.field) for error in result.errors]


# --- the real samples ------------------------------------------------------------------------


def test_sample_xlsx_has_96_households() -> None:
    result = parse_table(read_table(samples_dir() / "roster-xiaoximen.xlsx"))

    assert result.errors == []
    assert len(result.records) == 96
    assert result.skipped_blank == 12  # 11 rows between doorways and one above the note
    assert result.skipped_notes == 1
    first = result.records[0]
    assert first == RosterRecord(
        row=3,
        tenant="陈桂兰",
        address="复兴东路 1234 弄 1 号 101 室",
        phone="18260181590",
        size=4,
        area_centi=5170,
        notes="独居老人",
    )
    assert result.records[-1].row == 109
    landline = next(r for r in result.records if r.row == 21)
    assert landline.phone == "021-63289575"
    assert len({record.address for record in result.records}) == 96


def test_sample_gb18030_csv_has_60_households() -> None:
    result = parse_table(read_table(samples_dir() / "roster-longmencun-gb18030.csv"))

    assert result.errors == []
    assert len(result.records) == 60
    assert (result.skipped_blank, result.skipped_notes) == (0, 0)
    assert [r.row for r in result.records] == list(range(2, 62))
    assert result.records[0].address == "尚文路 133 弄 1 号 101 室"
    assert result.records[0].notes == "行动不便，需上门"
    assert result.records[0].area_centi == 3380


def test_errors_in_the_sample_xlsx_carry_excel_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(samples_dir() / "roster-xiaoximen.xlsx")
    sheet = workbook.active
    assert sheet is not None
    sheet["F50"] = None  # tenant of Excel row 50
    sheet["G60"] = "12345"  # phone of Excel row 60
    sheet["E75"] = 102  # row 75 now names the flat of row 76
    sheet["I100"] = 48.333  # three decimals
    path = tmp_path / "改过的名单.xlsx"
    workbook.save(path)

    result = parse_table(read_table(path))

    assert problems(result) == [(50, "tenant"), (60, "phone"), (76, "address"), (100, "area")]
    assert result.errors[2].message == "与第 75 行地址重复"
    assert len(result.records) == 92


def test_errors_in_the_sample_csv_carry_line_numbers(tmp_path: Path) -> None:
    lines = (samples_dir() / "roster-longmencun-gb18030.csv").read_bytes().split(b"\r\n")
    lines[9] = lines[9].replace(b",4,", b",\xcb\xc4,")  # line 10: size "四"
    path = tmp_path / "改过的名单.csv"
    path.write_bytes(b"\r\n".join(lines))

    result = parse_table(read_table(path))

    assert problems(result) == [(10, "size")]
    assert len(result.records) == 59


# --- files written by the test, with known mistakes ------------------------------------------

BAD_ROWS = [
    "龙门村住户名单（2026年11月）",  # 1: title above the header
    "户主,地址,手机,人口,面积,备注",  # 2
    "张三,尚文路133弄1号101室,13812345678,3,45.5,",  # 3
    "李四,尚文路133弄1号102室,1381234567,2,30,",  # 4: phone one digit short
    "王五,尚文路133弄1号201室,13912345678,2,四十,",  # 5: area not a number
    ",尚文路133弄1号202室,13912345679,1,20,",  # 6: no tenant
    "",  # 7
    "赵六,尚文路１３３弄１号１０１室,13912345670,1,20,",  # 8: row 3's flat, full-width digits
    "钱七,尚文路133弄1号301室,13912345671,1,45.125,说明，有逗号",  # 9: three decimals
    '孙八,尚文路133弄1号302室,63289575,4,50.5,"两行',  # 10: one Excel row over two lines
    '备注"',
    ",,,,,",  # 11
    "注：本表由居委会整理",  # 12
    "制表人：王芳，2026年11月",  # 13
]
BAD_ROW_ERRORS = [(4, "phone"), (5, "area"), (6, "tenant"), (8, "address"), (9, "area")]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_with_bad_rows(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = "\r\n".join(BAD_ROWS).replace(",", delimiter) + "\r\n"
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode(encoding))

    result = parse_table(read_table(path))

    assert problems(result) == BAD_ROW_ERRORS
    assert result.errors[3].message == "与第 3 行地址重复"
    assert "两位小数" in result.errors[4].message
    assert "不能为空" in result.errors[2].message
    assert [r.row for r in result.records] == [3, 10]
    assert result.records[1].phone == "021-63289575"
    assert result.records[1].notes == "两行\r\n备注"
    assert (result.skipped_blank, result.skipped_notes) == (2, 2)


def build_xlsx(path: Path) -> dict[str, int]:
    """A roster laid out like the 小西门 one; returns the Excel row of each case."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["小西门小区住户花名册"])
    sheet.merge_cells("A1:J1")
    sheet.append(
        [
            "序号",
            "路名",
            "弄",
            "号",
            "室",
            "承租人姓名",
            "联系电话",
            "家庭人口",
            "建筑面积(㎡)",
            "备注",
        ]
    )
    rows: dict[str, int] = {}

    def add(case: str, values: list[object]) -> None:
        sheet.append(values)
        rows[case] = sheet.max_row

    add("int phone", [1, "复兴东路", "1234", 1, 101, "陈桂兰", 13812345678, 4, 51.7, None])
    add("float phone", [2, "复兴东路", 1234, 1, 102.0, "尹伟民", 1.3812345679e10, 4.0, 41.3, ""])
    add("landline", [3, "复兴东路", "1234", 1, 201, "朱伟民", 63289575, 5, 39, "独居老人"])
    sheet.append([])
    add("bad phone", [4, "复兴东路", "1234", 2, 101, "杜根宝", 12345, 5, 43.2, None])
    add("bad size", [5, "复兴东路", "1234", 2, 102, "武根宝", 13912345678, 2.5, 36.3, None])
    add("duplicate", [6, "复兴东路", "1234弄", "1", "101室", "向小妹", None, 5, 53.6, None])
    add("serial only", [7])
    sheet.append([])
    add("total", ["合计", None, None, None, None, None, None, 20, 265.1])
    add("note", ["注：本表仅供自治家园工作使用，请勿外传。"])
    workbook.save(path)
    return rows


def test_xlsx_with_title_split_address_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    at = build_xlsx(path)

    result = parse_table(read_table(path))

    assert problems(result) == [
        (at["bad phone"], "phone"),
        (at["bad size"], "size"),
        (at["duplicate"], "address"),
    ]
    assert result.errors[2].message == f"与第 {at['int phone']} 行地址重复"
    assert [(r.row, r.address, r.phone) for r in result.records] == [
        (at["int phone"], "复兴东路 1234 弄 1 号 101 室", "13812345678"),
        (at["float phone"], "复兴东路 1234 弄 1 号 102 室", "13812345679"),
        (at["landline"], "复兴东路 1234 弄 1 号 201 室", "021-63289575"),
    ]
    assert [r.area_centi for r in result.records] == [5170, 4130, 3900]
    assert result.records[1].size == 4
    assert result.skipped_blank == 3  # two empty rows and the row with only a 序号
    assert result.skipped_notes == 2  # 合计 and 注


# --- header detection and mapping ------------------------------------------------------------


def test_every_field_has_aliases_and_a_choice() -> None:
    fields = {"tenant", "address", "phone", "size", "area", "notes"}
    parts = {"road", "lane", "number", "room"}
    assert set(HEADER_ALIASES) == fields | parts
    assert {code for code, _ in FIELD_CHOICES} == fields | parts
    assert FIELD_CHOICES[0] == ("tenant", "承租人")
    assert all(label for _, label in FIELD_CHOICES)


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for code, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            key = roster_module.normalize_header(alias)
            assert seen.setdefault(key, code) == code, alias


def test_guess_mapping_on_the_xiaoximen_header() -> None:
    header = [
        "序号",
        "路名",
        "弄",
        "号",
        "室",
        "承租人姓名",
        "联系电话",
        "家庭人口",
        "建筑面积(㎡)",
        "备注",
    ]
    assert guess_mapping(header) == {
        "road": 1,
        "lane": 2,
        "number": 3,
        "room": 4,
        "tenant": 5,
        "phone": 6,
        "size": 7,
        "area": 8,
        "notes": 9,
    }


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["户主", "地址", "手机", "人口", "面积", "备注"], CSV_MAPPING),
        (["Name", "Address", "Mobile", "Persons", "Area", "Remark"], CSV_MAPPING),
        (
            ["姓名", "住址", "电话", "手机", "序号", "身份证号"],
            {"tenant": 0, "address": 1, "phone": 2},
        ),
        (
            ["承租人（户主）", "门牌地址", "面积/平方米", "户主/承租人"],
            {"tenant": 0, "address": 1, "area": 2},
        ),
        (
            [None, 12, "面积㎡", "人数(人)", "*姓名", "No."],
            {"area": 2, "size": 3, "tenant": 4, "number": 5},
        ),
    ],
)
def test_guess_mapping_cases(header: list[object], expected: dict[str, int]) -> None:
    assert guess_mapping(header) == expected


def decorate(draw: st.DrawFn, alias: str) -> str:
    """The header as people type it: stray spaces, any case, full-width letters, a remark."""
    chars = []
    for char in alias:
        if char.isascii() and draw(st.booleans()):
            char = char.swapcase()
        if char.isascii() and char.isalpha() and draw(st.booleans()):
            char = chr(ord(char) + 0xFEE0)  # full-width form
        chars.append(char + draw(st.sampled_from(["", "", " ", "\u3000", "\t"])))
    text = draw(st.sampled_from(["", " ", "\u3000"])) + "".join(chars)
    remark = draw(
        st.sampled_from(["", "(㎡)", "（平方米）", "（人）", "[必填]", "【选填】", " (m²)"])
    )
    return text + remark + draw(st.sampled_from(["", " ", "："]))


@st.composite
def decorated_alias(draw: st.DrawFn) -> tuple[str, str]:
    code = draw(st.sampled_from(sorted(HEADER_ALIASES)))
    alias = draw(st.sampled_from(HEADER_ALIASES[code]))
    return code, decorate(draw, alias)


@given(decorated_alias())
def test_header_matching_ignores_spacing_case_brackets_and_units(case: tuple[str, str]) -> None:
    code, text = case
    assert guess_mapping(["序号", text]) == {code: 1}


@given(st.text(alphabet="序编码身份证日期楼层栋单元类型abcxyz ()", max_size=8))
def test_unknown_headers_are_ignored(text: str) -> None:
    assert guess_mapping([text]) == {}


def test_find_header_skips_title_rows() -> None:
    rows: list[list[object]] = [
        ["小西门小区（自治家园）住户花名册", None, None],
        [None, None, None],
        ["制表日期：2026年11月", None, None],
        ["户主", "地址", "电话"],
        ["张三", "复兴东路1号", "13812345678"],
    ]
    assert find_header(rows) == 3


def test_find_header_accepts_road_and_number_instead_of_address() -> None:
    assert find_header([["姓名", "路名", "号"]]) == 0
    assert find_header([["姓名", "路名", "室"]]) is None  # no 号: not enough for an address
    assert find_header([["地址", "电话"]]) is None  # no tenant


def test_find_header_looks_at_the_first_20_rows_only() -> None:
    padding: list[list[object]] = [["标题"]] * 20
    assert find_header([*padding[:19], ["户主", "地址"]]) == 19
    assert find_header([*padding, ["户主", "地址"]]) is None
    assert find_header([]) is None


# --- row rules -------------------------------------------------------------------------------


def rows_of(*values: list[object], start: int = 2) -> list[tuple[int, list[object]]]:
    return [(start + offset, list(cells)) for offset, cells in enumerate(values)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (1.38e10, "13800000000"),
        (63289575, "021-63289575"),
        (63289575.0, "021-63289575"),
        (2163289575, "021-63289575"),  # 021 typed as a number lost its zero
        ("021-6328 9575", "021-63289575"),
        ("１３８１２３４５６７８", "13812345678"),
        (None, None),
        ("", None),
    ],
)
def test_phone_cells_as_spreadsheets_store_them(value: object, expected: str | None) -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", value]), {"tenant": 0, "address": 1, "phone": 2}
    )
    assert result.errors == []
    assert result.records[0].phone == expected


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from([int, float, str]))
def test_any_mobile_number_survives_numeric_cells(mobile: str, kind: type) -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", kind(mobile)]), {"tenant": 0, "address": 1, "phone": 2}
    )
    assert [r.phone for r in result.records] == [mobile]


def test_phone_in_scientific_notation_is_explained() -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", "1.38123E+10"]), {"tenant": 0, "address": 1, "phone": 2}
    )
    assert problems(result) == [(2, "phone")]
    assert "科学计数法" in result.errors[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(45.5, 4550), (51.7, 5170), (48, 4800), ("45.25", 4525), ("45.5平方米", 4550), (None, None)],
)
def test_area_cells(value: object, expected: int | None) -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", value]), {"tenant": 0, "address": 1, "area": 2}
    )
    assert result.errors == []
    assert result.records[0].area_centi == expected


def test_every_problem_of_a_row_is_reported() -> None:
    result = parse_rows(
        rows_of([None, None, "123", "很多", "-3", "x" * 501]),
        CSV_MAPPING,
    )
    assert problems(result) == [
        (2, "tenant"),
        (2, "address"),
        (2, "phone"),
        (2, "size"),
        (2, "area"),
        (2, "notes"),
    ]
    assert result.records == []
    assert str(result.errors[0]).startswith("第 2 行 承租人：")


def test_split_address_is_used_when_the_address_cell_is_empty() -> None:
    mapping = {"tenant": 0, "address": 1, "road": 2, "lane": 3, "number": 4, "room": 5}
    result = parse_rows(
        rows_of(
            ["张三", "复兴东路 12 弄 3 号 201 室", "别的路", 9, 9, 9],
            ["李四", None, "复兴东路", 12, 3, 202],
            ["王五", "", "复兴东路", "12弄", "3号", "201室"],  # same flat as 张三
        ),
        mapping,
    )
    assert [r.address for r in result.records] == [
        "复兴东路 12 弄 3 号 201 室",
        "复兴东路 12 弄 3 号 202 室",
    ]
    assert result.errors == [RowError(4, "address", "与第 2 行地址重复")]


def test_duplicate_names_the_first_row_each_time() -> None:
    result = parse_rows(
        rows_of(
            ["张三", "复兴东路12弄3号201室"],
            ["李四", "复兴东路 12 弄 3 号 201 室"],
            ["王五", "复兴东路１２弄３号２０１室"],
        ),
        {"tenant": 0, "address": 1},
    )
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "与第 2 行地址重复"),
        (4, "与第 2 行地址重复"),
    ]


def test_duplicate_of_a_row_with_other_errors_still_names_it() -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", "bad"], ["李四", "复兴东路1号", None]),
        {"tenant": 0, "address": 1, "phone": 2},
    )
    assert problems(result) == [(2, "phone"), (3, "address")]
    assert result.records == []


@pytest.mark.parametrize(
    "note",
    [
        ["注：本表仅供自治家园工作使用"],
        [None, "备注：空置户未列入"],
        ["说明：面积为建筑面积"],
        ["制表：居委会", None, None],
        ["合计", None, None, 96, 3950.5],
        ["注意：请核对"],
    ],
)
def test_note_rows_are_skipped_anywhere(note: list[object]) -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号"], note, ["李四", "复兴东路2号"]), {"tenant": 0, "address": 1}
    )
    assert result.errors == []
    assert [r.tenant for r in result.records] == ["张三", "李四"]
    assert result.skipped_notes == 1


def test_tenantless_single_text_after_the_last_household_is_a_note() -> None:
    mapping = {"tenant": 0, "address": 1, "notes": 2}
    result = parse_rows(
        rows_of(
            ["张三", "复兴东路1号", None],
            [None, None, None],
            [None, "2026年11月", None],
            [None, None, "居委会"],
        ),
        mapping,
    )
    assert result.errors == []
    assert (len(result.records), result.skipped_blank, result.skipped_notes) == (1, 1, 2)


def test_tenantless_row_before_the_last_household_is_an_error() -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号"], [None, "复兴东路2号"], ["李四", "复兴东路3号"]),
        {"tenant": 0, "address": 1},
    )
    assert problems(result) == [(3, "tenant")]


def test_household_at_the_end_without_tenant_is_an_error_not_a_note() -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号", "13812345678"], [None, "复兴东路2号", "13812345679"]),
        {"tenant": 0, "address": 1, "phone": 2},
    )
    assert problems(result) == [(3, "tenant")]


def test_a_repeated_header_is_not_a_household() -> None:
    result = parse_rows(
        rows_of(["张三", "复兴东路1号"], ["户主", "地址"], ["李四", "复兴东路2号"]),
        {"tenant": 0, "address": 1},
    )
    assert result.errors == []
    assert len(result.records) == 2


def test_rows_with_only_unmapped_cells_are_blank() -> None:
    result = parse_rows(
        rows_of([7, None, None], [None, " ", "\u3000"]), {"tenant": 1, "address": 2}
    )
    assert (result.records, result.errors, result.skipped_blank) == ([], [], 2)


def test_short_rows_and_missing_columns_are_blank_cells() -> None:
    result = parse_rows(rows_of(["张三"]), {"tenant": 0, "address": 5})
    assert problems(result) == [(2, "address")]


cell_value = st.one_of(
    st.none(),
    st.integers(min_value=-10, max_value=10**11),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="注合计张三复兴东路弄号室0123456789.：， ", max_size=8),
)


@given(st.lists(st.lists(cell_value, max_size=7), max_size=12))
def test_every_row_is_accounted_for(grid: list[list[object]]) -> None:
    rows = rows_of(*grid)
    result = parse_rows(rows, CSV_MAPPING)
    error_rows = {error.row for error in result.errors}
    record_rows = {record.row for record in result.records}
    assert not error_rows & record_rows
    assert len(error_rows) + len(record_rows) + result.skipped_blank + result.skipped_notes == len(
        rows
    )


def test_domain_module_stays_pure() -> None:
    tree = ast.parse(Path(roster_module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    allowed = {"__future__", "re", "collections.abc", "dataclasses", "typing"}
    assert {name for name in imported if not name.startswith("xmen_desktop.domain")} <= allowed
