"""Sync through the screens: export, import (trust, preview, apply), refusals, the review queue.

Two sites live side by side in one test, each its own data folder, store and synchronous worker,
so a click has done all its work by the time it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.ui import jobs
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.main_window import MainWindow
from xmen_desktop.ui.review_dialog import ReviewDialog, side_text
from xmen_desktop.ui.sync_dialogs import ExportDialog, SyncImportDialog
from xmen_desktop.ui.sync_page import SyncPage
from xmen_desktop.ui.widgets import ERROR_COLOUR

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

XIAOXIMEN = ESTATES[0]
PASSPHRASE = "laoximen-2026"
FLATS = [
    ("王阿毛", "复兴东路 12 弄 1 号 101 室", "45.5"),
    ("李秀英", "复兴东路 12 弄 1 号 102 室", "30"),
    ("张建国", "复兴东路 12 弄 2 号 101 室", "38.2"),
]


# ---------------------------------------------------------------------------- fixtures


def _site(qtbot: QtBot, folder: Path, name: str) -> AppContext:
    from xmen_desktop.store.database import Store

    Store.open(folder, site_name=name).close()  # named before the app opens it
    context = AppContext(folder, synchronous=True)
    with qtbot.waitSignal(context.store_ready, timeout=5000):
        context.open_store()
    return context


@pytest.fixture
def office(qapp: object, qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    """小西门居委会: has the households."""
    context = _site(qtbot, tmp_path / "office", "小西门居委会")
    for tenant, address, area in FLATS:
        write(
            context,
            jobs.add_household(XIAOXIMEN.id, {"tenant": tenant, "address": address, "area": area}),
        )
    yield context
    context.close()


@pytest.fixture
def street(qapp: object, qtbot: QtBot, tmp_path: Path) -> Iterator[AppContext]:
    """街道办: starts empty."""
    context = _site(qtbot, tmp_path / "street", "街道办")
    yield context
    context.close()


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


class Answers:
    """Stands in for a QMessageBox function: records what was said, answers as told."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.said: list[str] = []

    def __call__(self, parent: object, title: str, text: str, *args: object) -> Any:
        self.said.append(text)
        return self.answer


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorder = Answers(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", recorder)
    return recorder


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorder = Answers(QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "information", recorder)
    monkeypatch.setattr(QMessageBox, "warning", recorder)
    return recorder


def window_of(qtbot: QtBot, context: AppContext) -> MainWindow:
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.overview.has_data and win.overview.sync_page.has_data, timeout=5000)
    return win


def write(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    errors: list[BaseException] = []
    context.write(fn, box.append, errors.append)
    if errors:
        raise errors[0]
    return box[0] if box else None


def read(context: AppContext, fn: Any) -> Any:
    box: list[Any] = []
    context.read(fn, box.append)
    return box[0]


def open_dialog(parent: QWidget, kind: type[Any]) -> Any:
    found = [d for d in parent.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {len(found)}"
    return found[0]


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def export(context: AppContext, path: Path) -> Path:
    from xmen_desktop.store import sync

    assert context.store is not None
    sync.export_bundle(context.store, path, passphrase=PASSPHRASE)
    return path


def apply(context: AppContext, path: Path) -> None:
    from xmen_desktop.store import sync

    assert context.store is not None
    incoming = sync.read_bundle(context.store, path, PASSPHRASE)
    sync.apply_bundle(context.store, incoming, trust_new=True)


def fingerprint_of(context: AppContext) -> str:
    from xmen_desktop.store.identity import load_keys

    assert context.store is not None
    return load_keys(context.store.engine, context.store.site_id).fingerprint


def households(context: AppContext) -> list[str]:
    return sorted(row.tenant for row in read(context, jobs.load_roster(XIAOXIMEN.id)).households)


def history(context: AppContext) -> list[dict[str, Any]]:
    from xmen_desktop.store import status

    assert context.store is not None
    return status.sync_status(context.store)["history"]  # type: ignore[no-any-return]


def trusted(context: AppContext) -> list[str]:
    from xmen_desktop.store import status

    assert context.store is not None
    return [site["name"] for site in status.trusted_sites(context.store)]


def start_import(qtbot: QtBot, window: MainWindow, path: Path) -> SyncImportDialog:
    """The bundle handed over as if double-clicked; the passphrase typed; 下一步."""
    window.import_bundle(str(path))
    dialog: SyncImportDialog = open_dialog(window, SyncImportDialog)
    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    click(qtbot, dialog.next_button)
    return dialog


def page_of(window: MainWindow) -> SyncPage:
    window.overview.show_sync_page()
    return window.overview.sync_page


# ---------------------------------------------------------------------------- export


def test_file_menu_has_the_sync_actions(qtbot: QtBot, office: AppContext) -> None:
    window = window_of(qtbot, office)
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]  # type: ignore[attr-defined]
    assert texts[:2] == ["导出同步包…", "导入同步包…"]
    assert window.export_action.isEnabled() and window.import_action.isEnabled()


def test_export_through_the_dialog_writes_a_bundle_the_store_accepts(
    qtbot: QtBot,
    office: AppContext,
    street: AppContext,
    usb: Path,
    messages: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xmen_desktop.store import sync

    window = window_of(qtbot, office)
    suggested: list[str] = []

    def save_as(parent: object, title: str, start: str, *args: object) -> tuple[str, str]:
        suggested.append(start)
        return str(usb / "给街道"), "同步包 (*.xmb)"  # typed without the ending

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.export_action.trigger()
    dialog: ExportDialog = open_dialog(window, ExportDialog)
    # Encrypted by default, and this PC has no passphrase yet: it is asked for twice.
    assert dialog.passphrase.isVisible() and dialog.again.isVisible()
    assert not dialog.full_box.isChecked()
    click(qtbot, dialog.choose_button)
    assert Path(suggested[0]).name.startswith("小西门居委会-20")
    assert Path(suggested[0]).suffix == ".xmb"
    assert dialog.path == usb / "给街道.xmb"

    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    qtbot.keyClicks(dialog.again.edit, PASSPHRASE + "x")
    click(qtbot, dialog.export_button)
    assert "两次输入的口令不一样" in dialog.error.text()
    assert not (usb / "给街道.xmb").exists()

    dialog.again.set_text(PASSPHRASE)
    click(qtbot, dialog.export_button)
    assert not dialog.isVisible()
    assert len(messages.said) == 1
    assert messages.said[0].startswith("已导出 ")
    assert "条修改到" in messages.said[0] and "给街道.xmb" in messages.said[0]
    assert sorted(p.name for p in usb.iterdir()) == ["给街道.xmb"]  # no half file beside it

    assert street.store is not None
    incoming = sync.read_bundle(street.store, usb / "给街道.xmb", PASSPHRASE)
    assert incoming.site_name == "小西门居委会"
    assert incoming.manifest["encryption"] is not None
    # The page shows the export in its history at once.
    rows = page_of(window).history_model.rows()
    assert [(r.direction, r.file_name) for r in rows] == [("out", "给街道.xmb")]


def test_export_asks_for_the_passphrase_once_it_is_set(
    qtbot: QtBot, office: AppContext, usb: Path, messages: Answers
) -> None:
    from xmen_desktop.store import sync

    assert office.store is not None
    sync.set_passphrase(office.store, PASSPHRASE)
    window = window_of(qtbot, office)
    window.export_action.trigger()
    dialog: ExportDialog = open_dialog(window, ExportDialog)
    assert dialog.passphrase.isVisible() and not dialog.again.isVisible()
    dialog.set_path(usb / "a.xmb")
    qtbot.keyClicks(dialog.passphrase.edit, "wrong-passphrase")
    click(qtbot, dialog.export_button)
    assert "口令与本机设置的同步口令不一致" in dialog.error.text()
    assert list(usb.iterdir()) == []
    assert dialog.isVisible()


def test_cancelling_an_export_leaves_no_file(
    qtbot: QtBot, office: AppContext, usb: Path, messages: Answers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xmen_desktop.store import sync

    assert office.store is not None
    sync.set_passphrase(office.store, PASSPHRASE)
    window = window_of(qtbot, office)
    window.export_action.trigger()
    dialog: ExportDialog = open_dialog(window, ExportDialog)
    dialog.set_path(usb / "a.xmb")
    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)

    real = sync.export_bundle

    def pressing_cancel(store: Any, path: Path, *, progress: Any = None, **options: Any) -> Any:
        def step(done: int, total: int) -> None:
            assert dialog._progress is not None
            cancel = dialog._progress.findChild(QPushButton)
            assert cancel.text() == "取消导出"
            cancel.click()  # as if clicked while the export ran
            progress(done, total)

        return real(store, path, progress=step, **options)

    monkeypatch.setattr(sync, "export_bundle", pressing_cancel)
    click(qtbot, dialog.export_button)
    assert dialog.isVisible()
    assert "已取消导出" in dialog.error.text()
    assert list(usb.iterdir()) == []
    assert history(office) == []
    assert messages.said == []


# ---------------------------------------------------------------------------- import


def test_import_asks_about_the_fingerprint_then_previews_then_applies(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path
) -> None:
    bundle = export(office, usb / "小西门居委会-2026-11-27.xmb")
    window = window_of(qtbot, street)
    window.import_bundle(str(bundle))
    dialog: SyncImportDialog = open_dialog(window, SyncImportDialog)
    assert "来自“小西门居委会”" in dialog.header_label.text()
    assert "已加密" in dialog.header_label.text()
    assert not dialog.next_button.isEnabled()  # the passphrase first
    qtbot.keyClicks(dialog.passphrase.edit, PASSPHRASE)
    click(qtbot, dialog.next_button)

    # Not trusted yet: the fingerprint, in groups, and the question.
    assert dialog.pages.currentIndex() == dialog.PAGE_TRUST
    assert dialog.fingerprint.text() == fingerprint_of(office)
    assert [box.text() for box in dialog.fingerprint.boxes] == fingerprint_of(office).split()
    assert "小西门居委会" in dialog.trust_intro.text()
    assert not dialog.import_button.isVisible()
    assert households(street) == []
    click(qtbot, dialog.trust_button)

    assert dialog.pages.currentIndex() == dialog.PAGE_PREVIEW
    counts = {r.label: (r.new, r.updated, r.deleted) for r in dialog.counts_model.rows()}
    assert counts["住户"] == (3, 0, 0)
    assert households(street) == []  # nothing written before 确认导入
    assert trusted(street) == []
    click(qtbot, dialog.import_button)

    assert dialog.pages.currentIndex() == dialog.PAGE_DONE
    assert "已导入来自“小西门居委会”" in dialog.done_label.text()
    assert "住户 3" in dialog.done_label.text()
    assert households(street) == ["张建国", "李秀英", "王阿毛"]
    assert trusted(street) == ["小西门居委会"]
    # The overview and the sync page followed the import.
    total = window.overview.model.rows()[-1]
    assert total.households == 3
    page = page_of(window)
    assert [r.direction for r in page.history_model.rows()] == ["in"]
    assert [r.name for r in page.peers_model.rows()] == ["小西门居委会"]
    assert [r.name for r in page.trusted_model.rows()] == ["小西门居委会"]
    click(qtbot, dialog.close_button)
    assert not dialog.isVisible()


def test_a_wrong_passphrase_is_refused_in_red_and_changes_nothing(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path
) -> None:
    bundle = export(office, usb / "a.xmb")
    window = window_of(qtbot, street)
    window.import_bundle(str(bundle))
    dialog: SyncImportDialog = open_dialog(window, SyncImportDialog)
    qtbot.keyClicks(dialog.passphrase.edit, "not-the-passphrase")
    click(qtbot, dialog.next_button)
    assert dialog.pages.currentIndex() == dialog.PAGE_FILE
    assert dialog.refusal.isVisible()
    assert "同步口令不对" in dialog.refusal.text()
    assert "没有做任何改动" in dialog.refusal.text()
    assert ERROR_COLOUR in dialog.refusal.styleSheet()
    assert households(street) == [] and history(street) == [] and trusted(street) == []
    # Typing again clears the refusal; the right passphrase goes on.
    dialog.passphrase.set_text(PASSPHRASE)
    assert not dialog.refusal.isVisible()
    click(qtbot, dialog.next_button)
    assert dialog.pages.currentIndex() == dialog.PAGE_TRUST


def test_a_file_that_is_no_bundle_is_refused_at_once(
    qtbot: QtBot, street: AppContext, usb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (usb / "名册.xmb").write_bytes(b"PK\x03\x04 not a bundle")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(usb / "名册.xmb"), ""))
    window = window_of(qtbot, street)
    window.import_action.trigger()
    dialog: SyncImportDialog = open_dialog(window, SyncImportDialog)
    click(qtbot, dialog.choose_button)
    assert "这不是本软件的同步包" in dialog.refusal.text()
    assert not dialog.secret_box.isVisible()
    assert not dialog.next_button.isEnabled()


def test_a_bundle_imported_before_says_so_and_offers_only_close(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path
) -> None:
    bundle = export(office, usb / "a.xmb")
    apply(street, bundle)
    window = window_of(qtbot, street)
    dialog = start_import(qtbot, window, bundle)
    assert dialog.pages.currentIndex() == dialog.PAGE_ALREADY
    assert "已经在" in dialog.already_label.text() and "导入过了" in dialog.already_label.text()
    shown = [
        b.text()
        for b in (
            dialog.cancel_button,
            dialog.next_button,
            dialog.trust_button,
            dialog.import_button,
            dialog.review_button,
            dialog.close_button,
        )
        if b.isVisible()
    ]
    assert shown == ["关闭"]
    assert len(history(street)) == 1


def test_a_trusted_site_goes_straight_to_the_preview(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path
) -> None:
    apply(street, export(office, usb / "a.xmb"))
    write(
        office,
        jobs.add_household(
            XIAOXIMEN.id, {"tenant": "陈美华", "address": "复兴东路 12 弄 3 号 201 室"}
        ),
    )
    window = window_of(qtbot, street)
    dialog = start_import(qtbot, window, export(office, usb / "b.xmb"))
    assert dialog.pages.currentIndex() == dialog.PAGE_PREVIEW
    counts = {r.label: (r.new, r.updated, r.deleted) for r in dialog.counts_model.rows()}
    assert counts == {"住户": (1, 0, 0)}
    # The office has heard nothing back from the street yet, so it sent everything again.
    assert "本机已经有了，会跳过" in dialog.notes_label.text()
    click(qtbot, dialog.import_button)
    assert "陈美华" in households(street)


# ---------------------------------------------------------------------------- review queue


def _issued_ballot(office: AppContext, street: AppContext, usb: Path) -> tuple[str, str, str]:
    """A vote with its ballots issued at the office and carried to the street.

    Returns the vote id, the first ballot's serial and its id."""
    from xmen_desktop.store import topics, votes

    assert office.store is not None and street.store is not None
    with office.store.write() as session:
        topic = topics.add_topic(session, XIAOXIMEN.id, {"title": "加装电梯"})
        for state in ("accepted", "consulting", "deliberating", "voting"):
            topics.advance_topic(session, topic.id, state)
        vote = votes.create_vote(session, topic.id, question="是否同意加装电梯", rule="residents")
        ballot = votes.issue_ballots(session, vote.id)[0]
        found = vote.id, ballot.serial, ballot.id
    apply(street, export(office, usb / "1.xmb"))
    return found


def _ballot_conflict(office: AppContext, street: AppContext, usb: Path) -> str:
    """One ballot recorded as 同意 at the office and as 不同意 at the street; returns its id."""
    from xmen_desktop.store import votes

    assert office.store is not None and street.store is not None
    vote_id, serial, ballot_id = _issued_ballot(office, street, usb)
    with office.store.write() as session:
        votes.cast(session, vote_id, serial=serial, choice="同意")
    with street.store.write() as session:
        votes.cast(session, vote_id, serial=serial, choice="不同意")
    return ballot_id


def test_a_ballot_conflict_shows_in_the_queue_and_resolving_clears_it(
    qtbot: QtBot,
    office: AppContext,
    street: AppContext,
    usb: Path,
    questions: Answers,
) -> None:
    from xmen_desktop.store.models import Ballot

    ballot_id = _ballot_conflict(office, street, usb)
    window = window_of(qtbot, office)
    assert window.tabs.tabText(0) == "街道总览"

    # The street's bundle comes in through the dialog; the preview warns of the review item.
    dialog = start_import(qtbot, window, export(street, usb / "2.xmb"))
    click(qtbot, dialog.trust_button)
    assert "有需要核对的地方" in dialog.notes_label.text()
    click(qtbot, dialog.import_button)
    assert "现在有 1 项需要核对" in dialog.done_label.text()
    assert dialog.review_button.isVisible()
    assert window.tabs.tabText(0) == "街道总览（待核对 1）"
    page = page_of(window)
    assert page.review_title.text() == "待核对 1 项"
    assert window.overview.pages.tabText(1) == "同步（待核对 1）"
    assert "表决票" in page.review_list.text()

    click(qtbot, dialog.review_button)
    review: ReviewDialog = open_dialog(window, ReviewDialog)
    assert len(review.cards) == 1
    card = review.cards[0]
    assert card.group.summary.startswith("表决票 ")
    assert any("两台电脑改成了不同的值" in label.text() for label in card.findChildren(QLabel))
    assert any("是否同意加装电梯" in label.text() for label in card.findChildren(QLabel))
    sides = card.group.sides()
    assert sorted((s.site_name, s.values["choice"]) for s in sides) == [
        ("小西门居委会", "同意"),
        ("街道办", "不同意"),
    ]
    street_side = next(n for n, s in enumerate(sides) if s.site_name == "街道办")
    assert card.new_value is None  # a ballot is decided from the paper, not typed

    click(qtbot, card.keep_buttons[street_side])
    assert len(questions.said) == 1 and "“不同意”（街道办的记录）" in questions.said[0]
    assert review.cards == []
    assert review.empty.isVisible()
    assert window.tabs.tabText(0) == "街道总览"
    assert window.overview.pages.tabText(1) == "同步"
    assert page.review_title.text() == "待核对"
    assert office.store is not None
    with office.store.read() as session:
        ballot = session.get(Ballot, ballot_id)
        assert ballot is not None and ballot.choice == "不同意"


def test_answering_no_leaves_the_item_in_the_queue(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path, questions: Answers
) -> None:
    _ballot_conflict(office, street, usb)
    apply(office, export(street, usb / "2.xmb"))
    window = window_of(qtbot, office)
    assert window.tabs.tabText(0) == "街道总览（待核对 1）"
    page = page_of(window)
    click(qtbot, page.review_button)
    review: ReviewDialog = open_dialog(window, ReviewDialog)
    questions.answer = QMessageBox.StandardButton.No
    click(qtbot, review.cards[0].keep_buttons[0])
    assert len(review.cards) == 1
    assert window.tabs.tabText(0) == "街道总览（待核对 1）"


def test_a_name_both_sites_changed_can_be_typed_anew(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path, questions: Answers
) -> None:
    apply(street, export(office, usb / "1.xmb"))
    household_id = read(office, jobs.load_roster(XIAOXIMEN.id)).households[0].id
    write(office, jobs.update_household(household_id, {"tenant": "王阿毛甲"}))
    write(street, jobs.update_household(household_id, {"tenant": "王阿毛乙"}))
    apply(office, export(street, usb / "2.xmb"))
    window = window_of(qtbot, office)
    click(qtbot, page_of(window).review_button)
    review: ReviewDialog = open_dialog(window, ReviewDialog)
    card = review.cards[0]
    assert card.new_value is not None and card.save_button is not None
    click(qtbot, card.save_button)
    assert "请先填写正确的内容" in card.error.text()
    card.new_value.setText("王阿茂")
    click(qtbot, card.save_button)
    assert "王阿茂" in questions.said[-1]
    assert review.cards == []
    assert "王阿茂" in households(office)
    assert window.tabs.tabText(0) == "街道总览"


# ---------------------------------------------------------------------------- the page


def test_the_page_shows_this_site_and_its_fingerprint(qtbot: QtBot, office: AppContext) -> None:
    window = window_of(qtbot, office)
    page = page_of(window)
    assert page.site_name.text() == "小西门居委会"
    assert page.fingerprint.text() == fingerprint_of(office)
    assert page.encryption_label.text().startswith("已打开")
    assert page.peers_empty.isVisible() and page.history_empty.isVisible()


def test_turning_encryption_off_asks_first_and_explains_the_risk(
    qtbot: QtBot, office: AppContext, questions: Answers
) -> None:
    from xmen_desktop.store import sync

    assert office.store is not None
    window = window_of(qtbot, office)
    page = page_of(window)
    questions.answer = QMessageBox.StandardButton.No
    click(qtbot, page.encryption_button)
    assert "个人信息都不加密" in questions.said[0]
    assert sync.encryption_enabled(office.store)

    questions.answer = QMessageBox.StandardButton.Yes
    click(qtbot, page.encryption_button)
    assert not sync.encryption_enabled(office.store)
    assert page.encryption_label.text().startswith("已关闭")
    assert page.encryption_button.text() == "打开加密"
    click(qtbot, page.encryption_button)  # turning it back on asks nothing
    assert len(questions.said) == 2
    assert sync.encryption_enabled(office.store)


def test_unencrypted_export_needs_no_passphrase(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path, messages: Answers
) -> None:
    from xmen_desktop.store import sync

    assert office.store is not None and street.store is not None
    sync.set_encryption(office.store, False)
    window = window_of(qtbot, office)
    window.export_action.trigger()
    dialog: ExportDialog = open_dialog(window, ExportDialog)
    assert not dialog.secret_box.isVisible() and dialog.plain_warning.isVisible()
    dialog.set_path(usb / "plain.xmb")
    click(qtbot, dialog.export_button)
    assert "没有加密" in messages.said[0]
    assert sync.read_bundle(street.store, usb / "plain.xmb", None).manifest["encryption"] is None


def test_setting_the_passphrase_through_the_page(qtbot: QtBot, office: AppContext) -> None:
    from xmen_desktop.store import sync
    from xmen_desktop.store.errors import StoreError
    from xmen_desktop.ui.sync_dialogs import PassphraseDialog

    assert office.store is not None
    window = window_of(qtbot, office)
    page = page_of(window)
    assert page.passphrase_label.text().startswith("还没有设置")
    click(qtbot, page.passphrase_button)
    dialog: PassphraseDialog = open_dialog(page, PassphraseDialog)
    qtbot.keyClicks(dialog.passphrase.edit, "short")
    click(qtbot, dialog.save_button)
    assert "至少要 8 个字符" in dialog.error.text()
    dialog.passphrase.set_text(PASSPHRASE)
    dialog.again.set_text(PASSPHRASE)
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert page.passphrase_label.text().startswith("已设置")
    sync.check_passphrase(office.store, PASSPHRASE)
    with pytest.raises(StoreError):
        sync.check_passphrase(office.store, "another-passphrase")


def test_untrusting_a_site_asks_first(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path, questions: Answers
) -> None:
    apply(street, export(office, usb / "a.xmb"))
    window = window_of(qtbot, street)
    page = page_of(window)
    assert not page.untrust_button.isEnabled()  # choose a site first
    page.trusted_view.selectRow(0)
    click(qtbot, page.untrust_button)
    assert "小西门居委会" in questions.said[0]
    assert trusted(street) == []
    assert page.trusted_empty.isVisible()


def test_a_clock_warning_is_shown_in_the_preview(
    qtbot: QtBot,
    office: AppContext,
    street: AppContext,
    usb: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xmen_desktop.store import sync

    real = sync.preview

    def fast_clock(store: Any, incoming: Any) -> Any:
        stats = real(store, incoming)
        stats.clock_warning = "同步包里有的修改时间比本机时钟快了约 5 小时：对方电脑的时钟可能不准"
        return stats

    monkeypatch.setattr(sync, "preview", fast_clock)
    window = window_of(qtbot, street)
    dialog = start_import(qtbot, window, export(office, usb / "a.xmb"))
    click(qtbot, dialog.trust_button)
    assert dialog.clock_label.isVisible()
    assert dialog.clock_label.text().startswith("注意：同步包里有的修改时间比本机时钟快")


def test_a_bundle_opened_before_the_data_is_open_waits_for_it(
    qtbot: QtBot, office: AppContext, tmp_path: Path, usb: Path
) -> None:
    from xmen_desktop.store.database import Store

    bundle = export(office, usb / "a.xmb")
    Store.open(tmp_path / "late", site_name="街道办").close()
    context = AppContext(tmp_path / "late", synchronous=True)
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        window.import_bundle(str(bundle))  # as if double-clicked: the data is not open yet
        assert not window.findChildren(SyncImportDialog)
        with qtbot.waitSignal(context.store_ready, timeout=5000):
            context.open_store()
        dialog: SyncImportDialog = open_dialog(window, SyncImportDialog)
        assert dialog.header is not None and dialog.header.path == bundle
        dialog.reject()
    finally:
        context.close()


def test_a_ballot_recorded_as_a_choice_here_and_blank_there_is_decided_whole(
    qtbot: QtBot, office: AppContext, street: AppContext, usb: Path, questions: Answers
) -> None:
    """The two PCs wrote different fields of one ballot; keeping one side sets them all."""
    from xmen_desktop.store import votes
    from xmen_desktop.store.models import Ballot

    vote_id, serial, ballot_id = _issued_ballot(office, street, usb)
    assert office.store is not None and street.store is not None
    with office.store.write() as session:
        votes.cast(session, vote_id, serial=serial, choice="同意")
    with street.store.write() as session:
        votes.cast(session, vote_id, serial=serial, blank=True)
    apply(office, export(street, usb / "2.xmb"))
    window = window_of(qtbot, office)
    page = page_of(window)
    # Two fields of the ballot disagree, yet it is one thing to decide.
    assert page.review_count == 1
    assert window.tabs.tabText(0) == "街道总览（待核对 1）"
    click(qtbot, page.review_button)
    review: ReviewDialog = open_dialog(window, ReviewDialog)
    assert len(review.cards) == 1  # one ballot, decided as one
    card = review.cards[0]
    sides = card.group.sides()
    shown = sorted((side.site_name, side_text(card.group, side)) for side in sides)
    assert shown == [("小西门居委会", "“同意”"), ("街道办", "空白票")]
    street_side = next(n for n, side in enumerate(sides) if side.site_name == "街道办")
    click(qtbot, card.keep_buttons[street_side])
    assert review.cards == []
    assert window.tabs.tabText(0) == "街道总览"
    with office.store.read() as session:
        ballot = session.get(Ballot, ballot_id)
        assert ballot is not None
        assert (ballot.returned, ballot.choice, ballot.blank, ballot.spoilt) == (
            True,
            None,
            True,
            False,
        )


def test_an_edit_against_a_delete_offers_to_delete_or_to_restore() -> None:
    from xmen_desktop.store.review import Candidate, ReviewEntry
    from xmen_desktop.ui.review_dialog import group_reviews, is_deletion

    entry = ReviewEntry(
        "vote",
        "v1",
        "cl",
        "edit_vs_delete",
        (
            Candidate("site-a:7", 2, "小西门居委会", 1_000),
            Candidate("site-b:3", 4550, "街道办", 2_000),  # the edit: a number, and even
        ),
        "表决 是否同意加装电梯",
    )
    (group,) = group_reviews([entry])
    deleted, edited = group.sides()
    assert (deleted.site_name, edited.site_name) == ("小西门居委会", "街道办")
    assert is_deletion(group, deleted) and not is_deletion(group, edited)
    assert side_text(group, deleted) == "删除了这条记录"
    assert side_text(group, edited) == "修改了这条记录"
    assert not group.is_text
