"""``xmen selftest``: a quick end-to-end check of this installation, frozen builds included."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path


def run_selftest(say: Callable[[str], None]) -> int:
    """Run each check, print one line per check, return the number that failed."""
    failures = 0
    for name, check in CHECKS:
        try:
            detail = check()
        except Exception as error:  # every failure is reported, none stops the others
            failures += 1
            say(f"✗ {name}：{type(error).__name__}: {error}")
        else:
            say(f"✓ {name}{('：' + detail) if detail else ''}")
    return failures


def _check_store() -> str:
    from sqlmodel import select

    from xmen_desktop.store import roster
    from xmen_desktop.store.database import Store
    from xmen_desktop.store.dump import dump_data
    from xmen_desktop.store.models import ChangeEntry

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder), site_name="自检")
        try:
            with store.write() as session:
                estate = roster.resolve_estate(session, "小西门")
                household = roster.add_household(
                    session,
                    estate.id,
                    {"tenant": "自检", "address": "复兴东路 1 弄 1 号 101 室", "area": "30.5"},
                )
            with store.read() as session:
                entries = session.exec(
                    select(ChangeEntry).where(ChangeEntry.row_id == household.id)
                ).all()
                households = dump_data(session)["household"]
        finally:
            store.close()
    if not entries or len(households) != 1:
        raise AssertionError("change log or dump is wrong")
    return f"写入、变更记录 {len(entries)} 条、导出正常"


def _check_sign_in() -> str:
    """Argon2 is compiled code: a frozen build without it would lock everybody out."""
    from xmen_desktop.store import operators
    from xmen_desktop.store.database import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder), site_name="自检")
        try:
            with store.write() as session:
                operators.add_operator(session, "selftest", "自检", "admin", "selftest-2026")
            try:
                store.sign_in("selftest", "wrong-password")
            except operators.SignInRefused:
                pass
            else:
                raise AssertionError("错误的密码也能登录")
            person = store.sign_in("selftest", "selftest-2026")
        finally:
            store.close()
    return f"密码校验正常（{person.role_label}）"


def _check_font() -> str:
    from reportlab.pdfbase.ttfonts import TTFont

    from xmen_desktop.resources import cjk_font_path

    font = TTFont("SelftestCJK", str(cjk_font_path()), subfontIndex=0)
    missing = [c for c in "老西门自治家园喆堃昇赟珺" if ord(c) not in font.face.charToGlyph]
    if missing:
        raise AssertionError(f"字体缺字：{''.join(missing)}")
    return cjk_font_path().name


def _check_qt() -> str:
    import PySide6.QtCore

    return f"Qt {PySide6.QtCore.qVersion()}"


CHECKS: list[tuple[str, Callable[[], str]]] = [
    ("数据库与变更记录", _check_store),
    ("操作员登录", _check_sign_in),
    ("中文字体", _check_font),
    ("界面库", _check_qt),
]
