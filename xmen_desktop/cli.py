"""The ``xmen`` command: everything that matters for data, scriptable and testable without a screen.

Exit 0 on success; otherwise a one-line reason on stderr and a non-zero code, never a
traceback for a user's mistake. ``--json`` output is UTF-8 JSON on stdout and nothing else.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from xmen_desktop.store.database import Store

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_BUG = 70

log = logging.getLogger(__name__)


class CliError(Exception):
    """A reason to stop, for the person at the keyboard."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, with a hint where to look, instead of argparse's usage block.
        self.exit(
            EXIT_USAGE, f"错误：命令参数不对（{message}）。用 {self.prog} --help 查看用法。\n"
        )


def _write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# ---------------------------------------------------------------------------- commands


def cmd_init(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import site

    if args.site_name and args.site_name != store.site_name:
        site.rename_site(store, args.site_name)
    _print(f"数据库已就绪：{store.path}")
    _print(f"本机站点：{args.site_name or store.site_name}（{store.site_id}）")


def cmd_demo(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store.demo import fill_demo

    with store.write() as session:
        report = fill_demo(session, args.households)
    _print(
        f"已填入演示数据：{report.households} 户，{report.residents} 位居民，"
        f"{report.members} 位机构成员"
    )


def _household_values(args: argparse.Namespace) -> dict[str, object]:
    names = ("tenant", "address", "phone", "size", "area", "notes")
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def cmd_households_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster

    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        household = roster.add_household(session, estate.id, _household_values(args))
        _print(household.id)


def cmd_households_set(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster

    values = _household_values(args)
    if not values:
        raise CliError("没有要修改的内容：请给出 --tenant、--address、--phone 等至少一项")
    with store.write() as session:
        roster.update_household(session, args.id, values)
    _print(args.id)


def cmd_households_delete(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster

    with store.write() as session:
        roster.delete_household(session, args.id)
    _print(f"已删除 {args.id}")


def cmd_households_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.validation import area_text
    from xmen_desktop.store import roster

    with store.read() as session:
        estates = {e.id: e.name for e in roster.list_estates(session)}
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        rows = roster.list_households(session, estate_id)
    if args.json:
        _write_json([row.as_json(estates[row.estate_id]) for row in rows])
        return
    for row in rows:
        size = f"{row.size}人" if row.size else ""
        area = f"{area_text(row.area_centi)}㎡" if row.area_centi else ""
        fields = [row.id, estates[row.estate_id], row.tenant, row.address, row.phone or "", size]
        _print("\t".join([*fields, area, row.notes]))
    _print(f"共 {len(rows)} 户")


def cmd_households_import(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, roster_import

    path = Path(args.file)
    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        plan = roster_import.plan_import(session, estate.id, path)
        if plan.problems and not args.skip_invalid:
            for problem in plan.problems:
                sys.stderr.write(problem.describe() + "\n")
            raise CliError(
                f"有 {len(plan.problem_rows)} 行有问题，未导入任何住户。"
                "请改正后重新导入，或加 --skip-invalid 只导入没有问题的行"
            )
        count = roster_import.apply_import(session, estate.id, plan)
    skipped = f"，跳过有问题的 {len(plan.problem_rows)} 行" if plan.problems else ""
    _print(f"已导入 {count} 户到{estate.name}{skipped}")


def cmd_households_export(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, roster_import

    with store.read() as session:
        estate = roster.resolve_estate(session, args.estate)
        count = roster_import.export_roster(session, estate.id, Path(args.file))
    _print(f"已导出{estate.name} {count} 户到 {args.file}")


def cmd_dump(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store.dump import dump_json

    with store.read() as session:
        sys.stdout.write(dump_json(session) + "\n")


def cmd_selftest(store: Store | None, args: argparse.Namespace) -> None:
    from xmen_desktop.selftest import run_selftest

    failures = run_selftest(_print)
    if failures:
        raise CliError(f"自检未通过：{failures} 项失败")
    _print("自检通过")


# ---------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xmen", description="老西门街道自治家园工作台（命令行）")
    parser.add_argument(
        "--data-dir", help="数据文件夹（默认：用户数据目录，或环境变量 XMEN_DATA_DIR）"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    init = commands.add_parser("init", help="建立数据库、六个小区和本机站点")
    init.add_argument("--site-name", help="本机站点名称，例如 小西门居委会")
    init.set_defaults(handler=cmd_init)

    demo = commands.add_parser("demo", help="填入演示数据（仅限空数据库）")
    demo.add_argument("--households", type=int, default=600, help="演示住户总数（默认 600）")
    demo.set_defaults(handler=cmd_demo)

    households = commands.add_parser("households", help="住户名册").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    households.required = True

    def household_fields(sub: argparse.ArgumentParser, required: bool) -> None:
        sub.add_argument("--tenant", required=required, help="承租人姓名")
        sub.add_argument(
            "--address", required=required, help="地址，例如 复兴东路 12 弄 3 号 201 室"
        )
        sub.add_argument("--phone", help="电话（手机或上海固话）")
        sub.add_argument("--size", help="家庭人口")
        sub.add_argument("--area", help="建筑面积（平方米，最多两位小数）")
        sub.add_argument("--notes", help="备注")

    add = households.add_parser("add", help="新增一户，打印新编号")
    add.add_argument("--estate", required=True, help="小区名称或编号")
    household_fields(add, required=True)
    add.set_defaults(handler=cmd_households_add)

    edit = households.add_parser("set", help="修改一户")
    edit.add_argument("id")
    household_fields(edit, required=False)
    edit.set_defaults(handler=cmd_households_set)

    delete = households.add_parser("delete", help="删除一户（连同其居民）")
    delete.add_argument("id")
    delete.set_defaults(handler=cmd_households_delete)

    listing = households.add_parser("list", help="列出住户")
    listing.add_argument("--estate", help="只列这个小区")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.set_defaults(handler=cmd_households_list)

    imp = households.add_parser("import", help="从 Excel (.xlsx) 或 CSV 导入名册")
    imp.add_argument("file")
    imp.add_argument("--estate", required=True)
    imp.add_argument("--skip-invalid", action="store_true", help="跳过有问题的行，只导入正确的行")
    imp.set_defaults(handler=cmd_households_import)

    exp = households.add_parser("export", help="导出名册（按扩展名 .xlsx 或 .csv）")
    exp.add_argument("file")
    exp.add_argument("--estate", required=True)
    exp.set_defaults(handler=cmd_households_export)

    dump = commands.add_parser("dump", help="以规范 JSON 输出全部共享数据")
    dump.set_defaults(handler=cmd_dump)

    selftest = commands.add_parser("selftest", help="快速自检")
    selftest.set_defaults(handler=cmd_selftest, no_store=True)
    return parser


def _run(handler: Callable[..., None], args: argparse.Namespace) -> None:
    if getattr(args, "no_store", False):
        handler(None, args)
        return
    from xmen_desktop.store.database import Store

    store = Store.open(args.data_dir, site_name=getattr(args, "site_name", None))
    try:
        handler(store, args)
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    # Chinese on any console: Windows' legacy code pages would otherwise raise on output.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    args = build_parser().parse_args(argv)
    from xmen_desktop.store.errors import StoreError

    try:
        _run(args.handler, args)
    except (CliError, StoreError) as error:
        sys.stderr.write(f"错误：{error}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("已取消\n")
        return 130
    except Exception as error:  # a bug: say so in one line; the traceback only when asked
        if os.environ.get("XMEN_DEBUG"):
            raise
        first_line = (str(error).splitlines() or [""])[0]
        sys.stderr.write(
            f"内部错误：{type(error).__name__}: {first_line}"
            "（设置环境变量 XMEN_DEBUG=1 可看详细信息，请告诉维护人员）\n"
        )
        return EXIT_BUG
    return 0


if __name__ == "__main__":
    sys.exit(main())
