"""表决结果公示: the result notice of a closed vote, for the lane noticeboard.

In the order such notices are posted in Shanghai neighbourhoods: title, what was voted on, the
rule applied, the count, whether each threshold was reached, the outcome, the publicity period
(公示期), 特此公示, then the counting staff's signatures and the issuing body with its seal.

At the noticeboard size (body 16 pt) a notice with area figures runs to two sheets; the break
then falls before 四、 so the thresholds, the outcome, the signatures and the seal stay on one
sheet, and a continuation sheet names the vote at its head.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from xmen_desktop.domain.votes import DEFAULT_OPTIONS
from xmen_desktop.printing import theme
from xmen_desktop.printing.documents import ResultNotice
from xmen_desktop.printing.fonts import cjk_font
from xmen_desktop.printing.text import wrap
from xmen_desktop.printing.theme import BODY, BoldText, TextBlock, area_text, cn_date

MARGIN = 15 * mm
MARGIN_Y = 13 * mm
OUTCOME = 40.0
LEAD = "表决结果："
CELL_PADDING = 6.0

BASIS_WORDS = {"headcount": "户数", "area": "面积"}


def _households(count: int) -> str:
    return f"{count} 户"


def _amount(basis: str, value: int) -> str:
    return f"{area_text(value)} ㎡" if basis == "area" else _households(value)


def _check_label(label: str) -> str:
    # The domain labels the participation check 参与 and each option's check “选项”.
    return "参加表决" if label == "参与" else f"{label}票"


def _is_custom(notice: ResultNotice) -> bool:
    return tuple(option for option, *_ in notice.counts) != DEFAULT_OPTIONS


def outcome_words(notice: ResultNotice) -> tuple[str, str]:
    """The outcome (通过 / 未通过) and one plain sentence saying why."""
    if notice.passed:
        if notice.winner is not None and _is_custom(notice):
            return "通过", "参加表决的和选择该项的均达到规定要求"
        return "通过", "参加表决的和同意的均达到规定要求"
    unmet: dict[str, list[str]] = {}  # label → the bases it fell short on, in order
    for label, basis, _part, _whole, _needed, met in notice.checks:
        if not met and (notice.participation_met or label == "参与"):
            unmet.setdefault(label, []).append(BASIS_WORDS[basis])
    if unmet:
        what = "；".join(f"{_check_label(label)}的{'和'.join(b)}" for label, b in unmet.items())
        return "未通过", f"{what}未达到规定要求"
    return "未通过", "有多个选项同时达到要求，未能选定一项"


class _Outcome(Flowable):
    """The outcome in large bold type in a frame: 表决结果：通过, and why beneath it."""

    def __init__(self, headline: str, reason: str, winner: str | None) -> None:
        super().__init__()
        self.headline = headline
        self.reason = reason
        self.winner = winner
        self.spaceBefore = 14
        self.spaceAfter = 10

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.reason_lines = wrap(self.reason, cjk_font(), theme.BODY, availWidth - 2 * theme.BODY)
        winner = theme.HEADING * 1.5 if self.winner else 0
        self.height = OUTCOME * 1.45 + winner + theme.BODY * 1.5 * len(self.reason_lines) + 8
        return self.width, self.height

    def draw(self) -> None:
        canvas, font = self.canv, cjk_font()
        canvas.setStrokeColor(theme.INK)
        canvas.setLineWidth(1.6)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        baseline = self.height - OUTCOME * 1.15
        lead = stringWidth(LEAD, font, theme.HEADING)
        x = (self.width - lead - stringWidth(self.headline, font, OUTCOME)) / 2
        x += theme.draw_text(canvas, x, baseline, LEAD, theme.HEADING, bold=True)
        theme.draw_text(canvas, x, baseline, self.headline, OUTCOME, bold=True)
        baseline -= OUTCOME * 0.3
        if self.winner:
            baseline -= theme.HEADING * 1.5
            theme.draw_text(
                canvas,
                self.width / 2,
                baseline,
                f"选定：“{self.winner}”",
                theme.HEADING,
                align="center",
                bold=True,
            )
        for line in self.reason_lines:
            baseline -= theme.BODY * 1.5
            theme.draw_text(canvas, self.width / 2, baseline, line, theme.BODY, align="center")


Cell = str | tuple[str, float]  # text, or (text, indent in points) for the label column


def _grid(
    rows: list[list[Cell]],
    width: float,
    *,
    centred: tuple[int, ...] = (),
    min_figure: float = 0.0,
) -> Table:
    """A ruled table: a shaded header row, labels on the left, figures on the right.

    Figure columns are as wide as their widest entry; the label column takes the rest and
    wraps a long label (a custom option). A figure too wide even so is set a little smaller
    rather than running into the next cell.
    """
    font = cjk_font()
    pad = 2 * CELL_PADDING
    columns = len(rows[0])
    figures = [
        max(min_figure, max(stringWidth(_text(row[c]), font, BODY) for row in rows) + pad + 4)
        for c in range(1, columns)
    ]
    label_width = max(width * 0.2, width - sum(figures))
    if label_width + sum(figures) > width:  # squeeze the figures in proportion
        scale = (width - label_width) / sum(figures)
        figures = [f * scale for f in figures]
    widths = [label_width, *figures]
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), BODY),
        ("LEADING", (0, 0), (-1, -1), BODY * 1.2),
        ("TEXTCOLOR", (0, 0), (-1, -1), theme.INK),
        ("GRID", (0, 0), (-1, -1), 0.6, theme.LINE),
        ("BACKGROUND", (0, 0), (-1, 0), theme.SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    commands += [("ALIGN", (c, 1), (c, -1), "CENTER") for c in centred]
    data: list[list[str]] = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            text = _text(cell)
            room = widths[c] - pad
            if c == 0 and r:
                indent = cell[1] if isinstance(cell, tuple) else 0.0
                # Plain strings keep their leading spaces: the indent is drawn as spaces.
                spaces = "　" * round(indent / BODY)
                lines = wrap(text, font, BODY, room - indent)
                cells.append("\n".join(spaces + line for line in lines))
                continue
            natural = stringWidth(text, font, BODY)
            if natural > room:
                commands.append(("FONTSIZE", (c, r), (c, r), max(10.0, BODY * room / natural)))
            cells.append(text)
        data.append(cells)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _text(cell: Cell) -> str:
    return cell[0] if isinstance(cell, tuple) else cell


def _counts_table(notice: ResultNotice, width: float) -> Table:
    with_area = notice.electorate_area_centi > 0
    rows: list[list[Cell]] = [["项目", "户数", "建筑面积（㎡）"] if with_area else ["项目", "户数"]]

    def row(label: Cell, households: int, area: int | None) -> None:
        cells: list[Cell] = [label, _households(households)]
        if with_area:
            cells.append(area_text(area) if area is not None else "—")
        rows.append(cells)

    row("应参加表决", notice.electorate_households, notice.electorate_area_centi)
    row("实际参加表决", notice.participated_households, notice.participated_area_centi)
    # Options, blank and spoilt make up those who took part: indented under it.
    detail = 4 * BODY  # the width of 其中：, so the options line up after it
    for i, (option, households, area) in enumerate(notice.counts):
        row(
            (f"其中：{option}", BODY) if i == 0 else (option, BODY + detail - BODY),
            households,
            area,
        )
    for label, households in (
        ("空白票", notice.blank_households),
        ("废票", notice.spoilt_households),
    ):
        row((label, detail), households, None)
    row("未交回", notice.not_returned_households, None)
    row("待核实（暂不计入）", notice.in_review_households, None)
    return _grid(rows, width, min_figure=width * (0.2 if with_area else 0.3))


def _checks_table(notice: ResultNotice, width: float) -> Table:
    rows: list[list[Cell]] = [["要求", "依据", "实际", "基数", "须达到", "结果"]]
    for label, basis, part, whole, needed, met in notice.checks:
        rows.append(
            [
                _check_label(label),
                BASIS_WORDS[basis],
                _amount(basis, part),
                _amount(basis, whole),
                _amount(basis, needed),
                "达到" if met else "未达到",
            ]
        )
    return _grid(rows, width, centred=(1, 5), min_figure=width * 0.12)


def _signatures(notice: ResultNotice, width: float) -> Table:
    """计票人、监票人 on the left; the issuing body and date on the right, room for the seal."""
    line = "＿＿＿＿＿＿＿"
    left = [
        TextBlock(f"计票人：{line}"),
        Spacer(1, 26),  # room to sign
        TextBlock(f"监票人：{line}"),
        Spacer(1, 10),
        TextBlock(f"表决截止确认：{notice.closed_by}", theme.SMALL, color=theme.MUTED),
    ]
    right = [
        # A round seal (~42 mm) is stamped over the name and date: keep air above them.
        Spacer(1, 44),
        TextBlock(notice.home_name, align="center"),
        TextBlock(cn_date(notice.issued_on), align="center"),
        TextBlock("（盖章）", theme.SMALL, align="center", color=theme.MUTED),
    ]
    table = Table([[left, right]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _section(title: str) -> Flowable:
    """The heading line of a table section; kept on the page of what follows it."""
    block = TextBlock(title, space_before=8, space_after=2)
    block.keepWithNext = True
    return block


def _story(notice: ResultNotice, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        BoldText("表决结果公示", theme.TITLE),
        TextBlock(notice.vote_title, theme.HEADING, align="center", space_after=4),
        TextBlock("本次表决已经结束。经计票、监票，现将表决结果公示如下：", indent=2 * BODY),
        # Text sections carry their heading inline; table sections get a heading line.
        TextBlock(f"一、表决事项：{notice.question}", space_before=6),
        TextBlock(f"二、表决规则：{notice.rule_name}。依据{notice.rule_source}。", space_before=6),
    ]
    story += [TextBlock(f"· {line}", left=BODY, indent=-0.6 * BODY) for line in notice.rule_lines]
    # A heading never ends a page without its table.
    story.append(KeepTogether([_section("三、计票结果"), _counts_table(notice, width)]))
    headline, reason = outcome_words(notice)
    winner = notice.winner if notice.passed and _is_custom(notice) else None
    publicity = (
        f"公示期：{cn_date(notice.publicity_from)} 至 {cn_date(notice.publicity_to)}。"
        f"公示期内如有异议，请向{notice.home_name}执行委员会提出。"
    )
    # The judgement stays on one sheet: thresholds, outcome, publicity, signatures and seal.
    story.append(
        KeepTogether(
            [
                _section("四、是否达到规定要求"),
                _checks_table(notice, width),
                _Outcome(headline, reason, winner),
                TextBlock(publicity, indent=2 * BODY),
                TextBlock("特此公示。", indent=2 * BODY),
                Spacer(1, 8 * mm),
                _signatures(notice, width),
            ]
        )
    )
    return story


def render_result(notice: ResultNotice, out: Path | BinaryIO) -> None:
    """Write the A4 result notice (表决结果公示) of a closed vote as a PDF to ``out``."""
    with theme.output_stream(out) as stream, theme.binary_streams():
        doc = theme.new_document(
            stream,
            margin=MARGIN,
            margin_y=MARGIN_Y,
            title=f"{notice.vote_title} 表决结果公示",
            author=notice.home_name,
            subject=f"{notice.estate_name} 表决结果公示",
        )
        doc.build(
            _story(notice, doc.width),
            onLaterPages=theme.running_head(f"{notice.vote_title} 表决结果公示（续）"),
            canvasmaker=theme.NumberedCanvas,
        )
