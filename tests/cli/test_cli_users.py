"""Operators on the command line: --as, --admin, users, audit, and each role's limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_refused, xmen


def _secret(folder: Path, name: str, value: str) -> str:
    path = folder / f"{name}.txt"
    path.write_text(value + "\n", "utf-8")
    return str(path)


@pytest.fixture
def office(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    """An administrator, a subdistrict person, and estate staff of 小西门; one household each."""
    files = {
        "admin": _secret(tmp_path, "admin", "admin-pass-2026"),
        "street": _secret(tmp_path, "street", "street-pass"),
        "wang": _secret(tmp_path, "wang", "wang-pass"),
    }
    for estate, tenant in (("小西门", "张阿姨"), ("龙门村", "李伯伯")):
        xmen(data_dir, "households", "add", "--estate", estate, "--tenant", tenant,
             "--address", "中华路 1 弄 1 号", "--phone", "13812341234")  # fmt: skip
    xmen(data_dir, "users", "add", "admin", "--name", "管理员", "--role", "admin",
         "--new-password-file", files["admin"])  # fmt: skip
    as_admin = ("--as", "admin", "--password-file", files["admin"])
    xmen(data_dir, *as_admin, "users", "add", "street", "--name", "街道小陈",
         "--role", "街道工作人员", "--new-password-file", files["street"])  # fmt: skip
    xmen(data_dir, *as_admin, "users", "add", "wang", "--name", "王丽", "--role", "estate",
         "--estate", "小西门", "--new-password-file", files["wang"])  # fmt: skip
    return files


def _as(files: dict[str, str], user: str) -> tuple[str, ...]:
    return ("--as", user, "--password-file", files[user])


def test_once_operators_exist_a_command_needs_a_person(data_dir: Path, office) -> None:
    assert_refused(xmen(data_dir, "households", "list", check=False), "--as", "--admin")
    listed = json.loads(xmen(data_dir, "--admin", "households", "list", "--json").stdout)
    assert len(listed) == 2


def test_wrong_password_on_the_command_line(data_dir: Path, office, tmp_path: Path) -> None:
    wrong = _secret(tmp_path, "wrong", "not-it")
    for user in ("wang", "nobody"):
        result = xmen(data_dir, "--as", user, "--password-file", wrong, "households", "list",
                      check=False)  # fmt: skip
        assert_refused(result, "用户名或密码不对")
    # No terminal and no file: say how to give the password.
    assert_refused(xmen(data_dir, "--as", "wang", "households", "list", check=False),
                   "--password-file")  # fmt: skip


def test_estate_staff_on_the_command_line(data_dir: Path, office) -> None:
    wang = _as(office, "wang")
    listed = json.loads(xmen(data_dir, *wang, "households", "list", "--json").stdout)
    assert [h["tenant"] for h in listed] == ["张阿姨"]
    assert_refused(
        xmen(data_dir, *wang, "households", "list", "--estate", "龙门村", check=False), "龙门村"
    )
    assert_refused(
        xmen(data_dir, *wang, "households", "add", "--estate", "龙门村", "--tenant", "某",
             "--address", "某路 1 号", check=False),
        "没有权限",
    )  # fmt: skip
    assert_refused(
        xmen(data_dir, *wang, "users", "add", "x1", "--name", "某", "--role", "estate",
             "--estate", "小西门", "--new-password-file", office["wang"], check=False),
        "管理操作员",
    )  # fmt: skip
    xmen(data_dir, *wang, "households", "add", "--estate", "小西门", "--tenant", "新户",
         "--address", "中华路 2 弄 1 号")  # fmt: skip


def test_subdistrict_staff_see_masked_phones(data_dir: Path, office) -> None:
    street = _as(office, "street")
    listed = json.loads(xmen(data_dir, *street, "households", "list", "--json").stdout)
    assert {h["phone"] for h in listed} == {"138****1234"}
    listed = json.loads(xmen(data_dir, "--admin", "households", "list", "--json").stdout)
    assert {h["phone"] for h in listed} == {"13812341234"}


def test_users_list_passwd_disable(data_dir: Path, office, tmp_path: Path) -> None:
    admin = _as(office, "admin")
    users = json.loads(xmen(data_dir, *admin, "users", "list", "--json").stdout)
    assert {u["username"]: u["role"] for u in users} == {
        "admin": "admin",
        "street": "subdistrict",
        "wang": "estate",
    }
    assert "password_hash" not in json.dumps(users)
    weak = _secret(tmp_path, "weak", "short")
    assert_refused(
        xmen(data_dir, *admin, "users", "passwd", "admin", "--new-password-file", weak,
             check=False),
        "至少 10 位",
    )  # fmt: skip
    fresh = _secret(tmp_path, "fresh", "wang-new-pass")
    xmen(data_dir, *admin, "users", "passwd", "wang", "--new-password-file", fresh)
    xmen(data_dir, "--as", "wang", "--password-file", fresh, "households", "list")
    xmen(data_dir, *admin, "users", "disable", "wang")
    assert_refused(
        xmen(data_dir, "--as", "wang", "--password-file", fresh, "households", "list",
             check=False),
        "停用",
    )  # fmt: skip


def test_audit_list_names_people_and_events(data_dir: Path, office, tmp_path: Path) -> None:
    wang = _as(office, "wang")
    xmen(data_dir, *wang, "households", "add", "--estate", "小西门", "--tenant", "新户",
         "--address", "中华路 3 弄 1 号")  # fmt: skip
    xmen(data_dir, *wang, "households", "export", str(tmp_path / "roster.xlsx"),
         "--estate", "小西门")  # fmt: skip
    lines = json.loads(
        xmen(data_dir, "--admin", "audit", "list", "--user", "wang", "--json").stdout
    )
    actions = {(line["kind"], line["action"]) for line in lines}
    assert ("household", "新增") in actions
    assert ("export", "导出") in actions
    assert ("sign_in", "登录") in actions
    assert {line["operator"] for line in lines} == {"wang"}
    only_exports = json.loads(
        xmen(data_dir, "--admin", "audit", "list", "--kind", "导出", "--json").stdout
    )
    assert only_exports and {line["kind"] for line in only_exports} == {"export"}
    out = tmp_path / "audit.xlsx"
    xmen(data_dir, "--admin", "audit", "list", "--estate", "小西门", "--xlsx", str(out))
    assert out.exists()
    assert_refused(xmen(data_dir, "--admin", "audit", "list", "--kind", "乱写", check=False),
                   "类别")  # fmt: skip
