"""Operators: who may sign in, with which role, for which estates; signing in and out.

Passwords and PINs are kept as Argon2id hashes (argon2-cffi). A wrong username and a wrong
password get the same answer in about the same time, so a guesser learns nothing. After
five failed tries in a row for one username, each further try waits longer (per PC).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import text
from sqlmodel import Session, select

from xmen_desktop.domain import access as rules
from xmen_desktop.domain.access import ADMIN, ROLES, SYSTEM, Actor
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.domain.ids import natural_id
from xmen_desktop.store import access, audit
from xmen_desktop.store.common import now_text
from xmen_desktop.store.errors import NotFound, StoreError
from xmen_desktop.store.models import Operator, SignInFailure

_HASHER = PasswordHasher()
# Verified when the username is unknown, so the answer takes as long as a real check.
_DUMMY_HASH = _HASHER.hash("not-a-password")

WRONG_CREDENTIALS = "用户名或密码不对，请再试一次。忘记密码请找管理员重设。"


class SignInRefused(StoreError):
    """Wrong credentials, a disabled account, or too many tries: nobody is signed in."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class OperatorRow:
    id: str
    username: str
    display_name: str
    role: str
    estates: tuple[str, ...]
    pin_allowed: bool
    has_pin: bool
    disabled: bool
    created_at: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def estate_names(self) -> str:
        names = {e.id: e.name for e in ESTATES}
        if self.role in (rules.ADMIN, rules.SUBDISTRICT):
            return "全部小区"
        ordered = [e.id for e in ESTATES if e.id in self.estates]
        return "、".join(names[e] for e in ordered) or "（未指定）"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "estates": list(self.estates),
            "pin_allowed": self.pin_allowed,
            "disabled": self.disabled,
        }


def operator_id(username: str) -> str:
    return natural_id("operator", rules.normalize_username(username))


def _row(op: Operator) -> OperatorRow:
    return OperatorRow(
        id=op.id,
        username=op.username,
        display_name=op.display_name,
        role=op.role,
        estates=tuple(json.loads(op.estates or "[]")),
        pin_allowed=op.pin_allowed,
        has_pin=bool(op.pin_hash),
        disabled=op.disabled,
        created_at=op.created_at,
    )


def actor_for(op: Operator | OperatorRow) -> Actor:
    estates = json.loads(op.estates) if isinstance(op, Operator) else list(op.estates)
    return Actor(
        username=op.username,
        display_name=op.display_name,
        role=op.role,
        estates=frozenset(estates),
        operator_id=op.id,
    )


def has_operators(session: Session) -> bool:
    return (
        session.execute(text("SELECT 1 FROM operator WHERE cl % 2 = 1 LIMIT 1")).first() is not None
    )


def has_admin(session: Session) -> bool:
    query = "SELECT 1 FROM operator WHERE cl % 2 = 1 AND role = :r AND NOT disabled LIMIT 1"
    return session.execute(text(query), {"r": ADMIN}).first() is not None


def list_operators(session: Session) -> list[OperatorRow]:
    rows = session.exec(select(Operator).where(Operator.cl % 2 == 1)).all()
    return sorted((_row(op) for op in rows), key=lambda r: (r.disabled, r.username))


def get_operator(session: Session, username: str) -> Operator:
    op = session.get(Operator, operator_id(username))
    if op is None or not op.is_live:
        raise NotFound(f"没有用户名为“{username}”的操作员")
    return op


def _clean_estates(role: str, estates: Iterable[str]) -> list[str]:
    from xmen_desktop.domain.estates import estate_by_name_or_code

    if role in (rules.ADMIN, rules.SUBDISTRICT):
        return []
    ids = []
    for text_value in estates:
        info = estate_by_name_or_code(text_value)
        if info is None:
            names = "、".join(e.name for e in ESTATES)
            raise StoreError(f"没有叫“{text_value}”的小区。可选：{names}")
        ids.append(info.id)
    if not ids:
        raise StoreError(f"{ROLES[role]}要指定负责的小区（至少一个）")
    return sorted(set(ids))


def add_operator(
    session: Session,
    username: str,
    display_name: str,
    role: str,
    password: str,
    estates: Iterable[str] = (),
    *,
    pin_allowed: bool = False,
) -> Operator:
    """A new operator (administrators only; the first administrator when there is none)."""
    if has_operators(session):
        access.require(session, access.actor(session).may_manage_operators, "管理操作员")
    elif role != ADMIN:
        raise StoreError("第一位操作员必须是管理员")
    problem = rules.check_username(username)
    if problem:
        raise StoreError(problem)
    if role not in ROLES:
        raise StoreError(f"没有“{role}”这个角色。可选：{'、'.join(ROLES.values())}")
    if not display_name.strip():
        raise StoreError("请填写姓名")
    problem = rules.check_password(password, username, role)
    if problem:
        raise StoreError(problem)
    key = operator_id(username)
    existing = session.get(Operator, key)
    if existing is not None and existing.is_live:
        raise StoreError(f"用户名“{username}”已经有人用了，请换一个")
    values = {
        "username": rules.normalize_username(username),
        "display_name": display_name.strip(),
        "role": role,
        "estates": json.dumps(_clean_estates(role, estates)),
        "password_hash": _HASHER.hash(password),
        "pin_allowed": pin_allowed,
        "pin_hash": None,
        "disabled": False,
        "created_at": now_text(),
    }
    if existing is not None:  # re-created under its natural id
        for name, value in values.items():
            setattr(existing, name, value)
        existing.cl += 1
        return existing
    op = Operator(id=key, **values)
    session.add(op)
    return op


def update_operator(
    session: Session,
    username: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
    estates: Iterable[str] | None = None,
    pin_allowed: bool | None = None,
) -> Operator:
    access.require(session, access.actor(session).may_manage_operators, "管理操作员")
    op = get_operator(session, username)
    if display_name is not None:
        if not display_name.strip():
            raise StoreError("请填写姓名")
        op.display_name = display_name.strip()
    new_role = role or op.role
    if role is not None and role not in ROLES:
        raise StoreError(f"没有“{role}”这个角色。可选：{'、'.join(ROLES.values())}")
    if role is not None and op.role == ADMIN and role != ADMIN:
        _keep_one_admin(session, op)
    if estates is not None or role is not None:
        current = json.loads(op.estates)
        op.estates = json.dumps(_clean_estates(new_role, current if estates is None else estates))
    op.role = new_role
    if pin_allowed is not None:
        op.pin_allowed = pin_allowed
        if not pin_allowed:
            op.pin_hash = None
    return op


def _keep_one_admin(session: Session, leaving: Operator) -> None:
    others = [r for r in list_operators(session) if r.role == ADMIN and not r.disabled]
    if all(r.id == leaving.id for r in others):
        raise StoreError("这是唯一的管理员：请先让另一位操作员成为管理员")


def set_password(session: Session, username: str, password: str) -> None:
    """A new password: administrators for anyone, others for themselves."""
    op = get_operator(session, username)
    person = access.actor(session)
    if op.id != person.operator_id:
        access.require(session, person.may_manage_operators, "修改别人的密码")
    problem = rules.check_password(password, op.username, op.role)
    if problem:
        raise StoreError(problem)
    op.password_hash = _HASHER.hash(password)


def set_pin(session: Session, username: str, pin: str | None) -> None:
    op = get_operator(session, username)
    person = access.actor(session)
    if op.id != person.operator_id:
        access.require(session, person.may_manage_operators, "修改别人的 PIN")
    if pin is None:
        op.pin_hash = None
        return
    if not op.pin_allowed:
        raise StoreError("管理员没有允许这位操作员用 PIN 登录")
    problem = rules.check_pin(pin)
    if problem:
        raise StoreError(problem)
    op.pin_hash = _HASHER.hash(pin)


def set_disabled(session: Session, username: str, disabled: bool) -> None:
    access.require(session, access.actor(session).may_manage_operators, "停用或启用操作员")
    op = get_operator(session, username)
    if disabled and op.id == access.actor(session).operator_id:
        raise StoreError("不能停用自己正在使用的账号")
    if disabled and op.role == ADMIN:
        _keep_one_admin(session, op)
    op.disabled = disabled


def _verify(hashed: str | None, secret: str) -> bool:
    if not hashed:
        return False
    try:
        return _HASHER.verify(hashed, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_credentials(
    write: Callable[..., object],
    username: str,
    secret: str,
    *,
    clock: Callable[[], float] = time.time,
) -> Actor:
    """Sign in: the person's Actor, or SignInRefused. Every try is audited.

    ``write`` is ``store.write``: failures must be committed even though the call raises.
    """
    name = rules.normalize_username(username)
    now = clock()
    refusal: SignInRefused | None = None
    with write(actor=SYSTEM) as session:  # type: ignore[operator]
        failure = session.get(SignInFailure, name) or SignInFailure(username=name)
        wait = rules.sign_in_delay(failure.failures) - (now - failure.last_at)
        if failure.failures >= rules.FREE_FAILURES and wait > 0:
            seconds = math.ceil(wait)
            raise SignInRefused(f"密码错误次数太多，请等 {seconds} 秒后再试。", seconds)
        op = session.get(Operator, operator_id(name)) if name else None
        if op is not None and not op.is_live:
            op = None
        ok = False
        if op is None:
            _verify(_DUMMY_HASH, secret)
        else:
            ok = _verify(op.password_hash, secret) or (
                op.pin_allowed and _verify(op.pin_hash, secret)
            )
        if not ok:
            failure.failures += 1
            failure.last_at = now
            session.add(failure)
            audit.record(session, "sign_in_failed", "密码不对或没有此用户", username=name or "?")
            delay = rules.sign_in_delay(failure.failures)
            if delay:  # the wait starts now: say so at once, not on the next try
                message = f"{WRONG_CREDENTIALS}错误次数太多，请等 {delay} 秒后再试。"
                refusal = SignInRefused(message, delay)
            else:
                refusal = SignInRefused(WRONG_CREDENTIALS)
        elif op is not None and op.disabled:
            audit.record(session, "sign_in_failed", "账号已停用", username=name)
            refusal = SignInRefused("这个账号已停用。请找管理员。")
        else:
            assert op is not None
            session.execute(text("DELETE FROM sign_in_failure WHERE username = :u"), {"u": name})
            person = actor_for(op)
            session.info["actor"] = person
            audit.record(session, "sign_in", "", username=name)
    if refusal is not None:
        raise refusal
    return person


def record_sign_out(write: Callable[..., object], person: Actor, reason: str = "") -> None:
    if person is SYSTEM:
        return
    with write(actor=person) as session:  # type: ignore[operator]
        audit.record(session, "sign_out", reason)


IDLE_SETTING = "idle_lock_minutes"


def idle_lock_minutes(session: Session) -> int:
    """Minutes without a key or mouse press before the app locks itself (this PC's setting)."""
    value = session.execute(
        text("SELECT value FROM local_setting WHERE key = :k"), {"k": IDLE_SETTING}
    ).scalar()
    try:
        return max(1, int(value)) if value is not None else rules.IDLE_LOCK_MINUTES_DEFAULT
    except ValueError:
        return rules.IDLE_LOCK_MINUTES_DEFAULT


def set_idle_lock_minutes(session: Session, minutes: int) -> None:
    access.require(session, access.actor(session).may_manage_operators, "修改自动锁定时间")
    if not 1 <= minutes <= 240:
        raise StoreError("自动锁定时间要在 1 到 240 分钟之间")
    session.execute(
        text(
            "INSERT INTO local_setting (key, value) VALUES (:k, :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"k": IDLE_SETTING, "v": str(minutes)},
    )
