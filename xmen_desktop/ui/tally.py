"""计票: returned ballots scanned (or typed) one by one, the count live beside them.

The focus never leaves the scan field. A USB scanner types a ballot's serial and Enter; the
household appears in large type; a key (1, 2, 3… for the options, 0 or B for 空白票, F for
废票) or a click records it. Each entry is one small write on the worker that also recounts,
so the panel is updated from the write's own answer, never by reading everything again.

A scanner types a whole serial within a few milliseconds, while a person pressing a choice
key does not press another one at once: a choice key is therefore held for a moment, and if
more keys follow it was the start of the next serial, not a choice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.validation import area_text
from xmen_desktop.ui import topic_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.topic_models import OK_COLOUR, EntryTableModel, MismatchTableModel
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    HINT_COLOUR,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    set_column_widths,
    setup_table,
)

if TYPE_CHECKING:
    from xmen_desktop.domain.votes import Result, ThresholdCheck
    from xmen_desktop.store.topic_queries import (
        CheckOutcome,
        EntryRow,
        MismatchRow,
        TallyOutcome,
        TallyState,
    )

# How long a choice key is held before it counts (ms): a scanner's next key comes far sooner.
CHOICE_DELAY_MS = 120
BLANK_KEYS = ("0", "B")
SPOILT_KEYS = ("F",)
REVIEW_COLOUR = "#8a5a00"
RECENT_LIMIT = 12

BLANK = "blank"
SPOILT = "spoilt"


def _scaled(label: QLabel, scale: float, *, bold: bool = False) -> QLabel:
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    return label


class ScanField(QLineEdit):
    """The serial box; while a ballot waits for its choice, a single key is the choice."""

    choice_key = Signal(str)

    def __init__(self, choice_keys: Callable[[], frozenset[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self._choice_keys = choice_keys
        self._held: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHOICE_DELAY_MS)
        self._timer.timeout.connect(self._release)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._held is not None:
            # Another key at once: a scanner typing the next serial, not a choice.
            self._timer.stop()
            held, self._held = self._held, None
            self.insert(held)
            super().keyPressEvent(event)
            return
        key = event.text().upper()
        if key and not self.text() and key in self._choice_keys():
            self._held = event.text()
            self._timer.start()
            event.accept()
            return
        super().keyPressEvent(event)

    def _release(self) -> None:
        key, self._held = self._held, None
        if key:
            emit(self.choice_key, key.upper())


class TallyDialog(QDialog):
    """The tally of one vote: scan, choose, see the count; undo; double entry; close."""

    def __init__(self, context: AppContext, vote_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.vote_id = vote_id
        self.state: TallyState | None = None
        self.result: Result | None = None
        # The ballot scanned and waiting for its choice.
        self.pending: EntryRow | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("计票"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        cell = self.fontMetrics().horizontalAdvance("中")
        width, height = cell * 74, round(self.fontMetrics().height() * 38)
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 60)
        self.resize(width, height)

        # --- header
        self.title = heading(self.tr("正在读取……"), scale=1.4)
        self.title.setWordWrap(True)
        self.question = QLabel()
        self.question.setWordWrap(True)

        # --- left: scanning
        self.review = QCheckBox(self.tr("复核模式（第二个人把票再录一遍，核对有没有登记错）"))
        self.review.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.review.toggled.connect(self._mode_changed)
        self.mode_banner = QLabel()
        self.mode_banner.setWordWrap(True)
        self.scan = ScanField(self.choice_keys)
        _scaled(self.scan, 1.6)
        self.scan.setMinimumHeight(round(self.scan.fontMetrics().height() * 1.8))
        self.scan.setPlaceholderText(self.tr("扫描票上的二维码，或输入票面编号后按回车"))
        self.scan.returnPressed.connect(self.submit_serial)
        self.scan.choice_key.connect(self.key_choice)
        scan_row = QHBoxLayout()
        scan_caption = QLabel(self.tr("票面编号"))
        _scaled(scan_caption, 1.2, bold=True)
        scan_row.addWidget(scan_caption)
        scan_row.addWidget(self.scan, 1)

        self.card = QFrame()
        self.card.setObjectName("ballotCard")
        card = QVBoxLayout(self.card)
        card.setContentsMargins(18, 12, 18, 12)
        self.card_address = _scaled(QLabel(), 2.0, bold=True)
        self.card_address.setWordWrap(True)
        self.card_tenant = _scaled(QLabel(), 1.7, bold=True)
        self.card_serial = QLabel()
        self.card_serial.setStyleSheet(f"color: {HINT_COLOUR};")
        card.addWidget(self.card_address)
        card_line = QHBoxLayout()
        card_line.addWidget(self.card_tenant)
        card_line.addStretch(1)
        card_line.addWidget(self.card_serial)
        card.addLayout(card_line)
        self.card.setMinimumHeight(round(self.fontMetrics().height() * 6.5))

        self.message = _scaled(QLabel(), 1.25, bold=True)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumHeight(round(self.fontMetrics().height() * 3.6))
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.choice_box = QWidget()
        self.choice_row = QHBoxLayout(self.choice_box)
        self.choice_row.setContentsMargins(0, 0, 0, 0)
        self.choice_row.setSpacing(10)
        self.choice_buttons: dict[str, QPushButton] = {}
        self.undo_button = big_button(self.tr("撤销上一张"))
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_button.clicked.connect(self.undo_last)
        self.keys_hint = keys_hint = hint(
            self.tr("按键：数字键选选项，0 或 B 为空白票，F 为废票，Esc 放弃这张（不登记）。")
        )

        self.recent_model = EntryTableModel(self)
        self.recent_table = QTableView()
        self.recent_table.setModel(self.recent_model)
        self.recent_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        setup_table(self.recent_table, stretch_column=1)
        set_column_widths(self.recent_table, {0: 7.5, 2: 4.5, 3: 4.5, 4: 3})
        self.mismatch_model = MismatchTableModel(self)
        self.mismatch_table = QTableView()
        self.mismatch_table.setModel(self.mismatch_model)
        self.mismatch_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        setup_table(self.mismatch_table, stretch_column=3)
        set_column_widths(self.mismatch_table, {0: 7.5, 1: 11, 2: 4, 4: 5})
        self.lists = QTabWidget()
        self.lists.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lists.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lists.addTab(self.recent_table, self.tr("最近登记"))
        self.lists.addTab(self.mismatch_table, self.tr("复核不一致"))

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(self.review)
        left.addWidget(self.mode_banner)
        left.addLayout(scan_row)
        left.addWidget(self.card)
        left.addWidget(self.message)
        left.addWidget(self.choice_box)
        left.addWidget(keys_hint)
        # What only matters while ballots can still be entered; hidden once the vote is closed.
        self.entry_widgets: list[QWidget] = [
            self.review,
            self.mode_banner,
            self.choice_box,
            keys_hint,
            self.undo_button,
        ]
        left.addWidget(self.lists, 1)

        # --- right: the count
        panel = QFrame()
        panel.setObjectName("countPanel")
        panel.setStyleSheet("QFrame#countPanel { background: #f6f7f9; border: 1px solid #d5d9de; }")
        right = QVBoxLayout(panel)
        right.setContentsMargins(16, 12, 16, 12)
        right.setSpacing(8)
        right.addWidget(heading(self.tr("计票情况"), scale=1.2))
        self.counts_grid = QGridLayout()
        self.counts_grid.setHorizontalSpacing(18)
        self.counts_grid.setVerticalSpacing(4)
        right.addLayout(self.counts_grid)
        self.count_labels: dict[str, QLabel] = {}
        right.addSpacing(6)
        right.addWidget(heading(self.tr("是否达到规则"), scale=1.1))
        self.checks_box = QVBoxLayout()
        self.checks_box.setSpacing(4)
        right.addLayout(self.checks_box)
        self.check_labels: list[QLabel] = []
        self.verdict = _scaled(QLabel(), 1.3, bold=True)
        self.verdict.setWordWrap(True)
        right.addWidget(self.verdict)
        self.rule_label = hint()
        right.addWidget(self.rule_label)
        right.addStretch(1)
        self.close_vote_button = big_button(self.tr("结束表决…"))
        self.close_vote_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_vote_button.clicked.connect(self.close_vote)
        self.print_result_button = big_button(self.tr("打印结果公示…"))
        self.print_result_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.print_result_button.clicked.connect(self.print_result)
        self.print_result_button.setVisible(False)
        self.done_button = big_button(self.tr("关闭计票窗口"))
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_button.clicked.connect(self.close)
        right.addWidget(self.close_vote_button)
        right.addWidget(self.print_result_button)
        right.addWidget(self.done_button)
        panel.setMinimumWidth(cell * 30)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left, 3)
        body.addWidget(panel, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.question)
        layout.addLayout(body, 1)

        self._show_card(None)
        self._mode_changed(False)
        self.scan.setEnabled(False)
        context.read(
            topic_jobs.load_tally(vote_id),
            guarded(self, self._show_state),
            guarded(self, self._load_failed),
        )

    # ------------------------------------------------------------------ loading

    def _load_failed(self, error: BaseException) -> None:
        self.title.setText(self.tr("无法打开计票"))
        self._say(error_message(error), ERROR_COLOUR)

    def _show_state(self, state: TallyState) -> None:
        self.state = state
        self.setWindowTitle(self.tr("计票：{title}").format(title=state.topic_title))
        self.title.setText(self.tr("计票：{title}").format(title=state.topic_title))
        self.question.setText(self.tr("表决事项：{q}").format(q=state.question))
        self._build_choices(state.options)
        self.recent_model.set_rows(state.recent)
        self._show_mismatches(state.mismatches)
        self._show_result(state.result)
        if state.state == "closed":
            self._show_closed(state)
        else:
            self.scan.setEnabled(True)
            self.undo_button.setEnabled(not self.review.isChecked())
            self._say(self.tr("请扫描第一张交回的表决票。"), None)
            self.focus_scan()

    def _build_choices(self, options: tuple[str, ...]) -> None:
        while self.choice_row.count():
            item = self.choice_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.undo_button:
                widget.deleteLater()
        self.choice_buttons = {}
        entries = [(str(n), f"{n}  {o}", o) for n, o in enumerate(options, start=1)]
        entries += [("0", self.tr("0  空白票"), BLANK), ("F", self.tr("F  废票"), SPOILT)]
        for key, text, code in entries:
            button = QPushButton(text)
            _scaled(button, 1.3, bold=True)
            button.setMinimumHeight(round(button.fontMetrics().height() * 2.0))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=code: self.choose(c))
            self.choice_row.addWidget(button)
            self.choice_buttons[key] = button
        self.choice_row.addStretch(1)
        self.choice_row.addWidget(self.undo_button)

    # ------------------------------------------------------------------ scanning

    @property
    def is_open(self) -> bool:
        return self.state is not None and self.state.state == "open"

    def choice_keys(self) -> frozenset[str]:
        if self.pending is None or self.state is None:
            return frozenset()
        digits = {str(n) for n in range(1, len(self.state.options) + 1)}
        return frozenset(digits | set(BLANK_KEYS) | set(SPOILT_KEYS))

    def focus_scan(self) -> None:
        if self.scan.isEnabled():
            self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            # Esc drops the ballot on show; it never closes the window by accident.
            if self.pending is not None:
                self.pending = None
                self._show_card(None)
                self._say(self.tr("这张没有登记。请扫描下一张。"), None)
            self.focus_scan()
            return
        super().keyPressEvent(event)

    def submit_serial(self) -> None:
        text = self.scan.text().strip()
        self.scan.clear()
        self.focus_scan()
        if not text or not self.is_open:
            return
        self.pending = None

        def found(entry: EntryRow) -> None:
            if self.review.isChecked():
                self.pending = entry
                self._show_card(entry)
                self._say(self.tr("复核：请按票上勾选的内容按键或点按钮。"), REVIEW_COLOUR)
            elif entry.returned:
                from xmen_desktop.store.topic_queries import duplicate_message

                self._show_card(entry, refused=True)
                self._say(duplicate_message(entry), ERROR_COLOUR)
            else:
                self.pending = entry
                self._show_card(entry)
                self._say(self._choose_prompt(), None)
            self.focus_scan()

        def failed(error: BaseException) -> None:
            self._show_card(None)
            self._say(error_message(error), ERROR_COLOUR)
            self.focus_scan()

        self.context.read(
            topic_jobs.lookup_ballot(self.vote_id, text),
            guarded(self, found),
            guarded(self, failed),
        )

    def _choose_prompt(self) -> str:
        assert self.state is not None
        keys = "　".join(f"{n} {o}" for n, o in enumerate(self.state.options, start=1))
        return self.tr("请按键选择：{keys}　0 空白票　F 废票").format(keys=keys)

    def key_choice(self, key: str) -> None:
        assert self.state is not None
        if key in BLANK_KEYS:
            self.choose(BLANK)
        elif key in SPOILT_KEYS:
            self.choose(SPOILT)
        elif key.isdigit() and 1 <= int(key) <= len(self.state.options):
            self.choose(self.state.options[int(key) - 1])

    def choose(self, code: str) -> None:
        """Record the ballot on show as ``code``: an option, BLANK or SPOILT."""
        entry = self.pending
        self.focus_scan()
        if entry is None or not self.is_open:
            self._say(self.tr("请先扫描一张表决票（或输入票面编号后按回车）。"), ERROR_COLOUR)
            return
        self.pending = None
        choice = code if code not in (BLANK, SPOILT) else None
        what = {BLANK: self.tr("空白票"), SPOILT: self.tr("废票")}.get(code, f"“{code}”")
        kwargs = {"choice": choice, "blank": code == BLANK, "spoilt": code == SPOILT}
        if self.review.isChecked():
            self.context.write(
                topic_jobs.check_entry(self.vote_id, entry.serial, **kwargs),  # type: ignore[arg-type]
                guarded(self, lambda outcome: self._checked(outcome, what)),
                guarded(self, self._refused),
            )
        else:
            self.context.write(
                topic_jobs.cast(self.vote_id, entry.serial, **kwargs),  # type: ignore[arg-type]
                guarded(self, self._cast_done),
                guarded(self, self._refused),
            )

    def _cast_done(self, outcome: TallyOutcome) -> None:
        entry = outcome.entry
        self._show_card(entry, recorded=True)
        self._say(
            self.tr("✓ 已登记：{address} {tenant} —— {record}。请扫描下一张。").format(
                address=entry.address, tenant=entry.tenant, record=entry.record
            ),
            OK_COLOUR,
        )
        self.recent_model.add_first(entry, RECENT_LIMIT)
        self._show_result(outcome.result)
        self.focus_scan()

    def _checked(self, outcome: CheckOutcome, what: str) -> None:
        entry = outcome.entry
        self._show_card(entry)
        if outcome.matched:
            self._say(
                self.tr("✓ 复核一致：{address} {tenant} —— {what}。请扫描下一张。").format(
                    address=entry.address, tenant=entry.tenant, what=what
                ),
                OK_COLOUR,
            )
        else:
            self._say(
                self.tr(
                    "✗ 复核不一致：{address} {tenant}\n这次录入 {what}，第一次 {recorded}。"
                    "已列入“复核不一致”，请找出原票核对。"
                ).format(
                    address=entry.address,
                    tenant=entry.tenant,
                    what=what,
                    recorded=entry.describe(),
                ),
                ERROR_COLOUR,
            )
        self._show_mismatches(outcome.mismatches)
        self.focus_scan()

    def _refused(self, error: BaseException) -> None:
        earlier = getattr(error, "earlier", None)
        self._show_card(earlier, refused=True) if earlier is not None else self._show_card(None)
        self._say(error_message(error), ERROR_COLOUR)
        self.focus_scan()

    def undo_last(self) -> None:
        self.focus_scan()
        if not self.is_open:
            return
        latest = self.recent_model.row_at(0) if self.recent_model.rowCount() else None
        if latest is not None:
            question = self.tr(
                "撤销最近登记的一张吗？\n编号 {serial}　{address} {tenant}（登记为 {record}）\n"
                "撤销后这张票算作未交回，可以重新扫码登记。"
            ).format(
                serial=latest.serial,
                address=latest.address,
                tenant=latest.tenant,
                record=latest.record,
            )
        else:
            question = self.tr("撤销最近登记的一张票吗？")
        if not ask(self, self.tr("撤销上一张"), question):
            self.focus_scan()
            return
        self.pending = None

        def done(outcome: TallyOutcome) -> None:
            entry = outcome.entry
            self.recent_model.remove(entry.id)
            self._show_card(None)
            self._say(
                self.tr(
                    "已撤销：编号 {serial}　{address} {tenant}（原登记为 {record}）。"
                    "这张票现在算作未交回，可以重新扫码登记。"
                ).format(
                    serial=entry.serial,
                    address=entry.address,
                    tenant=entry.tenant,
                    record=entry.record,
                ),
                REVIEW_COLOUR,
            )
            self._show_result(outcome.result)
            self.focus_scan()

        self.context.write(
            topic_jobs.undo_last(self.vote_id), guarded(self, done), guarded(self, self._refused)
        )

    # ------------------------------------------------------------------ showing

    def _say(self, text: str, colour: str | None) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour};" if colour else "")

    def message_text(self) -> str:
        return self.message.text()

    def _show_card(
        self, entry: EntryRow | None, *, refused: bool = False, recorded: bool = False
    ) -> None:
        if entry is None:
            self.card_address.setText(self.tr("（扫码后这里显示住户）"))
            self.card_address.setStyleSheet(f"color: {HINT_COLOUR};")
            self.card_tenant.setText("")
            self.card_serial.setText("")
            border = "#c9cfd6"
        else:
            self.card_address.setText(entry.address)
            self.card_address.setStyleSheet("")
            self.card_tenant.setText(entry.tenant)
            self.card_serial.setText(
                self.tr("编号 {serial}（第 {n} 张）").format(serial=entry.serial, n=entry.number)
            )
            border = ERROR_COLOUR if refused else OK_COLOUR if recorded else "#3b73b9"
        self.card.setStyleSheet(
            f"QFrame#ballotCard {{ border: 3px solid {border}; border-radius: 6px;"
            " background: white; }"
        )

    def _mode_changed(self, review: bool) -> None:
        self.pending = None
        self._show_card(None)
        if review:
            self.mode_banner.setText(
                self.tr(
                    "复核模式：把已登记的票再录一遍，这里只比对、不改动计票结果。"
                    "不一致的票列在下方“复核不一致”中。"
                )
            )
            self.mode_banner.setStyleSheet(
                f"color: {REVIEW_COLOUR}; background: #fff4d6; padding: 6px;"
            )
            self.lists.setCurrentWidget(self.mismatch_table)
        else:
            self.mode_banner.setText(
                self.tr("计票模式：扫一张，按一个键，自动登记；登记错了点“撤销上一张”。")
            )
            self.mode_banner.setStyleSheet("background: #e8f0fa; padding: 6px;")
            self.lists.setCurrentWidget(self.recent_table)
        self.undo_button.setEnabled(not review and self.is_open)
        self.focus_scan()

    def _show_mismatches(self, rows: list[MismatchRow]) -> None:
        self.mismatch_model.set_rows(rows)
        self.lists.setTabText(
            1,
            self.tr("复核不一致（{n} 张）").format(n=len(rows)) if rows else self.tr("复核不一致"),
        )

    def _set_count(
        self, row: int, key: str, caption: str, value: str, colour: str | None = None
    ) -> None:
        label = self.count_labels.get(key)
        if label is None:
            title = QLabel(caption)
            label = _scaled(QLabel(), 1.25, bold=True)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts_grid.addWidget(title, row, 0)
            self.counts_grid.addWidget(label, row, 1)
            self.count_labels[key] = label
        label.setText(value)
        label.setStyleSheet(f"color: {colour};" if colour else "")

    def count_text(self, key: str) -> str:
        """The number shown for ``key`` (已交回, 未交回, 空白, 废票 or an option): for tests."""
        label = self.count_labels.get(key)
        return label.text() if label is not None else ""

    def _show_result(self, result: Result) -> None:
        self.result = result
        whole = result.electorate.households
        households = self.tr("{n} 户")
        row = 0
        self._set_count(row, "应参加", self.tr("应参加"), households.format(n=whole))
        row += 1
        self._set_count(
            row,
            "已交回",
            self.tr("已交回"),
            self.tr("{n} / {whole} 户").format(n=result.participated.households, whole=whole),
        )
        row += 1
        self._set_count(
            row, "未交回", self.tr("未交回"), households.format(n=result.not_returned.households)
        )
        row += 1
        for option in result.options:
            self._set_count(
                row,
                option,
                self.tr("　{option}").format(option=option),
                households.format(n=result.counts[option].households),
            )
            row += 1
        self._set_count(
            row, "空白", self.tr("　空白票"), households.format(n=result.blank.households)
        )
        row += 1
        self._set_count(
            row, "废票", self.tr("　废票"), households.format(n=result.spoilt.households)
        )
        row += 1
        if result.in_review.households:
            self._set_count(
                row,
                "待核",
                self.tr("待核对（两台电脑记录不一）"),
                households.format(n=result.in_review.households),
                ERROR_COLOUR,
            )

        checks = [*result.participation_checks, *result.passing_checks]
        while len(self.check_labels) < len(checks):
            label = _scaled(QLabel(), 1.05)
            label.setWordWrap(True)
            self.checks_box.addWidget(label)
            self.check_labels.append(label)
        for label, check in zip(self.check_labels, checks, strict=False):
            label.setText(self.check_line(check))
            label.setStyleSheet(f"color: {OK_COLOUR}; font-weight: bold;" if check.met else "")
            label.setVisible(True)
        for label in self.check_labels[len(checks) :]:
            label.setVisible(False)
        self.rule_label.setText(
            "\n".join(
                [self.tr("规则：{name}").format(name=result.rule.name), *result.rule.explain()]
            )
        )
        self._show_verdict()

    def check_line(self, check: ThresholdCheck) -> str:
        """参与 按户数：已 45 户，需 61 户（还差 16 户）"""
        if check.basis == "headcount":
            basis = self.tr("按户数")

            def amount(n: int) -> str:
                return self.tr("{n} 户").format(n=n)
        else:
            basis = self.tr("按面积")

            def amount(n: int) -> str:
                return self.tr("{n} ㎡").format(n=area_text(n) or "0")

        line = self.tr("{label} {basis}：已 {part}，需 {needed}").format(
            label=check.label, basis=basis, part=amount(check.part), needed=amount(check.needed)
        )
        if check.met:
            return "✓ " + line + self.tr("（已达到）")
        return "　" + line + self.tr("（还差 {gap}）").format(gap=amount(check.needed - check.part))

    def _show_verdict(self) -> None:
        result = self.result
        if result is None:
            return
        closed = self.state is not None and self.state.state == "closed"
        if closed:
            text = self.tr("表决结果：通过") if result.passed else self.tr("表决结果：未通过")
            colour = OK_COLOUR if result.passed else ERROR_COLOUR
        elif not result.participation_met:
            text, colour = self.tr("目前：参加的户数还不够"), None
        elif result.passed:
            text, colour = self.tr("目前：按已登记的票，可以通过"), OK_COLOUR
        else:
            text, colour = self.tr("目前：按已登记的票，不能通过"), None
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour};" if colour else "")

    # ------------------------------------------------------------------ closing

    def close_vote(self) -> None:
        result, state = self.result, self.state
        if result is None or state is None or not self.is_open:
            return
        counts = "，".join(
            self.tr("{option} {n} 户").format(option=o, n=a.households)
            for o, a in result.counts.items()
        )
        outcome = self.tr("通过") if result.passed else self.tr("未通过")
        question = self.tr(
            "应参加 {whole} 户，已交回 {returned} 户"
            "（{counts}，空白票 {blank} 户，废票 {spoilt} 户），未交回 {missing} 户。\n\n"
            "按这些票数，表决结果为：{outcome}。\n\n"
            "结束后不能再登记或撤销选票，结果会记入议题。确定结束表决吗？"
        ).format(
            whole=result.electorate.households,
            returned=result.participated.households,
            counts=counts,
            blank=result.blank.households,
            spoilt=result.spoilt.households,
            missing=result.not_returned.households,
            outcome=outcome,
        )
        if not ask(self, self.tr("结束表决"), question):
            self.focus_scan()
            return

        def failed(error: BaseException) -> None:
            self._say(error_message(error), ERROR_COLOUR)

        self.context.write(
            topic_jobs.close_vote(self.vote_id), guarded(self, self._closed), guarded(self, failed)
        )

    def _closed(self, state: TallyState) -> None:
        self.state = state
        self._show_result(state.result)
        self._show_closed(state)

    def _show_closed(self, state: TallyState) -> None:
        self.pending = None
        self.scan.setEnabled(False)
        self.scan.setPlaceholderText(self.tr("表决已结束，不能再登记选票"))
        for button in self.choice_buttons.values():
            button.setEnabled(False)
        self.undo_button.setEnabled(False)
        self.review.setEnabled(False)
        for widget in self.entry_widgets:
            widget.setVisible(False)
        self.close_vote_button.setVisible(False)
        self.print_result_button.setVisible(True)
        result = state.result
        passed = result.passed
        verdict = self.tr("通过") if passed else self.tr("未通过")
        # The card now carries the result, in the same large type.
        self.card_address.setText(self.tr("表决结果：{verdict}").format(verdict=verdict))
        self.card_address.setStyleSheet(f"color: {OK_COLOUR if passed else ERROR_COLOUR};")
        counts = "，".join(
            self.tr("{option} {n} 户").format(option=o, n=a.households)
            for o, a in result.counts.items()
        )
        self.card_tenant.setText(
            self.tr("参加 {n} 户：{counts}").format(n=result.participated.households, counts=counts)
        )
        self.card_serial.setText("")
        self.card.setStyleSheet(
            "QFrame#ballotCard { border: 3px solid %s; border-radius: 6px; background: white; }"
            % (OK_COLOUR if passed else ERROR_COLOUR)
        )
        self._say(
            self.tr(
                "表决已于 {at} 结束（{by}），结果已记入议题。"
                "请点右边“打印结果公示…”，打印后张贴在宣传栏。"
            ).format(at=state.closed_at, by=state.closed_by or self.tr("本机")),
            None,
        )
        self._show_verdict()

    def print_result(self) -> None:
        from xmen_desktop.ui.vote_dialog import print_result_interactive

        if self.state is not None:
            print_result_interactive(self, self.context, self.vote_id, self.state.topic_title)
