"""Shanghai lane addresses: 复兴东路 12 弄 3 号 201 室.

Rosters split them over columns (路名, 弄, 号, 室) or write them in one cell with or without
spaces and with full-width digits; we keep one canonical spelling so that the same flat is
recognised however it was typed, and a doorway (门牌: same road, lane and number) can be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xmen_desktop.domain.validation import FieldError, to_halfwidth

MAX_ADDRESS_LENGTH = 80

_NUMBER_RUN = re.compile(r"\s*(\d+(?:[-－]\d+)?)\s*")
_PARTS = re.compile(
    r"^(?P<road>.*?)\s*"
    r"(?:(?P<lane>\d+(?:-\d+)?)\s*弄)?\s*(?:(?P<branch>\d+)\s*支弄)?\s*"
    r"(?:(?P<number>\d+(?:-\d+)?)\s*号)?\s*"
    r"(?:(?P<room>\d+(?:-\d+)?)\s*室?)?\s*$"
)


def canonical(text: object) -> str:
    """One spelling for one flat: half-width digits, one space around each number."""
    if text is None:
        return ""
    flat = to_halfwidth(str(text)).replace("－", "-")
    flat = "".join(flat.split())
    spaced = _NUMBER_RUN.sub(lambda m: f" {m.group(1)} ", flat)
    return " ".join(spaced.split())


def key(text: str) -> str:
    """Comparison key: the canonical form without spaces."""
    return canonical(text).replace(" ", "")


def required(text: object) -> str:
    address = canonical(text)
    if not address:
        raise FieldError("address", "不能为空，请填写门牌地址，例如 复兴东路 12 弄 3 号 201 室")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise FieldError("address", f"太长了（最多 {MAX_ADDRESS_LENGTH} 个字）")
    return address


def _with_unit(value: object, unit: str) -> str:
    text = canonical(value)
    if not text:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text if text.endswith(unit) else f"{text}{unit}"


def join(road: object = "", lane: object = "", number: object = "", room: object = "") -> str:
    """Join split roster columns (路名, 弄, 号, 室) into one address."""
    return canonical(
        canonical(road) + _with_unit(lane, "弄") + _with_unit(number, "号") + _with_unit(room, "室")
    )


@dataclass(frozen=True)
class Address:
    road: str
    lane: str
    number: str
    room: str

    @property
    def doorway(self) -> str:
        """门牌: the entrance shared by the flats of one lane and number."""
        parts = [self.road]
        if self.lane:
            parts.append(f"{self.lane}弄")
        if self.number:
            parts.append(f"{self.number}号")
        return canonical("".join(parts))


def parse(text: str) -> Address:
    """Split an address into road, lane, number and room; unknown parts stay empty."""
    flat = key(text)
    match = _PARTS.match(flat)
    if not match:  # pragma: no cover - the pattern accepts any string
        return Address(flat, "", "", "")
    road = match.group("road") or ""
    lane = match.group("lane") or ""
    if match.group("branch"):
        lane = f"{lane}弄{match.group('branch')}支" if lane else match.group("branch")
    return Address(road, lane, match.group("number") or "", match.group("room") or "")


def sort_key(text: str) -> tuple[object, ...]:
    """Natural order: 2 号 before 10 号, 201 室 before 1002 室."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", key(text))
        if part
    )
