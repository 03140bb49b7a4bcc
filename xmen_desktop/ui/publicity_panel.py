"""公示提醒: notices whose publicity period is running, ends soon, or ended and are still up.

A compact panel for an estate's tab and the overview. Each notice shows a plain countdown
("还剩 2 天", or "已结束，请撤下" in red) and a 已撤下 button. The rows are drawn from plain
``NoticeRow`` objects on every load; no data lives in the row widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.ui import print_jobs
from xmen_desktop.ui.context import AppContext, show_error
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.widgets import ERROR_COLOUR, HINT_COLOUR, alive, ask, guarded, heading, hint

if TYPE_CHECKING:
    from xmen_desktop.store.notices import NoticeRow
    from xmen_desktop.store.print_queries import WatchRow

# A period that ends within three days: dark amber, readable on white.
ENDING_COLOUR = "#9a5b00"


class LiveWidget(QWidget):
    """Loads when first shown; after a change to its ``TABLES`` it reloads if on screen, else
    when next shown. Also loads once the store has opened."""

    # Emitted after every load, once the data is on screen.
    loaded = Signal()
    TABLES: frozenset[str] = frozenset()
    # Reload this often even without a change (ms; 0: never): countdowns move with the clock.
    REFRESH_EVERY_MS = 0

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.has_data = False
        self._stale = True
        context.changed.connect(self._on_changed)
        context.store_ready.connect(self._on_store_ready)
        if self.REFRESH_EVERY_MS:
            self._clock = QTimer(self)
            self._clock.setInterval(self.REFRESH_EVERY_MS)
            self._clock.timeout.connect(self._on_clock)
            self._clock.start()

    def _on_clock(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if not self.TABLES & tables:
            return
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _on_store_ready(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Load now (if the store is open)."""
        if self.context.store is None:
            return  # store_ready loads it
        self._stale = False
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def data_dir(self) -> Path:
        assert self.context.store is not None
        return self.context.store.directory


def countdown(row: NoticeRow) -> tuple[str, str | None]:
    """The countdown text of a notice's publicity period and its colour (None: the usual)."""
    state = row.publicity.state
    days = row.publicity.days_left or 0
    if state == "ended":
        return "已结束，请撤下", ERROR_COLOUR
    if state == "ending":
        return f"还剩 {days} 天", ENDING_COLOUR
    if state == "running":
        return f"还剩 {days} 天", None
    return row.publicity.label, None


def end_text(watch: WatchRow) -> str:
    """When the period ends (or ended), as a staff member would say it."""
    if watch.ends_on is None:
        return ""
    day = f"{watch.ends_on.month}月{watch.ends_on.day}日"
    if watch.notice.publicity.state == "ended":
        return f"{day}已到期"
    return f"{day}结束"


class _NoticeLine(QFrame):
    """One notice in the panel: title, countdown, and the 已撤下 button."""

    def __init__(self, watch: WatchRow, show_estates: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = watch.notice
        self.notice_id = row.id
        self.setObjectName("publicityLine")
        self.setStyleSheet(
            "QFrame#publicityLine { border-bottom: 1px solid #dddddd; background: transparent; }"
        )
        title = QLabel(f"{row.kind_label}：{row.title}")
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setToolTip(row.title)
        text, colour = countdown(row)
        self.countdown = QLabel(text)
        style = "font-weight: bold;"
        if colour:
            style += f" color: {colour};"
        self.countdown.setStyleSheet(style)
        self.countdown.setToolTip(row.publicity.label)
        ends = QLabel(end_text(watch))
        ends.setStyleSheet(f"color: {HINT_COLOUR};")
        details = []
        if show_estates and row.estates:
            details.append("、".join(row.estates))
        if row.postings == 0:
            details.append(self.tr("还没有记录张贴"))
        detail = QLabel("　".join(details))
        detail.setStyleSheet(f"color: {HINT_COLOUR};")
        detail.setWordWrap(True)
        detail.setVisible(bool(details))

        self.take_down_button = QPushButton(self.tr("已撤下"))
        self.take_down_button.setToolTip(self.tr("通知已经从宣传栏撤下时点这里"))
        self.take_down_button.setAutoDefault(False)
        self.take_down_button.setMinimumHeight(round(self.fontMetrics().height() * 1.9))
        self.take_down_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 5)

        words = QVBoxLayout()
        words.setSpacing(3)
        words.addWidget(title)
        status = QHBoxLayout()
        status.setSpacing(10)
        status.addWidget(self.countdown)
        status.addWidget(ends)
        status.addStretch(1)
        words.addLayout(status)
        words.addWidget(detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        layout.setSpacing(12)
        layout.addLayout(words, 1)
        layout.addWidget(self.take_down_button, 0, Qt.AlignmentFlag.AlignVCenter)


class PublicityPanel(LiveWidget):
    """公示提醒 for one estate (``estate_id``) or the whole subdistrict (None)."""

    TABLES = print_jobs.NOTICE_TABLES
    REFRESH_EVERY_MS = 30 * 60 * 1000  # "还剩 2 天" must not still say so tomorrow
    # How many notices need attention (to hide the panel when there are none, say).
    count_changed = Signal(int)

    def __init__(
        self, context: AppContext, estate_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent)
        self.estate_id = estate_id
        self._rows: list[WatchRow] = []
        self._line_widgets: list[_NoticeLine] = []

        self.title = heading(self.tr("公示提醒"), scale=1.1)
        self.summary = hint()
        self.summary.setVisible(False)
        self.empty_hint = hint(self.tr("现在没有正在公示、或公示期满还没撤下的通知。"))
        self.empty_hint.setVisible(False)

        self._lines_box = QWidget()
        self._lines = QVBoxLayout(self._lines_box)
        self._lines.setContentsMargins(0, 0, 0, 0)
        self._lines.setSpacing(0)
        self._lines.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._lines_box)
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.scroll = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty_hint)
        layout.addWidget(scroll, 1)

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        self.context.read(
            print_jobs.load_watch(self.estate_id),
            guarded(self, self._loaded),
            guarded(self, self._load_failed),
        )

    def _load_failed(self, error: BaseException) -> None:
        show_error(self, error, self.tr("无法读取公示提醒"))

    def _loaded(self, rows: list[WatchRow]) -> None:
        self._rows = list(rows)
        for old in self._line_widgets:
            self._lines.removeWidget(old)
            old.hide()
            old.deleteLater()
        self._line_widgets = []
        for position, watch in enumerate(self._rows):
            line = _NoticeLine(watch, self.estate_id is None)
            line.take_down_button.clicked.connect(
                lambda _checked=False, r=watch.notice: self.confirm_take_down(r)
            )
            self._lines.insertWidget(position, line)
            self._line_widgets.append(line)
        ended = sum(1 for r in self._rows if r.notice.publicity.state == "ended")
        if ended:
            self.summary.setText(
                self.tr("共 {n} 份，其中 {ended} 份公示期已满，请撤下").format(
                    n=len(self._rows), ended=ended
                )
            )
        else:
            self.summary.setText(self.tr("共 {n} 份正在公示").format(n=len(self._rows)))
        self.summary.setVisible(bool(self._rows))
        self.empty_hint.setVisible(not self._rows)
        self.scroll.setVisible(bool(self._rows))
        self.has_data = True
        emit(self.count_changed, len(self._rows))
        emit(self.loaded)

    # ------------------------------------------------------------------ reading (tests, lead)

    def notice_ids(self) -> list[str]:
        return [r.notice.id for r in self._rows]

    def countdown_text(self, notice_id: str) -> str:
        for watch in self._rows:
            if watch.notice.id == notice_id:
                return countdown(watch.notice)[0]
        return ""

    def take_down_button(self, notice_id: str) -> QPushButton | None:
        for line in self._line_widgets:
            if line.notice_id == notice_id and alive(line):
                return line.take_down_button
        return None

    # ------------------------------------------------------------------ 已撤下

    def confirm_take_down(self, row: NoticeRow) -> None:
        if not ask(
            self,
            self.tr("确认撤下"),
            self.tr(
                "“{title}”已经从宣传栏撤下了吗？\n\n确认后记为今天撤下，它不再出现在公示提醒里。"
            ).format(title=row.title),
        ):
            return
        self.context.write(
            print_jobs.take_down(row.id),
            None,
            guarded(self, lambda error: show_error(self, error, self.tr("没有记下撤下"))),
        )
