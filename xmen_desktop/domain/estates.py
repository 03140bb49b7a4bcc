"""The six estates of the subdistrict and the four bodies of a self-governing home."""

from __future__ import annotations

from dataclasses import dataclass

from xmen_desktop.domain.ids import natural_id

SUBDISTRICT_NAME = "老西门街道"


@dataclass(frozen=True)
class EstateInfo:
    code: str
    name: str
    position: int

    @property
    def id(self) -> str:
        return natural_id("estate", self.code)

    @property
    def home_name(self) -> str:
        return f"{self.name}自治家园"


ESTATES: tuple[EstateInfo, ...] = (
    EstateInfo("xiaoximen", "小西门", 1),
    EstateInfo("longmencun", "龙门村", 2),
    EstateInfo("puyuli", "普育里", 3),
    EstateInfo("jingdeli", "景德里", 4),
    EstateInfo("anlan", "安澜", 5),
    EstateInfo("luxing", "陆兴", 6),
)

# body kind code -> Chinese name, in the order the seed lists them.
BODY_KINDS: dict[str, str] = {
    "assembly": "议事大会",
    "executive": "执行委员会",
    "liaison": "党建联络员",
    "mediation": "纠纷调处委员会",
}

# Usual roles within a body, offered in the UI; free text is allowed too.
BODY_ROLES: tuple[str, ...] = ("主任", "副主任", "委员", "成员", "联络员", "调解员", "秘书")


def estate_by_name_or_code(text: str) -> EstateInfo | None:
    key = text.strip()
    for estate in ESTATES:
        if key in (estate.name, estate.code, estate.id, estate.home_name):
            return estate
    return None
