"""发起表决 (the vote dialog), and a vote's paper: issuing ballots, printing them, the result.

Printing runs on the worker: the ballots of a large estate take seconds, so a progress dialog
appears once the work has taken longer than ~600 ms, and can stop it.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from xmen_desktop.domain import validation
from xmen_desktop.domain.votes import BASES, DEFAULT_OPTIONS, RULES, Rule, RuleError, rule_for
from xmen_desktop.ui import topic_jobs
from xmen_desktop.ui.context import AppContext, error_message
from xmen_desktop.ui.forms import DateField, FormDialog
from xmen_desktop.ui.topic_models import OK_COLOUR
from xmen_desktop.ui.widgets import (
    ERROR_COLOUR,
    alive,
    ask,
    hint,
    roomy,
    show_message,
)
from xmen_desktop.ui.worker import Cancelled

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.topic_queries import VoteRow

# Show the progress dialog only for work that takes longer than this (ms): no flicker.
PROGRESS_DELAY_MS = 600
CUSTOM = "custom"
# Who votes; the store has the same codes (store.votes.ELECTORATES).
ELECTORATE_LABELS: dict[str, str] = {
    "households": "全体住户（每户一票）",
    "assembly": "议事大会成员所在户",
}

# Where the file dialogs open: the last folder used in this run, else the user's documents.
_last_folder: str | None = None


def _start_folder() -> str:
    if _last_folder and Path(_last_folder).is_dir():
        return _last_folder
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents or QDir.homePath()


def _remember_folder(path: Path) -> None:
    global _last_folder
    _last_folder = str(path.parent)


def _tr(text: str) -> str:
    return QApplication.translate("VoteDialog", text)


def _with_pdf(path: Path) -> Path:
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def _safe_name(text: str) -> str:
    """A title as part of a file name: no characters Windows refuses."""
    cleaned = "".join("_" if c in '\\/:*?"<>|' else c for c in text).strip()
    return cleaned[:30] or _tr("表决")


# ---------------------------------------------------------------------------- the vote dialog


class VoteDialog(FormDialog):
    """表决事项, 选项, 表决规则 (explained as it is chosen), 表决范围, dates, 交回地点."""

    def __init__(
        self,
        context: AppContext,
        topic_id: str,
        topic_title: str,
        estate_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, "", parent)
        self.setWindowTitle(self.tr("发起表决：{title}").format(title=topic_title))
        self.topic_id = topic_id
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 46)

        self.question = QLineEdit()
        self.question.setPlaceholderText(self.tr("例如：是否同意在 3 号门前划定非机动车停放区"))
        self.options = QLineEdit("，".join(DEFAULT_OPTIONS))
        self.rule = QComboBox()
        for code, rule in RULES.items():
            self.rule.addItem(rule.name, code)
        self.rule.addItem(self.tr("自定义比例"), CUSTOM)
        roomy(self.rule)

        # The custom rule's shares and basis, shown only when it is chosen.
        self.custom_box = QWidget()
        custom = QGridLayout(self.custom_box)
        custom.setContentsMargins(0, 4, 0, 0)
        self.participation = QLineEdit("1/2")
        self.passing = QLineEdit("1/2")
        for edit in (self.participation, self.passing):
            edit.setFixedWidth(self.fontMetrics().horizontalAdvance("中") * 7)
            roomy(edit)
            edit.setPlaceholderText(self.tr("如 2/3"))
        self.basis = QComboBox()
        for code, label in BASES.items():
            self.basis.addItem(label, code)
        roomy(self.basis)
        custom.addWidget(QLabel(self.tr("参与比例")), 0, 0)
        custom.addWidget(self.participation, 0, 1)
        custom.addWidget(QLabel(self.tr("通过比例")), 0, 2)
        custom.addWidget(self.passing, 0, 3)
        custom.addWidget(QLabel(self.tr("计算依据")), 1, 0)
        custom.addWidget(self.basis, 1, 1, 1, 3)
        custom.setColumnStretch(4, 1)
        self.custom_box.setVisible(False)

        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.explanation.setStyleSheet(
            "QLabel { background: #f3f6fa; border: 1px solid #c9d3df; padding: 8px; }"
        )
        # Room for a rule's name, its three lines and its source, so it is never cut short.
        self._explanation_height = round(self.fontMetrics().lineSpacing() * 7.5)
        self.explanation.setMinimumHeight(self._explanation_height)
        rule_box = QWidget()
        rule_layout = QVBoxLayout(rule_box)
        rule_layout.setContentsMargins(0, 0, 0, 0)
        rule_layout.setSpacing(6)
        rule_layout.addWidget(self.rule)
        rule_layout.addWidget(self.custom_box)
        rule_layout.addWidget(self.explanation)

        self.electorate = QComboBox()
        for code, label in ELECTORATE_LABELS.items():
            self.electorate.addItem(label, code)
        self.opens_on = DateField()
        self.opens_on.blank.setVisible(False)
        self.closes_on = DateField()
        self.closes_on.blank.setText(self.tr("不定"))
        self.return_place = QLineEdit()
        self.return_place.setPlaceholderText(
            self.tr("不填则印“{estate}居委会”").format(estate=estate_name)
        )

        self.add_field("question", self.tr("表决事项"), self.question, rule=self._check_question)
        self.add_field(
            "options",
            self.tr("选项"),
            self.options,
            rule=self._check_options,
            note=self.tr(
                "选项之间用逗号隔开，计票时按 1、2、3… 键选择。"
                "一般用“同意，不同意，弃权”；改成其他选项时，得票达到比例的选项胜出。"
            ),
        )
        self.add_field(
            "rule", self.tr("表决规则"), self.rule, rule=self._check_rule, field_widget=rule_box
        )
        self.add_field("electorate", self.tr("表决范围"), self.electorate)
        self.add_field("opens_on", self.tr("开始日期"), self.opens_on)
        self.add_field("closes_on", self.tr("截止日期"), self.closes_on, rule=self._check_dates)
        self.add_field("return_place", self.tr("交回地点"), self.return_place)

        for signal in (
            self.rule.currentIndexChanged,
            self.participation.textChanged,
            self.passing.textChanged,
            self.basis.currentIndexChanged,
        ):
            signal.connect(self._rule_changed)
        self.opens_on.changed.connect(lambda: self.check_field("closes_on"))
        self.opens_on.set_value(datetime.date.today())
        self.closes_on.set_value(None)
        self.save_button.setText(self.tr("发起表决"))
        self._rule_changed()
        self.remember_initial()
        self.question.setFocus()

    # ------------------------------------------------------------------ rule

    def chosen_rule(self) -> str:
        return str(self.rule.currentData())

    def _rule_changed(self, *_: object) -> None:
        # A refusal from the store was about the rule as it was: it no longer applies.
        show_message(self.general_error, "")
        custom = self.chosen_rule() == CUSTOM
        self.custom_box.setVisible(custom)
        try:
            rule = self._rule()
        except RuleError as error:
            self._explain(f"<span style='color:{ERROR_COLOUR}'>{error.message}</span>")
            if self._fields["rule"].touched or custom:
                self.check_field("rule")
            return
        lines = "".join(f"<li>{line}</li>" for line in rule.explain())
        self._explain(
            f"<b>{rule.name}</b><ul style='margin:4px 0 4px -20px'>{lines}</ul>"
            f"<span style='color:#555'>{rule.source}</span>"
        )
        if self._fields["rule"].error.isVisible():
            self.check_field("rule")

    def _explain(self, html: str) -> None:
        """Show the rule's lines, with all the height they need at the dialog's width."""
        self.explanation.setText(html)
        width = max(self.explanation.width(), self.minimumWidth() - 160)
        self.explanation.setMinimumHeight(0)  # else the label reports its minimum back
        # Plus a line: the border and padding of its style are not in the label's own figure.
        needed = self.explanation.heightForWidth(width) + self.fontMetrics().lineSpacing()
        self.explanation.setMinimumHeight(max(needed, self._explanation_height))
        self._fit()

    def _rule(self) -> Rule:
        code = self.chosen_rule()
        if code == CUSTOM:
            return rule_for(
                CUSTOM, self.participation.text(), self.passing.text(), self.basis.currentData()
            )
        return rule_for(code)

    def explanation_text(self) -> str:
        return self.explanation.text()

    # ------------------------------------------------------------------ checks

    def _check_question(self, value: object) -> object:
        if not validation.clean_text(value):
            raise validation.FieldError("question", self.tr("请写明表决事项，例如“是否同意……”"))
        return None

    def _check_options(self, value: object) -> object:
        items = [o for o in str(value).replace(",", "，").split("，") if o.strip()]
        if len(items) < 2:
            raise validation.FieldError(
                "options", self.tr("至少需要两个选项，例如 同意，不同意，弃权")
            )
        return None

    def _check_rule(self, _value: object) -> object:
        try:
            self._rule()
        except RuleError as error:
            raise validation.FieldError("rule", error.message) from None
        return None

    def _check_dates(self, _value: object) -> object:
        opens, closes = self.opens_on.value(), self.closes_on.value()
        if opens is not None and closes is not None and closes < opens:
            raise validation.FieldError("closes_on", self.tr("截止日期不能早于开始日期"))
        return None

    def check_all(self) -> list[validation.FieldError]:
        errors = []
        for name, check in (
            ("question", self._check_question),
            ("options", self._check_options),
            ("rule", self._check_rule),
            ("closes_on", self._check_dates),
        ):
            try:
                check(self.value(name))
            except validation.FieldError as error:
                errors.append(error)
        return errors

    def field_for_error(self, field: str) -> str:
        return {"opens_on": "closes_on"}.get(field, field)

    # ------------------------------------------------------------------ saving

    def store_values(self) -> dict[str, object]:
        code = self.chosen_rule()
        options = [o.strip() for o in self.options.text().replace(",", "，").split("，")]
        values: dict[str, object] = {
            "question": self.question.text(),
            "options": [o for o in options if o],
            "rule": code,
            "electorate": self.electorate.currentData(),
            "opens_on": self.opens_on.value(),
            "closes_on": self.closes_on.value(),
            "return_place": self.return_place.text(),
        }
        if code == CUSTOM:
            values["participation"] = self.participation.text().strip()
            values["passing"] = self.passing.text().strip()
            values["basis"] = self.basis.currentData()
        return values

    def save_job(self, values: dict[str, object]) -> Callable[[Session], str]:
        return topic_jobs.create_vote(self.topic_id, values)

    def _set_saving(self, saving: bool) -> None:
        super()._set_saving(saving)
        if not saving:
            self.save_button.setText(self.tr("发起表决"))

    def _failed(self, error: BaseException) -> None:
        """Refusals of the store stay in the dialog, in red, so the rule can be changed."""
        if not alive(self):
            return
        self._set_saving(False)
        field_errors = getattr(error, "errors", None)
        if field_errors:
            self.set_errors(field_errors)
            return
        self.set_errors([])
        show_message(self.general_error, error_message(error))
        self._fit()

    def _fit(self) -> None:
        """Grow to show what just appeared (the custom shares, a long message from the store)."""
        layout = self.layout()
        if self.isVisible() and layout is not None:
            layout.activate()
            wanted = max(self.sizeHint().height(), layout.totalMinimumSize().height())
            self.resize(self.width(), wanted)

    def general_message(self) -> str:
        return self.general_error.text() if self.general_error.isVisible() else ""


# ---------------------------------------------------------------------------- about a vote


def describe_vote(vote: VoteRow) -> str:
    """Rule, dates and place of a vote, as lines under the vote list."""
    lines = [_tr("表决事项：{q}").format(q=vote.question)]
    lines.append(_tr("选项：{options}").format(options="、".join(vote.options)))
    lines.append(
        _tr("表决范围：{who}").format(who=ELECTORATE_LABELS.get(vote.electorate, vote.electorate))
    )
    when = vote.opens_on.isoformat() if vote.opens_on else ""
    if vote.closes_on:
        when += _tr(" 至 {end}").format(end=vote.closes_on.isoformat())
    if when:
        lines.append(_tr("时间：{when}").format(when=when))
    if vote.return_place:
        lines.append(_tr("交回地点：{place}").format(place=vote.return_place))
    lines.append(_tr("规则：{name}").format(name=vote.rule_name))
    lines.extend(f"　· {line}" for line in vote.rule_lines)
    if vote.state == "closed":
        verdict = _tr("通过") if vote.passed else _tr("未通过")
        lines.append(
            _tr("已于 {at} 结束表决（{by}），结果：{verdict}。").format(
                at=vote.closed_at, by=vote.closed_by or _tr("本机"), verdict=verdict
            )
        )
    return "\n".join(lines)


def next_step(state: str, vote: VoteRow | None, *, has_votes: bool) -> tuple[str, str | None]:
    """What to do next on the 表决 tab, and a colour for it."""
    if vote is None:
        if state == "voting":
            return _tr("下一步：点“发起表决…”，写明表决事项、选好规则。"), None
        if has_votes:
            return _tr("请在下面选中一次表决。"), None
        return _tr("议题到了“表决中”才能发起表决：请先点上方的“付诸表决”。"), None
    if vote.state == "closed":
        verdict = _tr("通过") if vote.passed else _tr("未通过")
        return (
            _tr("表决已结束，结果：{verdict}。可点“打印结果公示…”张贴公示。").format(
                verdict=verdict
            ),
            OK_COLOUR if vote.passed else ERROR_COLOUR,
        )
    if vote.issued == 0:
        return _tr("下一步：点“发放表决票”，给表决范围内的每户编一张票。"), None
    return (
        _tr(
            "已发 {issued} 张票，已交回 {returned} 张。打印表决票发到各户；"
            "收回后点“计票…”逐张扫码登记。"
        ).format(issued=vote.issued, returned=vote.returned),
        None,
    )


# ---------------------------------------------------------------------------- ballots


def issue_ballots_interactive(
    parent: QWidget, context: AppContext, vote: VoteRow, done: Callable[[], None]
) -> None:
    if vote.issued:
        text = _tr(
            "已经发过 {n} 张票。再发一次只给之后新登记的住户补发，已发的票不变。继续吗？"
        ).format(n=vote.issued)
    else:
        text = _tr("给表决范围内的每一户编一张表决票（每户一张，带编号和二维码）。继续吗？")
    if not ask(parent, _tr("发放表决票"), text):
        return
    before = vote.issued

    def issued(count: int) -> None:
        added = count - before
        if added:
            message = _tr("已编好 {added} 张表决票（共 {count} 张）。下一步：点“打印表决票…”。")
        else:
            message = _tr("没有需要补发的住户，共 {count} 张票。")
        QMessageBox.information(parent, _tr("发放表决票"), message.format(added=added, count=count))
        done()

    def failed(error: BaseException) -> None:
        QMessageBox.warning(parent, _tr("没有发票"), error_message(error))

    context.write(topic_jobs.issue_ballots(vote.id), _alive(parent, issued), _alive(parent, failed))


def _alive(owner: QWidget, callback: Callable[..., None]) -> Callable[..., None]:
    def deliver(*args: object) -> None:
        if alive(owner):
            callback(*args)

    return deliver


class PrintBallotsDialog(QDialog):
    """Asks A4 or two A5 per sheet before asking where to save."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打印表决票"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(
            QLabel(self.tr("将生成 {n} 张表决票（PDF 文件），再用打印机打印。").format(n=count))
        )
        self.two_up = QCheckBox(self.tr("一张 A4 纸印两张票（A5 大小，印好后对半裁开）"))
        layout.addWidget(self.two_up)
        layout.addWidget(hint(self.tr("不勾选：每张票一整页 A4，字更大，适合老年住户。")))
        buttons = QDialogButtonBox()
        ok = buttons.addButton(self.tr("选择保存位置…"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (ok, cancel):
            button.setMinimumHeight(round(button.fontMetrics().height() * 2.1))
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_pdf_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        title,
        str(Path(_start_folder()) / suggested),
        _tr("PDF 文件 (*.pdf)"),
    )
    if not chosen:
        return None
    path = _with_pdf(Path(chosen))
    _remember_folder(path)
    return path


def _done_message(parent: QWidget, title: str, text: str, path: Path) -> QMessageBox:
    """Where the file went, with a button that opens it in the PC's PDF reader."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, parent=parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    open_button = box.addButton(_tr("打开看看"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(_tr("好"), QMessageBox.ButtonRole.AcceptRole)

    def clicked(button: object) -> None:
        if button is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    box.buttonClicked.connect(clicked)
    box.open()
    return box


def print_ballots_interactive(
    parent: QWidget, context: AppContext, vote: VoteRow, topic_title: str
) -> None:
    """Ask the layout and where to save; write the PDF on the worker with a late progress dialog."""
    options = PrintBallotsDialog(vote.issued, parent)
    options.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def chosen() -> None:
        two_up = options.two_up.isChecked()
        path = ask_pdf_path(
            parent,
            _tr("保存表决票"),
            _tr("表决票-{title}.pdf").format(title=_safe_name(topic_title)),
        )
        if path is not None:
            BallotPrinter(parent, context, vote, path, two_up).start()

    options.accepted.connect(chosen)
    options.open()


class BallotPrinter:
    """One batch print: the job on the worker and its progress dialog."""

    def __init__(
        self, parent: QWidget, context: AppContext, vote: VoteRow, path: Path, two_up: bool
    ) -> None:
        self.parent = parent
        self.context = context
        self.vote = vote
        self.path = path
        self.two_up = two_up
        self.stop = threading.Event()
        self.progress: QProgressDialog | None = None

    def start(self) -> None:
        progress = QProgressDialog(
            _tr("正在生成 {n} 张表决票，请稍候……").format(n=self.vote.issued),
            _tr("停止"),
            0,
            max(self.vote.issued, 1),
            self.parent,
        )
        progress.setWindowTitle(_tr("正在生成表决票"))
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        # Not modal: a modal progress dialog runs the event loop inside setValue().
        progress.setWindowModality(Qt.WindowModality.NonModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(self.parent.fontMetrics().horizontalAdvance("中") * 22)
        progress.canceled.connect(self.stop.set)
        self.progress = progress
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.context.read(
            topic_jobs.print_ballots(self.vote.id, self.path, self.two_up, self.stop),
            self._done,
            self._failed,
            on_progress=self._step,
            with_job=True,
        )

    def _step(self, done: int, total: int) -> None:
        if self.progress is not None and alive(self.progress):
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

    def _end(self) -> None:
        QApplication.restoreOverrideCursor()
        progress, self.progress = self.progress, None
        if progress is not None and alive(progress):
            progress.canceled.disconnect(self.stop.set)
            progress.reset()
            progress.hide()
            progress.deleteLater()

    def _done(self, count: int) -> None:
        self._end()
        if not alive(self.parent):
            return
        size = _tr("每张 A4 纸两张票") if self.two_up else _tr("每张票一页 A4")
        _done_message(
            self.parent,
            _tr("表决票已生成"),
            _tr(
                "已生成 {n} 张表决票（{size}），保存在：\n{path}\n\n请用打印机打印这个文件。"
            ).format(n=count, size=size, path=QDir.toNativeSeparators(str(self.path))),
            self.path,
        )

    def _failed(self, error: BaseException) -> None:
        self._end()
        if not alive(self.parent):
            return
        if isinstance(error, Cancelled):
            QMessageBox.information(
                self.parent, _tr("已停止"), _tr("已停止生成表决票，没有留下文件。")
            )
            return
        QMessageBox.warning(self.parent, _tr("没有生成表决票"), error_message(error))


def print_result_interactive(
    parent: QWidget, context: AppContext, vote_id: str, topic_title: str
) -> None:
    path = ask_pdf_path(
        parent,
        _tr("保存表决结果公示"),
        _tr("表决结果公示-{title}.pdf").format(title=_safe_name(topic_title)),
    )
    if path is None:
        return
    QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

    def done(_none: object) -> None:
        QApplication.restoreOverrideCursor()
        if alive(parent):
            _done_message(
                parent,
                _tr("结果公示已生成"),
                _tr("表决结果公示保存在：\n{path}\n\n请打印后张贴在宣传栏。").format(
                    path=QDir.toNativeSeparators(str(path))
                ),
                path,
            )

    def failed(error: BaseException) -> None:
        QApplication.restoreOverrideCursor()
        if alive(parent):
            QMessageBox.warning(parent, _tr("没有生成结果公示"), error_message(error))

    context.read(topic_jobs.print_result(vote_id, path), done, failed)
