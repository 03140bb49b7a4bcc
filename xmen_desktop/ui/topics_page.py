"""议题与表决: an estate's topics, and for the one chosen its course, supports, consultation
and votes.

The list and the chosen topic load from the store in one small job each; any change to the
topic tables reloads what is on show. Tally entries (ballots) do not: the tally window
updates its own counts, and this page reads the vote again when that window closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QStringListModel, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain.estates import EstateInfo
from xmen_desktop.domain.topics import CHANNELS, STATES, allowed_moves
from xmen_desktop.ui import jobs, topic_jobs
from xmen_desktop.ui.context import AppContext, error_message, show_error
from xmen_desktop.ui.estate_page import Page
from xmen_desktop.ui.household_picker import HouseholdPicker
from xmen_desktop.ui.signals import emit
from xmen_desktop.ui.topic_dialog import (
    MoveDialog,
    SupportDialog,
    ThresholdDialog,
    TopicDialog,
    move_label,
)
from xmen_desktop.ui.topic_models import (
    ALL,
    METHOD_LABELS,
    OK_COLOUR,
    OPEN,
    OPINION_LABELS,
    ContactTableModel,
    CoverageTableModel,
    ShareBarDelegate,
    SupportTableModel,
    TopicStateProxy,
    TopicTableModel,
    TransitionTableModel,
    VoteTableModel,
)
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    StatusPage,
    ask,
    big_button,
    guarded,
    heading,
    hint,
    roomy,
    set_column_widths,
    setup_table,
    show_message,
)

if TYPE_CHECKING:
    from xmen_desktop.store.topic_queries import (
        HouseholdChoice,
        ThresholdInfo,
        TopicDetail,
        TopicList,
        VoteRow,
    )
    from xmen_desktop.store.topics import TopicRow

# States in which households can be consulted (the store starts a round only then).
CONSULT_STATES = frozenset({"accepted", "consulting", "deliberating"})
# States in which supports are still collected.
SUPPORT_STATES = frozenset({"proposed", "accepted"})


def _coloured(label: QLabel, text: str, colour: str | None) -> None:
    label.setText(text)
    label.setStyleSheet(f"color: {colour};" if colour else "")


class TopicsPage(Page):
    """The topics of one estate (left) and the chosen topic in detail (right)."""

    TABLES = frozenset(
        {
            topic_jobs.TOPIC,
            topic_jobs.TOPIC_TRANSITION,
            topic_jobs.TOPIC_SUPPORT,
            topic_jobs.CONSULTATION_ROUND,
            topic_jobs.CONSULTATION_CONTACT,
            topic_jobs.ESTATE_SETTING,
            topic_jobs.VOTE,
            jobs.HOUSEHOLD,
        }
    )

    def __init__(
        self, context: AppContext, estate: EstateInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, estate, parent)
        self._pending_select: str | None = None
        self._detail: TopicDetail | None = None
        self._threshold: ThresholdInfo | None = None
        self._households: list[HouseholdChoice] = []
        self._households_stale = True
        # The consultation round shown (None: all rounds together).
        self._round_id: str | None = None
        self.move_buttons: dict[str, QPushButton] = {}
        # The tally window last opened from this page, while it is open.
        self.tally: QWidget | None = None

        self.model = TopicTableModel(self)
        self.proxy = TopicStateProxy(self)
        self.proxy.setSourceModel(self.model)

        # --- tool row
        self.state_filter = QComboBox()
        self.state_filter.addItem(self.tr("全部议题"), ALL)
        self.state_filter.addItem(self.tr("正在办理的"), OPEN)
        for code, label in STATES.items():
            self.state_filter.addItem(label, code)
        roomy(self.state_filter)
        self.state_filter.currentIndexChanged.connect(self._filter_changed)
        self.count_label = QLabel()
        self.threshold_button = big_button(self.tr("附议门槛…"))
        self.threshold_button.setToolTip(self.tr("一个议题要有多少户附议才能受理"))
        self.add_button = big_button(self.tr("登记议题"))
        self.threshold_button.clicked.connect(self.edit_threshold)
        self.add_button.clicked.connect(self.add_topic)
        tools = QHBoxLayout()
        tools.setSpacing(10)
        tools.addWidget(QLabel(self.tr("显示")))
        tools.addWidget(self.state_filter)
        tools.addWidget(self.count_label)
        tools.addStretch(1)
        tools.addWidget(self.threshold_button)
        tools.addWidget(self.add_button)

        # --- the topic list
        self.table = QTableView()
        self.table.setModel(self.proxy)
        setup_table(self.table, stretch_column=TopicTableModel.TITLE)
        set_column_widths(self.table, {1: 6, 2: 4, 3: 6, 4: 5, 5: 4.5})
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            TopicTableModel.RAISED, Qt.SortOrder.DescendingOrder
        )
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_hint = hint()
        self.empty_hint.setVisible(False)
        topics_box = QWidget()
        left = QVBoxLayout(topics_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.empty_hint)
        left.addWidget(self.table, 1)

        # --- the chosen topic
        self.nothing_chosen = StatusPage(
            self.tr("请在左边选中一个议题"),
            self.tr("这里会显示它的经过、附议、征询和表决。新议题请点右上方的“登记议题”。"),
        )
        self.detail = self._build_detail()
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.nothing_chosen)
        self.detail_stack.addWidget(self.detail)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(topics_box)
        splitter.addWidget(self.detail_stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        cell = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([cell * 36, cell * 38])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addLayout(tools)
        layout.addWidget(splitter, 1)
        self._update_count()
        self.update_buttons()

    # ------------------------------------------------------------------ building

    def _build_detail(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(12, 0, 0, 0)
        layout.setSpacing(8)
        self.title_label = heading("", scale=1.35)
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)
        self.moves_row = QHBoxLayout()
        self.moves_row.setSpacing(8)
        self.edit_button = big_button(self.tr("修改"))
        self.edit_button.clicked.connect(self.edit_topic)
        self.moves_hint = hint()
        moves = QHBoxLayout()
        moves.addLayout(self.moves_row)
        moves.addStretch(1)
        moves.addWidget(self.edit_button)
        layout.addWidget(self.title_label)
        layout.addWidget(self.facts_label)
        layout.addLayout(moves)
        layout.addWidget(self.moves_hint)

        self.detail_tabs = QTabWidget()
        self.detail_tabs.setDocumentMode(True)
        self.detail_tabs.addTab(self._build_course_tab(), self.tr("经过"))
        self.detail_tabs.addTab(self._build_support_tab(), self.tr("附议"))
        self.detail_tabs.addTab(self._build_consult_tab(), self.tr("征询"))
        self.detail_tabs.addTab(self._build_coverage_tab(), self.tr("覆盖"))
        self.detail_tabs.addTab(self._build_vote_tab(), self.tr("表决"))
        layout.addWidget(self.detail_tabs, 1)
        return box

    def _build_course_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.description_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.description_label.setMargin(10)
        self.history_model = TransitionTableModel(self)
        self.history_table = QTableView()
        self.history_table.setModel(self.history_model)
        setup_table(self.history_table, stretch_column=3)
        set_column_widths(self.history_table, {0: 8.5, 1: 9, 2: 7})
        layout.addWidget(QLabel(self.tr("说明")))
        layout.addWidget(self.description_label)
        layout.addSpacing(6)
        layout.addWidget(QLabel(self.tr("办理经过")))
        layout.addWidget(self.history_table, 1)
        self.meetings_label = QLabel()
        self.meetings_label.setWordWrap(True)
        layout.addWidget(self.meetings_label)
        return tab

    def _build_support_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.support_line = heading("", scale=1.15)
        self.support_rule = hint()
        self.supports_model = SupportTableModel(self)
        self.supports_table = QTableView()
        self.supports_table.setModel(self.supports_model)
        setup_table(self.supports_table, stretch_column=3)
        set_column_widths(self.supports_table, {0: 14, 1: 5, 2: 6})
        self.supports_table.selectionModel().selectionChanged.connect(self.update_buttons)
        self.add_support_button = big_button(self.tr("登记附议"))
        self.remove_support_button = big_button(self.tr("撤销附议"))
        self.add_support_button.clicked.connect(self.add_support)
        self.remove_support_button.clicked.connect(self.remove_support)
        self.support_hint = hint()
        row = QHBoxLayout()
        row.addWidget(self.support_line)
        row.addStretch(1)
        row.addWidget(self.add_support_button)
        row.addWidget(self.remove_support_button)
        layout.addLayout(row)
        layout.addWidget(self.support_rule)
        layout.addWidget(self.support_hint)
        layout.addWidget(self.supports_table, 1)
        return tab

    def _build_consult_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(8)

        # Round chooser
        self.round_combo = QComboBox()
        roomy(self.round_combo)
        self.round_combo.currentIndexChanged.connect(self._round_changed)
        self.new_round_button = big_button(self.tr("开始新一轮征询"))
        self.new_round_button.clicked.connect(self.start_round)
        rounds = QHBoxLayout()
        rounds.addWidget(QLabel(self.tr("征询轮次")))
        rounds.addWidget(self.round_combo)
        rounds.addStretch(1)
        rounds.addWidget(self.new_round_button)
        layout.addLayout(rounds)

        # The quick form: household, how, what they think, what they said.
        form = QFrame()
        form.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(form)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        self.contact_household = HouseholdPicker()
        # How: usually the same for a whole round of door-to-door visits, so a list box.
        self.method = QComboBox()
        for code, label in METHOD_LABELS.items():
            self.method.addItem(label, code)
        roomy(self.method)
        self.opinion_group = QButtonGroup(self)
        self.opinion_buttons: dict[str, QRadioButton] = {}
        opinions = QHBoxLayout()
        opinions.addWidget(self.method)
        opinions.addSpacing(18)
        opinions.addWidget(QLabel(self.tr("态度")))
        opinions.addSpacing(6)
        for code, label in OPINION_LABELS.items():
            button = QRadioButton(label)
            self.opinion_group.addButton(button)
            self.opinion_buttons[code] = button
            opinions.addWidget(button)
        opinions.addStretch(1)
        self.opinion_buttons[""].setChecked(True)
        self.said = QLineEdit()
        self.said.setPlaceholderText(self.tr("住户的原话或要点，可不填；按回车即登记"))
        roomy(self.said)
        self.said.returnPressed.connect(self.record_contact)
        self.record_button = big_button(self.tr("登记"))
        self.record_button.clicked.connect(self.record_contact)
        self.contact_message = QLabel()
        self.contact_message.setWordWrap(True)
        grid.addWidget(QLabel(self.tr("住户")), 0, 0)
        grid.addWidget(self.contact_household, 0, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("方式")), 1, 0)
        grid.addLayout(opinions, 1, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("住户意见")), 2, 0)
        grid.addWidget(self.said, 2, 1)
        grid.addWidget(self.record_button, 2, 2)
        grid.addWidget(self.contact_message, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        layout.addWidget(form)
        self.consult_hint = hint()
        layout.addWidget(self.consult_hint)

        # Coverage in short, and what was recorded.
        self.coverage_line = heading("", scale=1.1)
        self.coverage_line.setWordWrap(True)
        layout.addWidget(self.coverage_line)
        self.contacts_model = ContactTableModel(self)
        self.contacts_table = QTableView()
        self.contacts_table.setModel(self.contacts_model)
        setup_table(self.contacts_table, stretch_column=5)
        set_column_widths(self.contacts_table, {0: 3.5, 1: 10, 2: 3.5, 3: 2.5, 4: 3, 6: 5.5})
        layout.addWidget(QLabel(self.tr("征询记录")))
        layout.addWidget(self.contacts_table, 1)
        return tab

    def _build_coverage_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.setSpacing(8)
        self.coverage_total = heading("", scale=1.1)
        self.coverage_total.setWordWrap(True)
        self.coverage_scope = hint()
        layout.addWidget(self.coverage_total)
        layout.addWidget(self.coverage_scope)
        self.coverage_model = CoverageTableModel(self)
        self.coverage_table = QTableView()
        self.coverage_table.setModel(self.coverage_model)
        setup_table(self.coverage_table, stretch_column=CoverageTableModel.SHARE)
        set_column_widths(self.coverage_table, {0: 11, 1: 4, 2: 4})
        self.coverage_table.setItemDelegateForColumn(
            CoverageTableModel.SHARE, ShareBarDelegate(self.coverage_table)
        )
        self.coverage_table.selectionModel().selectionChanged.connect(self._doorway_changed)
        # The flats of the chosen doorway nobody has reached, side by side in rows.
        self.not_reached_title = QLabel()
        self.not_reached_title.setWordWrap(True)
        self.not_reached_model = QStringListModel(self)
        self.not_reached_list = QListView()
        self.not_reached_list.setModel(self.not_reached_model)
        self.not_reached_list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.not_reached_list.setFlow(QListView.Flow.LeftToRight)
        self.not_reached_list.setWrapping(True)
        self.not_reached_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.not_reached_list.setUniformItemSizes(True)
        self.not_reached_list.setSpacing(4)
        missing = QWidget()
        missing_layout = QVBoxLayout(missing)
        missing_layout.setContentsMargins(0, 6, 0, 0)
        missing_layout.addWidget(self.not_reached_title)
        missing_layout.addWidget(self.not_reached_list, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.coverage_table)
        split.addWidget(missing)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.not_reached_list.setMinimumHeight(round(self.fontMetrics().height() * 3.2))
        layout.addWidget(split, 1)
        return tab

    def _build_vote_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 10, 0, 0)
        self.votes_model = VoteTableModel(self)
        self.votes_table = QTableView()
        self.votes_table.setModel(self.votes_model)
        setup_table(self.votes_table, stretch_column=0)
        set_column_widths(self.votes_table, {1: 9, 2: 7, 3: 4, 4: 4})
        self.votes_table.setMaximumHeight(round(self.fontMetrics().height() * 2.0 * 3.6))
        self.votes_table.selectionModel().selectionChanged.connect(self._vote_changed)
        self.create_vote_button = big_button(self.tr("发起表决…"))
        self.issue_button = big_button(self.tr("发放表决票"))
        self.print_ballots_button = big_button(self.tr("打印表决票…"))
        self.tally_button = big_button(self.tr("计票…"))
        self.print_result_button = big_button(self.tr("打印结果公示…"))
        self.create_vote_button.clicked.connect(self.create_vote)
        self.issue_button.clicked.connect(self.issue_ballots)
        self.print_ballots_button.clicked.connect(self.print_ballots)
        self.tally_button.clicked.connect(self.open_tally)
        self.print_result_button.clicked.connect(self.print_result)
        buttons = QHBoxLayout()
        for button in (
            self.create_vote_button,
            self.issue_button,
            self.print_ballots_button,
            self.tally_button,
            self.print_result_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.vote_next = QLabel()
        self.vote_next.setWordWrap(True)
        self.vote_info = QLabel()
        self.vote_info.setWordWrap(True)
        self.vote_info.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.vote_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addLayout(buttons)
        layout.addWidget(self.vote_next)
        layout.addWidget(self.votes_table)
        layout.addWidget(self.vote_info, 1)
        return tab

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        if self._households_stale:
            self._households_stale = False
            self.context.read(
                topic_jobs.load_household_choices(self.estate.id),
                guarded(self, self._set_households),
            )
        self.context.read(topic_jobs.load_topics(self.estate.id), guarded(self, self._show_topics))

    def _on_changed(self, tables: frozenset[str]) -> None:
        if jobs.HOUSEHOLD in tables:
            self._households_stale = True
        super()._on_changed(tables)

    def _set_households(self, choices: list[HouseholdChoice]) -> None:
        self._households = choices
        self.contact_household.set_choices(choices)

    def _show_topics(self, listing: TopicList) -> None:
        keep = self._pending_select or self.current_topic_id()
        self._threshold = listing.threshold
        self.model.set_rows(listing.rows, listing.threshold.required)
        if keep is not None and not self._select(keep):
            keep = None
        self._pending_select = None
        self.has_data = True
        self._update_count()
        if keep is None:
            self._show_nothing()
        else:
            self._load_detail(keep)
        self.update_buttons()
        emit(self.loaded)

    def _select(self, topic_id: str) -> bool:
        row = self.model.row_of_id(topic_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            # Hidden by the state filter: show all, so what was just saved can be seen.
            self.state_filter.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.blockSignals(True)
        self.table.selectionModel().blockSignals(True)
        self.table.selectRow(index.row())
        self.table.selectionModel().blockSignals(False)
        self.table.blockSignals(False)
        self.table.scrollTo(index)
        return True

    def select_topic(self, topic_id: str) -> None:
        """Select a topic now if listed, else as soon as it appears; show its detail."""
        if self._select(topic_id):
            self._load_detail(topic_id)
        else:
            self._pending_select = topic_id

    def current_topic_id(self) -> str | None:
        row = self.current_topic()
        return row.id if row else None

    def current_topic(self) -> TopicRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())  # type: ignore[no-any-return]

    def _filter_changed(self, _index: int) -> None:
        chosen = self.current_topic_id()
        self.proxy.set_state(self.state_filter.currentData())
        if chosen is not None and self.current_topic_id() != chosen:
            self.table.selectionModel().clear()
        self._update_count()
        if self.current_topic_id() is None:
            self._show_nothing()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if shown == total:
            self.count_label.setText(self.tr("共 {n} 个议题").format(n=total))
        else:
            self.count_label.setText(
                self.tr("共 {total} 个，显示 {shown} 个").format(total=total, shown=shown)
            )
        if self.has_data and total == 0:
            message = self.tr("还没有登记议题。居民提出议题后，请点右上方的“登记议题”。")
        elif total and shown == 0:
            message = self.tr("没有这种状态的议题。请在“显示”中改选“全部议题”。")
        else:
            message = ""
        show_message(self.empty_hint, message)

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        topic_id = self.current_topic_id()
        if topic_id is None:
            self._show_nothing()
            return
        if self._detail is None or self._detail.id != topic_id:
            self._round_id = None
        self._load_detail(topic_id)

    def _show_nothing(self) -> None:
        self._detail = None
        self.detail_stack.setCurrentWidget(self.nothing_chosen)
        self.update_buttons()

    def _load_detail(self, topic_id: str) -> None:
        round_id = self._round_id

        def show(detail: TopicDetail) -> None:
            # A quick change of selection can overtake an answer: show only the current one's.
            if detail.id == self.current_topic_id():
                self._show_detail(detail)

        def failed(error: BaseException) -> None:
            if topic_id == self.current_topic_id():
                show_error(self, error, self.tr("无法显示这个议题"))

        self.context.read(
            topic_jobs.load_topic(topic_id, round_id), guarded(self, show), guarded(self, failed)
        )

    def reload_detail(self) -> None:
        topic_id = self.current_topic_id()
        if topic_id is not None:
            self._load_detail(topic_id)

    # ------------------------------------------------------------------ the chosen topic

    def _show_detail(self, detail: TopicDetail) -> None:
        same_topic = self._detail is not None and self._detail.id == detail.id
        self._detail = detail
        self._round_id = detail.round_id
        self.detail_stack.setCurrentWidget(self.detail)
        self.title_label.setText(detail.title)
        proposer = detail.proposer_name or self.tr("（未填）")
        if detail.proposer_address:
            proposer = f"{proposer}（{detail.proposer_address}）"
        facts = self.tr(
            "状态：<b>{state}</b>&nbsp;&nbsp;&nbsp;&nbsp;类别：{category}<br>"
            "提出人：{proposer}，{channel}，{date}"
        ).format(
            state=STATES.get(detail.state, detail.state),
            category=detail.category or self.tr("未分类"),
            proposer=proposer,
            channel=CHANNELS.get(detail.channel, detail.channel),
            date=detail.raised_on.isoformat(),
        )
        self.facts_label.setText(facts)
        self._show_moves(detail)

        # 经过
        self.description_label.setText(detail.description or self.tr("（没有填写说明）"))
        self.history_model.set_rows(detail.transitions)
        self.meetings_label.setText(
            self.tr("讨论过这个议题的会议：") + "；".join(detail.meetings)
            if detail.meetings
            else self.tr("还没有会议讨论过这个议题。")
        )

        # 附议
        status = detail.support
        text = self.tr("附议 {n} 户，需 {m} 户").format(n=status.supports, m=status.required)
        if status.met:
            text += self.tr("（已达到）")
        _coloured(self.support_line, text, OK_COLOUR if status.met else None)
        self.support_rule.setText(
            self.tr("本小区的附议门槛：{rule}。可点上方“附议门槛…”修改。").format(
                rule=status.explanation
            )
        )
        if detail.state in SUPPORT_STATES:
            self.support_hint.setText("")
        else:
            self.support_hint.setText(
                self.tr("议题已经是“{state}”，不再收集附议。").format(
                    state=STATES.get(detail.state, detail.state)
                )
            )
        self.supports_model.set_rows(detail.supports)

        # 征询
        self._show_rounds(detail)
        self._show_coverage(detail)
        self.contacts_model.set_rows(detail.contacts)
        if not same_topic:
            self.contact_household.clear_text()
            show_message(self.contact_message, "")

        # 表决
        keep_vote = self.current_vote()
        self.votes_model.set_rows(detail.votes)
        if detail.votes:
            wanted = keep_vote.id if keep_vote and same_topic else None
            row = self.votes_model.row_of_id(wanted) if wanted else -1
            self.votes_table.selectRow(row if row >= 0 else 0)
        self._show_vote_info()
        self.update_buttons()

    def _show_moves(self, detail: TopicDetail) -> None:
        while self.moves_row.count():
            item = self.moves_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.move_buttons = {}
        open_vote = detail.open_vote
        notes = []
        for target in allowed_moves(detail.state):
            if target in ("passed", "failed") and open_vote is not None:
                continue  # the tally decides: closing the vote records the result
            button = big_button(move_label(detail.state, target))
            button.clicked.connect(lambda _=False, t=target: self.move_topic(t))
            if target in ("declined", "withdrawn"):
                button.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.moves_row.addWidget(button)
            self.move_buttons[target] = button
        if detail.state == "voting" and open_vote is not None:
            notes.append(self.tr("表决进行中：在“表决”页计票，结束表决后结果会自动记入。"))
        elif detail.state == "voting":
            notes.append(
                self.tr(
                    "下一步：在“表决”页点“发起表决…”印票表决；"
                    "如议事大会已当场表决，可直接点“记为通过”或“记为未通过”。"
                )
            )
        elif detail.state == "proposed":
            if detail.support.met:
                notes.append(self.tr("附议已达到门槛，可以受理。"))
            else:
                notes.append(
                    self.tr("附议还差 {n} 户才到门槛。").format(
                        n=detail.support.required - detail.support.supports
                    )
                )
        elif not self.move_buttons:
            notes.append(self.tr("这个议题已经办理完毕。"))
        self.moves_hint.setText(" ".join(notes))
        self.moves_hint.setVisible(bool(notes))

    def _show_rounds(self, detail: TopicDetail) -> None:
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        self.round_combo.addItem(self.tr("全部轮次合计"), None)
        for consultation in detail.rounds:
            self.round_combo.addItem(
                self.tr("{title}（{date} 开始）").format(
                    title=consultation.title, date=consultation.started_on.isoformat()
                ),
                consultation.id,
            )
        found = self.round_combo.findData(detail.round_id) if detail.round_id else 0
        self.round_combo.setCurrentIndex(max(found, 0))
        self.round_combo.blockSignals(False)
        if detail.state in CONSULT_STATES:
            if detail.rounds:
                text = self.tr("登记到：{where}。同一户再登记，会更新这一轮原来的记录。").format(
                    where=self.round_combo.currentText()
                    if detail.round_id
                    else detail.rounds[-1].title
                )
            else:
                text = self.tr("还没有开始征询。登记第一户时会自动开始第 1 轮征询。")
        else:
            text = self.tr("议题受理之后才能征询（现在是“{state}”）。").format(
                state=STATES.get(detail.state, detail.state)
            )
        self.consult_hint.setText(text)

    def _show_coverage(self, detail: TopicDetail) -> None:
        reach = detail.coverage
        opinions = "，".join(
            self.tr("{label} {n}").format(label=OPINION_LABELS.get(code, code), n=n)
            for code, n in sorted(
                reach.opinions.items(),
                key=lambda kv: list(OPINION_LABELS).index(kv[0]) if kv[0] in OPINION_LABELS else 9,
            )
            if n
        )
        text = self.tr("已联系 {reached} / {total} 户（{share}%）").format(
            reached=reach.reached, total=reach.households, share=round(reach.share * 100)
        )
        if opinions:
            text += self.tr("：{opinions}").format(opinions=opinions)
        unreached = sum(1 for d in reach.doorways if d.reached == 0 and d.households)
        if unreached:
            text += self.tr("。还有 {n} 个门牌一户都没联系到").format(n=unreached)
        self.coverage_total.setText(text)
        self.coverage_line.setText(
            self.tr("已联系 {reached} / {total} 户（{share}%）{opinions}").format(
                reached=reach.reached,
                total=reach.households,
                share=round(reach.share * 100),
                opinions=self.tr("：{o}").format(o=opinions) if opinions else "",
            )
        )
        scope = self.round_combo.currentText() if detail.round_id else self.tr("全部轮次合计")
        self.coverage_scope.setText(
            self.tr(
                "统计范围：{scope}（可在“征询”页改选轮次）。"
                "一户都没联系到的门牌用红字排在最前面；选中一个门牌，下面列出还没联系的住户。"
            ).format(scope=scope)
        )
        keep = self.current_doorway()
        self.coverage_model.set_rows(reach.doorways)
        row = self.coverage_model.row_of_id(keep) if keep else -1
        if self.coverage_model.rowCount():
            self.coverage_table.selectRow(row if row >= 0 else 0)
        self._doorway_changed()

    def current_doorway(self) -> str | None:
        rows = self.coverage_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.coverage_model.doorway_at(rows[0].row()).doorway

    def _doorway_changed(self, *_: object) -> None:
        rows = self.coverage_table.selectionModel().selectedRows()
        if not rows:
            self.not_reached_title.setText(self.tr("未联系的住户：请在上面选一个门牌"))
            self.not_reached_model.setStringList([])
            return
        doorway = self.coverage_model.doorway_at(rows[0].row())
        if doorway.not_reached:
            self.not_reached_title.setText(
                self.tr("{doorway} 还没联系的 {n} 户：").format(
                    doorway=doorway.doorway, n=len(doorway.not_reached)
                )
            )
        else:
            self.not_reached_title.setText(
                self.tr("{doorway} 的住户都已联系到。").format(doorway=doorway.doorway)
            )
        self.not_reached_model.setStringList(list(doorway.not_reached))

    # ------------------------------------------------------------------ buttons

    def update_buttons(self, *_: object) -> None:
        ready = self.context.store is not None
        self.add_button.setEnabled(ready)
        self.threshold_button.setEnabled(ready and self._threshold is not None)
        detail = self._detail
        self.edit_button.setEnabled(detail is not None)
        collecting = detail is not None and detail.state in SUPPORT_STATES
        self.add_support_button.setEnabled(collecting)
        self.remove_support_button.setEnabled(
            collecting and bool(self.supports_table.selectionModel().selectedRows())
        )
        consulting = detail is not None and detail.state in CONSULT_STATES
        for widget in (self.record_button, self.said, self.contact_household):
            widget.setEnabled(consulting)
        for button in (self.method, *self.opinion_buttons.values()):
            button.setEnabled(consulting)
        self.new_round_button.setEnabled(consulting)
        vote = self.current_vote()
        voting = detail is not None and detail.state == "voting"
        self.create_vote_button.setEnabled(
            voting and detail is not None and detail.open_vote is None
        )
        is_open = vote is not None and vote.state == "open"
        self.issue_button.setEnabled(is_open)
        self.print_ballots_button.setEnabled(vote is not None and vote.issued > 0)
        self.tally_button.setEnabled(vote is not None and vote.issued > 0)
        self.tally_button.setText(
            self.tr("计票…") if vote is None or is_open else self.tr("查看结果…")
        )
        self.print_result_button.setEnabled(vote is not None and vote.state == "closed")

    # ------------------------------------------------------------------ topics

    def add_topic(self) -> None:
        dialog = TopicDialog(
            self.context, self.estate.id, self.estate.name, self._households, parent=self
        )
        dialog.saved.connect(self.select_topic)
        dialog.open()

    def edit_topic(self) -> None:
        if self._detail is None:
            return
        dialog = TopicDialog(
            self.context,
            self.estate.id,
            self.estate.name,
            self._households,
            self._detail,
            parent=self,
        )
        dialog.saved.connect(self.select_topic)
        dialog.open()

    def move_topic(self, target: str) -> None:
        detail = self._detail
        if detail is None:
            return
        dialog = MoveDialog(
            self.context, detail.id, detail.title, detail.state, target, parent=self
        )
        dialog.saved.connect(self.select_topic)
        dialog.open()

    def edit_threshold(self) -> None:
        if self._threshold is None:
            return
        dialog = ThresholdDialog(
            self.context, self.estate.id, self.estate.name, self._threshold, parent=self
        )
        dialog.open()

    # ------------------------------------------------------------------ supports

    def add_support(self) -> None:
        detail = self._detail
        if detail is None:
            return
        dialog = SupportDialog(
            self.context,
            detail.id,
            detail.title,
            self._households,
            {s.id for s in detail.supports},
            parent=self,
        )
        dialog.open()

    def remove_support(self) -> None:
        detail = self._detail
        rows = self.supports_table.selectionModel().selectedRows()
        if detail is None or not rows:
            return
        support = self.supports_model.row_at(rows[0].row())
        question = self.tr("确定撤销 {address} {tenant} 对这个议题的附议吗？").format(
            address=support.address, tenant=support.tenant
        )
        if not ask(self, self.tr("撤销附议"), question):
            return
        self._run(topic_jobs.remove_support(detail.id, support.id), self.tr("没有撤销"))

    # ------------------------------------------------------------------ consultation

    def _round_changed(self, _index: int) -> None:
        self._round_id = self.round_combo.currentData()
        self.reload_detail()

    def start_round(self) -> None:
        detail = self._detail
        if detail is None:
            return
        number = len(detail.rounds) + 1
        question = self.tr(
            "开始第 {n} 轮征询吗？之后登记的住户意见记入新的一轮，前几轮的记录都保留。"
        ).format(n=number)
        if not ask(self, self.tr("开始新一轮征询"), question):
            return

        def done(round_id: str) -> None:
            self._round_id = round_id
            self.reload_detail()

        self.context.write(
            topic_jobs.start_round(detail.id),
            guarded(self, done),
            guarded(self, lambda error: show_error(self, error, self.tr("没有开始"))),
        )

    def chosen_method(self) -> str:
        return str(self.method.currentData())

    def chosen_opinion(self) -> str:
        return next(c for c, b in self.opinion_buttons.items() if b.isChecked())

    def record_contact(self) -> None:
        detail = self._detail
        if detail is None or detail.state not in CONSULT_STATES:
            return
        household = self.contact_household.picked()
        if household is None:
            _coloured(
                self.contact_message,
                self.tr("请先选住户：在“住户”框里输入地址或姓名的几个字，从弹出的名单中选。"),
                ERROR_COLOUR,
            )
            self.contact_message.setVisible(True)
            self.contact_household.setFocus()
            return
        method, opinion = self.chosen_method(), self.chosen_opinion()
        said = self.said.text().strip()
        summary = self.tr("已登记：{address} {tenant}（{method}，{opinion}）").format(
            address=household.address,
            tenant=household.tenant,
            method=METHOD_LABELS[method],
            opinion=OPINION_LABELS[opinion],
        )

        def done(_contact_id: str) -> None:
            _coloured(self.contact_message, summary, OK_COLOUR)
            self.contact_message.setVisible(True)
            self.contact_household.clear_text()
            self.said.clear()
            self.opinion_buttons[""].setChecked(True)
            self.contact_household.setFocus()

        def failed(error: BaseException) -> None:
            _coloured(self.contact_message, error_message(error), ERROR_COLOUR)
            self.contact_message.setVisible(True)

        self.context.write(
            topic_jobs.record_contact(
                detail.id, self._round_id, household.id, method=method, opinion=opinion, said=said
            ),
            guarded(self, done),
            guarded(self, failed),
        )

    # ------------------------------------------------------------------ votes

    def current_vote(self) -> VoteRow | None:
        rows = self.votes_table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.votes_model.row_at(rows[0].row())  # type: ignore[no-any-return]

    def _vote_changed(self, *_: object) -> None:
        self._show_vote_info()
        self.update_buttons()

    def _show_vote_info(self) -> None:
        from xmen_desktop.ui.vote_dialog import describe_vote, next_step

        detail = self._detail
        vote = self.current_vote()
        if detail is None:
            return
        text, colour = next_step(detail.state, vote, has_votes=bool(detail.votes))
        _coloured(self.vote_next, text, colour)
        self.vote_info.setText(describe_vote(vote) if vote is not None else "")

    def create_vote(self) -> None:
        from xmen_desktop.ui.vote_dialog import VoteDialog

        detail = self._detail
        if detail is None:
            return
        dialog = VoteDialog(self.context, detail.id, detail.title, self.estate.name, parent=self)
        dialog.saved.connect(lambda _vote_id: self.reload_detail())
        dialog.open()

    def issue_ballots(self) -> None:
        from xmen_desktop.ui.vote_dialog import issue_ballots_interactive

        vote = self.current_vote()
        if vote is not None:
            issue_ballots_interactive(self, self.context, vote, self.reload_detail)

    def print_ballots(self) -> None:
        from xmen_desktop.ui.vote_dialog import print_ballots_interactive

        vote, detail = self.current_vote(), self._detail
        if vote is not None and detail is not None:
            print_ballots_interactive(self, self.context, vote, detail.title)

    def print_result(self) -> None:
        from xmen_desktop.ui.vote_dialog import print_result_interactive

        vote, detail = self.current_vote(), self._detail
        if vote is not None and detail is not None:
            print_result_interactive(self, self.context, vote.id, detail.title)

    def open_tally(self) -> None:
        from xmen_desktop.ui.tally import TallyDialog

        vote = self.current_vote()
        if vote is None:
            return
        dialog = TallyDialog(self.context, vote.id, parent=self)
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.show()
        self.tally = dialog

    # ------------------------------------------------------------------ helpers

    def _run(self, job: Callable[..., object], failure_title: str) -> None:
        self.context.write(
            job, None, guarded(self, lambda error: show_error(self, error, failure_title))
        )
