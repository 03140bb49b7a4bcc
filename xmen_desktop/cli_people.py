"""``xmen households export-person`` and ``xmen households erase``: a person's data, on request.

- ``export-person ID FILE``: everything held about a household (ID of the household) or one
  resident (ID of the resident), as a PDF or an Excel workbook by FILE's extension.
- ``erase ID [--reason R] [--yes]``: wipe a household's (or one resident's) personal data for
  good. Asks first on a terminal (type the name, or yes); elsewhere ``--yes`` is required, so a
  script never erases anyone by accident.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from xmen_desktop.store.database import Store

FORMATS = (".pdf", ".xlsx")


def _fail(message: str) -> Exception:
    from xmen_desktop.cli import CliError

    return CliError(message)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


@dataclass(frozen=True)
class _Person:
    kind: str  # household | resident
    id: str
    name: str
    address: str
    residents: int  # a household's residents (live), for the question before erasing

    def describe(self) -> str:
        if self.kind == "household":
            family = f"及 {self.residents} 位家庭成员" if self.residents else ""
            return f"{self.address} 承租人 {self.name}{family}"
        return f"{self.address} 居民 {self.name}"


def _person(session: Session, row_id: str) -> _Person:
    """Whose record ``row_id`` is: a household's or a resident's."""
    from sqlmodel import select

    from xmen_desktop.store.access import check_row
    from xmen_desktop.store.errors import NotFound
    from xmen_desktop.store.models import Household, Resident

    check_row(session, "household", row_id)
    household = session.get(Household, row_id)
    if household is not None:
        residents = session.exec(
            select(Resident).where(Resident.household_id == row_id, Resident.cl % 2 == 1)
        ).all()
        return _Person("household", row_id, household.tenant, household.address, len(residents))
    check_row(session, "resident", row_id)
    resident = session.get(Resident, row_id)
    if resident is not None:
        home = session.get(Household, resident.household_id)
        return _Person("resident", row_id, resident.name, home.address if home else "", 0)
    raise NotFound(f"找不到编号为 {row_id} 的住户或居民，请用 households list 核对编号")


def cmd_export_person(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import subject

    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise _fail(f"文件扩展名应为 .pdf 或 .xlsx（收到 {path.name}）")
    if not path.parent.is_dir():
        raise _fail(f"文件夹不存在：{path.parent}")
    with store.write() as session:
        person = _person(session, args.id)
        make = subject.household_report if person.kind == "household" else subject.resident_report
        report = make(session, person.id, file_name=path.name)
        try:
            if suffix == ".pdf":
                from xmen_desktop.printing.subject import subject_pdf

                subject_pdf(report, path)
            else:
                subject.write_subject_xlsx(report, path)
        except OSError as error:
            raise _fail(f"无法写入 {path}：{error.strerror or error}") from error
    _print(f"已把{report.who}的个人信息导出到：{path}")


def _confirmed(person: _Person, args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise _fail(
            "删除个人信息后不能恢复：确认无误请加 --yes 再运行（没有终端可以询问，没有删除）"
        )
    sys.stderr.write(
        f"将删除 {person.describe()}的姓名、电话、备注等个人信息，删除后不能恢复。\n"
        f"确定删除请输入“{person.name}”（或输入 yes），其他任何输入都不会删除：\n"
    )
    sys.stderr.flush()
    answer = sys.stdin.readline().strip()
    return answer in (person.name.strip(), "yes")


def cmd_erase(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import erasure

    with store.read() as session:
        person = _person(session, args.id)
    if not _confirmed(person, args):
        raise _fail("没有删除：输入的内容与姓名不一致")
    with store.write() as session:
        if person.kind == "household":
            result = erasure.erase_household(session, person.id, args.reason or "")
        else:
            result = erasure.erase_resident(session, person.id, args.reason or "")
    erasure.settle_file(store)
    _print(
        f"已删除 {person.describe()}的个人信息（清除了 {result.rows} 条记录中的姓名、电话等）。"
        "房屋信息（地址、人数、面积）保留在名册上。"
    )


def register(households: Any) -> None:
    """Add ``export-person`` and ``erase`` to the ``households`` sub-commands."""
    export = households.add_parser(
        "export-person",
        help="导出一户（或一位居民）的全部个人信息，按扩展名 .pdf 或 .xlsx",
    )
    export.add_argument("id", help="住户编号或居民编号")
    export.add_argument("file", help="保存到的文件（.pdf 或 .xlsx）")
    export.set_defaults(handler=cmd_export_person)

    erase = households.add_parser(
        "erase",
        help="按本人要求删除一户（或一位居民）的个人信息，不能恢复",
    )
    erase.add_argument("id", help="住户编号或居民编号")
    erase.add_argument(
        "--reason", help="删除原因，记入操作记录（例如：本人书面申请；请不要写姓名）"
    )
    erase.add_argument("--yes", action="store_true", help="不再询问，直接删除（脚本用）")
    erase.set_defaults(handler=cmd_erase)
