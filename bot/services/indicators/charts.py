"""Charts of the indicator report as PNG images, one per chart the indicators ask for.

matplotlib is imported only when a chart is drawn: most processes never draw one, and it
costs tens of megabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from textwrap import shorten
from typing import TYPE_CHECKING

from bot.i18n import Translator
from bot.services.indicators import Report
from bot.services.indicators.common import Chart, Indicator, Kind
from bot.services.indicators.render import slug
from bot.services.spreadsheet import MISSING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = ("#1F4E79", "#C55A11", "#548235", "#7F6000", "#7030A0", "#2E75B6")
MAX_BARS = 30


@dataclass(frozen=True, slots=True)
class ChartImage:
    filename: str
    caption: str
    png: bytes


def chart_images(report: Report, t: Translator) -> list[ChartImage]:
    images = []
    for indicator in report.indicators:
        for number, chart in enumerate(indicator.charts, start=1):
            png = draw(indicator, chart, f"{report.period.label(t)} · {report.scope}", t)
            if png is not None:
                name = f"{indicator.number}-{number}-{slug(chart.title)}.png"
                images.append(ChartImage(name, f"{indicator.number}. {chart.title}", png))
    return images


def draw(indicator: Indicator, chart: Chart, subtitle: str, t: Translator) -> bytes | None:
    """A grouped bar chart as PNG; None when the table has nothing to draw (all zeros or "—")."""
    figure = chart_figure(indicator, chart, subtitle, t)
    if figure is None:
        return None
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_figure(indicator: Indicator, chart: Chart, subtitle: str, t: Translator) -> Figure | None:
    """The chart's figure: counts on whole-number ticks (no «2.5 personas»), written like the
    summary's figures («1,200», «40%»), the legend outside the plot, under it, so it never
    covers a bar."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    table = indicator.tables[chart.table]
    rows = list(table.rows[:-1] if table.total_row else table.rows)[:MAX_BARS]
    series = [
        (table.columns[index].label, [_number(row[index]) for row in rows])
        for index in chart.values
    ]
    if not rows or not any(value for _label, values in series for value in values):
        return None
    share = all(table.columns[index].kind is Kind.SHARE for index in chart.values)
    counts = all(table.columns[index].kind is Kind.COUNT for index in chart.values)
    labels = [shorten(str(row[0]), 28, placeholder="…") for row in rows]
    horizontal = chart.horizontal or len(rows) > 8
    height = max(4.5, 0.35 * len(rows) * max(1, len(series) / 2) + 1.5) if horizontal else 5.0
    figure = Figure(figsize=(9, height), dpi=110, layout="constrained")
    axes = figure.subplots()
    width = 0.8 / len(series)
    for number, (label, values) in enumerate(series):
        positions = [i - 0.4 + width * (number + 0.5) for i in range(len(rows))]
        colour = COLOURS[number % len(COLOURS)]
        if horizontal:
            axes.barh(positions, values, height=width, label=label, color=colour)
        else:
            axes.bar(positions, values, width=width, label=label, color=colour)
        for position, row in zip(positions, rows, strict=True):
            if row[chart.values[number]] is None:  # hidden, not zero: say so on the chart
                x, y = (0, position) if horizontal else (position, 0)
                axes.annotate(
                    MISSING,
                    (x, y),
                    ha="left" if horizontal else "center",
                    va="center" if horizontal else "bottom",
                    color="#555555",
                )
    value_axis = axes.xaxis if horizontal else axes.yaxis
    if share:
        value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: t.share(v, 0)))
    elif counts:
        value_axis.set_major_locator(MaxNLocator(integer=True))
        value_axis.set_major_formatter(FuncFormatter(lambda v, _pos: t.number(v)))
    if horizontal:
        axes.set_yticks(range(len(rows)), labels)
        axes.invert_yaxis()
    else:
        axes.set_xticks(
            range(len(rows)),
            labels,
            rotation=30 if len(rows) > 4 else 0,
            ha="right" if len(rows) > 4 else "center",
        )
    axes.grid(axis="x" if horizontal else "y", alpha=0.3)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.suptitle(chart.title, fontsize=13, fontweight="bold")
    axes.set_title(subtitle, fontsize=9, color="#555555")
    if len(series) > 1:
        figure.legend(
            loc="outside lower center", ncols=min(len(series), 4), fontsize=9, frameon=False
        )
    return figure


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
