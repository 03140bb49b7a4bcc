"""Self-governance projects (自治项目) and meetings: status moves and the meeting quorum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PROJECT_STATES: dict[str, str] = {
    "planned": "筹备中",
    "in_progress": "进行中",
    "paused": "暂停",
    "done": "已完成",
    "cancelled": "已取消",
}
_PROJECT_MOVES: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"paused", "done", "cancelled"}),
    "paused": frozenset({"in_progress", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}
MEMBER_ROLES = ("负责人", "成员", "志愿者")

MEETING_FORMS: dict[str, str] = {
    "assembly": "议事大会",
    "executive": "执行委员会会议",
    "mediation": "纠纷调处委员会会议",
    "hearing": "听证会",
    "coordination": "协调会",
    "review": "评议会",
}
ATTENDANCE: dict[str, str] = {"present": "本人到会", "proxy": "委托到会", "absent": "缺席"}


class MoveRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_project_move(current: str, target: str) -> None:
    if target not in PROJECT_STATES:
        raise MoveRefused("项目状态应为：" + " ".join(PROJECT_STATES))
    if target not in _PROJECT_MOVES[current]:
        options = "、".join(PROJECT_STATES[s] for s in sorted(_PROJECT_MOVES[current])) or "无"
        raise MoveRefused(
            f"项目现在是“{PROJECT_STATES[current]}”，不能改为“{PROJECT_STATES[target]}”。"
            f"可以改为：{options}"
        )


@dataclass(frozen=True)
class BudgetLineTotals:
    item: str
    budget_fen: int
    spent_fen: int

    @property
    def over(self) -> bool:
        return self.spent_fen > self.budget_fen


@dataclass(frozen=True)
class BudgetTotals:
    lines: tuple[BudgetLineTotals, ...]
    unassigned_fen: int  # spending not booked to a line

    @property
    def budget_fen(self) -> int:
        return sum(line.budget_fen for line in self.lines)

    @property
    def spent_fen(self) -> int:
        return sum(line.spent_fen for line in self.lines) + self.unassigned_fen

    @property
    def over(self) -> bool:
        return self.spent_fen > self.budget_fen


def progress_percent(milestones: Sequence[int]) -> int:
    """A project's progress: the mean of its milestones' progress (0–100), rounded down."""
    if not milestones:
        return 0
    return sum(max(0, min(100, p)) for p in milestones) // len(milestones)
