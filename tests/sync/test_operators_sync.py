"""Operators travel between PCs, and every change keeps the name of the person who made it."""

from __future__ import annotations

from pathlib import Path

from tests.sync.helpers import apply, export, log_rows, open_pc
from xmen_desktop.domain.estates import ESTATES
from xmen_desktop.store import audit, operators, roster
from xmen_desktop.store.bundle import Payload


def test_an_operator_signs_in_anywhere_and_their_changes_keep_their_name(tmp_path: Path) -> None:
    office, estate_pc = open_pc(tmp_path, "街道"), open_pc(tmp_path, "小西门居委")
    try:
        with office.write() as session:
            operators.add_operator(session, "admin", "管理员", "admin", "admin-pass-2026")
        office.sign_in("admin", "admin-pass-2026")
        with office.write() as session:
            operators.add_operator(session, "wang", "王丽", "estate", "wang-pass", ["小西门"])
        apply(estate_pc, export(office, tmp_path))

        # The estate PC now asks for a sign-in, and wang's password works there.
        assert estate_pc.require_sign_in() is True
        estate_pc.sign_in("wang", "wang-pass")
        with estate_pc.write() as session:
            household = roster.add_household(
                session, ESTATES[0].id, {"tenant": "张阿姨", "address": "中华路 1 弄 1 号"}
            )
        apply(office, export(estate_pc, tmp_path))

        with office.read() as session:
            lines = audit.audit_lines(session, audit.AuditFilter(kind="household"))
        assert {(line.operator, line.estate_name, line.row_id) for line in lines} == {
            ("wang", "小西门", household.id)
        }
        authors = log_rows(
            office, "SELECT DISTINCT operator, estate_id FROM change_log WHERE row_id = :r",
            r=household.id,
        )  # fmt: skip
        assert authors == [("wang", ESTATES[0].id)]
    finally:
        office.close()
        estate_pc.close()


def test_a_bundle_from_before_operators_still_imports(tmp_path: Path, monkeypatch) -> None:
    """Entries of bundles written before this version carry 10 values, not 11."""
    source, target = open_pc(tmp_path, "旧站"), open_pc(tmp_path, "新站")
    try:
        with source.write() as session:
            roster.add_household(
                session, ESTATES[0].id, {"tenant": "老住户", "address": "中华路 9 号"}
            )
        original = Payload.batches

        def ten_values(self):  # type: ignore[no-untyped-def]
            for batch in original(self):
                yield [entry[:10] for entry in batch]

        monkeypatch.setattr(Payload, "batches", ten_values)
        report = apply(target, export(source, tmp_path))
        assert report.stats.applied > 0
        with target.read() as session:
            assert [h.tenant for h in roster.list_households(session)] == ["老住户"]
        assert log_rows(
            target, "SELECT DISTINCT operator FROM change_log WHERE tbl = 'household'"
        ) == [(None,)]
    finally:
        source.close()
        target.close()
