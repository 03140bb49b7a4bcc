"""Field rules for the roster, with messages in plain Chinese that say what to do next."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_NAME_LENGTH = 40
MAX_AREA_CENTI = 1000_00  # 1,000 m²: no flat in an old public-housing estate is larger
MAX_HOUSEHOLD_SIZE = 30

FIELD_LABELS: dict[str, str] = {
    "tenant": "承租人",
    "address": "地址",
    "phone": "电话",
    "size": "人数",
    "area": "面积",
    "notes": "备注",
    "name": "姓名",
    "estate": "小区",
    "role": "职务",
    "term_start": "任期开始",
    "term_end": "任期结束",
    "body": "机构",
    "relation": "与承租人关系",
    "gender": "性别",
    "birth_year": "出生年份",
    "title": "标题",
    "description": "说明",
    "channel": "提出方式",
    "raised_on": "提出日期",
    "question": "表决事项",
    "options": "选项",
    "method": "征询方式",
    "kind": "种类",
    "issuer": "发布单位",
    "salutation": "称呼",
    "issued_on": "发布日期",
    "publicity_from": "公示开始",
    "publicity_to": "公示结束",
    "qr_text": "二维码内容",
    "layout": "版式",
    "amount": "金额",
    "budget": "预算",
    "item": "预算项目",
    "spent_on": "支出日期",
    "due_on": "计划完成日期",
    "progress": "进度",
    "text": "内容",
    "note": "说明",
    "form": "会议类型",
    "held_on": "开会日期",
    "starts_at": "开始时间",
    "quorum_rule": "法定人数规则",
    "attendance": "到会情况",
    "proxy_name": "受托人",
    "started_on": "开始日期",
}


@dataclass
class FieldError(ValueError):
    """A value refused for one field; ``message`` is shown to the user as is."""

    field: str
    message: str
    # For a field whose code means something else elsewhere (a notice's "body" is its text).
    label: str = ""

    def __str__(self) -> str:
        return f"{self.label or FIELD_LABELS.get(self.field, self.field)}：{self.message}"


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and signs (as typed with a Chinese IME) to ASCII."""
    return unicodedata.normalize("NFKC", text)


def clean_text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def required_name(value: object, field: str = "tenant") -> str:
    name = clean_text(value)
    if not name:
        raise FieldError(field, "不能为空，请填写姓名")
    if len(name) > MAX_NAME_LENGTH:
        raise FieldError(field, f"太长了（最多 {MAX_NAME_LENGTH} 个字）")
    return name


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(?:021)?(\d{8})(?:(?:转|ext\.?|x|-)(\d{1,6}))?")


def phone(value: object) -> str | None:
    """A mainland mobile (11 digits, 1[3-9]…) or a Shanghai landline (8 digits, optional 021
    and extension). Returns the normalised form ("13812345678", "021-63281234", "021-63281234转12")
    or None when empty."""
    text = to_halfwidth(clean_text(value)).lower()
    if not text:
        return None
    compact = re.sub(r"[\s()（）]", "", text)
    compact = re.sub(r"^(\+?86)-?(?=1)", "", compact)
    digits_only = compact.replace("-", "")
    if _MOBILE.fullmatch(digits_only):
        return digits_only
    # Landline: drop the separator inside the area code and the number, keep an extension.
    landline = re.sub(r"^021-?", "021", compact)
    landline = re.sub(r"^(021)?(\d{4})-(\d{4})", r"\1\2\3", landline)
    match = _LANDLINE.fullmatch(landline)
    if match:
        number, extension = match.groups()
        return f"021-{number}" + (f"转{extension}" if extension else "")
    if digits_only.isdigit() and digits_only.startswith("1"):
        raise FieldError("phone", "手机号应为 11 位数字，以 13–19 开头，请核对")
    raise FieldError(
        "phone", "不是有效的电话号码：请填 11 位手机号，或 8 位上海固定电话（可带 021 和分机）"
    )


_AREA_UNITS = re.compile(r"(平方米|平米|平|㎡|m²|m2|sqm)$", re.IGNORECASE)


def area_centi(value: object) -> int | None:
    """Floor area in hundredths of m² (an integer, so sums never drift); None when empty."""
    if isinstance(value, bool):
        raise FieldError("area", "必须是数字，例如 45.5")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # Spreadsheet cells arrive as floats: 45.5 is meant, not 45.499999.
        text = repr(round(value, 6))
    else:
        text = _AREA_UNITS.sub("", to_halfwidth(clean_text(value)).replace(" ", ""))
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError("area", "必须是数字（平方米），例如 45.5") from None
    if not amount.is_finite():
        raise FieldError("area", "必须是数字（平方米），例如 45.5")
    if amount <= 0:
        raise FieldError("area", "必须大于 0")
    centi = amount * 100
    if centi != centi.to_integral_value():
        raise FieldError("area", "最多保留两位小数，例如 45.25")
    if centi > MAX_AREA_CENTI:
        raise FieldError("area", "超过 1000 平方米，请核对")
    return int(centi)


def area_text(centi: int | None) -> str:
    """45.50 m² shown as "45.5", 45 as "45"."""
    if centi is None:
        return ""
    whole, part = divmod(centi, 100)
    if part == 0:
        return str(whole)
    return f"{whole}.{part:02d}".rstrip("0")


def area_number(centi: int | None) -> float | int | None:
    """For JSON: m² as a number with at most two decimals."""
    if centi is None:
        return None
    return centi // 100 if centi % 100 == 0 else round(centi / 100, 2)


def household_size(value: object) -> int | None:
    if isinstance(value, bool):
        raise FieldError("size", "必须是整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise FieldError("size", "必须是整数，例如 3")
        value = int(value)
    text = to_halfwidth(clean_text(value)).replace(" ", "").removesuffix("人").removesuffix("口")
    if not text:
        return None
    if not text.isdigit():
        raise FieldError("size", "必须是整数，例如 3")
    size = int(text)
    if not 1 <= size <= MAX_HOUSEHOLD_SIZE:
        raise FieldError("size", f"应在 1 到 {MAX_HOUSEHOLD_SIZE} 之间")
    return size


def notes(value: object) -> str:
    text = str(value or "").strip()
    if len(text) > 500:
        raise FieldError("notes", "太长了（最多 500 个字）")
    return text


def collect_fields(
    values: Mapping[str, object], rules: Mapping[str, Callable[[object], object]], partial: bool
) -> dict[str, object]:
    """Apply each field's rule; gather every refusal so the user sees them all at once."""
    cleaned: dict[str, object] = {}
    errors: list[FieldError] = []
    for name, rule in rules.items():
        if partial and name not in values:
            continue
        try:
            cleaned[name] = rule(values.get(name))
        except FieldError as error:
            errors.append(error)
    if errors:
        raise RecordInvalid(errors)
    return cleaned


class RecordInvalid(ValueError):
    """Several fields refused at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("；".join(str(e) for e in errors))
        self.errors = errors


def clean_household(values: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    """tenant, address, phone, size, area (→ area_centi), notes; ``partial`` for edits."""
    from xmen_desktop.domain import address  # address imports this module

    rules: dict[str, Callable[[object], object]] = {
        "tenant": required_name,
        "address": address.required,
        "phone": phone,
        "size": household_size,
        "area": area_centi,
        "notes": notes,
    }
    cleaned = collect_fields(values, rules, partial)
    if "area" in cleaned:
        cleaned["area_centi"] = cleaned.pop("area")
    return cleaned


GENDERS = ("男", "女")


def gender(value: object) -> str:
    text = clean_text(value)
    if text and text not in GENDERS:
        raise FieldError("gender", "请填“男”或“女”，不清楚可留空")
    return text


def birth_year(value: object) -> int | None:
    text = to_halfwidth(clean_text(value)).removesuffix("年")
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= datetime.date.today().year:
        raise FieldError("birth_year", f"请填 1900 到 {datetime.date.today().year} 之间的年份")
    return int(text)


def short_text(value: object) -> str:
    text = clean_text(value)
    if len(text) > MAX_NAME_LENGTH:
        raise FieldError("role", f"太长了（最多 {MAX_NAME_LENGTH} 个字）")
    return text


def clean_resident(values: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    rules: dict[str, Callable[[object], object]] = {
        "name": lambda v: required_name(v, "name"),
        "relation": short_text,
        "gender": gender,
        "birth_year": birth_year,
        "phone": phone,
        "notes": notes,
    }
    return collect_fields(values, rules, partial)


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def date_value(value: object, field: str) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = to_halfwidth(clean_text(value)).replace(" ", "")
    if not text:
        return None
    # 2026-07-01, 2026/7/1, 2026.7.1 and 2026年7月1日 are all how offices write dates.
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise FieldError(field, "日期格式应为 年-月-日，例如 2026-07-01") from None


def clean_member(values: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    from xmen_desktop.domain.estates import BODY_KINDS

    def body(value: object) -> str:
        code = clean_text(value)
        for kind, label in BODY_KINDS.items():
            if code in (kind, label):
                return kind
        raise FieldError("body", "请选择机构：" + "、".join(BODY_KINDS.values()))

    rules: dict[str, Callable[[object], object]] = {
        "body": body,
        "name": lambda v: required_name(v, "name"),
        "role": short_text,
        "term_start": lambda v: date_value(v, "term_start"),
        "term_end": lambda v: date_value(v, "term_end"),
        "notes": notes,
    }
    cleaned = collect_fields(values, rules, partial)
    start, end = cleaned.get("term_start"), cleaned.get("term_end")
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        raise RecordInvalid([FieldError("term_end", "任期结束不能早于任期开始")])
    return cleaned
