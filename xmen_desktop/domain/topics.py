"""The topic workflow (议题): fixed state codes, the moves the workflow allows, and why not.

proposed → accepted | declined → consulting → deliberating → voting → passed | failed → closed;
withdrawn from any open state. A decline needs a reason. Transitions are recorded append-only by
the store; this module only says whether a move is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

STATES: dict[str, str] = {
    "proposed": "已提出",
    "accepted": "已受理",
    "declined": "不予受理",
    "consulting": "征询中",
    "deliberating": "议事中",
    "voting": "表决中",
    "passed": "已通过",
    "failed": "未通过",
    "closed": "已办结",
    "withdrawn": "已撤回",
}

OPEN_STATES = frozenset({"proposed", "accepted", "consulting", "deliberating", "voting"})

_FORWARD: dict[str, frozenset[str]] = {
    "proposed": frozenset({"accepted", "declined"}),
    "accepted": frozenset({"consulting"}),
    # Another round of consultation may follow a meeting that asked for it.
    "consulting": frozenset({"deliberating"}),
    "deliberating": frozenset({"voting", "consulting"}),
    "voting": frozenset({"passed", "failed"}),
    "passed": frozenset({"closed"}),
    "failed": frozenset({"closed"}),
}

NEEDS_NOTE = frozenset({"declined", "withdrawn"})

CHANNELS: dict[str, str] = {
    "in_person": "当面提出",
    "phone": "电话",
    "suggestion_box": "意见箱",
    "home_visit": "上门走访",
    "meeting": "会议提出",
}

CATEGORIES: tuple[str, ...] = (
    "环境卫生",
    "停车与通行",
    "设施维修",
    "安全",
    "邻里关系",
    "文体活动",
    "公约制度",
    "其他",
)


class TransitionRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allowed_moves(state: str) -> list[str]:
    moves = sorted(_FORWARD.get(state, frozenset()), key=list(STATES).index)
    if state in OPEN_STATES:
        moves.append("withdrawn")
    return moves


def check_transition(current: str, target: str, note: str = "") -> None:
    """Raise TransitionRefused with a plain reason unless the workflow allows the move."""
    if target not in STATES:
        codes = " ".join(STATES)
        raise TransitionRefused(f"没有“{target}”这个状态。可选：{codes}")
    if target not in allowed_moves(current):
        options = "、".join(STATES[s] for s in allowed_moves(current)) or "无（流程已结束）"
        raise TransitionRefused(
            f"议题现在是“{STATES[current]}”，不能直接改为“{STATES[target]}”。"
            f"下一步可以是：{options}"
        )
    if target in NEEDS_NOTE and not note.strip():
        raise TransitionRefused(f"改为“{STATES[target]}”需要写明理由")


@dataclass(frozen=True)
class SupportThreshold:
    """Supports (附议) a topic needs: a number of households, or a share of the roster."""

    households: int | None = None
    share: Fraction | None = None

    def required(self, roster_size: int) -> int:
        if self.households is not None:
            return self.households
        if self.share is not None:
            # "a share of the roster" rounds up: 5% of 101 households needs 6.
            return -(-self.share.numerator * roster_size // self.share.denominator)
        return 0

    def describe(self, roster_size: int) -> str:
        need = self.required(roster_size)
        if self.share is not None and self.households is None:
            return f"需本小区 {float(self.share) * 100:g}% 的住户附议，即 {need} 户"
        return f"需 {need} 户附议"

    def met(self, supports: int, roster_size: int) -> bool:
        return supports >= self.required(roster_size)


def _channel(value: object) -> str:
    from xmen_desktop.domain.validation import FieldError, clean_text

    text = clean_text(value) or "in_person"
    for code, label in CHANNELS.items():
        if text in (code, label):
            return code
    raise FieldError("channel", "请选择提出方式：" + "、".join(CHANNELS.values()))


def _title(value: object) -> str:
    from xmen_desktop.domain.validation import FieldError, clean_text

    text = clean_text(value)
    if not text:
        raise FieldError("title", "不能为空，请用一句话写明议题，例如“非机动车集中停放”")
    if len(text) > 80:
        raise FieldError("title", "太长了（最多 80 个字），详细内容请写在说明里")
    return text


def _long_text(value: object) -> str:
    from xmen_desktop.domain.validation import FieldError

    text = str(value or "").strip()
    if len(text) > 4000:
        raise FieldError("description", "太长了（最多 4000 个字）")
    return text


def clean_topic(values: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    from xmen_desktop.domain.validation import clean_text, collect_fields, date_value

    rules: dict[str, Callable[[object], object]] = {
        "title": _title,
        "description": _long_text,
        "category": lambda v: clean_text(v)[:20],
        "channel": _channel,
        "proposer_name": lambda v: clean_text(v)[:40],
        "raised_on": lambda v: date_value(v, "raised_on"),
    }
    return collect_fields(values, rules, partial)
