"""打印中心: everything printable for an estate (or the whole subdistrict), with a preview.

The list (种类, 标题, 日期, 状态) comes from ``store.printables.printable_list``. Choosing a
document renders it to a temporary PDF on the worker and shows it in the preview (QtPdf; page
images through pypdfium2 when QtPdf cannot load; else a message). A ballot preview holds only
the first few ballots; printing, saving or opening a batch renders it whole in the background,
with a progress dialog that appears after ~600 ms and can stop it.

Printing draws each PDF page as an image at the printer's resolution (up to 300 dpi), at its
actual size when the paper matches and scaled to fit when it does not. Pages go to the printer
one per turn of the event loop, so the window keeps answering while 2,000 ballots print.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDir,
    QMarginsF,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSizeF,
    QSortFilterProxyModel,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.notices import LAYOUTS
from xmen_desktop.ui import print_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.publicity_panel import LiveWidget
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    StatusPage,
    alive,
    big_button,
    guarded,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
)
from xmen_desktop.ui.worker import Cancelled

try:  # QtPdf is a separate wheel; a broken install must not take the print centre down
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_QTPDF = False

if TYPE_CHECKING:
    from xmen_desktop.store.print_queries import Rendered
    from xmen_desktop.store.printables import Printable

log = logging.getLogger(__name__)

# Show a progress dialog only for work that lasts longer than this (ms): no flicker.
PROGRESS_DELAY_MS = 600
# Wait this long after the selection moves before rendering a preview, so that going down
# the list with the arrow keys does not queue a render for every row passed.
PREVIEW_DELAY_MS = 250
# Pages are drawn for the printer at its resolution, but no finer than this: 300 dpi is what
# laser printers print text at, and an A3 page at 1200 dpi would need 1 GB of memory.
MAX_PRINT_DPI = 300
# Kinds with a layout choice, and kinds printed as a batch (see store.print_queries).
LAYOUT_KINDS = frozenset({"notice", "meeting-notice"})
BATCH_KINDS = frozenset({"ballots"})
KIND_LABELS: dict[str, str] = {
    "notice": "通知公告",
    "ballots": "表决票",
    "result": "表决结果公示",
    "meeting-notice": "会议通知",
    "sign-in": "会议签到表",
    "minutes": "会议纪要",
    "project": "项目进展公示",
}

AnyIndex = QModelIndex | QPersistentModelIndex
Key = tuple[str, str]  # (kind, ref)

_last_folder: str | None = None


def _start_folder() -> str:
    if _last_folder and Path(_last_folder).is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or QDir.homePath()


def safe_file_name(text: str, fallback: str = "打印文件") -> str:
    """A title as a file name: no characters Windows refuses, not too long."""
    cleaned = "".join("_" if c in '\\/:*?"<>|\r\n\t' else c for c in text).strip(" .")
    return cleaned[:40] or fallback


# ============================================================================= the list


class PrintableTableModel(QAbstractTableModel):
    """种类, 标题, 日期, 状态 of plain ``Printable`` rows; never touches the database."""

    KIND, TITLE, DATE, STATUS = range(4)
    SORT_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.titles = [self.tr("种类"), self.tr("标题"), self.tr("日期"), self.tr("状态")]
        self._rows: list[Printable] = []

    def set_rows(self, rows: Sequence[Printable]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Printable]:
        return list(self._rows)

    def row_at(self, row: int) -> Printable:
        return self._rows[row]

    def row_of(self, key: Key) -> int:
        for number, item in enumerate(self._rows):
            if (item.kind, item.ref) == key:
                return number
        return -1

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section] if 0 <= section < len(self.titles) else None
        return None

    def text(self, item: Printable, column: int) -> str:
        if column == self.KIND:
            return KIND_LABELS.get(item.kind, item.kind)
        if column == self.TITLE:
            return item.title
        if column == self.DATE:
            return item.date.isoformat() if item.date else ""
        return item.status

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (self.TITLE, self.STATUS):
            return self.text(item, column) or None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return QColor(ERROR_COLOUR) if "请撤下" in item.status else None
        if role == self.SORT_ROLE:
            if column == self.DATE:
                return item.date.isoformat() if item.date else ""
            return self.text(item, column)
        return None


class KindFilterProxy(QSortFilterProxyModel):
    """The rows of one kind of document (or all)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kind: str | None = None
        self.setSortRole(PrintableTableModel.SORT_ROLE)

    def kind(self) -> str | None:
        return self._kind

    def set_kind(self, kind: str | None) -> None:
        if kind == self._kind:
            return
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
        self._kind = kind
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._kind is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, PrintableTableModel)
        return model.row_at(source_row).kind == self._kind


# ============================================================================= PDF pages


class PreviewError(Exception):
    """A PDF could not be opened for showing or printing; the message is for the user."""


class PdfPages:
    """The pages of a PDF file as images: for the printer, and the preview without QtPdf."""

    def page_count(self) -> int:
        raise NotImplementedError

    def page_size(self, page: int) -> QSizeF:
        """In points (1/72 inch)."""
        raise NotImplementedError

    def render(self, page: int, size: QSize) -> QImage:
        """The page drawn at ``size`` pixels on white paper."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _on_white(image: QImage) -> QImage:
    """A rendered page has a transparent background; printers and screens want white paper."""
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper


class _QtPdfPages(PdfPages):
    def __init__(self, path: Path) -> None:
        self.document = QPdfDocument(None)
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_ or self.document.pageCount() < 1:
            self.document.close()
            raise PreviewError(f"无法打开这个 PDF 文件（{error.name}）")

    def page_count(self) -> int:
        return int(self.document.pageCount())

    def page_size(self, page: int) -> QSizeF:
        return self.document.pagePointSize(page)

    def render(self, page: int, size: QSize) -> QImage:
        return _on_white(self.document.render(page, size))

    def close(self) -> None:
        self.document.close()  # the document itself goes with this object


class _PdfiumPages(PdfPages):
    def __init__(self, path: Path) -> None:
        import pypdfium2

        try:
            self.pdf = pypdfium2.PdfDocument(str(path))
        except Exception as error:
            raise PreviewError(f"无法打开这个 PDF 文件（{error}）") from error

    def page_count(self) -> int:
        return len(self.pdf)

    def page_size(self, page: int) -> QSizeF:
        width, height = self.pdf[page].get_size()
        return QSizeF(width, height)

    def render(self, page: int, size: QSize) -> QImage:
        handle = self.pdf[page]
        width, _height = handle.get_size()
        picture = handle.render(scale=size.width() / width).to_pil().convert("RGB")
        data = picture.tobytes("raw", "RGB")
        image = QImage(
            data, picture.width, picture.height, picture.width * 3, QImage.Format.Format_RGB888
        )
        return image.copy()  # own the pixels: ``data`` goes away

    def close(self) -> None:
        self.pdf.close()


def _have_pdfium() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def open_pages(path: Path) -> PdfPages:
    """The pages of ``path`` through QtPdf, else pypdfium2; PreviewError if neither can."""
    if HAVE_QTPDF:
        return _QtPdfPages(path)
    if _have_pdfium():
        return _PdfiumPages(path)
    raise PreviewError(
        "这台电脑上缺少显示 PDF 的组件。请点“用其他程序打开”，在看 PDF 的程序里查看和打印。"
    )


# ============================================================================= the preview


class PdfPreview(QStackedWidget):
    """The preview: a message, or the PDF (QPdfView, or page images as a fallback)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = StatusPage("")
        self.addWidget(self.message)
        self._pages = 0
        self._fallback: PdfPages | None = None
        if HAVE_QTPDF:
            self.document = QPdfDocument(self)
            self.view = QPdfView()
            self.view.setDocument(self.document)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setPageSpacing(12)
            self.addWidget(self.view)
        else:  # pragma: no cover - depends on the installation
            self.images = QWidget()
            self._image_layout = QVBoxLayout(self.images)
            self._image_layout.setSpacing(12)
            self.scroll = QScrollArea()
            self.scroll.setWidgetResizable(True)
            self.scroll.setWidget(self.images)
            self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addWidget(self.scroll)

    def show_message(self, title: str, detail: str = "") -> None:
        self.release()
        self.message.set_text(title, detail)
        self.setCurrentWidget(self.message)

    def page_count(self) -> int:
        return self._pages if self.currentWidget() is not self.message else 0

    def show_file(self, path: Path) -> int:
        """Show ``path``; returns its page count. Raises PreviewError."""
        self.release()
        if HAVE_QTPDF:
            error = self.document.load(str(path))
            if error != QPdfDocument.Error.None_:
                raise PreviewError(f"预览打不开（{error.name}）")
            self._pages = int(self.document.pageCount())
            self.setCurrentWidget(self.view)
            self.view.verticalScrollBar().setValue(0)
            return self._pages
        pages = open_pages(path)  # pragma: no cover - depends on the installation
        self._fallback = pages
        self._pages = pages.page_count()
        width = max(self.width() - 40, 400)
        ratio = self.devicePixelRatioF()
        for number in range(self._pages):
            points = pages.page_size(number)
            size = QSize(
                round(width * ratio), round(width * ratio * points.height() / points.width())
            )
            pixmap = QPixmap.fromImage(pages.render(number, size))
            pixmap.setDevicePixelRatio(ratio)
            label = QLabel()
            label.setPixmap(pixmap)
            label.setStyleSheet("border: 1px solid #bbbbbb;")
            self._image_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.setCurrentWidget(self.scroll)
        return self._pages

    def release(self) -> None:
        """Let go of the file shown, so that it can be deleted."""
        self._pages = 0
        if HAVE_QTPDF:
            self.document.close()
        else:  # pragma: no cover - depends on the installation
            while self._image_layout.count():
                item = self._image_layout.takeAt(0)
                if item is not None and item.widget() is not None:
                    item.widget().deleteLater()
            if self._fallback is not None:
                self._fallback.close()
                self._fallback = None


# ============================================================================= printing


def prepare_printer(printer: QPrinter, pages: PdfPages, title: str) -> None:
    """Paper size and orientation of the document's first page, no margins (the PDF has its
    own), so the print dialog opens with the right paper chosen."""
    points = pages.page_size(0)
    short, long = sorted((points.width(), points.height()))
    orientation = (
        QPageLayout.Orientation.Landscape
        if points.width() > points.height()
        else QPageLayout.Orientation.Portrait
    )
    size = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    printer.setDocName(title)


def page_order(printer: QPrinter, count: int) -> list[int]:
    """The pages to send (0-based), with the page range and copies the user chose."""
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(printer.fromPage() - 1, 0)
        last = min(max(printer.toPage(), printer.fromPage()) - 1, count - 1)
    pages = list(range(first, last + 1))
    # Most printer drivers make the copies themselves; otherwise we send the pages again.
    copies = 1 if printer.supportsMultipleCopies() else max(printer.copyCount(), 1)
    if copies == 1:
        return pages
    if printer.collateCopies():
        return pages * copies
    return [page for page in pages for _ in range(copies)]


class PagePrinter(QObject):
    """Sends PDF pages to a printer one per turn of the event loop, with a late progress
    dialog that can stop it. ``finished`` carries "" when every page went, else what
    happened, in words for the user."""

    finished = Signal(str)

    def __init__(self, pages: PdfPages, printer: QPrinter, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.pages = pages
        self.printer = printer
        self.title = title
        self.parent_widget = parent
        self.order: list[int] = []
        self.done = 0
        self._painter = QPainter()
        self._stopped = False
        self._progress: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        self.order = page_order(self.printer, self.pages.page_count())
        if not self.order:
            self._finish(self.tr("没有要打印的页：请检查打印范围。"))
            return
        if not self._painter.begin(self.printer):
            self._finish(
                self.tr("打印机没有准备好：请检查打印机是否开着、连着电脑、有纸，然后再试。")
            )
            return
        progress = QProgressDialog(
            self.tr("正在送往打印机：{title}").format(title=self.title),
            self.tr("停止打印"),
            0,
            len(self.order),
            self.parent_widget,
        )
        progress.setWindowTitle(self.tr("正在打印"))
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(self.parent_widget.fontMetrics().horizontalAdvance("中") * 22)
        progress.canceled.connect(self.stop)
        self._progress = progress
        self._timer.start()

    def stop(self) -> None:
        self._stopped = True

    def _target(self, points: QSizeF) -> tuple[QSize, QRectF]:
        """The image size to render, and where on the paper (device pixels) it goes."""
        resolution = self.printer.resolution()
        dpi = min(resolution, MAX_PRINT_DPI)
        image = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        paper = QRectF(self.printer.pageLayout().fullRectPixels(resolution))
        width, height = points.width() * resolution / 72, points.height() * resolution / 72
        scale = min(paper.width() / width, paper.height() / height, 1.0)
        # Actual size when it fits (within rounding); else shrunk to fit, centred.
        if scale > 0.995:
            scale = 1.0
        width, height = width * scale, height * scale
        left = paper.left() + (paper.width() - width) / 2
        top = paper.top() + (paper.height() - height) / 2
        return image, QRectF(left, top, width, height)

    def _step(self) -> None:
        if self._stopped:
            self.printer.abort()
            self._painter.end()
            self._finish(self.tr("已停止打印。已送出的 {n} 页可能仍会打出来。").format(n=self.done))
            return
        page = self.order[self.done]
        try:
            size, target = self._target(self.pages.page_size(page))
            if self.done > 0 and not self.printer.newPage():
                raise OSError("newPage")
            image = self.pages.render(page, size)
            if self.printer.colorMode() == QPrinter.ColorMode.GrayScale:
                # A quarter of the data to spool: it matters for 2,000 ballots.
                image = image.convertToFormat(QImage.Format.Format_Grayscale8)
            self._painter.drawImage(target, image)
        except Exception as error:
            log.exception("printing page %s failed", page + 1)
            self.printer.abort()
            self._painter.end()
            self._finish(
                self.tr("打印到第 {n} 页时出了问题（{error}）。请检查打印机后重试。").format(
                    n=self.done + 1, error=error
                )
            )
            return
        self.done += 1
        if self._progress is not None and alive(self._progress):
            self._progress.setValue(self.done)
        if self.done < len(self.order):
            self._timer.start()
            return
        ok = self._painter.end()
        self._finish("" if ok else self.tr("打印机没有收下最后的页，请检查打印机后重试。"))

    def _finish(self, outcome: str) -> None:
        progress, self._progress = self._progress, None
        if progress is not None and alive(progress):
            progress.canceled.disconnect(self.stop)
            progress.reset()
            progress.hide()
            progress.deleteLater()
        self.pages.close()
        emit(self.finished, outcome)


# ============================================================================= the print centre


class PrintCentre(LiveWidget):
    """打印中心 of one estate (``estate_id``) or of the whole subdistrict (None)."""

    TABLES = print_jobs.PRINTABLE_TABLES
    # A preview has been shown (its page count), or failed (0).
    preview_ready = Signal(int)
    # A save, print or open finished: (what, outcome) — what is "save" | "print" | "open";
    # outcome is "" on success, else the message shown.
    action_finished = Signal(str, str)
    # Progress of writing a whole document (done, total), e.g. ballots of a batch.
    progress_changed = Signal(int, int)

    def __init__(
        self, context: AppContext, estate_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.estate_id = estate_id
        self._tmp = tempfile.TemporaryDirectory(prefix="xmen-print-", ignore_cleanup_errors=True)
        self._seq = 0
        self._current: Printable | None = None
        self._pending_focus: Key | None = None
        self._preview_file: Path | None = None
        self._rendered: Rendered | None = None
        self._preview_options: tuple[str, bool] | None = None
        self._layout: str | None = None  # None: the document's own layout
        self._busy = False
        self._saved: dict[tuple[str, str, str, bool], Path] = {}
        self._stop: threading.Event | None = None
        self._progress: QProgressDialog | None = None
        self._page_printer: PagePrinter | None = None
        self._finished_printer: PagePrinter | None = None
        self._print_count = 0

        self.model = PrintableTableModel(self)
        self.proxy = KindFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        # --- left: the list
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(self.tr("全部文件"), None)
        for code, label in KIND_LABELS.items():
            self.kind_filter.addItem(label, code)
        roomy(self.kind_filter)
        self.kind_filter.currentIndexChanged.connect(self._filter_changed)
        self.count_label = hint()
        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("显示")))
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.count_label, 1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, stretch_column=PrintableTableModel.TITLE)
        set_column_widths(self.table, {0: 5.5, 2: 6, 3: 8})
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            PrintableTableModel.DATE, Qt.SortOrder.DescendingOrder
        )
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_hint = hint()
        self.empty_hint.setVisible(False)

        left_box = QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(8)
        left.addWidget(heading(self.tr("可以打印的文件")))
        left.addLayout(filters)
        left.addWidget(self.empty_hint)
        left.addWidget(self.table, 1)

        # --- right: options, warnings, preview, actions
        self.preview_title = heading(self.tr("预览"))
        self.preview_title.setWordWrap(True)
        self.page_info = hint()
        self.page_info.setVisible(False)
        self.layout_label = QLabel(self.tr("版式"))
        self.layout_choice = QComboBox()
        for code, label in LAYOUTS.items():
            self.layout_choice.addItem(label, code)
        roomy(self.layout_choice)
        self.layout_choice.currentIndexChanged.connect(self._layout_changed)
        self.two_up = QCheckBox(self.tr("每张纸印两张（A4 横放，裁开成两张 A5）"))
        self.two_up.toggled.connect(self._options_changed)
        options = QHBoxLayout()
        options.setSpacing(10)
        options.addWidget(self.layout_label)
        options.addWidget(self.layout_choice)
        options.addWidget(self.two_up)
        options.addStretch(1)

        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning.setStyleSheet(
            f"QLabel {{ color: {ERROR_COLOUR}; background: #fff4e5; border: 1px solid #f0c27b;"
            " border-radius: 4px; padding: 8px; }"
        )
        self.warning.setVisible(False)

        self.preview = PdfPreview()
        self.preview.show_message(
            self.tr("请在左边选中要打印的文件"),
            self.tr("选中后，这里会显示它打印出来的样子。"),
        )

        self.print_button = big_button(self.tr("打印…"))
        self.print_button.setDefault(True)
        self.save_button = big_button(self.tr("另存为 PDF…"))
        self.open_button = big_button(self.tr("用其他程序打开"))
        self.open_button.setToolTip(self.tr("在电脑上看 PDF 的程序里打开，也可以从那里打印"))
        self.print_button.clicked.connect(self.print_current)
        self.save_button.clicked.connect(self.save_current)
        self.open_button.clicked.connect(self.open_current)
        for button in (self.print_button, self.save_button, self.open_button):
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("中") * 7)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.print_button)

        right_box = QWidget()
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(8)
        right.addWidget(self.preview_title)
        right.addWidget(self.page_info)
        right.addLayout(options)
        right.addWidget(self.warning)
        right.addWidget(self.preview, 1)
        right.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        cell = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([cell * 44, cell * 42])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(splitter, 1)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.render_preview)
        self._show_options(None)
        self._update_buttons()

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        if self._busy:
            self._stale = True  # reloaded when the print or save is over
            return
        self.context.read(
            print_jobs.load_printables(self.estate_id),
            guarded(self, self._loaded),
            guarded(self, self._load_failed),
        )

    def _load_failed(self, error: BaseException) -> None:
        self.empty_hint.setText(
            self.tr("无法读取可打印的文件：{reason}").format(reason=error_message(error))
        )
        self.empty_hint.setVisible(True)

    def _loaded(self, rows: list[Printable]) -> None:
        keep = self._pending_focus or self.current_key()
        # The data changed: what is selected again is previewed afresh.
        self._current = None
        self.model.set_rows(rows)
        self.has_data = True
        self._update_count()
        self._pending_focus = None
        if keep is not None and not self._select(keep):
            self._current = None
            self._show_nothing()
        emit(self.loaded)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            self.count_label.setText("")
            self.empty_hint.setText(
                self.tr(
                    "还没有可以打印的文件。写好通知、发放表决票、安排会议或项目后，会出现在这里。"
                )
            )
        elif shown == 0:
            self.count_label.setText("")
            self.empty_hint.setText(self.tr("没有这一种的文件。请在“显示”里选“全部文件”。"))
        else:
            self.count_label.setText(self.tr("共 {n} 份").format(n=shown))
        self.empty_hint.setVisible(shown == 0)

    def _filter_changed(self) -> None:
        self.proxy.set_kind(self.kind_filter.currentData())
        self._update_count()

    # ------------------------------------------------------------------ selection

    def current_key(self) -> Key | None:
        return (self._current.kind, self._current.ref) if self._current else None

    def current(self) -> Printable | None:
        return self._current

    def focus(self, kind: str, ref: str) -> None:
        """Select a document (a notice: ``focus("notice", notice_id)``) and preview it."""
        key = (kind, ref)
        if self.proxy.kind() not in (None, kind):
            self.kind_filter.setCurrentIndex(0)
        if self.has_data and self._select(key):
            return
        # Not loaded yet, or just written: select it after the next load.
        self._pending_focus = key
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _select(self, key: Key) -> bool:
        row = self.model.row_of(key)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.model.row_at(self.proxy.mapToSource(rows[0]).row()) if rows else None
        if item is None:
            self._current = None
            self._show_nothing()
            return
        if self._current is not None and (self._current.kind, self._current.ref) == (
            item.kind,
            item.ref,
        ):
            self._current = item  # same document, fresher row: keep the preview
            return
        self._current = item
        self._layout = None
        self.preview_title.setText(item.title)
        self._show_options(item)
        self.warning.setVisible(False)
        self.page_info.setText("")
        self.page_info.setVisible(False)
        self.preview.show_message(self.tr("正在准备预览……"))
        self._drop_preview_file()
        self._update_buttons()
        self._preview_timer.start()

    def _show_nothing(self) -> None:
        self._seq += 1  # an answer still on its way is for nothing now
        self.preview_title.setText(self.tr("预览"))
        self.page_info.setText("")
        self.page_info.setVisible(False)
        self.warning.setVisible(False)
        self._show_options(None)
        self.preview.show_message(
            self.tr("请在左边选中要打印的文件"),
            self.tr("选中后，这里会显示它打印出来的样子。"),
        )
        self._drop_preview_file()
        self._update_buttons()

    def _show_options(self, item: Printable | None) -> None:
        has_layout = item is not None and item.kind in LAYOUT_KINDS
        self.layout_label.setVisible(has_layout)
        self.layout_choice.setVisible(has_layout)
        self.two_up.setVisible(item is not None and item.kind in BATCH_KINDS)

    def _layout_changed(self) -> None:
        if self._current is None or self._current.kind not in LAYOUT_KINDS:
            return
        self._layout = self.layout_choice.currentData()
        self._options_changed()

    def _options_changed(self) -> None:
        if self._current is not None and self.options() != self._preview_options:
            self.preview.show_message(self.tr("正在准备预览……"))
            self._drop_preview_file()
            self._update_buttons()
            self._preview_timer.start()

    def options(self) -> tuple[str, bool]:
        """(layout code or "", two-up) as chosen now."""
        kind = self._current.kind if self._current else ""
        layout = (self._layout or "") if kind in LAYOUT_KINDS else ""
        return layout, kind in BATCH_KINDS and self.two_up.isChecked()

    # ------------------------------------------------------------------ preview

    def _data_dir(self) -> Path:
        assert self.context.store is not None
        return self.context.store.directory

    def render_preview(self) -> None:
        """Render the chosen document (a ballot batch: its first ballots) and show it."""
        self._preview_timer.stop()
        item = self._current
        if item is None or self.context.store is None:
            return
        self._seq += 1
        seq = self._seq
        layout, two_up = self.options()
        out = Path(self._tmp.name) / f"preview-{seq}.pdf"

        def done(rendered: Rendered) -> None:
            if seq != self._seq:
                out.unlink(missing_ok=True)
                return
            self._show_preview(out, rendered, two_up)

        def failed(error: BaseException) -> None:
            if seq != self._seq:
                return
            self.preview.show_message(self.tr("无法预览"), error_message(error))
            self._rendered = None
            self._update_buttons()
            emit(self.preview_ready, 0)

        self.context.read(
            print_jobs.render_document(
                self._data_dir(),
                item.kind,
                item.ref,
                out,
                layout=layout or None,
                two_up=two_up,
                preview=True,
            ),
            guarded(self, done),
            guarded(self, failed),
            with_job=True,
        )

    def _show_preview(self, out: Path, rendered: Rendered, two_up: bool) -> None:
        item = self._current
        if item is None:
            return
        if rendered.layout:
            self._layout = rendered.layout
            self.layout_choice.blockSignals(True)
            self.layout_choice.setCurrentIndex(max(self.layout_choice.findData(rendered.layout), 0))
            self.layout_choice.blockSignals(False)
        old, self._preview_file = self._preview_file, None
        try:
            pages = self.preview.show_file(out)  # lets go of the old file first
        except PreviewError as error:
            self.preview.show_message(
                self.tr("这台电脑上不能显示预览"),
                self.tr("{reason}\n可以点“用其他程序打开”查看，或直接打印。").format(reason=error),
            )
            pages = 0
        if old is not None:
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)
        self._preview_file = out
        self._rendered = rendered
        self._preview_options = (rendered.layout, two_up)
        self.page_info.setText(self._page_text(item, rendered, pages, two_up))
        self.page_info.setVisible(bool(self.page_info.text()))
        self._show_warning(rendered)
        self._update_buttons()
        emit(self.preview_ready, pages)

    def _page_text(self, item: Printable, rendered: Rendered, pages: int, two_up: bool) -> str:
        if item.kind in BATCH_KINDS and rendered.pages_in_full is not None:
            total = rendered.pages_in_full
            if two_up:
                paper = self.tr("每张 A4 纸印两张，共用 {sheets} 张纸").format(
                    sheets=(total + 1) // 2
                )
            else:
                paper = self.tr("每张一页 A4，共 {sheets} 页").format(sheets=total)
            return self.tr(
                "这里只预览前几张。整批共 {n} 张票，{paper}；打印或存成 PDF 时会生成整批。"
            ).format(n=total, paper=paper)
        parts = [self.tr("共 {n} 页").format(n=pages)] if pages else []
        if item.status:
            parts.append(item.status)
        return "　·　".join(parts)

    def _show_warning(self, rendered: Rendered) -> None:
        lines = []
        if rendered.missing_chars:
            lines.append(
                self.tr("注意：有 {n} 个字打印字体里没有，印出来会是“〓”：").format(
                    n=len(rendered.missing_chars)
                )
            )
            contexts = rendered.missing_context or ("",) * len(rendered.missing_chars)
            for char, where in zip(rendered.missing_chars, contexts, strict=False):
                code = f"U+{ord(char):04X}"
                if where and where != "〓":
                    lines.append(
                        self.tr("　· “{where}”里的“{char}”（编码 {code}）").format(
                            where=where, char=char, code=code
                        )
                    )
                else:
                    lines.append(
                        self.tr("　· “{char}”（编码 {code}）").format(char=char, code=code)
                    )
            lines.append(self.tr("请改用常用字，或者打印后用笔补写。"))
        if rendered.warning:
            lines.append(self.tr("注意：{text}").format(text=rendered.warning))
        self.warning.setText("\n".join(lines))
        self.warning.setVisible(bool(lines))

    def warning_text(self) -> str:
        return self.warning.text() if self.warning.isVisibleTo(self) else ""

    def page_count(self) -> int:
        return self.preview.page_count()

    def _drop_preview_file(self) -> None:
        old, self._preview_file = self._preview_file, None
        self._rendered = None
        self._preview_options = None
        if old is not None:
            self.preview.release()
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)

    # ------------------------------------------------------------------ buttons

    def _update_buttons(self) -> None:
        ready = self._current is not None and not self._busy and self.context.store is not None
        previewed = ready and self._rendered is not None
        self.print_button.setEnabled(previewed)
        self.save_button.setEnabled(previewed)
        self.open_button.setEnabled(previewed)
        self.table.setEnabled(not self._busy)
        self.kind_filter.setEnabled(not self._busy)
        self.layout_choice.setEnabled(not self._busy)
        self.two_up.setEnabled(not self._busy)

    def _suggested_name(self, item: Printable) -> str:
        name = safe_file_name(item.title)
        layout, two_up = self.options()
        if layout and layout != "a4":
            name += {"a3": "（A3海报）", "large": "（大字版）"}.get(layout, "")
        if two_up:
            name += "（一页两张）"
        return f"{name}.pdf"

    def _full_document(self, out: Path, then: Callable[[Path], None], what: str) -> None:
        """Write the whole chosen document to ``out`` on the worker, then call ``then``."""
        item = self._current
        if item is None:
            return
        layout, two_up = self.options()
        self._busy = True
        self._update_buttons()
        stop = threading.Event()
        self._stop = stop
        progress = QProgressDialog(
            self.tr("正在生成“{title}”\n请稍候……").format(title=item.title),
            self.tr("停止"),
            0,
            0,
            self,
        )
        progress.setWindowTitle(self.tr("正在生成 PDF"))
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        # Not modal: a modal progress dialog runs the event loop inside setValue().
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)
        progress.canceled.connect(stop.set)
        self._progress = progress

        def step(done: int, total: int) -> None:
            if not alive(self):
                return
            emit(self.progress_changed, done, total)
            if self._progress is not None and alive(self._progress):
                self._progress.setMaximum(max(total, 1))
                self._progress.setValue(done)
                self._progress.setLabelText(
                    self.tr("正在生成“{title}”\n已完成 {done} / {total}，请稍候……").format(
                        title=item.title, done=done, total=total
                    )
                )

        def done(rendered: Rendered) -> None:
            self._end_full(stop)
            self._show_warning(rendered)
            then(out)

        def failed(error: BaseException) -> None:
            self._end_full(stop)
            if isinstance(error, Cancelled):
                message = self.tr("已停止，没有生成文件。")
                QMessageBox.information(self, self.tr("已停止"), message)
            else:
                message = error_message(error)
                QMessageBox.warning(self, self.tr("没有生成 PDF"), message)
            emit(self.action_finished, what, message)

        self.context.read(
            print_jobs.render_document(
                self._data_dir(),
                item.kind,
                item.ref,
                out,
                layout=layout or None,
                two_up=two_up,
                stop=stop,
            ),
            guarded(self, done),
            guarded(self, failed),
            on_progress=step,
            with_job=True,
        )

    def cancel(self) -> None:
        """Stop the document being written (what the progress dialog's 停止 does)."""
        if self._stop is not None:
            self._stop.set()
        if self._page_printer is not None:
            self._page_printer.stop()

    def is_busy(self) -> bool:
        return self._busy

    def _end_full(self, stop: threading.Event) -> None:
        self._busy = False
        self._stop = None
        progress, self._progress = self._progress, None
        if progress is not None and alive(progress):
            progress.canceled.disconnect(stop.set)
            progress.reset()
            progress.hide()
            progress.deleteLater()
        self._update_buttons()
        self._reload_if_stale()

    def _reload_if_stale(self) -> None:
        if self._stale and not self._busy and self.isVisible():
            self.refresh()

    # ------------------------------------------------------------------ 另存为 PDF

    def save_current(self) -> None:
        global _last_folder
        item = self._current
        if item is None or self._busy:
            return
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("另存为 PDF"),
            str(Path(_start_folder()) / self._suggested_name(item)),
            self.tr("PDF 文件 (*.pdf)"),
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        _last_folder = str(path.parent)
        key = (item.kind, item.ref, *self.options())

        def saved(out: Path) -> None:
            self._saved[key] = out
            QMessageBox.information(
                self,
                self.tr("已保存"),
                self.tr("PDF 文件保存在：\n{path}").format(path=QDir.toNativeSeparators(str(out))),
            )
            emit(self.action_finished, "save", "")

        self._full_document(path, saved, "save")

    # ------------------------------------------------------------------ 用其他程序打开

    def open_current(self) -> None:
        item = self._current
        if item is None or self._busy:
            return
        key = (item.kind, item.ref, *self.options())
        saved = self._saved.get(key)
        if saved is not None and saved.exists():
            self._open_file(saved)
            return
        folder = (
            Path(
                QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation)
                or tempfile.gettempdir()
            )
            / "xmen-printouts"
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            QMessageBox.warning(
                self,
                self.tr("无法打开"),
                self.tr("无法准备临时文件夹（{error}）。请改用“另存为 PDF…”。").format(
                    error=error.strerror or error
                ),
            )
            return
        out = _free_name(folder / self._suggested_name(item))

        def ready(path: Path) -> None:
            self._saved[key] = path
            self._open_file(path)

        if (
            item.kind not in BATCH_KINDS
            and self._preview_file is not None
            and self._preview_options == self.options()
        ):
            # The preview is the whole document already.
            try:
                shutil.copyfile(self._preview_file, out)
            except OSError:
                self._full_document(out, ready, "open")
            else:
                ready(out)
            return
        self._full_document(out, ready, "open")

    def _open_file(self, path: Path) -> None:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            emit(self.action_finished, "open", "")
            return
        message = self.tr(
            "这台电脑上没有找到能打开 PDF 的程序。文件在：\n{path}\n可以复制到别的电脑上打印。"
        ).format(path=QDir.toNativeSeparators(str(path)))
        QMessageBox.warning(self, self.tr("无法打开"), message)
        emit(self.action_finished, "open", message)

    # ------------------------------------------------------------------ 打印…

    def print_current(self) -> None:
        item = self._current
        if item is None or self._busy:
            return
        if (
            item.kind not in BATCH_KINDS
            and self._preview_file is not None
            and self._preview_options == self.options()
        ):
            self._print_file(self._preview_file, keep=True)
            return
        self._print_count += 1
        out = Path(self._tmp.name) / f"print-{self._print_count}.pdf"
        self._full_document(out, lambda path: self._print_file(path, keep=False), "print")

    def _print_file(self, path: Path, *, keep: bool) -> None:
        item = self._current
        title = item.title if item else path.stem
        try:
            pages = open_pages(path)
        except PreviewError as error:
            message = str(error)
            QMessageBox.warning(self, self.tr("无法打印"), message)
            emit(self.action_finished, "print", message)
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, pages, title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印：{title}").format(title=title))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, pages.page_count())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            pages.close()
            if not keep:
                path.unlink(missing_ok=True)
            emit(self.action_finished, "print", self.tr("没有打印"))
            return
        self._busy = True
        self._update_buttons()
        if self._finished_printer is not None:
            # The last print job is long over: let Python delete it now.
            self._finished_printer.setParent(None)
            self._finished_printer = None
        job = PagePrinter(pages, printer, title, self)
        self._page_printer = job

        def finished(outcome: str) -> None:
            self._busy = False
            self._page_printer = None
            # Not deleted here, inside its own signal: kept until the next print.
            self._finished_printer = job
            if not keep:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            self._update_buttons()
            if outcome:
                QMessageBox.warning(self, self.tr("打印没有完成"), outcome)
            emit(self.action_finished, "print", outcome)
            self._reload_if_stale()

        job.finished.connect(guarded(self, finished))
        job.start()


def _free_name(path: Path) -> Path:
    """``path`` if it can be (over)written, else the same name with -2, -3 … added: a PDF
    reader may still hold the earlier file open."""
    candidates = [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, 50)]
    for candidate in candidates:
        if not candidate.exists():
            return candidate
        try:
            candidate.unlink()
        except OSError:
            continue
        return candidate
    stamp = datetime.datetime.now().strftime("%H%M%S")
    return path.with_name(f"{path.stem}-{stamp}{path.suffix}")


# ============================================================================= as a window


class PrintCentreDialog(QDialog):
    """The print centre in a window of its own, e.g. opened from the notices page."""

    def __init__(
        self, context: AppContext, estate_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打印中心"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.centre = PrintCentre(context, estate_id, self)
        buttons = QDialogButtonBox()
        close = buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setMinimumHeight(round(close.fontMetrics().height() * 2.1))
        close.setMinimumWidth(close.fontMetrics().horizontalAdvance("中") * 6)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 12)
        layout.addWidget(self.centre, 1)
        layout.addWidget(buttons)
        screen = (parent.screen() if parent is not None else None) or QApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.resize(round(area.width() * 0.85), round(area.height() * 0.85))


def open_print_centre(
    context: AppContext,
    estate_id: str | None,
    kind: str | None = None,
    ref: str | None = None,
    parent: QWidget | None = None,
) -> PrintCentreDialog:
    """Open the print centre in its own window, with a document chosen if given."""
    dialog = PrintCentreDialog(context, estate_id, parent)
    if kind is not None and ref is not None:
        dialog.centre.focus(kind, ref)
    dialog.show()
    return dialog
