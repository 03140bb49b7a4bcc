"""Who may see and change what: roles, password rules, sign-in delays, phone masking.

Pure rules; the store applies them to every session (see ``store.access``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ADMIN = "admin"
SUBDISTRICT = "subdistrict"
ESTATE = "estate"
MEDIATOR = "mediator"

ROLES: dict[str, str] = {
    ADMIN: "管理员",
    SUBDISTRICT: "街道工作人员",
    ESTATE: "小区工作人员",
    MEDIATOR: "调解员",
}
ROLE_BY_LABEL = {label: role for role, label in ROLES.items()}

# Tables that hold mediation files: only mediators may open them (not even administrators).
MEDIATION_TABLES: frozenset[str] = frozenset()
# Tables that list who may sign in: only administrators change them (a person may change
# their own password and PIN).
OPERATOR_TABLES = frozenset({"operator"})
OWN_OPERATOR_FIELDS = frozenset({"password_hash", "pin_hash", "must_change_password"})

IDLE_LOCK_MINUTES_DEFAULT = 10
FREE_FAILURES = 5
MAX_DELAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class Actor:
    """The person a session works for."""

    username: str
    display_name: str
    role: str
    estates: frozenset[str] = field(default_factory=frozenset)
    operator_id: str | None = None

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def all_estates(self) -> bool:
        return self.role in (ADMIN, SUBDISTRICT)

    @property
    def signed_in(self) -> bool:
        return self.role in ROLES

    def may_read_estate(self, estate_id: str | None) -> bool:
        if not self.signed_in:
            return False
        return estate_id is None or self.all_estates or estate_id in self.estates

    def may_write_estate(self, estate_id: str | None) -> bool:
        if self.role == MEDIATOR:
            return False
        return self.may_read_estate(estate_id)

    @property
    def may_manage_operators(self) -> bool:
        return self.role == ADMIN

    @property
    def may_sync(self) -> bool:
        # A bundle carries every estate's changes: the merge is the PC's, not a person's edit.
        return self.role != MEDIATOR

    @property
    def may_restore(self) -> bool:
        return self.role == ADMIN

    @property
    def sees_phones(self) -> bool:
        # Estate staff call residents; subdistrict staff and mediators work from lists.
        return self.role in (ADMIN, ESTATE)

    def may_open_table(self, table: str) -> bool:
        if table in MEDIATION_TABLES:
            return self.role == MEDIATOR
        return True


# The actor of the PC itself: migrations, the sync merge, daily backups; and every session
# while no operator exists yet (a new PC has nothing to protect until someone is added).
SYSTEM = Actor("system", "系统", ADMIN)
# Nobody signed in (operators exist): may read and change nothing.
NOBODY = Actor("", "未登录", "none")
SIGN_IN_FIRST = "请先登录。"


def denied_estate(estate_name: str) -> str:
    return f"您没有权限查看或修改“{estate_name}”小区的资料。如需要，请找管理员调整您负责的小区。"


def denied(action: str) -> str:
    return f"您的角色不能{action}。如需要，请找管理员。"


# ---------------------------------------------------------------------------- passwords

USERNAME_RULE = "用户名只能用 2–32 个字母、数字、下划线、点或减号（例如 wangli）"
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")
ADMIN_PASSWORD_RULE = "管理员密码至少 10 位，并且同时含有字母和数字，不能和用户名相同"
PASSWORD_RULE = "密码至少 6 位，不能和用户名相同"
PIN_RULE = "PIN 是 4 到 6 位数字"


def check_username(username: str) -> str | None:
    return None if _USERNAME.match(username or "") else USERNAME_RULE


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def check_password(password: str, username: str, role: str) -> str | None:
    """The rule broken, in words a person can act on; None when the password is acceptable."""
    same_as_name = password.strip().lower() == normalize_username(username)
    if role == ADMIN:
        strong = (
            len(password) >= 10
            and re.search(r"[A-Za-z]", password) is not None
            and re.search(r"\d", password) is not None
        )
        return None if strong and not same_as_name else ADMIN_PASSWORD_RULE
    return None if len(password) >= 6 and not same_as_name else PASSWORD_RULE


def check_pin(pin: str) -> str | None:
    return None if re.fullmatch(r"\d{4,6}", pin or "") else PIN_RULE


def sign_in_delay(failures: int) -> int:
    """Seconds to wait before the next try, after ``failures`` failed tries in a row.

    Five tries are free (a typo or two); then 30 s, doubling each time, at most 15 minutes.
    """
    if failures < FREE_FAILURES:
        return 0
    return min(30 * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


# ---------------------------------------------------------------------------- personal data


def mask_phone(phone: str | None) -> str | None:
    """138****1234 for mobiles; landlines keep their last four digits."""
    if not phone:
        return phone
    digits = [c for c in phone if c.isdigit()]
    if len(digits) == 11 and digits[0] == "1":
        return "".join(digits[:3]) + "****" + "".join(digits[-4:])
    if len(digits) >= 6:
        return "****" + "".join(digits[-4:])
    return "****"
