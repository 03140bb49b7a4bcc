"""The ``xmen`` command: everything that matters for data, scriptable and testable without a screen.

Exit 0 on success; otherwise a one-line reason on stderr and a non-zero code, never a
traceback for a user's mistake. ``--json`` output is UTF-8 JSON on stdout and nothing else.
"""

from __future__ import annotations

import argparse
import datetime
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
        fields = [row.id, estates[row.estate_id], row.tenant, row.address, row.display_phone, size]
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


# ---------------------------------------------------------------------------- topics


def _topic_estate(session: object, topic_id: str) -> str:
    from xmen_desktop.store.common import live
    from xmen_desktop.store.models import Topic

    return live(session, Topic, topic_id, "议题").estate_id  # type: ignore[arg-type]


def cmd_topics_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, topics

    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        values: dict[str, object] = {
            "title": args.title,
            "description": args.description or "",
            "category": args.category or "",
            "channel": args.channel or "in_person",
            "raised_on": args.date,
        }
        if args.proposer:
            values["proposer_household_id"] = roster.resolve_household(
                session, args.proposer, estate.id
            ).id
        _print(topics.add_topic(session, estate.id, values).id)


def cmd_topics_advance(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.topics import STATES
    from xmen_desktop.store import topics

    with store.write() as session:
        topic = topics.advance_topic(session, args.id, args.to, args.note or "")
        _print(f"议题“{topic.title}”现在是：{STATES[topic.state]}")


def cmd_topics_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, topics

    with store.read() as session:
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        rows = topics.list_topics(session, estate_id, args.state)
    if args.json:
        _write_json([r.as_json() for r in rows])
        return
    for r in rows:
        _print(f"{r.id}\t{r.raised_on}\t{r.state_label}\t附议 {r.supports}\t{r.title}")
    _print(f"共 {len(rows)} 个议题")


def cmd_topics_show(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.topics import CHANNELS, STATES
    from xmen_desktop.store import topics, votes
    from xmen_desktop.store.common import live
    from xmen_desktop.store.models import Topic

    with store.read() as session:
        topic = live(session, Topic, args.id, "议题")
        history = topics.transitions(session, topic.id)
        support = topics.support_status(session, topic.id)
        reach = topics.coverage(session, topic.id)
        vote_ids = [v.id for v in votes.list_votes(session, topic_id=topic.id)]
    data = {
        "id": topic.id,
        "estate": topic.estate_id,
        "title": topic.title,
        "description": topic.description,
        "category": topic.category,
        "channel": topic.channel,
        "proposer": topic.proposer_name,
        "proposer_household": topic.proposer_household_id,
        "raised_on": topic.raised_on.isoformat(),
        "state": topic.state,
        "supports": support.supports,
        "supports_required": support.required,
        "supports_met": support.met,
        "transitions": [
            {"from": t.from_state, "to": t.to_state, "note": t.note, "at": t.at, "by": t.by}
            for t in history
        ],
        "consulted": {"households": reach.households, "reached": reach.reached},
        "votes": vote_ids,
    }
    if args.json:
        _write_json(data)
        return
    _print(f"{topic.title}（{STATES[topic.state]}）")
    _print(
        f"提出：{topic.proposer_name or '—'}，{CHANNELS.get(topic.channel, topic.channel)}，"
        f"{topic.raised_on}"
    )
    _print(f"附议：{support.supports} 户；{support.explanation}")
    _print(f"征询：已联系 {reach.reached} / {reach.households} 户")
    for t in history:
        _print(f"  {t.at[:16].replace('T', ' ')} {STATES.get(t.to_state, t.to_state)} {t.note}")


def cmd_topics_support(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, topics

    with store.write() as session:
        household = roster.resolve_household(
            session, args.household, _topic_estate(session, args.id)
        )
        if args.remove:
            topics.remove_support(session, args.id, household.id)
        else:
            topics.add_support(session, args.id, household.id, args.note or "")
        status = topics.support_status(session, args.id)
    met = "已达到" if status.met else "未达到"
    _print(f"附议 {status.supports} 户，{met}门槛（{status.explanation}）")


def cmd_topics_threshold(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, topics

    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        topics.set_support_threshold(
            session, estate.id, households=args.households, share=args.share
        )
        roster_size = len(roster.list_households(session, estate.id))
        threshold = topics.support_threshold(session, estate.id)
    _print(f"{estate.name}：{threshold.describe(roster_size)}")


def cmd_topics_consult(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import roster, topics

    with store.write() as session:
        estate_id = _topic_estate(session, args.id)
        current = topics.current_round(session, args.id, start_new=args.new_round)
        household = roster.resolve_household(session, args.household, estate_id)
        topics.record_contact(
            session,
            current.id,
            household.id,
            method=args.method,
            opinion=args.opinion or "",
            said=args.said or "",
        )
        reach = topics.coverage(session, args.id)
    _print(f"{current.title}：已登记 {household.address}")
    _print(f"已联系 {reach.reached} / {reach.households} 户")


def cmd_topics_coverage(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import topics

    with store.read() as session:
        reach = topics.coverage(session, args.id)
    if args.json:
        _write_json(
            {
                "households": reach.households,
                "reached": reach.reached,
                "opinions": reach.opinions,
                "doorways": [
                    {
                        "doorway": d.doorway,
                        "households": d.households,
                        "reached": d.reached,
                        "not_reached": list(d.not_reached),
                    }
                    for d in reach.doorways
                ],
            }
        )
        return
    for d in reach.doorways:
        _print(f"{d.doorway}\t{d.reached}/{d.households}\t{d.share:.0%}")
    _print(f"合计已联系 {reach.reached} / {reach.households} 户（{reach.share:.0%}）")


# ---------------------------------------------------------------------------- votes


def cmd_votes_create(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import votes

    with store.write() as session:
        vote = votes.create_vote(
            session,
            args.topic,
            question=args.question,
            rule=args.rule,
            options=args.options,
            participation=args.participation,
            passing=args.pass_share,
            basis=args.basis,
            electorate=args.electorate,
            opens_on=args.opens,
            closes_on=args.closes,
            return_place=args.return_place or "",
        )
        _print(vote.id)


def cmd_votes_issue(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import votes

    with store.write() as session:
        ballots = votes.issue_ballots(session, args.vote)
        issued = [{"household": b.household_id, "serial": b.serial} for b in ballots]
    if args.json:
        _write_json(issued)
        return
    _print(f"已发出 {len(issued)} 张表决票")


def cmd_votes_cast(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import votes

    with store.write() as session:
        household = None
        if args.household:
            from xmen_desktop.store import roster
            from xmen_desktop.store.common import live
            from xmen_desktop.store.models import Vote

            vote = live(session, Vote, args.vote, "表决")
            household = roster.resolve_household(session, args.household, vote.estate_id).id
        ballot = votes.cast(
            session,
            args.vote,
            serial=args.serial,
            household_id=household,
            choice=args.choice,
            blank=args.blank,
            spoilt=args.spoilt,
        )
        _print(f"{ballot.serial} {ballot.address} {ballot.tenant}：{votes.describe_record(ballot)}")


def cmd_votes_close(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import votes

    with store.write() as session:
        result = votes.close_vote(session, args.vote)
    counts = "，".join(f"{o} {a.households} 户" for o, a in result.counts.items())
    _print(
        f"表决已结束：应参加 {result.electorate.households} 户，"
        f"参加 {result.participated.households} 户"
        f"（{counts}，空白 {result.blank.households}，废票 {result.spoilt.households}）。"
        f"结果：{'通过' if result.passed else '未通过'}"
    )


def cmd_votes_result(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import votes
    from xmen_desktop.store.common import live
    from xmen_desktop.store.models import Vote

    with store.read() as session:
        vote = live(session, Vote, args.vote, "表决")
        result = votes.compute_result(session, vote.id)
        data = votes.result_json(vote, result)
    if args.json:
        _write_json(data)
        return
    for line in result.rule.explain():
        _print(line)
    for check in data["thresholds"]:  # type: ignore[union-attr]
        _print(
            f"{check['label']}（{check['basis']}）：{check['part']} / {check['whole']}，"
            f"需 {check['needed']}：{'达到' if check['met'] else '未达到'}"
        )
    _print(f"结果：{'通过' if result.passed else '未通过'}")


# ---------------------------------------------------------------------------- printing


def cmd_print_ballots(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import printables

    with store.read() as session:
        count = printables.print_ballots(session, args.vote, Path(args.out), two_up=args.two_up)
    _print(f"已生成 {count} 张表决票：{args.out}")


def cmd_print_notice(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import printables

    with store.read() as session:
        missing = printables.print_notice(
            session, store.directory, args.id, Path(args.out), args.layout
        )
    _print(f"已生成通知：{args.out}")
    if missing:
        sys.stderr.write(
            f"注意：字体里没有这些字，已印成〓：{''.join(missing)}。请改用常用字或手写补上\n"
        )


def cmd_print_meeting_doc(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import printables

    with store.read() as session:
        if args.kind == "meeting-notice" and not args.yes:
            from xmen_desktop.store import meetings
            from xmen_desktop.store.common import live
            from xmen_desktop.store.models import Meeting

            warning = meetings.notice_check(live(session, Meeting, args.id, "会议"))
            if warning:
                raise CliError(f"{warning}（确定的话加 --yes）")
        printables.print_meeting_doc(
            session, store.directory, args.kind, args.id, Path(args.out), args.layout
        )
    _print(f"已生成：{args.out}")


def cmd_print_result(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import printables

    with store.read() as session:
        printables.print_result(session, args.vote, Path(args.out))
    _print(f"已生成表决结果公示：{args.out}")


# ---------------------------------------------------------------------------- sync


def _passphrase(args: argparse.Namespace) -> str | None:
    if not getattr(args, "passphrase_file", None):
        return None
    try:
        return Path(args.passphrase_file).read_text("utf-8").rstrip("\r\n")
    except OSError as error:
        raise CliError(
            f"无法读取口令文件 {args.passphrase_file}：{error.strerror or error}"
        ) from error


def cmd_sync_export(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import sync

    report = sync.export_bundle(
        store, Path(args.file), full=args.full, passphrase=_passphrase(args)
    )
    lock = "已加密" if report.encrypted else "未加密"
    _print(f"已导出同步包 {report.path}：{report.entries} 条修改，{report.size:,} 字节，{lock}")


def cmd_sync_import(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import sync

    incoming = sync.read_bundle(store, Path(args.file), _passphrase(args))
    report = sync.apply_bundle(store, incoming, trust_new=args.trust_new)
    if args.json:
        _write_json(report.as_json())
        return
    if report.already_applied_at:
        _print(f"这个同步包已经在 {report.already_applied_at} 导入过，这次没有做任何改动")
        return
    stats = report.stats
    _print(
        f"已导入来自“{report.site_name}”的同步包：应用 {stats.applied} 条，"
        f"已有而跳过 {stats.skipped} 条，冲突 {stats.conflicts} 处，待核对 {stats.review} 项"
    )
    for label, counts in (("新增", stats.new), ("修改", stats.updated), ("删除", stats.deleted)):
        if counts:
            detail = "，".join(f"{sync.TABLE_LABELS.get(t, t)} {n}" for t, n in counts.items())
            _print(f"  {label}：{detail}")
    if stats.clock_warning:
        sys.stderr.write(f"注意：{stats.clock_warning}\n")


def cmd_sync_status(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import status

    data = status.sync_status(store)
    if args.json:
        _write_json(data)
        return
    _print(f"本机站点：{data['site']['name']}（{data['site']['site_id']}）")
    _print(f"加密：{'开' if data['encryption'] else '关'}；待核对 {data['review_items']} 项")
    for peer in data["peers"]:
        _print(f"  对方站点 {peer['name']}：最近收到 {peer['last_in'] or '—'}")
    for item in data["history"][:10]:
        arrow = "导入" if item["direction"] == "in" else "导出"
        _print(f"  {item['at']} {arrow} {item['peer_name']} {item['file_name']}")


def cmd_sync_encryption(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import sync

    sync.set_encryption(store, args.state == "on")
    _print("同步包加密：" + ("开" if args.state == "on" else "关（同步包里的个人信息将不加密！）"))


def cmd_sync_passphrase(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import sync

    passphrase = _passphrase(args)
    if not passphrase:
        raise CliError("请用 --passphrase-file 给出口令文件")
    sync.set_passphrase(store, passphrase)
    _print("已设置同步口令（本机只保存校验值，不保存口令本身）")


def cmd_review_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import review

    with store.read() as session:
        items = review.list_reviews(session)
    if args.json:
        _write_json([i.as_json() for i in items])
        return
    for item in items:
        _print(f"{item.key}\t{item.summary}\t{review.KIND_LABELS.get(item.kind, item.kind)}")
        for n, candidate in enumerate(item.candidates, start=1):
            _print(f"    {n}. {candidate.value!r}（{candidate.site_name}）")
    _print(f"共 {len(items)} 项待核对")


def cmd_review_resolve(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import review

    value: object = None
    if args.value is not None:
        try:
            value = json.loads(args.value)
        except ValueError:
            value = args.value
    with store.write() as session:
        review.resolve_review(session, args.key, choose=args.choose, value=value)
    _print(f"已处理：{args.key}")


def cmd_site_show(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store.identity import load_keys

    keys = load_keys(store.engine, store.site_id)
    data = {"name": store.site_name, "site_id": store.site_id, "fingerprint": keys.fingerprint}
    if args.json:
        _write_json(data)
        return
    _print(f"站点名称：{data['name']}")
    _print(f"站点编号：{data['site_id']}")
    _print(f"密钥指纹：{data['fingerprint']}")


def cmd_trust_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import status

    sites = status.trusted_sites(store)
    if args.json:
        _write_json(sites)
        return
    for site in sites:
        _print(f"{site['site_id']}\t{site['name']}\t{site['fingerprint']}\t{site['trusted_at']}")
    _print(f"共信任 {len(sites)} 个站点")


def cmd_trust_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import status

    site = status.trust_bundle_signer(store, Path(args.file))
    _print(f"已信任站点“{site['name']}”，指纹 {site['fingerprint']}")


def cmd_trust_remove(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import status

    status.untrust(store, args.site_id)
    _print(f"已取消信任 {args.site_id}")


# ---------------------------------------------------------------------------- notices


def _image_arg(path: str | None) -> tuple[bytes, str] | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes(), Path(path).name
    except OSError as error:
        raise CliError(f"无法读取图片 {path}：{error.strerror or error}") from error


def cmd_notices_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import notices

    try:
        body = Path(args.body_file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(
            f"无法读取正文文件 {args.body_file}（请存为 UTF-8 文本）：{error}"
        ) from error
    values = {
        "kind": args.kind,
        "title": args.title,
        "body": body,
        "issuer": args.issuer or "",
        "issued_on": args.date,
        "publicity_from": getattr(args, "from"),
        "publicity_to": args.to,
        "qr_text": args.qr or "",
        "layout": args.layout or "a4",
    }
    with store.write() as session:
        estate_ids = notices.resolve_estates(session, args.estate)
        notice = notices.add_notice(
            session, store.directory, values, estate_ids, _image_arg(args.image)
        )
        _print(notice.id)


def cmd_notices_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import notices, roster

    with store.read() as session:
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        rows = notices.list_notices(session, estate_id)
    if args.json:
        _write_json([r.as_json() for r in rows])
        return
    for r in rows:
        where = "、".join(r.estates)
        _print(f"{r.id}\t{r.issued_on}\t{r.kind_label}\t{r.title}\t{where}\t{r.publicity.label}")
    _print(f"共 {len(rows)} 份")


def cmd_notices_show(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.notices import KINDS, publicity
    from xmen_desktop.store import notices
    from xmen_desktop.store.common import live, today
    from xmen_desktop.store.models import Notice

    with store.read() as session:
        notice = live(session, Notice, args.id, "通知")
        estates = notices.estate_names(session, notice.id)
        posted = notices.postings(session, notice.id)
    status = publicity(notice.publicity_from, notice.publicity_to, today(), notice.taken_down_on)
    data = {
        "id": notice.id,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "issuer": notice.issuer,
        "issued_on": notice.issued_on.isoformat(),
        "publicity_from": notice.publicity_from.isoformat() if notice.publicity_from else None,
        "publicity_to": notice.publicity_to.isoformat() if notice.publicity_to else None,
        "publicity": status.state,
        "estates": estates,
        "postings": [
            {"board": p.board, "posted_on": p.posted_on.isoformat(), "by": p.posted_by}
            for p in posted
        ],
    }
    if args.json:
        _write_json(data)
        return
    _print(f"{KINDS.get(notice.kind, notice.kind)}：{notice.title}（{'、'.join(estates)}）")
    _print(notice.body)
    _print(f"{notice.issuer} {notice.issued_on}")
    if status.label:
        _print(status.label)
    for p in posted:
        _print(f"  {p.posted_on} 贴于 {p.board}（{p.posted_by}）")


def cmd_notices_post(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import notices

    with store.write() as session:
        notices.post_notice(
            session,
            store.directory,
            args.id,
            board=args.board,
            posted_on=args.date,
            photo=_image_arg(args.photo),
        )
    _print(f"已记录：贴于 {args.board}")


def cmd_notices_takedown(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import notices

    with store.write() as session:
        notices.take_down(session, args.id, args.date)
    _print("已记录撤下")


def cmd_print_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import printables, roster

    with store.read() as session:
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        items = printables.printable_list(session, estate_id)
    if args.json:
        _write_json([i.as_json() for i in items])
        return
    for item in items:
        label = printables.KIND_LABELS[item.kind]
        _print(f"{item.kind}\t{item.ref}\t{item.date or ''}\t{label}\t{item.title}\t{item.status}")
    _print(f"共 {len(items)} 份可打印")


# ---------------------------------------------------------------------------- projects


def cmd_projects_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import projects, roster

    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        project = projects.add_project(
            session,
            estate.id,
            title=args.title,
            description=args.description or "",
            topic_id=args.topic,
            funding_source=args.funding or "",
            started_on=args.start,
            lead_name=args.lead or "",
        )
        for line in args.budget or []:
            item, _, amount = line.partition("=")
            if not amount:
                raise CliError(f"预算请写成 项目=金额，例如 材料费=1200（收到：{line}）")
            projects.add_budget_line(session, project.id, item, amount)
        _print(project.id)


def cmd_projects_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.money import yuan
    from xmen_desktop.store import projects, roster

    with store.read() as session:
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        rows = projects.list_projects(session, estate_id)
    if args.json:
        _write_json([r.as_json() for r in rows])
        return
    for r in rows:
        over = "（超支）" if r.spent_fen > r.budget_fen else ""
        late = f"，{r.overdue} 个节点逾期" if r.overdue else ""
        _print(
            f"{r.id}\t{r.status_label}\t{r.title}\t进度 {r.progress}%\t"
            f"支出 {yuan(r.spent_fen)} / 预算 {yuan(r.budget_fen)}{over}{late}"
        )
    _print(f"共 {len(rows)} 个项目")


def cmd_projects_show(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.money import yuan
    from xmen_desktop.domain.projects import PROJECT_STATES
    from xmen_desktop.store import projects
    from xmen_desktop.store.common import live
    from xmen_desktop.store.models import Project

    with store.read() as session:
        project = live(session, Project, args.id, "项目")
        totals = projects.budget(session, project.id)
        stones = projects.milestones(session, project.id)
        history = projects.status_history(session, project.id)
    data = {
        "id": project.id,
        "title": project.title,
        "status": project.status,
        "topic": project.topic_id,
        "vote": project.vote_id,
        "funding_source": project.funding_source,
        "budget_fen": totals.budget_fen,
        "spent_fen": totals.spent_fen,
        "over_budget": totals.over,
        "lines": [
            {"item": line.item, "budget_fen": line.budget_fen, "spent_fen": line.spent_fen}
            for line in totals.lines
        ],
        "milestones": [
            {"id": m.id, "title": m.title, "due_on": m.due_on.isoformat(), "progress": m.progress}
            for m in stones
        ],
        "history": [{"to": h.to_status, "note": h.note, "at": h.at, "by": h.by} for h in history],
    }
    if args.json:
        _write_json(data)
        return
    _print(f"{project.title}（{PROJECT_STATES[project.status]}）")
    for line in totals.lines:
        flag = "  超支" if line.over else ""
        _print(f"  {line.item}：预算 {yuan(line.budget_fen)}，已支出 {yuan(line.spent_fen)}{flag}")
    _print(f"  合计：预算 {yuan(totals.budget_fen)}，已支出 {yuan(totals.spent_fen)}")
    for m in stones:
        _print(f"  节点 {m.title}：{m.due_on} 前，进度 {m.progress}%")


def cmd_projects_expense(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.money import yuan
    from xmen_desktop.store import projects

    with store.write() as session:
        line_id = projects.find_budget_line(session, args.id, args.line).id if args.line else None
        expense = projects.add_expense(
            session,
            store.directory,
            args.id,
            amount=args.amount,
            spent_on=args.date,
            line_id=line_id,
            payee=args.payee or "",
            note=args.note or "",
            receipt=_image_arg(args.receipt),
        )
    _print(f"已记支出 {yuan(expense.amount_fen)} 元")


def cmd_projects_milestone(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import projects

    with store.write() as session:
        if args.progress is not None and args.milestone:
            projects.set_milestone_progress(session, args.milestone, args.progress)
            _print(f"进度已更新为 {args.progress}%")
            return
        if not args.title or not args.due:
            raise CliError(
                "新增节点请给出 --title 和 --due；更新进度请给出 --milestone 和 --progress"
            )
        milestone = projects.add_milestone(session, args.id, args.title, args.due)
        _print(milestone.id)


def cmd_projects_status(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.projects import PROJECT_STATES
    from xmen_desktop.store import projects

    with store.write() as session:
        project = projects.set_project_status(session, args.id, args.to, args.note or "")
    _print(f"项目“{project.title}”现在是：{PROJECT_STATES[project.status]}")


# ---------------------------------------------------------------------------- meetings


def cmd_meetings_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import meetings, roster

    with store.write() as session:
        estate = roster.resolve_estate(session, args.estate)
        meeting = meetings.add_meeting(
            session,
            estate.id,
            form=args.form,
            title=args.title or "",
            held_on=args.date,
            starts_at=args.time or "",
            place=args.place or "",
            convener=args.convener or "",
            quorum_rule=args.quorum_rule,
        )
        for text in args.agenda or []:
            meetings.add_agenda_item(session, meeting.id, text)
        for topic in args.topic or []:
            meetings.add_agenda_item(session, meeting.id, topic_id=topic)
        if args.invite_households or args.invite_body:
            meetings.invite(
                session, meeting.id, households=args.invite_households, body=args.invite_body
            )
        _print(meeting.id)


def cmd_meetings_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.domain.projects import MEETING_FORMS
    from xmen_desktop.store import meetings, roster

    with store.read() as session:
        estate_id = roster.resolve_estate(session, args.estate).id if args.estate else None
        rows = meetings.list_meetings(session, estate_id)
        data = [
            {
                "id": m.id,
                "estate": m.estate_id,
                "form": m.form,
                "title": m.title,
                "held_on": m.held_on.isoformat(),
                "starts_at": m.starts_at,
                "place": m.place,
                "invited": len(meetings.list_invitees(session, m.id)),
            }
            for m in rows
        ]
    if args.json:
        _write_json(data)
        return
    for m in data:
        _print(
            f"{m['id']}\t{m['held_on']} {m['starts_at']}\t{MEETING_FORMS[m['form']]}\t"
            f"{m['title']}\t{m['place']}\t邀请 {m['invited']}"
        )


def cmd_meetings_attend(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import meetings
    from xmen_desktop.store.common import live
    from xmen_desktop.store.models import Meeting

    with store.write() as session:
        meeting = live(session, Meeting, args.id, "会议")
        invitees = meetings.list_invitees(session, meeting.id)
        key = args.who.strip()
        match = [
            i for i in invitees if key in (i.id, i.household_id, i.resident_id, i.name, i.address)
        ]
        if not match:
            raise CliError(f"“{key}”不在本次会议的邀请名单上：请先邀请，再登记到会")
        if len(match) > 1:
            raise CliError(f"“{key}”对应多位受邀人，请用地址或编号")
        meetings.record_attendance(session, match[0].id, args.status, args.proxy or "")
        result = meetings.quorum(session, meeting.id)
    _print(
        f"已登记：{match[0].name}。到会 {result.attending} / 应到 {result.invited}，"
        f"{'已达到' if result.met else '未达到'}法定人数"
    )


def cmd_meetings_minutes(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import meetings

    with store.write() as session:
        if args.file:
            try:
                text = Path(args.file).read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise CliError(f"无法读取纪要文件 {args.file}：{error}") from error
            meetings.set_minutes(session, args.id, text)
        for resolution in args.resolution or []:
            text, _, topic = resolution.partition("@")
            meetings.add_resolution(session, args.id, text, topic or None)
    _print("已保存会议纪要")


# ---------------------------------------------------------------------------- operators, audit


def _read_secret(path: str | None, prompt: str, *, confirm: bool = False) -> str:
    """A password from a file (its first line), or typed at a terminal (not echoed)."""
    if path:
        try:
            lines = Path(path).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CliError(
                f"无法读取密码文件 {path}：{getattr(error, 'strerror', None) or error}"
            ) from error
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        raise CliError("没有终端可以输入密码：请用 --password-file 文件 给出密码")
    import getpass

    secret = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次：") != secret:
        raise CliError("两次输入的密码不一样，没有保存")
    return secret


def _date(text_value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text_value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期要写成 2026-05-01 这样：{text_value}") from None


def _role(text_value: str) -> str:
    from xmen_desktop.domain.access import ROLE_BY_LABEL, ROLES

    if text_value in ROLES:
        return text_value
    if text_value in ROLE_BY_LABEL:
        return ROLE_BY_LABEL[text_value]
    choices = "、".join(f"{code}（{label}）" for code, label in ROLES.items())
    raise CliError(f"没有“{text_value}”这个角色。可选：{choices}")


def cmd_users_add(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import operators

    role = _role(args.role)
    password = _read_secret(args.new_password_file, "新密码：", confirm=True)
    with store.write() as session:
        op = operators.add_operator(
            session,
            args.username,
            args.name,
            role,
            password,
            args.estate or [],
            pin_allowed=args.allow_pin,
        )
    _print(f"已添加操作员 {op.username}（{op.display_name}）")


def cmd_users_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import operators

    with store.read() as session:
        rows = operators.list_operators(session)
    if args.json:
        _write_json([row.as_json() for row in rows])
        return
    for row in rows:
        state = "已停用" if row.disabled else "在用"
        pin = "可用PIN" if row.pin_allowed else ""
        _print(
            "\t".join(
                [row.username, row.display_name, row.role_label, row.estate_names, state, pin]
            )
        )
    _print(f"共 {len(rows)} 位操作员")


def cmd_users_passwd(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import operators

    password = _read_secret(args.new_password_file, f"{args.username} 的新密码：", confirm=True)
    with store.write() as session:
        if args.pin:
            operators.set_pin(session, args.username, password)
        else:
            operators.set_password(session, args.username, password)
    _print(f"已修改 {args.username} 的{'PIN' if args.pin else '密码'}")


def cmd_users_disable(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import operators

    with store.write() as session:
        operators.set_disabled(session, args.username, not args.enable)
    _print(f"已{'启用' if args.enable else '停用'} {args.username}")


def cmd_audit_list(store: Store, args: argparse.Namespace) -> None:
    from xmen_desktop.store import audit, roster

    kind = args.kind
    if kind is not None and kind not in audit.RECORD_LABELS and kind not in audit.EVENT_KINDS:
        labels = {v: k for k, v in {**audit.RECORD_LABELS, **audit.EVENT_KINDS}.items()}
        if kind not in labels:
            choices = (
                "、".join(audit.EVENT_KINDS) + "，或记录类别 " + "、".join(audit.RECORD_LABELS)
            )
            raise CliError(f"没有“{kind}”这个类别。可选：{choices}")
        kind = labels[kind]
    with store.read() as session:
        estate = roster.resolve_estate(session, args.estate).id if args.estate else None
        lines = audit.audit_lines(
            session,
            audit.AuditFilter(
                operator=args.user,
                estate_id=estate,
                kind=kind,
                since=args.since,
                until=args.until,
                limit=args.limit,
            ),
        )
        if args.xlsx:
            audit.export_audit_xlsx(lines, Path(args.xlsx))
            audit.record(session, "export", f"操作记录 {len(lines)} 条：{Path(args.xlsx).name}")
    if args.json:
        _write_json([line.as_json() for line in lines])
        return
    if args.xlsx:
        _print(f"已导出 {len(lines)} 条操作记录到 {args.xlsx}")
        return
    for line in lines:
        _print(
            "\t".join(
                [
                    line.at,
                    line.operator,
                    line.estate_name,
                    line.kind_label,
                    line.action,
                    line.detail,
                ]
            )
        )
    _print(f"共 {len(lines)} 条")


def _sign_in(store: Store, args: argparse.Namespace) -> None:
    """Who this command works for (see the README, "Operators on the command line").

    --as USER signs in as an operator (password prompted, or from --password-file). --admin
    runs as the OS user with an administrator's rights, for scripts: whoever can run this
    command as that OS user can read and write the database file directly anyway, so the OS
    account is the real boundary; the flag only makes it explicit, and the audit trail names
    the OS user. Before any operator exists there is nobody to sign in as: the PC itself acts.
    """
    import getpass

    from xmen_desktop.domain.access import ADMIN, Actor

    if args.as_user and args.admin:
        raise CliError("--as 和 --admin 只能用一个")
    if args.as_user:
        secret = _read_secret(args.password_file, f"{args.as_user} 的密码：")
        store.sign_in(args.as_user, secret)
        return
    if args.admin:
        user = getpass.getuser()
        store.actor = Actor(f"os:{user}", f"{user}（命令行管理员）", ADMIN)
        return
    if store.require_sign_in():
        raise CliError(
            "本机已设置操作员：请用 --as 用户名 登录（密码会提示输入，或用 --password-file），"
            "脚本里可用 --admin 以本机管理员身份运行"
        )


# ---------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xmen", description="老西门街道自治家园工作台（命令行）")
    parser.add_argument(
        "--data-dir", help="数据文件夹（默认：用户数据目录，或环境变量 XMEN_DATA_DIR）"
    )
    parser.add_argument("--as", dest="as_user", metavar="USER", help="以这位操作员的身份运行")
    parser.add_argument("--password-file", help="--as 的密码所在的文件（第一行）；不给则提示输入")
    parser.add_argument(
        "--admin", action="store_true", help="以本机管理员身份运行（给脚本用；记入操作记录）"
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
    from xmen_desktop import cli_people

    cli_people.register(households)

    topics = commands.add_parser("topics", help="自治议题").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    topics.required = True
    t_add = topics.add_parser("add", help="登记一个议题，打印编号")
    t_add.add_argument("--estate", required=True)
    t_add.add_argument("--title", required=True)
    t_add.add_argument("--description")
    t_add.add_argument("--category")
    t_add.add_argument("--proposer", help="提出人所在住户（编号或地址）")
    t_add.add_argument("--channel", help="in_person phone suggestion_box home_visit meeting")
    t_add.add_argument("--date", help="提出日期 YYYY-MM-DD（默认今天）")
    t_add.set_defaults(handler=cmd_topics_add)
    t_adv = topics.add_parser("advance", help="推进议题状态")
    t_adv.add_argument("id")
    t_adv.add_argument(
        "--to",
        required=True,
        help="proposed accepted declined consulting "
        "deliberating voting passed failed closed withdrawn",
    )
    t_adv.add_argument("--note", help="说明（不予受理、撤回时必填）")
    t_adv.set_defaults(handler=cmd_topics_advance)
    t_list = topics.add_parser("list", help="列出议题")
    t_list.add_argument("--estate")
    t_list.add_argument("--state")
    t_list.add_argument("--json", action="store_true")
    t_list.set_defaults(handler=cmd_topics_list)
    t_show = topics.add_parser("show", help="议题详情")
    t_show.add_argument("id")
    t_show.add_argument("--json", action="store_true")
    t_show.set_defaults(handler=cmd_topics_show)
    t_sup = topics.add_parser("support", help="登记（或撤销）一户附议")
    t_sup.add_argument("id")
    t_sup.add_argument("--household", required=True, help="住户编号或地址")
    t_sup.add_argument("--note")
    t_sup.add_argument("--remove", action="store_true", help="撤销这一户的附议")
    t_sup.set_defaults(handler=cmd_topics_support)
    t_thr = topics.add_parser("threshold", help="设置小区的附议门槛")
    t_thr.add_argument("--estate", required=True)
    t_thr.add_argument("--households", type=int, help="需要多少户附议")
    t_thr.add_argument("--share", help="或占住户的比例，例如 1/20 或 5%%")
    t_thr.set_defaults(handler=cmd_topics_threshold)
    t_con = topics.add_parser("consult", help="登记一户的征询情况")
    t_con.add_argument("id")
    t_con.add_argument("--household", required=True)
    t_con.add_argument("--method", required=True, help="door phone meeting written")
    t_con.add_argument("--opinion", help="support oppose neutral")
    t_con.add_argument("--said", help="住户意见")
    t_con.add_argument("--new-round", action="store_true", help="开始新一轮征询")
    t_con.set_defaults(handler=cmd_topics_consult)
    t_cov = topics.add_parser("coverage", help="按门牌看征询覆盖")
    t_cov.add_argument("id")
    t_cov.add_argument("--json", action="store_true")
    t_cov.set_defaults(handler=cmd_topics_coverage)

    votes = commands.add_parser("votes", help="表决").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    votes.required = True
    v_create = votes.add_parser("create", help="对议题发起表决，打印编号")
    v_create.add_argument("--topic", required=True)
    v_create.add_argument("--question", required=True)
    v_create.add_argument("--options", help="选项，逗号分隔（默认 同意,不同意,弃权）")
    v_create.add_argument("--rule", required=True, help="residents art278 art278-major custom")
    v_create.add_argument("--participation", help="自定义：参与比例，例如 2/3")
    v_create.add_argument("--pass", dest="pass_share", help="自定义：通过比例，例如 1/2")
    v_create.add_argument("--basis", help="自定义：headcount area both")
    v_create.add_argument("--electorate", default="households", help="households 或 assembly")
    v_create.add_argument("--opens", help="开始日期 YYYY-MM-DD")
    v_create.add_argument("--closes", help="截止日期 YYYY-MM-DD")
    v_create.add_argument("--return-place", help="交回地点")
    v_create.set_defaults(handler=cmd_votes_create)
    v_issue = votes.add_parser("issue", help="每户一张表决票")
    v_issue.add_argument("vote")
    v_issue.add_argument("--json", action="store_true")
    v_issue.set_defaults(handler=cmd_votes_issue)
    v_cast = votes.add_parser("cast", help="登记一张交回的表决票")
    v_cast.add_argument("vote")
    who = v_cast.add_mutually_exclusive_group(required=True)
    who.add_argument("--serial")
    who.add_argument("--household")
    what = v_cast.add_mutually_exclusive_group(required=True)
    what.add_argument("--choice")
    what.add_argument("--blank", action="store_true")
    what.add_argument("--spoilt", action="store_true")
    v_cast.set_defaults(handler=cmd_votes_cast)
    v_close = votes.add_parser("close", help="结束表决并得出结果")
    v_close.add_argument("vote")
    v_close.set_defaults(handler=cmd_votes_close)
    v_result = votes.add_parser("result", help="表决结果")
    v_result.add_argument("vote")
    v_result.add_argument("--json", action="store_true")
    v_result.set_defaults(handler=cmd_votes_result)

    notices = commands.add_parser("notices", help="通知公告").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    notices.required = True
    n_add = notices.add_parser("add", help="新建通知，打印编号")
    n_add.add_argument(
        "--estate", action="append", required=True, help="小区（可重复；all 表示全街道）"
    )
    n_add.add_argument(
        "--kind", required=True, help="notice announcement consultation publicity activity reminder"
    )
    n_add.add_argument("--title", required=True)
    n_add.add_argument("--body-file", required=True, help="正文文本文件（UTF-8）")
    n_add.add_argument("--issuer", help="发布单位，例如 小西门自治家园执行委员会")
    n_add.add_argument("--date", help="发布日期 YYYY-MM-DD（默认今天）")
    n_add.add_argument("--from", help="公示开始 YYYY-MM-DD")
    n_add.add_argument("--to", help="公示结束 YYYY-MM-DD")
    n_add.add_argument("--image", help="配图（JPG/PNG）")
    n_add.add_argument("--qr", help="二维码内容（电话或简短文字）")
    n_add.add_argument("--layout", help="a4 a3 large")
    n_add.set_defaults(handler=cmd_notices_add)
    n_list = notices.add_parser("list", help="列出通知")
    n_list.add_argument("--estate")
    n_list.add_argument("--json", action="store_true")
    n_list.set_defaults(handler=cmd_notices_list)
    n_show = notices.add_parser("show", help="通知详情")
    n_show.add_argument("id")
    n_show.add_argument("--json", action="store_true")
    n_show.set_defaults(handler=cmd_notices_show)
    n_post = notices.add_parser("post", help="记录张贴")
    n_post.add_argument("id")
    n_post.add_argument("--board", required=True, help="哪个宣传栏")
    n_post.add_argument("--date")
    n_post.add_argument("--photo", help="张贴照片")
    n_post.set_defaults(handler=cmd_notices_post)
    n_down = notices.add_parser("takedown", help="记录撤下")
    n_down.add_argument("id")
    n_down.add_argument("--date")
    n_down.set_defaults(handler=cmd_notices_takedown)

    projects = commands.add_parser("projects", help="自治项目").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    projects.required = True
    p_add = projects.add_parser("add", help="立项，打印编号")
    p_add.add_argument("--estate", required=True)
    p_add.add_argument("--title", required=True)
    p_add.add_argument("--description")
    p_add.add_argument("--topic", help="来自哪个已通过的议题")
    p_add.add_argument("--funding", help="资金来源")
    p_add.add_argument("--start", help="开始日期 YYYY-MM-DD")
    p_add.add_argument("--lead", help="负责人")
    p_add.add_argument("--budget", action="append", help="预算：项目=金额（可重复）")
    p_add.set_defaults(handler=cmd_projects_add)
    p_plist = projects.add_parser("list")
    p_plist.add_argument("--estate")
    p_plist.add_argument("--json", action="store_true")
    p_plist.set_defaults(handler=cmd_projects_list)
    p_show = projects.add_parser("show")
    p_show.add_argument("id")
    p_show.add_argument("--json", action="store_true")
    p_show.set_defaults(handler=cmd_projects_show)
    p_exp = projects.add_parser("expense", help="记一笔支出")
    p_exp.add_argument("id")
    p_exp.add_argument("--amount", required=True, help="金额（元），最多两位小数")
    p_exp.add_argument("--date")
    p_exp.add_argument("--line", help="预算项目名称")
    p_exp.add_argument("--payee")
    p_exp.add_argument("--note")
    p_exp.add_argument("--receipt", help="票据照片或扫描件")
    p_exp.set_defaults(handler=cmd_projects_expense)
    p_ms = projects.add_parser("milestone", help="新增节点或更新进度")
    p_ms.add_argument("id")
    p_ms.add_argument("--title")
    p_ms.add_argument("--due")
    p_ms.add_argument("--milestone", help="要更新进度的节点编号")
    p_ms.add_argument("--progress", type=int)
    p_ms.set_defaults(handler=cmd_projects_milestone)
    p_st = projects.add_parser("status", help="改项目状态")
    p_st.add_argument("id")
    p_st.add_argument("--to", required=True, help="planned in_progress paused done cancelled")
    p_st.add_argument("--note")
    p_st.set_defaults(handler=cmd_projects_status)

    meetings = commands.add_parser("meetings", help="会议").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    meetings.required = True
    m_add = meetings.add_parser("add", help="安排会议，打印编号")
    m_add.add_argument("--estate", required=True)
    m_add.add_argument(
        "--form", required=True, help="assembly executive mediation hearing coordination review"
    )
    m_add.add_argument("--title")
    m_add.add_argument("--date", required=True)
    m_add.add_argument("--time")
    m_add.add_argument("--place")
    m_add.add_argument("--convener")
    m_add.add_argument("--quorum-rule", default="residents")
    m_add.add_argument("--agenda", action="append", help="议程（可重复）")
    m_add.add_argument("--topic", action="append", help="列入议程的议题编号（可重复）")
    m_add.add_argument("--invite-households", action="store_true", help="邀请全体住户")
    m_add.add_argument(
        "--invite-body", help="邀请某个机构的成员：assembly executive liaison mediation"
    )
    m_add.set_defaults(handler=cmd_meetings_add)
    m_list = meetings.add_parser("list")
    m_list.add_argument("--estate")
    m_list.add_argument("--json", action="store_true")
    m_list.set_defaults(handler=cmd_meetings_list)
    m_att = meetings.add_parser("attend", help="登记到会")
    m_att.add_argument("id")
    m_att.add_argument("--who", required=True, help="受邀人姓名、地址或编号")
    m_att.add_argument("--status", default="present", help="present proxy absent")
    m_att.add_argument("--proxy", help="受托人姓名")
    m_att.set_defaults(handler=cmd_meetings_attend)
    m_min = meetings.add_parser("minutes", help="保存会议纪要与决议")
    m_min.add_argument("id")
    m_min.add_argument("--file", help="纪要文本文件（UTF-8）")
    m_min.add_argument(
        "--resolution", action="append", help="决议（可重复）；决议@议题编号 可关联议题"
    )
    m_min.set_defaults(handler=cmd_meetings_minutes)

    printing = commands.add_parser("print", help="打印（生成 PDF）").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    printing.required = True
    p_ballots = printing.add_parser("ballots", help="一次表决的全部表决票")
    p_ballots.add_argument("vote")
    p_ballots.add_argument("--out", required=True, help="PDF 文件")
    p_ballots.add_argument("--two-up", action="store_true", help="每张 A4 纸印两张 A5 票")
    p_ballots.set_defaults(handler=cmd_print_ballots)
    p_result = printing.add_parser("result", help="表决结果公示")
    p_result.add_argument("vote")
    p_result.add_argument("--out", required=True, help="PDF 文件")
    p_result.set_defaults(handler=cmd_print_result)
    p_notice = printing.add_parser("notice", help="通知公告")
    p_notice.add_argument("id")
    p_notice.add_argument("--out", required=True, help="PDF 文件")
    p_notice.add_argument("--layout", choices=["a4", "a3", "large"], help="版式（默认按通知设置）")
    p_notice.set_defaults(handler=cmd_print_notice)
    for kind, help_text in (
        ("meeting-notice", "会议通知"),
        ("sign-in", "会议签到表（按门牌分页）"),
        ("minutes", "会议纪要"),
        ("project", "项目进展公示"),
    ):
        sub = printing.add_parser(kind, help=help_text)
        sub.add_argument("id", help="会议编号" if kind != "project" else "项目编号")
        sub.add_argument("--out", required=True, help="PDF 文件")
        sub.add_argument("--layout", choices=["a4", "a3", "large"], default="a4")
        if kind == "meeting-notice":
            sub.add_argument("--yes", action="store_true", help="会议日期已过也要打印")
        sub.set_defaults(handler=cmd_print_meeting_doc, kind=kind)
    p_list = printing.add_parser("list", help="某个小区可打印的文件")
    p_list.add_argument("--estate")
    p_list.add_argument("--json", action="store_true")
    p_list.set_defaults(handler=cmd_print_list)

    sync = commands.add_parser("sync", help="同步包").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    sync.required = True
    s_export = sync.add_parser("export", help="导出同步包")
    s_export.add_argument("file")
    s_export.add_argument("--full", action="store_true", help="导出全部（给新电脑）")
    s_export.add_argument("--passphrase-file", help="存放同步口令的文件")
    s_export.set_defaults(handler=cmd_sync_export)
    s_import = sync.add_parser("import", help="导入同步包")
    s_import.add_argument("file")
    s_import.add_argument("--passphrase-file", help="存放同步口令的文件")
    s_import.add_argument("--trust-new", action="store_true", help="信任尚未信任的发送站点")
    s_import.add_argument("--json", action="store_true")
    s_import.set_defaults(handler=cmd_sync_import)
    s_status = sync.add_parser("status", help="本机站点、对方站点、同步记录")
    s_status.add_argument("--json", action="store_true")
    s_status.set_defaults(handler=cmd_sync_status)
    s_enc = sync.add_parser("encryption", help="打开或关闭同步包加密")
    s_enc.add_argument("state", choices=["on", "off"])
    s_enc.set_defaults(handler=cmd_sync_encryption)
    s_pass = sync.add_parser("passphrase", help="设置同步口令")
    s_pass.add_argument("--passphrase-file", required=True)
    s_pass.set_defaults(handler=cmd_sync_passphrase)
    s_review = sync.add_parser("review", help="待核对事项").add_subparsers(
        dest="review_action", metavar="ACTION", parser_class=_Parser
    )
    s_review.required = True
    r_list = s_review.add_parser("list", help="列出待核对事项")
    r_list.add_argument("--json", action="store_true")
    r_list.set_defaults(handler=cmd_review_list)
    r_resolve = s_review.add_parser("resolve", help="处理一项")
    r_resolve.add_argument("key", help="表/记录/字段（见 list）")
    pick = r_resolve.add_mutually_exclusive_group(required=True)
    pick.add_argument("--choose", type=int, help="保留第几个值")
    pick.add_argument("--value", help="填写新的值（JSON 或文字）")
    r_resolve.set_defaults(handler=cmd_review_resolve)

    site = commands.add_parser("site", help="本机站点").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    site.required = True
    s_show = site.add_parser("show", help="站点名称、编号和密钥指纹")
    s_show.add_argument("--json", action="store_true")
    s_show.set_defaults(handler=cmd_site_show)

    trust = commands.add_parser("trust", help="信任的站点").add_subparsers(
        dest="action", metavar="ACTION", parser_class=_Parser
    )
    trust.required = True
    t_list = trust.add_parser("list")
    t_list.add_argument("--json", action="store_true")
    t_list.set_defaults(handler=cmd_trust_list)
    t_add = trust.add_parser("add", help="信任某个同步包的发送站点")
    t_add.add_argument("file")
    t_add.set_defaults(handler=cmd_trust_add)
    t_remove = trust.add_parser("remove")
    t_remove.add_argument("site_id")
    t_remove.set_defaults(handler=cmd_trust_remove)

    users = commands.add_parser("users", help="操作员").add_subparsers(
        dest="users_command", metavar="ACTION", parser_class=_Parser
    )
    users.required = True
    u_add = users.add_parser("add", help="添加操作员（第一位必须是管理员）")
    u_add.add_argument("username", help="登录用的用户名，例如 wangli")
    u_add.add_argument("--name", required=True, help="姓名")
    u_add.add_argument(
        "--role",
        required=True,
        help="admin 管理员 | subdistrict 街道工作人员 | estate 小区工作人员 | mediator 调解员",
    )
    u_add.add_argument("--estate", action="append", help="负责的小区（可重复）")
    u_add.add_argument("--allow-pin", action="store_true", help="允许用短 PIN 登录")
    u_add.add_argument("--new-password-file", help="新密码所在的文件；不给则提示输入")
    u_add.set_defaults(handler=cmd_users_add)
    u_list = users.add_parser("list", help="列出操作员")
    u_list.add_argument("--json", action="store_true")
    u_list.set_defaults(handler=cmd_users_list)
    u_pass = users.add_parser("passwd", help="修改密码（管理员可改任何人的）")
    u_pass.add_argument("username")
    u_pass.add_argument("--pin", action="store_true", help="改的是 PIN")
    u_pass.add_argument("--new-password-file", help="新密码所在的文件；不给则提示输入")
    u_pass.set_defaults(handler=cmd_users_passwd)
    u_dis = users.add_parser("disable", help="停用操作员")
    u_dis.add_argument("username")
    u_dis.add_argument("--enable", action="store_true", help="重新启用")
    u_dis.set_defaults(handler=cmd_users_disable)

    audit_cmd = commands.add_parser("audit", help="操作记录").add_subparsers(
        dest="audit_command", metavar="ACTION", parser_class=_Parser
    )
    audit_cmd.required = True
    a_list = audit_cmd.add_parser("list", help="列出操作记录（最新在前）")
    a_list.add_argument("--user", help="操作员用户名")
    a_list.add_argument("--estate", help="小区")
    a_list.add_argument("--kind", help="类别：sign_in、export… 或记录类别 household、topic…")
    a_list.add_argument("--since", type=_date, help="从哪天起 YYYY-MM-DD")
    a_list.add_argument("--until", type=_date, help="到哪天止 YYYY-MM-DD")
    a_list.add_argument("--limit", type=int, default=5000)
    a_list.add_argument("--xlsx", help="导出为 Excel 文件")
    a_list.add_argument("--json", action="store_true")
    a_list.set_defaults(handler=cmd_audit_list)

    dump = commands.add_parser("dump", help="以规范 JSON 输出全部共享数据")
    dump.set_defaults(handler=cmd_dump)

    selftest = commands.add_parser("selftest", help="快速自检")
    selftest.set_defaults(handler=cmd_selftest, no_store=True)
    from xmen_desktop import cli_backup

    cli_backup.register(commands)
    return parser


def _run(handler: Callable[..., None], args: argparse.Namespace) -> None:
    if getattr(args, "no_store", False):
        handler(None, args)
        return
    from xmen_desktop.store.database import Store

    store = Store.open(args.data_dir, site_name=getattr(args, "site_name", None))
    try:
        _sign_in(store, args)
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
