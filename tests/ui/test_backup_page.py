"""数据备份 and the damaged-database dialog: the list, the preview, backing up, restoring."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import audit, backup, operators, paths, roster
from xmen_desktop.store.database import Store
from xmen_desktop.store.errors import DatabaseDamaged
from xmen_desktop.ui.backup_page import BackupPage, Prompts, RestoreDialog, offer_restore
from xmen_desktop.ui.context import AppContext
from xmen_desktop.ui.worker import Worker

PASSWORD = "Laoximen2026"


class Recorder:
    """Stands in for the dialogs: answers as told and remembers what was said."""

    def __init__(self, *, yes: bool = True, folder: Path | None = None) -> None:
        self.yes = yes
        self.folder = folder
        self.file: Path | None = None
        self.questions: list[str] = []
        self.notices: list[str] = []
        self.warnings: list[str] = []

    def prompts(self) -> Prompts:
        return Prompts(
            confirm=lambda _w, _t, text: self.questions.append(text) or self.yes,
            choose_folder=lambda _w: str(self.folder) if self.folder else None,
            choose_file=lambda _w: str(self.file) if self.file else None,
            notify=lambda _w, _t, text: self.notices.append(text),
            warn=lambda _w, _t, text: self.warnings.append(text),
        )


def _fill(folder: Path, *tenants: str) -> None:
    store = Store.open(folder, site_name="小西门居委会")
    try:
        with store.write() as session:
            for n, tenant in enumerate(tenants, start=1):
                estate = ESTATES[n % 2].id
                roster.add_household(
                    session, estate, {"tenant": tenant, "address": f"中华路 {n} 号"}
                )
    finally:
        store.close()


def _tenants(store: Store) -> set[str]:
    with store.read() as session:
        return {row.tenant for row in roster.list_households(session)}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three households, and yesterday's daily backup holding the first two."""
    data = tmp_path / "data"
    _fill(data, "王阿毛", "李秀英")
    Store.open(data).close()  # the daily backup
    (daily,) = backup.list_backups(paths.backups_dir(data))
    yesterday = daily.taken_at - datetime.timedelta(days=1)
    daily.path.rename(daily.path.with_name(backup.backup_name(yesterday, "daily")))
    store = Store.open(data)  # today's backup, then one more household after it
    store.close()
    store = Store.open(data)
    with store.write() as session:
        roster.add_household(session, ESTATES[0].id, {"tenant": "后来的", "address": "中华路 9 号"})
    store.close()
    return data


@pytest.fixture
def context(qapp: object, qtbot: QtBot, folder: Path) -> Iterator[AppContext]:
    ctx = AppContext(folder, synchronous=True)
    with qtbot.waitSignal(ctx.store_ready, timeout=5000):
        ctx.open_store()
    yield ctx
    ctx.close()


def _page(qtbot: QtBot, context: AppContext, recorder: Recorder) -> BackupPage:
    page = BackupPage(context, prompts=recorder.prompts())
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def _select(page: BackupPage, when: datetime.date) -> backup.BackupInfo:
    model = page.browser.model
    for row in range(model.rowCount()):
        if model.row_at(row).taken_at.date() == when:
            page.browser.table.selectRow(row)
            return model.row_at(row)  # type: ignore[no-any-return]
    raise AssertionError(f"no backup of {when}")


def test_the_list_shows_the_backups_and_the_preview_what_one_holds(
    qtbot: QtBot, context: AppContext
) -> None:
    page = _page(qtbot, context, Recorder())
    model = page.browser.model
    assert model.rowCount() == 2
    assert [model.data(model.index(r, 1)) for r in range(2)] == ["每日自动备份"] * 2
    assert model.data(model.index(0, 2)).endswith(("KB", "MB"))
    assert "今天" in page.last_backup.text()
    # The newest is selected and checked at once (the worker runs synchronously here).
    preview = page.browser.preview
    assert preview.preview is not None
    assert "检查通过" in preview.status.text()
    assert preview.values["site"].text() == "小西门居委会"
    assert preview.values["households"].text().startswith("共 2 户")
    _select(page, datetime.date.today() - datetime.timedelta(days=1))
    assert preview.preview is not None and preview.preview.total_households == 2
    assert "小西门" in preview.estates.text() and "龙门村" in preview.estates.text()


def test_backing_up_now_adds_a_row_and_an_audit_line(qtbot: QtBot, context: AppContext) -> None:
    page = _page(qtbot, context, Recorder())
    page.backup_button.click()
    assert page.browser.model.rowCount() == 3
    assert page.browser.current is not None and page.browser.current.reason == "manual"
    assert "已备份" in page.message.text()
    assert context.store is not None
    with context.store.read() as session:
        (line,) = audit.audit_lines(session, audit.AuditFilter(kind="backup"))
    assert page.browser.current.name in line.detail


def test_backing_up_to_a_stick(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    recorder = Recorder(folder=stick)
    page = _page(qtbot, context, recorder)
    page.usb_button.click()
    (copy,) = stick.iterdir()
    assert backup.inspect_backup(copy).total_households == 3
    assert "弹出" in recorder.notices[0] and str(copy) in recorder.notices[0]


def test_a_full_stick_is_said_plainly(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    real = backup.shutil.disk_usage
    monkeypatch.setattr(
        backup.shutil, "disk_usage", lambda p: type(real(p))(real(p).total, real(p).total, 1024)
    )
    recorder = Recorder(folder=stick)
    page = _page(qtbot, context, recorder)
    page.usb_button.click()
    assert list(stick.iterdir()) == []
    assert "U盘空间不够" in recorder.warnings[0]
    assert "U盘空间不够" in page.message.text()
    assert page.usb_button.isEnabled()  # ready for another stick


def test_restoring_asks_first_and_no_changes_nothing(qtbot: QtBot, context: AppContext) -> None:
    recorder = Recorder(yes=False)
    page = _page(qtbot, context, recorder)
    store = context.store
    info = _select(page, datetime.date.today() - datetime.timedelta(days=1))
    page.restore_button.click()
    assert info.taken_text in recorder.questions[0]
    assert "另存" in recorder.questions[0]
    assert context.store is store
    assert _tenants(store) == {"王阿毛", "李秀英", "后来的"}  # type: ignore[arg-type]


def test_restoring_replaces_the_data_and_every_screen_reloads(
    qtbot: QtBot, context: AppContext
) -> None:
    recorder = Recorder(yes=True)
    page = _page(qtbot, context, recorder)
    old = context.store
    assert old is not None
    old_site = old.site_id
    _select(page, datetime.date.today() - datetime.timedelta(days=1))
    changed: list[frozenset[str]] = []
    context.changed.connect(changed.append)
    with qtbot.waitSignal(context.store_ready, timeout=5000):
        page.restore_button.click()
    new = context.store
    assert new is not None and new is not old
    assert _tenants(new) == {"王阿毛", "李秀英"}
    assert new.site_id != old_site
    assert changed and "household" in changed[-1]
    assert "已恢复到" in recorder.notices[0]
    assert "恢复前的数据已另存为" in page.message.text()
    reasons = [b.reason for b in page.browser.model.rows()]
    assert "before-restore" in reasons  # the list was read again
    with new.read() as session:
        (line,) = audit.audit_lines(session, audit.AuditFilter(kind="restore"))
    assert line.operator == "system"


def test_only_an_administrator_sees_restore_and_stick_enabled(
    qtbot: QtBot, context: AppContext
) -> None:
    store = context.store
    assert store is not None
    with store.write() as session:
        operators.add_operator(session, "wangli", "王丽", "admin", PASSWORD)
    store.sign_in("wangli", PASSWORD)
    with store.write() as session:
        operators.add_operator(session, "zhaomin", "赵敏", "estate", "zhaomin1", ["小西门"])
    signed: list[object] = []
    context.sign_in("zhaomin", "zhaomin1", signed.append, signed.append)
    assert context.actor.username == "zhaomin"
    page = _page(qtbot, context, Recorder())
    assert page.backup_button.isEnabled()
    assert not page.restore_button.isEnabled() and not page.usb_button.isEnabled()
    assert "管理员" in page.restore_button.toolTip()
    context.sign_in("wangli", PASSWORD, signed.append, signed.append)
    assert page.restore_button.isEnabled() and page.usb_button.isEnabled()


# ---------------------------------------------------------------------------- at start


def _damage(folder: Path) -> None:
    database = paths.database_path(folder)
    size = database.stat().st_size
    with database.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(bytes(range(256)) * 64)


def test_a_damaged_database_is_reported_on_its_own_signal(
    qapp: object, qtbot: QtBot, folder: Path
) -> None:
    _damage(folder)
    context = AppContext(folder, synchronous=True)
    failed: list[str] = []
    context.store_failed.connect(failed.append)
    context.open_store()  # nobody listens for store_damaged: the plain failure path
    assert failed and "数据文件损坏了" in failed[0]
    damaged: list[str] = []
    context.store_damaged.connect(damaged.append)
    context.open_store()
    assert len(failed) == 1 and damaged and "xmen backup restore" in damaged[0]
    context.close()


def test_the_start_up_dialog_restores_a_backup_of_a_damaged_database(
    qapp: object, qtbot: QtBot, folder: Path
) -> None:
    _damage(folder)
    with pytest.raises(DatabaseDamaged) as refused:
        Store.open(folder)
    recorder = Recorder(yes=True)
    dialog = RestoreDialog(
        folder, refused.value.message, worker=Worker(synchronous=True), prompts=recorder.prompts()
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.browser.model.rowCount() == 2
    assert dialog.restore_button.isEnabled()
    dialog.restore_button.click()  # the newest: today's
    assert dialog.restored and recorder.questions and recorder.notices
    assert "损坏的数据文件没有删除" in dialog.result_detail
    store = Store.open(folder)
    try:
        assert _tenants(store) == {"王阿毛", "李秀英"}
        with store.read() as session:
            (line,) = audit.audit_lines(session, audit.AuditFilter(kind="restore"))
        assert line.operator.startswith("os:")
    finally:
        store.close()


def test_the_start_up_dialog_refuses_a_file_that_is_not_a_backup(
    qapp: object, qtbot: QtBot, folder: Path, tmp_path: Path
) -> None:
    _damage(folder)
    database = paths.database_path(folder)
    damaged_bytes = database.read_bytes()
    stick = tmp_path / "U盘"
    stick.mkdir()
    foreign = stick / "名单.sqlite3"
    foreign.write_text("姓名,电话\n", "utf-8")
    recorder = Recorder(yes=True)
    recorder.file = foreign
    dialog = RestoreDialog(
        folder, "数据文件损坏了", worker=Worker(synchronous=True), prompts=recorder.prompts()
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.file_button.click()
    assert dialog.browser.current is not None and dialog.browser.current.path == foreign
    assert "不是本软件的备份" in dialog.browser.preview.status.text()
    assert not dialog.restore_button.isEnabled()
    dialog.restore_selected()  # even if asked: refused, with the reason
    assert not dialog.restored
    assert "不是本软件的备份" in dialog.message.text()
    assert database.read_bytes() == damaged_bytes


def test_offer_restore_says_whether_it_restored(
    qapp: object, qtbot: QtBot, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _damage(folder)
    monkeypatch.setattr(RestoreDialog, "exec", lambda self: self.reject() or 0)
    assert offer_restore(None, folder, "数据文件损坏了", worker=Worker(synchronous=True)) is False
    shutil.rmtree(paths.backups_dir(folder))  # nothing to restore from: still a clear dialog

    def restore_first(self: RestoreDialog) -> int:
        assert self.browser.model.rowCount() == 0
        assert "还没有备份" in self.browser.empty.text()
        return 0

    monkeypatch.setattr(RestoreDialog, "exec", restore_first)
    assert offer_restore(None, folder, "数据文件损坏了", worker=Worker(synchronous=True)) is False
