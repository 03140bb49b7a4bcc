"""A person's data on request: everything held about them, exported; erased, and kept erased."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import Session, select

from xmen_desktop.domain.access import ESTATE, MEDIATOR, SUBDISTRICT, Actor
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import erasure, meetings, projects, roster, subject, topics, votes
from xmen_desktop.store.database import Store
from xmen_desktop.store.dump import dump_json
from xmen_desktop.store.errors import AccessDenied, StoreError
from xmen_desktop.store.models import (
    TABLE_BY_NAME,
    AuditEvent,
    Ballot,
    BodyMember,
    ConsultationContact,
    Erasure,
    Household,
    Invitee,
    Project,
    ProjectMember,
    Resident,
    ReviewResolution,
    Topic,
    TopicSupport,
)

ESTATE_NAME = "小西门"
TENANT, SPOUSE, GRANDSON = "王秘英", "李守拙", "王小喆"
PHONE, SPOUSE_PHONE = "13812345678", "13987651234"
# Words that only the erased household's data holds.
SECRETS = (TENANT, SPOUSE, GRANDSON, PHONE, SPOUSE_PHONE, "独居老人", "腿脚不便", "电梯太慢")
ADDRESS = "复兴东路 1234 弄 5 号 201 室"


@dataclass
class Household_:
    """Ids of a household with a copy of its people's names in every kind of record."""

    estate: str
    household: str
    tenant: str  # the tenant's own resident record
    spouse: str
    grandson: str
    member: str
    topic: str
    vote: str
    meeting: str
    project: str
    neighbour: str


def fill_household(session: Session, *, address: str = ADDRESS) -> Household_:
    """The household, its three residents, a body seat, a topic it raised and supported, a
    consultation, a returned ballot, a meeting invitation with a proxy, a project it leads;
    and a neighbour whose data must survive."""
    estate = roster.resolve_estate(session, ESTATE_NAME).id
    household = roster.add_household(
        session,
        estate,
        {
            "tenant": TENANT,
            "address": address,
            "phone": PHONE,
            "size": 3,
            "area": "45.5",
            "notes": "独居老人",
        },
    ).id
    neighbour = roster.add_household(
        session,
        estate,
        {"tenant": "赵邻居", "address": "复兴东路 1234 弄 5 号 202 室", "phone": "13700001111"},
    ).id
    tenant = roster.add_resident(session, household, {"name": TENANT, "relation": "本人"}).id
    spouse = roster.add_resident(
        session,
        household,
        {
            "name": SPOUSE,
            "relation": "配偶",
            "gender": "男",
            "birth_year": 1948,
            "phone": SPOUSE_PHONE,
            "notes": "腿脚不便",
        },
    ).id
    grandson = roster.add_resident(session, household, {"name": GRANDSON, "relation": "孙子女"}).id
    member = roster.add_member(
        session,
        estate,
        {
            "body": "executive",
            "name": SPOUSE,
            "resident_id": spouse,
            "role": "委员",
            "notes": "腿脚不便",
        },
    ).id
    topic = topics.add_topic(
        session, estate, {"title": "加装电梯", "proposer_household_id": household}
    ).id
    topics.add_support(session, topic, household, note=f"{TENANT}说电梯太慢")
    topics.add_support(session, topic, neighbour, note="赵邻居也同意")
    topics.advance_topic(session, topic, "accepted")
    topics.advance_topic(session, topic, "consulting")
    consultation = topics.current_round(session, topic, start_new=True).id
    topics.record_contact(
        session, consultation, household, method="door", opinion="support", said="电梯太慢了"
    )
    topics.advance_topic(session, topic, "deliberating")
    topics.advance_topic(session, topic, "voting")
    vote = votes.create_vote(session, topic, question="是否同意加装电梯", rule="residents").id
    votes.issue_ballots(session, vote)
    votes.cast(session, vote, household_id=household, choice="同意")
    meeting = meetings.add_meeting(
        session, estate, form="assembly", held_on="2026-03-14", place="居委会活动室"
    ).id
    meetings.invite(session, meeting, households=True, resident_ids=[spouse])
    invitee = next(
        i
        for i in meetings.list_invitees(session, meeting)
        if i.household_id == household and i.resident_id is None
    )
    meetings.record_attendance(session, invitee.id, "proxy", proxy_name=GRANDSON)
    project = projects.add_project(session, estate, title="楼道整治", lead_resident_id=spouse).id
    projects.add_member(session, project, "", role="志愿者", resident_id=grandson)
    return Household_(
        estate,
        household,
        tenant,
        spouse,
        grandson,
        member,
        topic,
        vote,
        meeting,
        project,
        neighbour,
    )


@pytest.fixture
def filled(store: Store) -> Household_:
    with store.write() as session:
        return fill_household(session)


def _everything(connection: sqlite3.Connection) -> str:
    """Every value of every table, the change log and the review queue included, as text."""
    parts: list[str] = []
    tables = [
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    for table in tables:
        for row in connection.execute(f"SELECT * FROM {table}"):
            parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def _file_text(store: Store) -> bytes:
    wal = store.path.with_name(store.path.name + "-wal")
    return store.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# ---------------------------------------------------------------------------- erasing


def test_erase_wipes_every_copy_and_keeps_the_flat(store: Store, filled: Household_) -> None:
    with store.write() as session:
        result = erasure.erase_household(session, filled.household, "本人书面申请")
    assert result.residents == 3 and result.address == ADDRESS
    with store.read() as session:
        flat = session.get(Household, filled.household)
        assert flat is not None and flat.is_live
        assert (flat.tenant, flat.phone, flat.notes) == (erasure.ERASED_NAME, None, "")
        assert (flat.address, flat.size, flat.area_centi) == (ADDRESS, 3, 4550)
        rows = roster.list_households(session, filled.estate)
        assert [r.tenant for r in rows if r.id == filled.household] == [erasure.ERASED_NAME]
        # The residents leave the roster, and keep nothing.
        assert roster.list_residents(session, filled.household) == []
        for resident_id in (filled.tenant, filled.spouse, filled.grandson):
            resident = session.get(Resident, resident_id)
            assert resident is not None and not resident.is_live
            assert (resident.name, resident.phone, resident.notes) == (
                erasure.ERASED_NAME,
                None,
                "",
            )
            assert (resident.gender, resident.birth_year, resident.relation) == ("", None, "")
        member = session.get(BodyMember, filled.member)
        assert member is not None and (member.name, member.notes) == (erasure.ERASED_NAME, "")
        topic = session.get(Topic, filled.topic)
        assert topic is not None and topic.proposer_name == erasure.ERASED_NAME
        assert topic.title == "加装电梯"
        supports = {s.household_id: s.note for s in session.exec(select(TopicSupport)).all()}
        assert supports == {filled.household: "", filled.neighbour: "赵邻居也同意"}
        (contact,) = session.exec(select(ConsultationContact)).all()
        assert (contact.said, contact.opinion) == ("", "support")
        ballots = {b.household_id: b for b in session.exec(select(Ballot)).all()}
        # The vote still counts: the choice stays, the name goes.
        assert ballots[filled.household].tenant == erasure.ERASED_NAME
        assert ballots[filled.household].choice == "同意"
        assert ballots[filled.neighbour].tenant == "赵邻居"
        for invitee in session.exec(select(Invitee)).all():
            if invitee.household_id == filled.household:
                assert (invitee.name, invitee.proxy_name) == (erasure.ERASED_NAME, "")
                assert invitee.address == ADDRESS
        assert {m.name for m in session.exec(select(ProjectMember)).all()} == {erasure.ERASED_NAME}
        project = session.get(Project, filled.project)
        assert project is not None and project.lead_name == erasure.ERASED_NAME
        # A marker for every wiped row, and the erasure in the audit trail (without the name).
        marked = {(m.tbl, m.target_id) for m in session.exec(select(Erasure)).all()}
        assert ("household", filled.household) in marked
        assert {("resident", r) for r in (filled.tenant, filled.spouse, filled.grandson)} <= marked
        assert ("body_member", filled.member) in marked
        assert ("topic", filled.topic) in marked
        assert ("ballot", ballots[filled.household].id) in marked
        assert ("ballot", ballots[filled.neighbour].id) not in marked
        assert len(marked) == result.rows
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "erase")).all()
        assert ADDRESS in event.detail and "本人书面申请" in event.detail
        assert TENANT not in event.detail


def test_the_old_values_are_nowhere_in_the_database(store: Store, filled: Household_) -> None:
    with store.write() as session:  # a change: the old phone is in the log twice
        roster.update_household(session, filled.household, {"phone": "13812345679"})
    connection = sqlite3.connect(store.path)
    before = _everything(connection)
    for secret in (*SECRETS, "13812345679"):
        assert secret in before  # the search below would find them
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    erasure.settle_file(store)
    after = _everything(connection)
    with store.read() as session:
        dumped = dump_json(session)
    raw = _file_text(store)
    connection.close()
    for secret in (*SECRETS, "13812345679"):
        assert secret not in after, secret
        assert secret not in dumped, secret
        assert secret.encode() not in raw, secret
    # The neighbour's data is untouched, in the tables and in the log.
    assert "赵邻居" in after and "13700001111" in after and "赵邻居也同意" in after
    assert "加装电梯" in dumped


def test_conflicts_review_items_and_decisions_about_wiped_fields_are_dropped(
    store: Store, filled: Household_
) -> None:
    with store.write() as session:
        # A decision a person took on the tenant's name, synced with its chosen value.
        session.add(
            ReviewResolution(
                tbl="household",
                row_id=filled.household,
                field="tenant",
                superseded="[]",
                value=json.dumps(TENANT, ensure_ascii=False),
            )
        )
        size_decision = ReviewResolution(
            tbl="household", row_id=filled.household, field="size", superseded="[]", value="3"
        )
        session.add(size_decision)
        # Losing values kept for review (local tables: derived from the log on each PC).
        for table, candidates in (
            ("review_item", json.dumps([{"value": json.dumps(TENANT, ensure_ascii=False)}])),
            ("conflict", json.dumps(PHONE)),
        ):
            if table == "review_item":
                session.execute(
                    text(
                        "INSERT INTO review_item VALUES ('household', :r, 'tenant', 'conflict', "
                        ":c, '2026-01-01')"
                    ),
                    {"r": filled.household, "c": candidates},
                )
            else:
                session.execute(
                    text(
                        "INSERT INTO conflict VALUES ('household', :r, 'phone', 's:1', 's:2', :c)"
                    ),
                    {"r": filled.household, "c": candidates},
                )
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    with store.read() as session:
        decisions = {d.field: d.value for d in session.exec(select(ReviewResolution)).all()}
        assert decisions == {"tenant": None, "size": "3"}
        assert session.execute(text("SELECT count(*) FROM review_item")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM conflict")).scalar() == 0
        assert TENANT not in dump_json(session)


def test_a_neighbour_is_untouched(store: Store, filled: Household_) -> None:
    with store.read() as session:
        before = [r for r in roster.list_households(session) if r.id == filled.neighbour]
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    with store.read() as session:
        after = [r for r in roster.list_households(session) if r.id == filled.neighbour]
    assert after == before and after[0].tenant == "赵邻居"


def test_erasing_twice_is_refused_and_changes_nothing(store: Store, filled: Household_) -> None:
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    with store.read() as session:
        before = dump_json(session)
    with pytest.raises(StoreError, match="已经删除过了"), store.write() as session:
        erasure.erase_household(session, filled.household)
    with store.read() as session:
        assert dump_json(session) == before
        assert erasure.preview_household(session, filled.household).already


def test_a_household_deleted_from_the_roster_can_still_be_erased(
    store: Store, filled: Household_
) -> None:
    with store.write() as session:
        roster.delete_household(session, filled.household)
    with store.write() as session:
        result = erasure.erase_household(session, filled.household)
    assert result.residents == 3
    with store.read() as session:
        assert SPOUSE not in _everything(session.connection().connection.driver_connection)


def test_the_preview_says_what_will_go(store: Store, filled: Household_) -> None:
    with store.read() as session:
        preview = erasure.preview_household(session, filled.household)
    assert (preview.name, preview.address, preview.residents) == (TENANT, ADDRESS, 3)
    assert not preview.already
    assert preview.copies == {
        "表决票": 1,
        "会议邀请": 2,
        "机构任职": 1,
        "项目成员": 2,
        "项目负责人": 1,
        "提出的议题": 1,
        "附议": 1,
        "征询记录": 1,
    }
    lines = "\n".join(preview.lines())
    assert TENANT in lines and "3 位家庭成员" in lines and "表决票 1 条" in lines
    with store.read() as session:  # nothing was changed
        assert session.exec(select(Erasure)).all() == []


def test_one_resident_alone(store: Store, filled: Household_) -> None:
    with store.write() as session:
        result = erasure.erase_resident(session, filled.spouse, "本人申请")
    assert result.residents == 1
    with store.read() as session:
        household = session.get(Household, filled.household)
        assert household is not None and household.tenant == TENANT and household.phone == PHONE
        names = [r.name for r in roster.list_residents(session, filled.household)]
        assert sorted(names) == sorted([TENANT, GRANDSON])
        spouse = session.get(Resident, filled.spouse)
        assert spouse is not None and not spouse.is_live and spouse.name == erasure.ERASED_NAME
        member = session.get(BodyMember, filled.member)
        assert member is not None and member.name == erasure.ERASED_NAME
        project = session.get(Project, filled.project)
        assert project is not None and project.lead_name == erasure.ERASED_NAME
        everything = _everything(session.connection().connection.driver_connection)
    for gone in (SPOUSE, SPOUSE_PHONE, "腿脚不便"):
        assert gone not in everything
    for kept in (TENANT, PHONE, GRANDSON):
        assert kept in everything
    # The tenant is erased with the household: their name is the household's too.
    with pytest.raises(StoreError, match="承租人"), store.write() as session:
        erasure.erase_resident(session, filled.tenant)
    with pytest.raises(StoreError, match="已经删除过了"), store.write() as session:
        erasure.erase_resident(session, filled.spouse)


def test_personal_data_cannot_be_written_back(store: Store, filled: Household_) -> None:
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    for values in ({"tenant": "王秘英"}, {"phone": "13812345678"}, {"notes": "独居"}):
        with pytest.raises(StoreError, match="新的承租人"), store.write() as session:
            roster.update_household(session, filled.household, values)
    with pytest.raises(StoreError, match="已按本人要求删除"), store.write() as session:
        roster.add_resident(session, filled.household, {"name": "新来的"})
    with pytest.raises(StoreError, match="已按本人要求删除"), store.write() as session:
        topics.add_topic(
            session,
            filled.estate,
            {"title": "新议题", "proposer_household_id": filled.household, "proposer_name": TENANT},
        )
    # What is not personal may still change, and new records copy the wiped name.
    with store.write() as session:
        roster.update_household(session, filled.household, {"size": 1, "area": "40"})
        topics.add_topic(
            session, filled.estate, {"title": "新议题", "proposer_household_id": filled.household}
        )
        meeting = meetings.add_meeting(
            session, filled.estate, form="assembly", held_on="2026-05-01", place="活动室"
        ).id
        meetings.invite(session, meeting, households=True)
    with store.read() as session:
        invited = {i.household_id: i.name for i in meetings.list_invitees(session, meeting)}
        assert invited[filled.household] == erasure.ERASED_NAME
        assert invited[filled.neighbour] == "赵邻居"
    # A new tenant moves in: the flat is deleted and added again.
    with store.write() as session:
        roster.delete_household(session, filled.household)
        new = roster.add_household(
            session, filled.estate, {"tenant": "钱新户", "address": ADDRESS, "phone": "13600002222"}
        ).id
    with store.read() as session:
        assert [r.tenant for r in roster.list_households(session) if r.id == new] == ["钱新户"]


@pytest.mark.parametrize("role", [ESTATE, MEDIATOR])
def test_only_roles_that_may_change_the_estate_may_erase(
    store: Store, filled: Household_, role: str
) -> None:
    elsewhere = Actor("li", "李", role, frozenset({ESTATES[1].id}), operator_id="x")
    store.actor = elsewhere
    with pytest.raises(AccessDenied), store.write() as session:
        erasure.erase_household(session, filled.household)
    if role == MEDIATOR:
        store.actor = Actor("li", "李", role, frozenset({ESTATES[0].id}), operator_id="x")
        with pytest.raises(AccessDenied), store.write() as session:
            erasure.erase_household(session, filled.household)
    store.actor = Actor("wang", "王丽", ESTATE, frozenset({ESTATES[0].id}), operator_id="y")
    with store.write() as session:
        erasure.erase_household(session, filled.household)
        (marker,) = session.exec(select(Erasure).where(Erasure.target_id == filled.household)).all()
        assert marker.erased_by == "王丽"


# ---------------------------------------------------------------------------- everything held


def test_the_household_report_holds_everything_about_them(store: Store, filled: Household_) -> None:
    with store.write() as session:
        roster.update_household(session, filled.household, {"phone": "13812345679"})
    with store.write() as session:
        report = subject.household_report(session, filled.household, file_name=f"{TENANT}.pdf")
    assert report.title == "个人信息查询结果"
    assert (report.name, report.address, report.estate_name) == (TENANT, ADDRESS, "小西门")
    assert TENANT in report.who and ADDRESS in report.who
    titles = [s.title for s in report.sections]
    assert titles == [
        "基本信息",
        "家庭成员",
        "自治机构任职",
        "提出的议题",
        "附议",
        "征询记录",
        "表决票",
        "会议邀请与到会",
        "自治项目",
        "修改记录",
    ]
    facts = dict(report.section("基本信息").rows)
    assert facts["承租人"] == TENANT and facts["电话"] == "13812345679"
    assert facts["建筑面积"] == "45.5 平方米" and facts["备注"] == "独居老人"
    residents = report.section("家庭成员").rows
    assert {r[0] for r in residents} == {TENANT, SPOUSE, GRANDSON}
    assert ("李守拙", "配偶", "男", "1948", SPOUSE_PHONE, "腿脚不便", "在册") in residents
    assert report.section("自治机构任职").rows[0][:3] == ("执行委员会", SPOUSE, "委员")
    assert report.section("提出的议题").rows[0][0] == "加装电梯"
    # Only their own support, not the neighbour's.
    assert [r[2] for r in report.section("附议").rows] == [f"{TENANT}说电梯太慢"]
    assert report.section("征询记录").rows[0][3:] == ("上门", "赞成", "电梯太慢了")
    (ballot,) = report.section("表决票").rows
    assert ballot[0] == "是否同意加装电梯" and ballot[2:5] == (TENANT, "是", "同意")
    invitations = report.section("会议邀请与到会").rows
    assert {(r[3], r[4], r[5]) for r in invitations} == {
        (TENANT, "委托到会", GRANDSON),
        (SPOUSE, "未登记", ""),
    }
    assert {(r[1], r[2]) for r in report.section("自治项目").rows} == {
        (SPOUSE, "负责人"),
        (GRANDSON, "志愿者"),
    }
    history = report.section("修改记录")
    assert history.headers == ("时间", "操作员", "电脑", "记录", "操作", "改动的内容")
    assert ("住户", "修改", "电话") in [r[3:] for r in history.rows]
    assert any(r[3] == "住户" and r[4] == "新增" for r in history.rows)
    # Which fields changed, never their old values (which may be someone else's).
    flat = json.dumps([list(r) for r in history.rows], ensure_ascii=False)
    assert PHONE not in flat and "13812345679" not in flat
    assert "赵邻居" not in json.dumps(
        [[list(r) for r in s.rows] for s in report.sections], ensure_ascii=False
    )
    with store.read() as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "subject_export")).all()
    assert ADDRESS in event.detail and "PDF" in event.detail
    # Neither the name nor the file's name (which often holds it): the audit trail is
    # append-only and outlives an erasure.
    assert TENANT not in event.detail and "王" not in event.detail


def test_a_resident_report_and_an_erased_household_report(store: Store, filled: Household_) -> None:
    with store.write() as session:
        report = subject.resident_report(session, filled.spouse)
    assert report.kind == "resident" and report.name == SPOUSE
    assert [s.title for s in report.sections] == [
        "基本信息",
        "自治机构任职",
        "提出的议题",
        "会议邀请与到会",
        "自治项目",
        "修改记录",
    ]
    facts = dict(report.section("基本信息").rows)
    assert facts["电话"] == SPOUSE_PHONE and facts["住址"] == ADDRESS
    assert TENANT not in json.dumps(
        [[list(r) for r in s.rows] for s in report.sections], ensure_ascii=False
    )
    with store.write() as session:
        erasure.erase_household(session, filled.household)
    with store.write() as session:
        report = subject.household_report(session, filled.household)
    assert report.erased and report.name == erasure.ERASED_NAME
    facts = dict(report.section("基本信息").rows)
    assert "按本人要求删除" in facts["个人信息删除"]
    text_of = json.dumps([[list(r) for r in s.rows] for s in report.sections], ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text_of


def test_the_report_is_for_roles_that_see_phones(store: Store, filled: Household_) -> None:
    for role in (SUBDISTRICT, MEDIATOR):
        store.actor = Actor("z", "周", role, frozenset({ESTATES[0].id}), operator_id="z")
        with pytest.raises(AccessDenied), store.write() as session:
            subject.household_report(session, filled.household)
    store.actor = Actor("w", "王丽", ESTATE, frozenset({ESTATES[1].id}), operator_id="w")
    with pytest.raises(AccessDenied), store.write() as session:
        subject.household_report(session, filled.household)
    store.actor = Actor("w", "王丽", ESTATE, frozenset({ESTATES[0].id}), operator_id="w")
    with store.write() as session:
        assert subject.household_report(session, filled.household).produced_by == "王丽"


def test_the_workbook_has_a_sheet_per_section(
    store: Store, filled: Household_, tmp_path: Path
) -> None:
    with store.write() as session:
        report = subject.household_report(session, filled.household)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "个人信息.xlsx"
    path.write_bytes(b"an older export")
    assert subject.write_subject_xlsx(report, path) == path
    assert [p.name for p in folder.iterdir()] == ["个人信息.xlsx"]  # no .partial left
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["说明", *(s.title for s in report.sections)]
    cover = [tuple(r) for r in book["说明"].iter_rows(values_only=True)]
    assert cover[0][0] == "个人信息查询结果"
    assert ("查询对象", report.who) in cover
    sheets = {
        name: [tuple(c or "" for c in r) for r in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }
    for section in report.sections:
        rows = sheets[section.title]
        assert rows[0] == section.headers
        assert rows[1:] == [tuple(r) for r in section.rows]
    assert ("承租人", TENANT) in sheets["基本信息"]
    assert any(r[0] == SPOUSE and r[4] == SPOUSE_PHONE for r in sheets["家庭成员"])
    book.close()


def test_an_empty_section_says_so_in_the_workbook(store: Store, tmp_path: Path) -> None:
    with store.write() as session:
        estate = roster.resolve_estate(session, ESTATE_NAME).id
        alone = roster.add_household(session, estate, {"tenant": "孤老", "address": "中华路 1 号"})
    with store.write() as session:
        report = subject.household_report(session, alone.id)
    assert report.section("家庭成员").rows == ()
    path = subject.write_subject_xlsx(report, tmp_path / "a.xlsx")
    book = load_workbook(path, read_only=True)
    rows = list(book["家庭成员"].iter_rows(values_only=True))
    assert rows[1][0] == "没有记录。"
    book.close()


def test_every_wiped_field_exists_and_every_link_is_a_real_column() -> None:
    for table, fields in erasure.WIPED.items():
        columns = TABLE_BY_NAME[table].__table__.columns  # type: ignore[attr-defined]
        for name in fields:
            assert name in columns, (table, name)
    for table, column, target in erasure.LINKS:
        assert column in TABLE_BY_NAME[table].__table__.columns  # type: ignore[attr-defined]
        assert table in erasure.WIPED and target in ("household", "resident")
