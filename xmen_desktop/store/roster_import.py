"""Roster import and export: read the office's spreadsheet, plan, preview, apply all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from xmen_desktop.domain import roster as roster_rules
from xmen_desktop.domain.validation import FIELD_LABELS, area_text
from xmen_desktop.store import audit, roster
from xmen_desktop.store.access import require_estate
from xmen_desktop.store.errors import StoreError
from xmen_desktop.store.tabular import (
    Table,
    TableReadError,
    TableWriteError,
    read_table,
    write_table,
)

EXPORT_HEADER = ["承租人", "地址", "电话", "人数", "面积(㎡)", "备注"]


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    message: str

    def describe(self) -> str:
        return f"第 {self.row} 行 {FIELD_LABELS.get(self.field, self.field)}：{self.message}"


@dataclass
class ImportPlan:
    header_row: int
    header_cells: list[str]
    mapping: dict[str, int]
    records: list[roster_rules.RosterRecord]
    problems: list[Problem] = field(default_factory=list)
    skipped_blank: int = 0
    skipped_notes: int = 0

    @property
    def problem_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def valid_records(self) -> list[roster_rules.RosterRecord]:
        bad = set(self.problem_rows)
        return [r for r in self.records if r.row not in bad]


def load_table(path: Path) -> Table:
    try:
        return read_table(path)
    except TableReadError as error:
        raise StoreError(error.message) from error


def header_index(table: Table) -> int:
    index = roster_rules.find_header([row.cells for row in table.rows])
    if index is None:
        raise StoreError(
            "找不到表头：请确认表格里有一行列名，至少包括“承租人”（或“户主”“姓名”）"
            "和“地址”（或“路名”“弄”“号”“室”）"
        )
    return index


def plan_from_table(
    session: Session,
    estate_id: str,
    table: Table,
    *,
    header_at: int | None = None,
    mapping: Mapping[str, int] | None = None,
) -> ImportPlan:
    """Parse every data row under the header and check each against the estate's roster."""
    require_estate(session, estate_id)
    index = header_index(table) if header_at is None else header_at
    header = table.rows[index]
    cells = ["" if c is None else str(c).strip() for c in header.cells]
    chosen = dict(mapping) if mapping is not None else roster_rules.guess_mapping(header.cells)
    if not roster_rules.is_usable_mapping(chosen):
        raise StoreError(
            "请为“承租人”选一列，再为“地址”选一列；地址分几列写的，至少要选“路名”和“号”。"
        )
    body = [(row.number, row.cells) for row in table.rows[index + 1 :]]
    parsed = roster_rules.parse_rows(body, chosen)
    problems = [Problem(e.row, e.field, e.message) for e in parsed.errors]
    conflicts = roster.roster_conflicts(
        session, estate_id, ((r.row, r.address) for r in parsed.records)
    )
    problems.extend(Problem(c.row, c.field, c.message) for c in conflicts)
    problems.sort(key=lambda p: (p.row, p.field))
    return ImportPlan(
        header_row=header.number,
        header_cells=cells,
        mapping=chosen,
        records=parsed.records,
        problems=problems,
        skipped_blank=parsed.skipped_blank,
        skipped_notes=parsed.skipped_notes,
    )


def plan_import(
    session: Session, estate_id: str, path: Path, mapping: Mapping[str, int] | None = None
) -> ImportPlan:
    require_estate(session, estate_id)
    return plan_from_table(session, estate_id, load_table(path), mapping=mapping)


def apply_import(
    session: Session,
    estate_id: str,
    plan: ImportPlan,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Insert the plan's valid rows in the caller's transaction (all of them, or none).

    ``progress(done, total)`` is called between chunks; raising from it (a cancelled job)
    abandons the import, and the caller's transaction then rolls back.
    """
    require_estate(session, estate_id)
    records = plan.valid_records
    # The roster may have changed since the preview: check again inside this transaction.
    conflicts = roster.roster_conflicts(session, estate_id, ((r.row, r.address) for r in records))
    if conflicts:
        raise StoreError(
            "预览之后名册有了变化："
            + "；".join(Problem(c.row, c.field, c.message).describe() for c in conflicts[:5])
            + "。请重新预览后再导入"
        )
    audit.record(session, "import", f"名册导入 {len(records)} 户", estate_id=estate_id)
    return roster.add_households_bulk(
        session,
        estate_id,
        [
            {
                "tenant": r.tenant,
                "address": r.address,
                "phone": r.phone,
                "size": r.size,
                "area_centi": r.area_centi,
                "notes": r.notes,
            }
            for r in records
        ],
        progress=progress,
    )


def export_rows(session: Session, estate_id: str) -> list[list[object]]:
    require_estate(session, estate_id)
    return [
        [h.tenant, h.address, h.phone or "", h.size or "", area_text(h.area_centi), h.notes]
        for h in roster.list_households(session, estate_id)
    ]


def export_roster(session: Session, estate_id: str, path: Path) -> int:
    """Write the roster with the same column names import recognises, so it re-imports as is."""
    require_estate(session, estate_id)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise StoreError("导出文件名请以 .xlsx（Excel）或 .csv 结尾")
    rows = export_rows(session, estate_id)
    try:
        write_table(path, EXPORT_HEADER, rows)
    except TableWriteError as error:
        raise StoreError(error.message) from error
    audit.record(session, "export", f"名册 {len(rows)} 户：{path.name}", estate_id=estate_id)
    return len(rows)
