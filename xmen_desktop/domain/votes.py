"""Vote rules (表决规则) as pure functions, with every threshold explained in plain Chinese.

All comparisons are exact integer arithmetic on fractions: "more than half" is 2·p > n,
"at least two thirds" is 3·p ≥ 2·n, so exactly-on-the-line cases go the right way.
Abstentions, blank and spoilt ballots count as taking part, never as agreement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

DEFAULT_OPTIONS: tuple[str, ...] = ("同意", "不同意", "弃权")
# Options that can never carry a vote, whatever their count.
ABSTAIN_LABELS = frozenset({"弃权"})

BASES: dict[str, str] = {"headcount": "户数", "area": "面积", "both": "户数和面积"}


@dataclass(frozen=True)
class Threshold:
    share: Fraction
    strict: bool  # True: more than the share; False: at least the share

    def met(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        left, right = part * self.share.denominator, self.share.numerator * whole
        return left > right if self.strict else left >= right

    def words(self) -> str:
        return f"{'超过' if self.strict else '不少于'}{share_words(self.share)}"


def share_words(share: Fraction) -> str:
    named = {Fraction(1, 2): "半数", Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三"}
    if share in named:
        return named[share]
    if share.denominator in (3, 4) and share.numerator < share.denominator:
        return f"{_CN_DIGITS[share.denominator]}分之{_CN_DIGITS[share.numerator]}"
    return f"{float(share) * 100:g}%"


_CN_DIGITS = dict(enumerate("零一二三四五六七八九十"))


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    participation: Threshold
    passing: Threshold
    basis: str  # headcount | area | both
    source: str

    @property
    def needs_area(self) -> bool:
        return self.basis in ("area", "both")

    def explain(self) -> list[str]:
        """One line per threshold, for the vote screen and the result notice."""
        basis = BASES[self.basis]
        return [
            f"参与：按{basis}，参加表决的须{self.participation.words()}应参加表决的{basis}",
            f"通过：按{basis}，同意的须{self.passing.words()}参加表决的{basis}",
            "弃权票、空白票、废票计入参加表决，但不计入同意",
        ]


RULES: dict[str, Rule] = {
    "residents": Rule(
        "residents",
        "居民会议规则",
        Threshold(Fraction(1, 2), strict=True),
        Threshold(Fraction(1, 2), strict=True),
        "headcount",
        "《城市居民委员会组织法》：过半数参加，参加者过半数同意",
    ),
    "art278": Rule(
        "art278",
        "民法典第二百七十八条（一般事项）",
        Threshold(Fraction(2, 3), strict=False),
        Threshold(Fraction(1, 2), strict=True),
        "both",
        "《民法典》第二百七十八条：户数和面积均三分之二以上参与，参与者户数和面积均过半数同意",
    ),
    "art278-major": Rule(
        "art278-major",
        "民法典第二百七十八条（重大事项）",
        Threshold(Fraction(2, 3), strict=False),
        Threshold(Fraction(3, 4), strict=False),
        "both",
        "《民法典》第二百七十八条：维修资金、改建重建、改变共有部分用途等，"
        "参与者户数和面积均四分之三以上同意",
    ),
}


class RuleError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_share(text: str | float | Fraction) -> Fraction:
    """ "2/3", "0.5", "75%", 0.5 → a fraction in (0, 1]."""
    try:
        if isinstance(text, Fraction):
            share = text
        elif isinstance(text, float):
            share = Fraction(str(text))
        else:
            raw = str(text).strip().replace("％", "%")
            share = Fraction(raw[:-1]) / 100 if raw.endswith("%") else Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise RuleError(f"比例“{text}”看不懂：请写成 2/3、0.5 或 75%") from None
    if not 0 < share <= 1:
        raise RuleError(f"比例“{text}”应大于 0、不超过 1")
    return share


def custom_rule(participation: Fraction, passing: Fraction, basis: str) -> Rule:
    if basis not in BASES:
        raise RuleError("计算依据应为 headcount（户数）、area（面积）或 both（两者）")
    return Rule(
        "custom",
        "自定义规则",
        Threshold(participation, strict=False),
        Threshold(passing, strict=False),
        basis,
        "由执委会设定的参与比例和通过比例",
    )


def rule_for(
    code: str,
    participation: str | Fraction | None = None,
    passing: str | Fraction | None = None,
    basis: str | None = None,
) -> Rule:
    if code == "custom":
        if participation is None or passing is None:
            raise RuleError("自定义规则需要给出参与比例和通过比例")
        return custom_rule(parse_share(participation), parse_share(passing), basis or "headcount")
    if code not in RULES:
        raise RuleError(f"没有“{code}”这个规则。可选：residents art278 art278-major custom")
    return RULES[code]


# ---------------------------------------------------------------------------- tally


@dataclass(frozen=True)
class Voter:
    household_id: str
    area_centi: int | None


@dataclass(frozen=True)
class Ballot:
    """A returned ballot: ``choice`` is an option label, or None with blank/spoilt set."""

    household_id: str
    choice: str | None = None
    blank: bool = False
    spoilt: bool = False
    in_review: bool = False


@dataclass(frozen=True)
class Amount:
    households: int = 0
    area_centi: int = 0

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.households + other.households, self.area_centi + other.area_centi)


@dataclass(frozen=True)
class ThresholdCheck:
    label: str
    basis: str  # headcount | area
    part: int
    whole: int
    needed: int  # smallest part that meets the threshold
    met: bool


@dataclass(frozen=True)
class Result:
    rule: Rule
    options: tuple[str, ...]
    electorate: Amount
    participated: Amount
    counts: Mapping[str, Amount]
    blank: Amount
    spoilt: Amount
    not_returned: Amount
    in_review: Amount
    participation_checks: list[ThresholdCheck] = field(default_factory=list)
    passing_checks: list[ThresholdCheck] = field(default_factory=list)
    winner: str | None = None

    @property
    def participation_met(self) -> bool:
        return all(c.met for c in self.participation_checks)

    @property
    def passed(self) -> bool:
        return self.participation_met and self.winner is not None


def smallest_meeting(threshold: Threshold, whole: int) -> int:
    """The smallest count that meets the threshold out of ``whole`` (for "还差 N 户")."""
    if whole <= 0:
        return 0
    exact, remainder = divmod(threshold.share.numerator * whole, threshold.share.denominator)
    if threshold.strict:
        return exact + 1
    return exact + (1 if remainder else 0)


def threshold_checks(
    label: str, threshold: Threshold, part: Amount, whole: Amount, basis: str
) -> list[ThresholdCheck]:
    wanted = ("headcount", "area") if basis == "both" else (basis,)
    checks = []
    for kind in wanted:
        p, w = (
            (part.households, whole.households)
            if kind == "headcount"
            else (part.area_centi, whole.area_centi)
        )
        checks.append(
            ThresholdCheck(label, kind, p, w, smallest_meeting(threshold, w), threshold.met(p, w))
        )
    return checks


def tally(
    rule: Rule,
    options: Sequence[str],
    electorate: Sequence[Voter],
    ballots: Sequence[Ballot],
    *,
    custom_options: bool | None = None,
) -> Result:
    """Count returned ballots against the electorate under ``rule``.

    Ballots in review (a conflict between two PCs) are set aside: they count neither as
    returned nor as not returned until a person resolves them.
    """
    options = tuple(options)
    custom = custom_options if custom_options is not None else options != DEFAULT_OPTIONS
    area_of = {v.household_id: v.area_centi or 0 for v in electorate}
    electorate_total = Amount(len(area_of), sum(area_of.values()))
    counts = {o: Amount() for o in options}
    blank = spoilt = in_review = participated = Amount()
    seen: set[str] = set()
    for ballot in ballots:
        if ballot.household_id not in area_of or ballot.household_id in seen:
            continue
        seen.add(ballot.household_id)
        one = Amount(1, area_of[ballot.household_id])
        if ballot.in_review:
            in_review += one
            continue
        participated += one
        if ballot.spoilt:
            spoilt += one
        elif ballot.blank or ballot.choice is None:
            blank += one
        elif ballot.choice in counts:
            counts[ballot.choice] += one
        else:
            spoilt += one  # a choice that is not on the ballot cannot be counted
    not_returned = Amount(
        electorate_total.households - participated.households - in_review.households,
        electorate_total.area_centi - participated.area_centi - in_review.area_centi,
    )
    participation = threshold_checks(
        "参与", rule.participation, participated, electorate_total, rule.basis
    )
    # Yes/no ballots: only the first option (同意) can carry. Custom choices: any option but
    # an abstention can carry, and the result names it.
    candidates = [o for o in options if o not in ABSTAIN_LABELS] if custom else options[:1]
    passing: list[ThresholdCheck] = []
    carried = []
    for option in candidates:
        checks = threshold_checks(
            f"“{option}”", rule.passing, counts[option], participated, rule.basis
        )
        if option == candidates[0] or all(c.met for c in checks):
            passing.extend(checks)
        if all(c.met for c in checks):
            carried.append(option)
    winner = carried[0] if len(carried) == 1 else None
    return Result(
        rule,
        options,
        electorate_total,
        participated,
        counts,
        blank,
        spoilt,
        not_returned,
        in_review,
        participation,
        passing,
        winner,
    )
