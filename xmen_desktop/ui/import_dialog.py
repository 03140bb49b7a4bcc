"""Bring an office's roster spreadsheet into an estate, and write the roster back out.

Import is a three-step dialog: choose the file, check which column holds what, then look at
what will be imported and what is wrong before anything is written. Reading the file and
checking the rows happen on the worker (``read_roster``/``replan_roster`` below); the import
itself is one transaction on the worker, with a progress dialog that can cancel it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDir,
    QModelIndex,
    QPersistentModelIndex,
    QStandardPaths,
    QStringListModel,
    Qt,
)
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain import address as address_rules
from xmen_desktop.domain.roster import ADDRESS_PARTS, FIELD_CHOICES
from xmen_desktop.domain.validation import FIELD_LABELS, area_text
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    alive,
    big_button,
    error_label,
    heading,
    hint,
    set_column_widths,
    setup_table,
    show_message,
)
from xmen_desktop.ui.worker import Cancelled

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.roster_import import ImportPlan
    from xmen_desktop.store.tabular import Table
    from xmen_desktop.ui.worker import Job

OK_COLOUR = "#1e6b2f"
PREVIEW_ROWS = 5
# Show the progress dialog only for work that takes longer than this (ms): no flicker.
PROGRESS_DELAY_MS = 600
HOUSEHOLD_TABLE = "household"
# Column widths in Chinese characters: 行号 承租人 地址 电话 人数 面积 备注 (问题 takes the rest).
SAMPLE_WIDTHS = {0: 3, 1: 4, 2: 14, 3: 9, 4: 3, 5: 5, 6: 5}
RECORD_WIDTHS = {0: 3, 1: 5, 2: 15, 3: 10, 4: 3, 5: 5}

# Where the file dialogs open: the last folder used in this run, else the user's documents.
_last_folder: str | None = None


# =============================================================================================
# Worker side: plain functions of a session, no widgets.


@dataclass(frozen=True)
class PreviewRow:
    """One spreadsheet row as the chosen columns read it."""

    row: int
    tenant: str
    address: str
    phone: str
    size: str
    area: str
    notes: str
    problem: str  # every problem of the row in full; empty when the row imports cleanly
    problem_fields: tuple[str, ...] = ()  # the names of the fields with a problem


@dataclass(frozen=True)
class Reading:
    """A file read and checked against the estate's roster; handed back to the dialog."""

    path: Path
    table: Table
    header_at: int  # index into table.rows
    plan: ImportPlan
    preview: list[PreviewRow]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def preview_rows(table: Table, plan: ImportPlan, limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first data rows under the header: checked values, or the raw cells and the problem."""
    records = {record.row: record for record in plan.records}
    problems: dict[int, list[str]] = {}
    fields: dict[int, list[str]] = {}
    for problem in plan.problems:
        label = FIELD_LABELS.get(problem.field, problem.field)
        problems.setdefault(problem.row, []).append(f"{label}：{problem.message}")
        if label not in fields.setdefault(problem.row, []):
            fields[problem.row].append(label)
    cells_of = {row.number: row.cells for row in table.rows}
    mapping = plan.mapping

    def raw(cells: list[object], code: str) -> object:
        index = mapping.get(code)
        return cells[index] if index is not None and index < len(cells) else None

    shown = []
    for number in sorted(set(records) | set(problems))[:limit]:
        problem = "；".join(problems.get(number, ()))
        record = records.get(number)
        if record is not None:
            shown.append(
                PreviewRow(
                    number,
                    record.tenant,
                    record.address,
                    record.phone or "",
                    "" if record.size is None else str(record.size),
                    area_text(record.area_centi),
                    record.notes,
                    problem,
                    tuple(fields.get(number, ())),
                )
            )
            continue
        cells = cells_of.get(number, [])
        address = _text(raw(cells, "address"))
        if not address:
            address = address_rules.join(*(_text(raw(cells, part)) for part in ADDRESS_PARTS))
        address = address_rules.canonical(address)
        shown.append(
            PreviewRow(
                number,
                _text(raw(cells, "tenant")),
                address,
                _text(raw(cells, "phone")),
                _text(raw(cells, "size")),
                _text(raw(cells, "area")),
                _text(raw(cells, "notes")),
                problem,
                tuple(fields.get(number, ())),
            )
        )
    return shown


def read_roster(
    estate_id: str,
    path: Path,
    keep: tuple[list[str], dict[str, int]] | None = None,
) -> Callable[[Session], Reading]:
    """Read the file, find its header and check every row.

    ``keep`` is (header cells, mapping) from an earlier reading of the same file: when the
    header is unchanged, the columns the user chose are kept.
    """

    def run(session: Session) -> Reading:
        from xmen_desktop.store import roster_import

        table = roster_import.load_table(path)
        header_at = roster_import.header_index(table)
        mapping = None
        if keep is not None:
            cells = ["" if c is None else str(c).strip() for c in table.rows[header_at].cells]
            if cells == keep[0]:
                mapping = keep[1]
        plan = roster_import.plan_from_table(
            session, estate_id, table, header_at=header_at, mapping=mapping
        )
        return Reading(path, table, header_at, plan, preview_rows(table, plan))

    return run


def replan_roster(
    estate_id: str, reading: Reading, mapping: dict[str, int]
) -> Callable[[Session], Reading]:
    """Check the same rows again with other columns chosen."""

    def run(session: Session) -> Reading:
        from xmen_desktop.store import roster_import

        plan = roster_import.plan_from_table(
            session, estate_id, reading.table, header_at=reading.header_at, mapping=mapping
        )
        return replace(reading, plan=plan, preview=preview_rows(reading.table, plan))

    return run


def apply_roster(
    estate_id: str, plan: ImportPlan, stop: threading.Event
) -> Callable[[Session, Job], int]:
    """Write the plan's correct rows in one transaction; ``stop`` or a cancelled job undoes it."""

    def run(session: Session, job: Job) -> int:
        from xmen_desktop.store import roster_import

        def step(done: int, total: int) -> None:
            if stop.is_set():
                job.cancel()
            job.check()  # raises Cancelled: the transaction rolls back
            job.progress(done, total)

        return roster_import.apply_import(session, estate_id, plan, progress=step)

    return run


def export_to(estate_id: str, path: Path) -> Callable[[Session], int]:
    def run(session: Session) -> int:
        from xmen_desktop.store import roster_import

        return roster_import.export_roster(session, estate_id, path)

    return run


# =============================================================================================
# UI side


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImportDialog", text)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the letters Excel shows above its columns."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _start_folder() -> str:
    if _last_folder and Path(_last_folder).is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or QDir.homePath()


def _remember_folder(path: Path) -> None:
    global _last_folder
    _last_folder = str(path.parent)


def _shown_path(path: Path) -> str:
    return QDir.toNativeSeparators(str(path))


class RowsModel(QAbstractTableModel):
    """Plain text rows for the preview tables; rows listed in ``flagged`` are drawn in red."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[tuple[str, ...]] = []
        self._flagged: set[int] = set()
        self._tips: list[str] = []

    def set_rows(
        self,
        rows: Sequence[Sequence[str]],
        flagged: set[int] | None = None,
        tips: Sequence[str] | None = None,
    ) -> None:
        """``tips``: per row, a tooltip for all its cells (else each cell's own text)."""
        self.beginResetModel()
        self._rows = [tuple(row) for row in rows]
        self._flagged = set(flagged or ())
        self._tips = list(tips or ())
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.ToolTipRole and index.row() < len(self._tips):
            return self._tips[index.row()] or self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.row() in self._flagged:
            return QColor(ERROR_COLOUR)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None


class ImportDialog(QDialog):
    """导入住户名册: 选择文件 → 对应列 → 预览并导入."""

    PAGE_FILE, PAGE_MAPPING, PAGE_PREVIEW = range(3)

    # Target fields in the two groups of the column page (codes from domain.roster).
    HOUSEHOLD_FIELDS = ("tenant", "phone", "size", "area", "notes")
    ADDRESS_FIELDS = ("address", *ADDRESS_PARTS)

    def __init__(
        self,
        context: AppContext,
        estate_id: str,
        estate_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.estate_id = estate_id
        self.estate_name = estate_name
        self.reading: Reading | None = None
        self._request = 0  # serial of the latest read/replan; older answers are dropped
        self._closed = False
        self._importing = False
        self._filling = False
        self._busy = False
        self._mapping_ok = False
        self._progress: QProgressDialog | None = None
        self._job: Job | None = None
        self._stop = threading.Event()

        self.setWindowTitle(self.tr("导入住户名册 — {estate}").format(estate=estate_name))
        # Fits a 1366 × 768 screen, still common on office PCs.
        self.setMinimumSize(860, 600)
        self.resize(1000, 700)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.page_title = heading("")
        self.page_title.setWordWrap(True)
        layout.addWidget(self.page_title)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_file_page())
        # The column page scrolls rather than squeezing its table on a small screen.
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(self._build_mapping_page())
        self.pages.addWidget(scroller)
        self.pages.addWidget(self._build_preview_page())
        layout.addWidget(self.pages, 1)

        buttons = QHBoxLayout()
        self.cancel_button = big_button(self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.back_button = big_button(self.tr("上一步"))
        self.back_button.clicked.connect(self.go_back)
        buttons.addWidget(self.back_button)
        self.next_button = big_button(self.tr("下一步"))
        self.next_button.clicked.connect(self.go_next)
        buttons.addWidget(self.next_button)
        self.import_button = big_button(self.tr("导入"))
        self.import_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 9)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)

        self._show_page(self.PAGE_FILE)

    # ------------------------------------------------------------------ building

    def _build_file_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(14)
        formats = QLabel(
            self.tr(
                "可以导入 Excel (.xlsx) 或 CSV（UTF-8 或 GBK/GB18030 编码）；"
                "标题行、空行、表尾备注会自动跳过。"
            )
        )
        formats.setWordWrap(True)
        layout.addWidget(formats)
        layout.addWidget(
            hint(
                self.tr(
                    "表格里要有一行列名，例如“承租人”（或“户主”“姓名”）、"
                    "“地址”（或分开写的“路名”“弄”“号”“室”），"
                    "还可以有“电话”“人数”“面积”“备注”。"
                    "旧版 Excel 文件（.xls）请先在 Excel 里另存为 .xlsx。"
                )
            )
        )
        row = QHBoxLayout()
        self.choose_button = big_button(self.tr("选择文件…"))
        self.choose_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 8)
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(self.choose_button)
        self.file_label = QLabel(self.tr("还没有选择文件"))
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.file_status = QLabel()
        self.file_status.setWordWrap(True)
        self.file_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_status.setVisible(False)
        layout.addWidget(self.file_status)
        layout.addStretch(1)
        return page

    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        self.header_label = QLabel()
        self.header_label.setWordWrap(True)
        layout.addWidget(self.header_label)

        labels = dict(FIELD_CHOICES)
        labels["tenant"] = self.tr("{label} *").format(label=labels["tenant"])
        self.combos: dict[str, QComboBox] = {}
        groups = QHBoxLayout()
        for title, codes in (
            (self.tr("住户信息"), self.HOUSEHOLD_FIELDS),
            (self.tr("地址（选整列；或分开的几列，至少要有路名和号）"), self.ADDRESS_FIELDS),
        ):
            box = QGroupBox(title)
            grid = QGridLayout(box)
            grid.setHorizontalSpacing(12)
            grid.setVerticalSpacing(8)
            for line, code in enumerate(codes):
                combo = QComboBox()
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(14)
                combo.currentIndexChanged.connect(self._mapping_edited)
                self.combos[code] = combo
                label = QLabel(labels[code])
                label.setBuddy(combo)
                grid.addWidget(label, line, 0)
                grid.addWidget(combo, line, 1)
            grid.setColumnStretch(1, 1)
            groups.addWidget(box, 1)
        layout.addLayout(groups)
        self.mapping_error = error_label()
        layout.addWidget(self.mapping_error)
        self.sample_title = QLabel()
        self.sample_title.setWordWrap(True)
        layout.addWidget(self.sample_title)
        self.sample_model = RowsModel(
            [
                self.tr("行号"),
                self.tr("承租人"),
                self.tr("地址"),
                self.tr("电话"),
                self.tr("人数"),
                self.tr("面积(㎡)"),
                self.tr("备注"),
                self.tr("问题"),
            ],
            self,
        )
        self.sample_view = QTableView()
        self.sample_view.setModel(self.sample_model)
        setup_table(self.sample_view)
        self.sample_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.sample_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row_height = self.sample_view.verticalHeader().defaultSectionSize()
        self.sample_view.setMinimumHeight(row_height * (PREVIEW_ROWS + 1) + 4)
        layout.addWidget(self.sample_view, 1)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        font = self.counts_label.font()
        font.setBold(True)
        self.counts_label.setFont(font)
        layout.addWidget(self.counts_label)
        self.all_ok_label = QLabel()
        self.all_ok_label.setWordWrap(True)
        self.all_ok_label.setStyleSheet(f"color: {OK_COLOUR};")
        layout.addWidget(self.all_ok_label)

        # Bad rows: prominent, above everything else that could be imported.
        self.problem_box = QWidget()
        problems = QVBoxLayout(self.problem_box)
        problems.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.problem_heading = heading("", scale=1.15)
        self.problem_heading.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problem_heading.setWordWrap(True)
        top.addWidget(self.problem_heading, 1)
        self.copy_button = QPushButton(self.tr("复制问题清单"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_problems)
        top.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        problems.addLayout(top)
        self.problem_model = QStringListModel(self)
        self.problem_view = QListView()
        self.problem_view.setModel(self.problem_model)
        self.problem_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_view.setWordWrap(True)
        self.problem_view.setUniformItemSizes(False)
        self.problem_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.problem_view.setSpacing(2)
        self.problem_view.setStyleSheet(f"QListView {{ color: {ERROR_COLOUR}; }}")
        self.problem_view.setMinimumHeight(self.fontMetrics().height() * 5)
        problems.addWidget(self.problem_view, 1)

        self.fix_label = QLabel()
        self.fix_label.setWordWrap(True)
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.fix_label, 1)
        self.reread_button = big_button(self.tr("重新读取"))
        self.reread_button.clicked.connect(self.reread)
        fix_row.addWidget(self.reread_button, 0, Qt.AlignmentFlag.AlignTop)
        problems.addLayout(fix_row)
        self.skip_checkbox = QCheckBox()
        box_size = self.fontMetrics().height()
        self.skip_checkbox.setStyleSheet(
            f"QCheckBox::indicator {{ width: {box_size}px; height: {box_size}px; }}"
        )
        self.skip_checkbox.toggled.connect(self._update_buttons)
        problems.addWidget(self.skip_checkbox)
        layout.addWidget(self.problem_box, 2)

        self.records_title = QLabel()
        layout.addWidget(self.records_title)
        self.records_model = RowsModel(
            [
                self.tr("行号"),
                self.tr("承租人"),
                self.tr("地址"),
                self.tr("电话"),
                self.tr("人数"),
                self.tr("面积(㎡)"),
                self.tr("备注"),
            ],
            self,
        )
        self.records_view = QTableView()
        self.records_view.setModel(self.records_model)
        setup_table(self.records_view)
        self.records_view.setMinimumHeight(
            self.records_view.verticalHeader().defaultSectionSize() * 4
        )
        layout.addWidget(self.records_view, 3)
        return page

    # ------------------------------------------------------------------ page 1: the file

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("选择住户名册文件"),
            _start_folder(),
            self.tr("名册文件 (*.xlsx *.csv);;所有文件 (*)"),
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        """Read ``path`` on the worker; on success show the column page."""
        _remember_folder(path)
        self.file_label.setText(self.tr("文件：{name}").format(name=path.name))
        self.file_label.setToolTip(_shown_path(path))
        self._set_status(self.tr("正在读取，请稍候……"), error=False)
        self._start_read(path, keep=False)

    def reread(self) -> None:
        """Read the same file again after the user fixed it, keeping the chosen columns."""
        if self.reading is not None:
            self._start_read(self.reading.path, keep=True)

    def _start_read(self, path: Path, *, keep: bool) -> None:
        self._request += 1
        request = self._request
        previous = self.reading if keep else None
        kept = (previous.plan.header_cells, dict(previous.plan.mapping)) if previous else None
        self._set_busy(True)

        def done(reading: Reading) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            header_changed = previous is not None and (
                reading.plan.header_cells != previous.plan.header_cells
            )
            self.reading = reading
            self._fill_mapping(reading)
            self._show_sample(reading)
            self.file_status.setVisible(False)
            if previous is not None and not header_changed:
                self._fill_preview(reading.plan)
                self._show_page(self.PAGE_PREVIEW)
            else:
                self._show_page(self.PAGE_MAPPING)

        def failed(error: BaseException) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            if previous is not None:
                # Re-reading from the last page: say so there, keep what was shown.
                QMessageBox.warning(self, self.tr("无法重新读取"), error_message(error))
                self._update_buttons()
                return
            self.reading = None
            self._set_status(error_message(error), error=True)
            self._show_page(self.PAGE_FILE)

        self.context.read(read_roster(self.estate_id, path, kept), done, failed)

    def _set_status(self, text: str, *, error: bool) -> None:
        colour = ERROR_COLOUR if error else HINT_COLOUR
        self.file_status.setStyleSheet(f"color: {colour};")
        self.file_status.setText(text)
        self.file_status.setVisible(bool(text))

    # ------------------------------------------------------------------ page 2: the columns

    def _fill_mapping(self, reading: Reading) -> None:
        plan = reading.plan
        self.header_label.setText(
            self.tr(
                "第 {row} 行是表头（它上面的标题行不导入）。下面各项已按列名自动选好，"
                "请核对，不对的可以改；带 * 的必须选。"
            ).format(row=plan.header_row)
        )
        self._filling = True
        try:
            for code, combo in self.combos.items():
                combo.clear()
                combo.addItem(self.tr("（不导入）"), -1)
                for index, name in enumerate(plan.header_cells):
                    combo.addItem(
                        self.tr("第 {n} 列（{letter}）：{name}").format(
                            n=index + 1,
                            letter=column_letter(index),
                            name=name or self.tr("（无列名）"),
                        ),
                        index,
                    )
                column = plan.mapping.get(code)
                combo.setCurrentIndex(0 if column is None else column + 1)
        finally:
            self._filling = False
        show_message(self.mapping_error, "")

    def mapping(self) -> dict[str, int]:
        """Field code -> column index, as the combo boxes stand."""
        chosen = {}
        for code, combo in self.combos.items():
            column = combo.currentData()
            if isinstance(column, int) and column >= 0:
                chosen[code] = column
        return chosen

    def set_column(self, code: str, column: int | None) -> None:
        """Choose a column for a field (None: do not import it); re-checks the rows."""
        combo = self.combos[code]
        combo.setCurrentIndex(0 if column is None else combo.findData(column))

    def _mapping_edited(self) -> None:
        if self._filling or self.reading is None:
            return
        self._request += 1
        request = self._request
        self._set_busy(True)
        mapping = self.mapping()

        def done(reading: Reading) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self.reading = reading
            self._show_sample(reading)

        def failed(error: BaseException) -> None:
            if self._stale(request):
                return
            self._set_busy(False)
            self._mapping_ok = False
            self.sample_model.set_rows([])
            show_message(self.mapping_error, error_message(error))
            self._update_buttons()

        self.context.read(replan_roster(self.estate_id, self.reading, mapping), done, failed)

    def _same_column_warning(self, mapping: dict[str, int]) -> str:
        labels = dict(FIELD_CHOICES)
        by_column: dict[int, list[str]] = {}
        for code, column in mapping.items():
            by_column.setdefault(column, []).append(labels.get(code, code))
        for column, names in sorted(by_column.items()):
            if len(names) > 1:
                return self.tr("注意：{names} 选的是同一列（第 {n} 列），请核对。").format(
                    names="、".join(f"“{name}”" for name in names), n=column + 1
                )
        return ""

    def _show_sample(self, reading: Reading) -> None:
        rows = reading.preview
        self.sample_model.set_rows(
            [
                (
                    str(r.row),
                    r.tenant,
                    r.address,
                    r.phone,
                    r.size,
                    r.area,
                    r.notes,
                    self.tr("{fields}有误").format(fields="、".join(r.problem_fields))
                    if r.problem
                    else "",
                )
                for r in rows
            ],
            {position for position, r in enumerate(rows) if r.problem},
            [r.problem for r in rows],
        )
        set_column_widths(self.sample_view, SAMPLE_WIDTHS)
        if any(r.problem for r in rows):
            self.sample_title.setText(
                self.tr(
                    "按上面的选择，表格前几行读出来是这样（红色的行有问题，详细原因在下一步列出）："
                )
            )
        else:
            self.sample_title.setText(self.tr("按上面的选择，表格前几行读出来是这样："))
        self._mapping_ok = True
        show_message(self.mapping_error, self._same_column_warning(reading.plan.mapping))
        self._update_buttons()

    # ------------------------------------------------------------------ page 3: preview

    def _fill_preview(self, plan: ImportPlan) -> None:
        valid = plan.valid_records
        bad_rows = len(plan.problem_rows)
        self.counts_label.setText(
            self.tr("可导入 {n} 户；有问题 {m} 行；跳过空行 {b} 行、表尾说明 {k} 行").format(
                n=len(valid), m=bad_rows, b=plan.skipped_blank, k=plan.skipped_notes
            )
        )
        if plan.problems:
            self.all_ok_label.setVisible(False)
            self.problem_box.setVisible(True)
            self.problem_heading.setText(
                self.tr("有问题的行（共 {m} 行），请在表格里改正：").format(m=bad_rows)
            )
            self.problem_model.setStringList([p.describe() for p in plan.problems])
            self.copy_button.setText(self.tr("复制问题清单"))
            self.skip_checkbox.blockSignals(True)
            self.skip_checkbox.setChecked(False)
            self.skip_checkbox.blockSignals(False)
            self.skip_checkbox.setText(
                self.tr("跳过有问题的行，只导入正确的 {n} 户").format(n=len(valid))
            )
            self.skip_checkbox.setVisible(bool(valid))
        else:
            self.problem_box.setVisible(False)
            self.problem_model.setStringList([])
            self.all_ok_label.setVisible(True)
            self.all_ok_label.setText(
                self.tr("全部 {n} 户都没有问题，可以导入。").format(n=len(valid))
            )
        self.records_title.setText(
            self.tr("将导入{estate}的住户（{n} 户）：").format(
                estate=self.estate_name, n=len(valid)
            )
            if valid
            else self.tr("没有可以导入的住户。")
        )
        self.records_model.set_rows(
            [
                (
                    str(r.row),
                    r.tenant,
                    r.address,
                    r.phone or "",
                    "" if r.size is None else str(r.size),
                    area_text(r.area_centi),
                    r.notes,
                )
                for r in valid
            ]
        )
        set_column_widths(self.records_view, RECORD_WIDTHS)
        self.records_view.setVisible(bool(valid))
        self.records_title.setVisible(bool(valid) or not plan.problems)
        self.import_button.setText(
            self.tr("导入 {n} 户").format(n=len(valid)) if valid else self.tr("导入")
        )
        self._update_buttons()

    def copy_problems(self) -> None:
        if self.reading is None:
            return
        lines = [p.describe() for p in self.reading.plan.problems]
        QGuiApplication.clipboard().setText("\n".join(lines))
        self.copy_button.setText(self.tr("已复制"))

    def can_import(self) -> bool:
        if self.reading is None or self._importing:
            return False
        plan = self.reading.plan
        if not plan.valid_records:
            return False
        return not plan.problems or self.skip_checkbox.isChecked()

    # ------------------------------------------------------------------ importing

    def start_import(self) -> None:
        if not self.can_import() or self.reading is None:
            return
        plan = self.reading.plan
        total = len(plan.valid_records)
        self._importing = True
        self._stop = threading.Event()
        self._update_buttons()
        self.pages.setEnabled(False)

        progress = QProgressDialog(
            self.tr("正在导入 {n} 户，请稍候……").format(n=total),
            self.tr("取消导入"),
            0,
            total,
            self,
        )
        progress.setWindowTitle(self.tr("正在导入"))
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        # Not modal: a modal progress dialog runs the event loop inside setValue().
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)
        progress.canceled.connect(self.cancel_import)
        self._progress = progress
        stop = self._stop

        def on_progress(done: int, total: int) -> None:
            if self._progress is not None and alive(self._progress):
                self._progress.setMaximum(max(total, 1))
                self._progress.setValue(done)

        def done(count: int) -> None:
            self._end_import()
            parent = self.parentWidget()
            self.accept()
            QMessageBox.information(
                parent,
                self.tr("导入完成"),
                self.tr("已导入 {n} 户到{estate}的名册。").format(n=count, estate=self.estate_name),
            )

        def failed(error: BaseException) -> None:
            self._end_import()
            if isinstance(error, Cancelled):
                QMessageBox.information(
                    self, self.tr("已取消"), self.tr("已取消导入，名册没有任何改动。")
                )
                return
            QMessageBox.warning(
                self,
                self.tr("没有导入"),
                self.tr("{reason}\n\n名册没有任何改动。").format(reason=error_message(error)),
            )

        job = self.context.write(
            apply_roster(self.estate_id, plan, stop),
            done,
            failed,
            tables=(HOUSEHOLD_TABLE,),
            on_progress=on_progress,
            with_job=True,
        )
        if self._importing:  # still running (the synchronous worker of tests is done by now)
            self._job = job

    def cancel_import(self) -> None:
        """The progress dialog's 取消: stop the job; its transaction rolls back."""
        self._stop.set()
        if self._job is not None:
            self._job.cancel()

    def _end_import(self) -> None:
        self._importing = False
        self._job = None
        progress, self._progress = self._progress, None
        if progress is not None and alive(progress):
            progress.canceled.disconnect(self.cancel_import)
            progress.reset()
            progress.hide()
            progress.deleteLater()
        if alive(self):
            self.pages.setEnabled(True)
            self._update_buttons()

    # ------------------------------------------------------------------ navigation

    def go_next(self) -> None:
        page = self.pages.currentIndex()
        if page == self.PAGE_FILE and self.reading is not None:
            self._show_page(self.PAGE_MAPPING)
        elif page == self.PAGE_MAPPING and self.reading is not None:
            self._fill_preview(self.reading.plan)
            self._show_page(self.PAGE_PREVIEW)

    def go_back(self) -> None:
        page = self.pages.currentIndex()
        if page > self.PAGE_FILE:
            self._show_page(page - 1)

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        titles = [
            self.tr("第 1 步（共 3 步）：选择名册文件"),
            self.tr("第 2 步（共 3 步）：核对每一项在表格的哪一列"),
            self.tr("第 3 步（共 3 步）：检查后导入"),
        ]
        self.page_title.setText(titles[page])
        self._update_buttons()

    def _set_busy(self, busy: bool) -> None:
        # Requests can overlap (a newer one drops the older answer): one wait cursor for all.
        if busy and not self._busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        elif self._busy and not busy:
            QApplication.restoreOverrideCursor()
        self._busy = busy
        self.choose_button.setEnabled(not busy)
        self.reread_button.setEnabled(not busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        busy = self._busy or self._importing
        self.back_button.setVisible(page != self.PAGE_FILE)
        self.back_button.setEnabled(not busy)
        self.next_button.setVisible(page != self.PAGE_PREVIEW)
        self.import_button.setVisible(page == self.PAGE_PREVIEW)
        self.cancel_button.setEnabled(not self._importing)
        usable = self.reading is not None and not busy
        if page == self.PAGE_MAPPING:
            usable = usable and self._mapping_ok
        self.next_button.setEnabled(usable)
        self.import_button.setEnabled(not busy and self.can_import())
        self.import_button.setDefault(page == self.PAGE_PREVIEW)
        self._update_fix_text()

    def _update_fix_text(self) -> None:
        plan = self.reading.plan if self.reading is not None else None
        if plan is not None and not plan.valid_records:
            self.fix_label.setText(
                self.tr(
                    "这个文件里没有可以导入的住户。如果这些住户已经在名册里，就不用再导入了；"
                    "否则请在 Excel 里改好上面这些行并保存，然后点“重新读取”。"
                )
            )
        elif plan is not None and self.skip_checkbox.isChecked():
            self.fix_label.setText(
                self.tr(
                    "有问题的 {m} 行这次不导入。改好后再导入同一个文件时，也勾选这一项；"
                    "已经导入的住户不会重复导入。"
                ).format(m=len(plan.problem_rows))
            )
        else:
            self.fix_label.setText(
                self.tr(
                    "全部正确才导入：请在 Excel 里改好上面这些行并保存，然后点“重新读取”。"
                    "改好之前，不会导入任何一户。"
                )
            )

    def _stale(self, request: int) -> bool:
        """True when the dialog was closed or a newer request was made since."""
        return self._closed or request != self._request or not alive(self)

    # ------------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        if self._importing:
            return  # the progress dialog's 取消 stops an import; closing must not hide it
        if self._busy:
            self._busy = False
            QApplication.restoreOverrideCursor()
        self._closed = True
        super().done(result)


def open_import_dialog(
    parent: QWidget, context: AppContext, estate_id: str, estate_name: str
) -> None:
    """Show the import dialog for one estate; the roster refreshes through ``context.changed``."""
    dialog = ImportDialog(context, estate_id, estate_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def _export_path(path: Path, chosen_filter: str) -> Path:
    """The path typed, with .xlsx or .csv added when the user typed no such ending."""
    if path.suffix.lower() in (".xlsx", ".csv"):
        return path
    suffix = ".csv" if "*.csv" in chosen_filter and "*.xlsx" not in chosen_filter else ".xlsx"
    return path.with_name(path.name + suffix)


def export_roster_interactive(
    parent: QWidget, context: AppContext, estate_id: str, estate_name: str
) -> None:
    """Ask where to save, write the estate's roster on the worker, then say where it went."""
    excel = _tr("Excel 工作簿 (*.xlsx)")
    csv = _tr("CSV 文件，逗号分隔 (*.csv)")
    suggested = Path(_start_folder()) / _tr("{estate}住户名册.xlsx").format(estate=estate_name)
    chosen, chosen_filter = QFileDialog.getSaveFileName(
        parent,
        _tr("导出住户名册 — {estate}").format(estate=estate_name),
        str(suggested),
        f"{excel};;{csv}",
        excel,
    )
    if not chosen:
        return
    path = _export_path(Path(chosen), chosen_filter)
    _remember_folder(path)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def done(count: int) -> None:
        QApplication.restoreOverrideCursor()
        if count:
            text = _tr("已导出 {n} 户到：\n{path}").format(n=count, path=_shown_path(path))
        else:
            text = _tr("{estate}的名册里还没有住户，导出的表格只有列名：\n{path}").format(
                estate=estate_name, path=_shown_path(path)
            )
        QMessageBox.information(parent, _tr("导出完成"), text)

    def failed(error: BaseException) -> None:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, _tr("没有导出"), error_message(error))

    context.read(export_to(estate_id, path), done, failed)
