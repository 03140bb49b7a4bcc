"""Money in fen (分): integers, so budgets and spending never drift by a fraction of a cent."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from xmen_desktop.domain.validation import FieldError, to_halfwidth

MAX_FEN = 100_000_000_00  # one hundred million yuan: beyond any estate project

_CURRENCY = re.compile(r"^(¥|￥|RMB|人民币)|元$", re.IGNORECASE)


def parse_fen(value: object, field: str = "amount", *, allow_zero: bool = False) -> int:
    """ "12.5", "¥1,234.50", "1234元" or an int of yuan → fen. Text, negatives and more than two
    decimals are refused with a message saying what to type."""
    if isinstance(value, bool) or value is None:
        raise FieldError(field, "请填写金额（元），例如 1234.50")
    if isinstance(value, float):
        text = repr(round(value, 6))
    else:
        text = to_halfwidth(str(value)).strip().replace(",", "").replace(" ", "")
        text = _CURRENCY.sub("", text)
    if not text:
        raise FieldError(field, "请填写金额（元），例如 1234.50")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError(field, f"“{value}”不是金额：请只填数字（元），例如 1234.50") from None
    if not amount.is_finite():
        raise FieldError(field, "请只填数字（元），例如 1234.50")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise FieldError(field, "金额最多两位小数（到分），例如 12.35")
    if fen < 0 or (fen == 0 and not allow_zero):
        raise FieldError(field, "金额必须大于 0")
    if fen > MAX_FEN:
        raise FieldError(field, "金额太大，请核对")
    return int(fen)


def yuan(fen: int) -> str:
    """1234550 → "12,345.50"."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{part:02d}"
