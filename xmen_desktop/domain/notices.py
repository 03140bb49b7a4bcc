"""Notice kinds and the publicity period (公示期) countdown, as pure rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "notice": "通知",
    "announcement": "公告",
    "consultation": "征询公告",
    "publicity": "结果公示",
    "activity": "活动通知",
    "reminder": "温馨提示",
}
LAYOUTS: dict[str, str] = {"a4": "A4 通知", "a3": "A3 海报", "large": "大字版（A4）"}
ENDING_SOON_DAYS = 3


# What staff also call them.
_KIND_ALIASES = {
    "公示": "publicity",
    "征询": "consultation",
    "提示": "reminder",
    "活动": "activity",
}


def kind_code(text: str) -> str | None:
    key = text.strip()
    for code, label in KINDS.items():
        if key in (code, label):
            return code
    return _KIND_ALIASES.get(key)


@dataclass(frozen=True)
class Publicity:
    state: str  # none | upcoming | running | ending | ended | taken_down
    days_left: int | None
    label: str

    @property
    def needs_attention(self) -> bool:
        return self.state in ("running", "ending", "ended")


def publicity(
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
    taken_down_on: datetime.date | None = None,
) -> Publicity:
    """Where a notice stands in its publicity period, counted in whole days (the end day counts)."""
    if start is None or end is None:
        return Publicity("none", None, "")
    if taken_down_on is not None:
        return Publicity("taken_down", None, f"已于 {taken_down_on:%Y-%m-%d} 撤下")
    if today < start:
        days = (start - today).days
        return Publicity("upcoming", days, f"{days} 天后开始公示")
    if today > end:
        return Publicity("ended", 0, f"公示期已于 {end:%Y-%m-%d} 结束，请撤下")
    days = (end - today).days + 1
    if days <= ENDING_SOON_DAYS:
        return Publicity("ending", days, f"公示还剩 {days} 天（{end:%m月%d日}结束）")
    return Publicity("running", days, f"公示中，还剩 {days} 天")


def clean_notice(values: object, *, partial: bool = False) -> dict[str, object]:
    """kind, title, body, issuer, salutation, issued_on, publicity_from/to, qr_text, layout."""
    from collections.abc import Callable, Mapping

    from xmen_desktop.domain.validation import (
        FieldError,
        RecordInvalid,
        clean_text,
        collect_fields,
        date_value,
    )

    assert isinstance(values, Mapping)

    def kind(value: object) -> str:
        code = kind_code(clean_text(value))
        if code is None:
            raise FieldError("kind", "请从这些种类中选一个：" + "、".join(KINDS.values()))
        return code

    def title(value: object) -> str:
        text = clean_text(value)
        if not text:
            raise FieldError("title", "标题不能为空")
        if len(text) > 60:
            raise FieldError("title", "标题太长（最多 60 个字），可把细节写进正文")
        return text

    def body(value: object) -> str:
        text = str(value or "").strip()
        if not text:
            raise FieldError("body", "正文不能为空", label="正文")
        if len(text) > 6000:
            raise FieldError("body", "正文太长（最多 6000 个字）", label="正文")
        return text

    def short(limit: int, field: str) -> Callable[[object], str]:
        def rule(value: object) -> str:
            text = clean_text(value)
            if len(text) > limit:
                raise FieldError(field, f"太长了（最多 {limit} 个字）")
            return text

        return rule

    def layout(value: object) -> str:
        text = clean_text(value) or "a4"
        if text not in LAYOUTS:
            raise FieldError("layout", "版式应为 a4、a3 或 large")
        return text

    rules: dict[str, Callable[[object], object]] = {
        "kind": kind,
        "title": title,
        "body": body,
        "issuer": short(40, "issuer"),
        "salutation": short(20, "salutation"),
        "issued_on": lambda v: date_value(v, "issued_on"),
        "publicity_from": lambda v: date_value(v, "publicity_from"),
        "publicity_to": lambda v: date_value(v, "publicity_to"),
        "qr_text": short(150, "qr_text"),
        "qr_caption": short(30, "qr_caption"),
        "image_caption": short(40, "image_caption"),
        "layout": layout,
    }
    cleaned = collect_fields(values, rules, partial)
    start, end = cleaned.get("publicity_from"), cleaned.get("publicity_to")
    if (start is None) != (end is None) and not partial:
        raise RecordInvalid([FieldError("publicity_to", "公示期要同时填开始和结束日期")])
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        raise RecordInvalid([FieldError("publicity_to", "公示期的结束日期不能早于开始日期")])
    return cleaned
