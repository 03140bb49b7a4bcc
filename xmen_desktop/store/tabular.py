"""Read and write the rosters that neighbourhood offices keep in Excel or CSV.

Reading gives plain cell values with the row numbers the user sees in Excel, so that every
problem can be reported as "第 N 行"; what the columns mean is decided in ``domain.roster``.
Writing goes through a temporary file in the same folder, so a failure never leaves a
half-written roster behind.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import secrets
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt")
WRITE_SUFFIXES = (".xlsx", ".csv")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_DELIMITERS = (",", "\t", ";")  # in order of preference when equally plausible
_SNIFF_RECORDS = 200
# Some systems export ="0123" so that Excel keeps leading zeros; the value is what is inside.
_EXCEL_TEXT_WRAPPER = re.compile(r'^="(.*)"$', re.DOTALL)

_OPEN_AS_XLSX_HINT = "请确认是 Excel (.xlsx) 或 CSV 文件"


class TableReadError(Exception):
    """The file cannot be read as a table; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TableWriteError(Exception):
    """The table could not be saved; ``message`` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class TableRow:
    number: int  # 1-based row number as shown by Excel
    cells: list[object]  # str, int, float, date/datetime or None for a blank cell


@dataclass
class Table:
    rows: list[TableRow]

    @property
    def width(self) -> int:
        return max((len(row.cells) for row in self.rows), default=0)


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(path: Path) -> Table:
    """Read the first worksheet of an .xlsx or a whole .csv/.txt file.

    Every row up to the last non-blank one is returned, blank ones included, padded to the same
    width. Raises ``TableReadError`` with a message for the user when that is not possible.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    name = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise TableReadError(f"找不到文件“{name}”，它可能已被移动或删除，请重新选择。") from None
    except IsADirectoryError:
        raise TableReadError(f"“{name}”是一个文件夹，请选择其中的表格文件。") from None
    except PermissionError:
        raise TableReadError(_locked_message(name)) from None
    except OSError as exc:
        raise TableReadError(f"无法读取文件“{name}”（{exc.strerror or exc}）。") from None

    # The content decides before the name does: an .xlsx renamed to .xls or .csv is still read.
    if head.startswith(_ZIP_MAGIC) and suffix in (*EXCEL_SUFFIXES, ".xls", *TEXT_SUFFIXES):
        rows = _read_xlsx(path)
    elif head.startswith(_OLE_MAGIC) and suffix in (*EXCEL_SUFFIXES, ".xls"):
        raise TableReadError(_ole_message(path))
    elif suffix == ".xls":
        raise TableReadError(_old_excel_message(name))
    elif suffix in EXCEL_SUFFIXES:
        # Not a zip at all: an .xlsx must be one.
        raise TableReadError(
            f"无法读取文件“{name}”：文件已损坏或不是真正的 Excel 文件。"
            f"{_OPEN_AS_XLSX_HINT}，可以先在 Excel 中打开并重新保存一次。"
        )
    elif suffix in TEXT_SUFFIXES:
        rows = _read_text(path)
    else:
        shown = suffix or "（无扩展名）"
        raise TableReadError(
            f"无法读取文件“{name}”：不支持 {shown} 格式。{_OPEN_AS_XLSX_HINT}，"
            "其他格式请先在 Excel 或 WPS 中另存为 .xlsx。"
        )
    table = _tidy(rows)
    if not table.rows:
        raise TableReadError(f"文件“{name}”里没有任何内容，请确认选对了文件。")
    return table


def _locked_message(name: str) -> str:
    return f"无法打开文件“{name}”：没有读取权限，或者它正在 Excel 中打开。请先关闭它再试。"


def _old_excel_message(name: str) -> str:
    return (
        f"“{name}”是旧版 Excel 格式（.xls），本程序不能直接读取。"
        "请在 Excel 中打开它，点“文件 → 另存为”，保存类型选“Excel 工作簿 (*.xlsx)”，"
        "然后导入新保存的 .xlsx 文件。"
    )


def _ole_message(path: Path) -> str:
    # Password-protected .xlsx files are wrapped in the same container as old .xls files.
    try:
        encrypted = _ENCRYPTED_MARK in path.read_bytes()
    except OSError:
        encrypted = False
    if encrypted:
        return (
            f"“{path.name}”设置了打开密码，本程序无法读取。"
            "请在 Excel 中打开它，取消密码后另存为 .xlsx，再导入。"
        )
    return _old_excel_message(path.name)


@contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    # openpyxl warns about features it drops (data validation, default styles); users
    # cannot act on those and the cell values are unaffected.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        yield


def _read_xlsx(path: Path) -> list[list[object]]:
    import openpyxl  # imported here: only Excel files need it and it is slow to load

    name = path.name
    try:
        # A file object, not the name: openpyxl refuses names not ending in .xlsx/.xlsm,
        # and an .xlsx saved under another name is still an .xlsx.
        with _quiet_openpyxl(), path.open("rb") as handle:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                sheets = workbook.worksheets
                if not sheets:
                    raise TableReadError(f"文件“{name}”里没有工作表，请确认选对了文件。")
                # The first sheet the user can see; templates sometimes hide a sheet in front.
                visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
                sheet = (visible or sheets)[0]
                # Some programs write a wrong size record; reading every stored row is safer.
                if hasattr(sheet, "reset_dimensions"):
                    sheet.reset_dimensions()
                return [list(values) for values in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except TableReadError:
        raise
    except PermissionError:
        raise TableReadError(_locked_message(name)) from None
    except Exception:
        # openpyxl reports damaged files with many unrelated exception types (zip, XML, key
        # and value errors); for the user they all mean the same thing.
        raise TableReadError(
            f"无法读取文件“{name}”：文件已损坏或不是 Excel 表格。"
            f"{_OPEN_AS_XLSX_HINT}，可以先在 Excel 中打开并重新保存一次。"
        ) from None


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode 文本"), else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        if b"\x00" in data:
            raise TableReadError(f"无法读取文件“{name}”：它不是文本表格。{_OPEN_AS_XLSX_HINT}。")
        # GB18030 is a superset of GBK and GB2312, which older Chinese Excel uses for CSV.
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableReadError(
        f"无法识别文件“{name}”的文字编码。请在 Excel 中打开它，"
        "另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再导入。"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which the most cells line up in records of one width (> 1).

    Counting cells rather than records keeps a stray tab or semicolon inside the text from
    winning over the real delimiter. The full-width comma "，" is ordinary text in Chinese
    notes, never a delimiter.
    """
    best, best_score = _DELIMITERS[0], 0
    for delimiter in _DELIMITERS:
        counts: Counter[int] = Counter()
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for index, record in enumerate(reader):
                if index >= _SNIFF_RECORDS:
                    break
                if any(field.strip() for field in record):
                    counts[len(record)] += 1
        except csv.Error:
            continue
        if not counts:
            continue
        width, records = counts.most_common(1)[0]
        score = width * records if width > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text_cell(field: str) -> object:
    if not field.strip():
        return None
    wrapped = _EXCEL_TEXT_WRAPPER.match(field)
    return wrapped.group(1) if wrapped else field


def _read_text(path: Path) -> list[list[object]]:
    name = path.name
    try:
        data = path.read_bytes()
    except PermissionError:
        raise TableReadError(_locked_message(name)) from None
    except OSError as exc:
        raise TableReadError(f"无法读取文件“{name}”（{exc.strerror or exc}）。") from None
    text = _decode(data, name)
    # Excel writes and honours a first line "sep=;" and then does not show it as a row.
    first_line, _, rest = text.partition("\n")
    hint = re.fullmatch(r"sep=(.)\r?", first_line)
    if hint:
        text, delimiter = rest, hint.group(1)
    else:
        delimiter = _sniff_delimiter(text)
    try:
        # One record is one Excel row, even when a quoted cell spans several lines.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[_text_cell(field) for field in record] for record in reader]
    except csv.Error:
        raise TableReadError(
            f"无法读取文件“{name}”：内容不是规整的表格（引号或分隔符有误）。"
            "请在 Excel 中打开它，另存为 .xlsx 后再导入。"
        ) from None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _tidy(rows: list[list[object]]) -> Table:
    """Number the rows, drop trailing blank rows and pad every row to one width."""
    last = len(rows)
    while last and all(_is_blank(value) for value in rows[last - 1]):
        last -= 1
    rows = rows[:last]
    width = 0
    for values in rows:
        used = len(values)
        while used and _is_blank(values[used - 1]):
            used -= 1
        width = max(width, used)
    table_rows = []
    for number, values in enumerate(rows, start=1):
        cells = [None if _is_blank(value) else value for value in values[:width]]
        cells.extend([None] * (width - len(cells)))
        table_rows.append(TableRow(number, cells))
    return Table(table_rows)


# ---------------------------------------------------------------------------------------------
# Writing

_NATIVE_XLSX_TYPES = (str, int, float, Decimal, datetime, date, time, timedelta)
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows only: no newline translation


def write_table(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write ``header`` and ``rows`` to an .xlsx or a .csv (UTF-8 with BOM), by extension.

    Text stays text: phone numbers and addresses are never turned into numbers or formulas.
    Raises ``TableWriteError`` with a message for the user; the target file is then untouched.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise TableWriteError(f"无法保存为 {suffix or '无扩展名的文件'}：请选择 .xlsx 或 .csv。")
    if suffix == ".xlsx":
        _atomic_write(path, lambda handle: _write_xlsx(handle, header, rows))
    else:
        _atomic_write(path, lambda handle: _write_csv(handle, header, rows))


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new hidden file next to ``path``, so that ``os.replace`` never crosses a drive."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
    while True:
        candidate = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            # Mode 0o666 lets the umask decide the permissions, as for any new file
            # (mkstemp would make a private 0o600 file).
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:  # pragma: no cover - 32 random bits rarely collide
            continue


def _atomic_write(path: Path, fill: Callable[[IO[bytes]], None]) -> None:
    temp: Path | None = None
    try:
        fd, temp = _create_temp(path)
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        temp = None
    except PermissionError:
        raise TableWriteError(
            f"无法保存“{path.name}”：没有写入权限，或者它正在 Excel 中打开。请先关闭它再试。"
        ) from None
    except OSError as exc:
        raise TableWriteError(
            f"无法保存“{path.name}”（{exc.strerror or exc}）。请检查磁盘空间或换一个文件夹。"
        ) from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _write_csv(handle: IO[bytes], header: list[str], rows: list[list[object]]) -> None:
    # The BOM makes Excel open the file as UTF-8 instead of the system's GBK.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)  # comma and CRLF, as Excel expects
        writer.writerow(["" if value is None else value for value in header])
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
        text.flush()
    finally:
        text.detach()  # leave closing the file to the caller


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    # A Chinese character takes two columns; a multi-line cell is as wide as its longest line.
    return max(
        (
            sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
            for line in str(value).splitlines()
        ),
        default=0,
    )


def _write_xlsx(handle: IO[bytes], header: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    bold = Font(bold=True)
    widths: dict[int, int] = {}

    def put(row_number: int, column: int, value: object) -> None:
        if value is not None and not isinstance(value, _NATIVE_XLSX_TYPES):
            value = str(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters break the file
        cell = sheet.cell(row=row_number, column=column, value=value)
        if isinstance(value, str):
            # Text stays text: "=…" is not a formula, and "@" keeps 021 and 138… as typed
            # when the user edits the cell later in Excel.
            cell.data_type = "s"
            cell.number_format = "@"
        widths[column] = max(widths.get(column, 0), _display_width(value))

    for column, title in enumerate(header, start=1):
        put(1, column, title)
        sheet.cell(row=1, column=column).font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            put(row_number, column, value)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"  # keep the header in view while scrolling
    workbook.save(handle)
