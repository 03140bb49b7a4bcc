"""Turn the rows of a roster spreadsheet into households, or into problems to fix.

Rosters come from many hands: a title row above the header, addresses split over 路名/弄/号/室,
blank rows between doorways, a note at the bottom, phones and areas that Excel turned into
numbers. This module finds the header, maps its columns to fields and checks every row,
reporting each problem with the row number the user sees in Excel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from xmen_desktop.domain import address as address_rules
from xmen_desktop.domain.validation import (
    FIELD_LABELS,
    FieldError,
    area_centi,
    household_size,
    notes,
    phone,
    required_name,
    to_halfwidth,
)

# Target field -> header texts that name it. Compared after ``normalize_header``.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "tenant": ("承租人", "承租人姓名", "户主", "户主姓名", "姓名", "tenant", "name"),
    "address": ("地址", "住址", "门牌地址", "家庭住址", "address"),
    "phone": (
        "电话",
        "联系电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "phone",
        "mobile",
        "tel",
    ),
    "size": ("人数", "人口", "家庭人口", "户人口", "size", "persons"),
    "area": ("面积", "建筑面积", "居住面积", "area"),
    "notes": ("备注", "说明", "notes", "remark"),
    # Parts of an address split over several columns.
    "road": ("路名", "路", "街道", "road", "street"),
    "lane": ("弄", "弄号", "lane"),
    "number": ("号", "门牌号", "门牌", "number", "no"),
    "room": ("室", "室号", "房号", "room"),
}

ADDRESS_PARTS: tuple[str, ...] = ("road", "lane", "number", "room")

# For a column-mapping UI, in the order the choices are offered.
FIELD_CHOICES: list[tuple[str, str]] = [
    ("tenant", "承租人"),
    ("address", "地址（整列）"),
    ("road", "路名"),
    ("lane", "弄"),
    ("number", "号"),
    ("room", "室"),
    ("phone", "电话"),
    ("size", "人数"),
    ("area", "面积（平方米）"),
    ("notes", "备注"),
]

_T = TypeVar("_T")

HEADER_SEARCH_ROWS = 20  # a header further down than this is not a header

# Rows such as "注：本表仅供…", "制表人：…", "合计 96 户" that close a roster.
_NOTE_PREFIXES = ("注", "备注", "说明", "制表", "合计")

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|《[^《》]*》")
_BRACKET_CHARS = re.compile(r"[()\[\]【】〔〕<>《》]")
_DECORATION = re.compile(r"[\s*:.#]")
# NFKC has already turned ㎡ and m² into "m2".
_UNIT_SUFFIX = re.compile(r"(平方米|平米|m2|sqm)$")
_ALTERNATIVES = re.compile(r"[/、|\\]")
# "1.38123E+10": Excel showed a phone in scientific notation and the CSV kept only that.
_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d+)?e[+-]?\d+", re.IGNORECASE)


def normalize_header(text: object) -> str:
    """Header text as compared with the aliases: half-width, lower case, no spaces,
    no bracketed remarks such as "(㎡)" or "（人）", no trailing unit."""
    if text is None:
        return ""
    flat = to_halfwidth(str(text)).casefold()
    flat = _DECORATION.sub("", flat)
    flat = _BRACKETED.sub("", flat)
    flat = _BRACKET_CHARS.sub("", flat)
    return _UNIT_SUFFIX.sub("", flat)


_ALIAS_FIELD: dict[str, str] = {
    normalize_header(alias): code for code, aliases in HEADER_ALIASES.items() for alias in aliases
}


def header_field(text: object) -> str | None:
    """The field a header cell names, or None (序号 and unknown columns)."""
    if not isinstance(text, str):
        return None
    whole = normalize_header(text)
    if whole in _ALIAS_FIELD:
        return _ALIAS_FIELD[whole]
    # "户主/承租人", "面积/平方米": any named alternative will do.
    for part in _ALTERNATIVES.split(to_halfwidth(text)):
        code = _ALIAS_FIELD.get(normalize_header(part))
        if code:
            return code
    return None


def guess_mapping(header_cells: Sequence[object]) -> dict[str, int]:
    """Field -> column index; when two columns name one field the leftmost wins."""
    mapping: dict[str, int] = {}
    for index, text in enumerate(header_cells):
        code = header_field(text)
        if code and code not in mapping:
            mapping[code] = index
    return mapping


def is_usable_mapping(mapping: dict[str, int]) -> bool:
    """A tenant column and a whole address column, or at least road and number columns."""
    has_address = "address" in mapping or ("road" in mapping and "number" in mapping)
    return "tenant" in mapping and has_address


def find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the header row among the first rows, skipping title rows above it."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_usable_mapping(guess_mapping(cells)):
            return index
    return None


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number, as shown in Excel
    field: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 {FIELD_LABELS.get(self.field, self.field)}：{self.message}"


@dataclass(frozen=True)
class RosterRecord:
    row: int
    tenant: str
    address: str
    phone: str | None
    size: int | None
    area_centi: int | None
    notes: str


@dataclass
class RosterParse:
    records: list[RosterRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_blank: int = 0
    skipped_notes: int = 0


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(cells: Sequence[object], mapping: dict[str, int], code: str) -> object:
    index = mapping.get(code)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _filled(cells: Sequence[object]) -> list[object]:
    return [value for value in cells if not _is_blank(value)]


def _is_note_row(cells: Sequence[object]) -> bool:
    """The first non-empty cell is text starting with 注/备注/说明/制表/合计 and no other cell
    holds text (a totals row may hold numbers)."""
    filled = _filled(cells)
    if not filled or not isinstance(filled[0], str):
        return False
    if not to_halfwidth(filled[0]).strip().startswith(_NOTE_PREFIXES):
        return False
    return not any(isinstance(value, str) for value in filled[1:])


def _is_trailing_note(cells: Sequence[object], mapping: dict[str, int]) -> bool:
    """After the last household: one text cell and no tenant, e.g. a date or a signature."""
    filled = _filled(cells)
    return (
        len(filled) == 1
        and isinstance(filled[0], str)
        and _is_blank(_cell(cells, mapping, "tenant"))
    )


def _is_header_again(cells: Sequence[object]) -> bool:
    # Rosters laid out for printing repeat the header on every page; it is not a household.
    return is_usable_mapping(guess_mapping(cells))


def _mapped_blank(cells: Sequence[object], mapping: dict[str, int]) -> bool:
    return all(_is_blank(_cell(cells, mapping, code)) for code in mapping)


def _phone_text(value: object) -> object:
    """Undo what spreadsheets do to phone numbers stored as numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1.3812345678e10 holds every digit of 13812345678
    if isinstance(value, int):
        digits = str(value)
        # 02163281234 typed as a number loses its leading zero.
        if len(digits) == 10 and digits.startswith("21"):
            return f"0{digits}"
        return digits
    if isinstance(value, str) and _SCIENTIFIC.fullmatch(to_halfwidth(value).strip()):
        raise FieldError(
            "phone",
            "号码被 Excel 显示成了科学计数法（如 1.38E+10），后几位已丢失。"
            "请把这一列设为“文本”格式，重新填写号码后再导入",
        )
    return value


def _phone(value: object) -> str | None:
    return phone(_phone_text(value))


def _checked(
    rule: Callable[[Any], _T], value: object, row: int, errors: list[RowError]
) -> _T | None:
    """Apply one field rule; a refusal becomes a RowError and the row goes on being checked."""
    try:
        return rule(value)
    except FieldError as exc:
        errors.append(RowError(row, exc.field, exc.message))
        return None


def _row_address(cells: Sequence[object], mapping: dict[str, int]) -> str:
    whole = _cell(cells, mapping, "address")
    if not _is_blank(whole):
        return address_rules.required(whole)
    if any(code in mapping for code in ADDRESS_PARTS):
        parts = [_cell(cells, mapping, code) for code in ADDRESS_PARTS]
        return address_rules.required(address_rules.join(*["" if p is None else p for p in parts]))
    return address_rules.required("")


def parse_rows(rows: Sequence[tuple[int, list[object]]], mapping: dict[str, int]) -> RosterParse:
    """Check the rows below the header; ``rows`` pairs each spreadsheet row number with cells.

    Every problem is reported, not only the first of a row; only rows without any problem
    become records.
    """
    result = RosterParse()

    # Rows after the last household may be footers ("制表：…", a date) rather than households.
    last_data = -1
    for position in range(len(rows) - 1, -1, -1):
        cells = rows[position][1]
        if (
            not _filled(cells)
            or _is_note_row(cells)
            or _is_trailing_note(cells, mapping)
            or _is_header_again(cells)
            or _mapped_blank(cells, mapping)
        ):
            continue
        last_data = position
        break

    first_row_of: dict[str, int] = {}
    for position, (number, cells) in enumerate(rows):
        if not _filled(cells):
            result.skipped_blank += 1
            continue
        if (
            _is_note_row(cells)
            or (position > last_data and _is_trailing_note(cells, mapping))
            or _is_header_again(cells)
        ):
            result.skipped_notes += 1
            continue
        if _mapped_blank(cells, mapping):
            # Only unmapped columns such as 序号 are filled: nothing to import.
            result.skipped_blank += 1
            continue

        errors: list[RowError] = []
        tenant = _checked(required_name, _cell(cells, mapping, "tenant"), number, errors)
        where = _checked(lambda row: _row_address(row, mapping), cells, number, errors)
        phone_value = _checked(_phone, _cell(cells, mapping, "phone"), number, errors)
        size = _checked(household_size, _cell(cells, mapping, "size"), number, errors)
        area = _checked(area_centi, _cell(cells, mapping, "area"), number, errors)
        remark = _checked(notes, _cell(cells, mapping, "notes"), number, errors)

        if where is not None:
            flat = address_rules.key(where)
            if flat in first_row_of:
                errors.append(RowError(number, "address", f"与第 {first_row_of[flat]} 行地址重复"))
            else:
                first_row_of[flat] = number

        if errors:
            result.errors.extend(errors)
            continue
        assert tenant is not None and where is not None and remark is not None
        result.records.append(
            RosterRecord(
                row=number,
                tenant=tenant,
                address=where,
                phone=phone_value,
                size=size,
                area_centi=area,
                notes=remark,
            )
        )
    return result
