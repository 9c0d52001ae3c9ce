"""Issue #15, rough edges a newcomer hit: an ambiguous region name in the shell is refused
with the choices (it silently picked one), and count charts have whole-number ticks and a
legend that covers no bar."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from matplotlib.patches import Rectangle

from bot.cli import main
from bot.i18n import translator
from bot.services.indicators.charts import chart_figure
from bot.services.indicators.common import Chart, Column, Indicator, Kind, Table
from bot.services.meetings import AudienceError, parse_audience
from bot.services.regions import match_region
from storage.db import Database
from tests.regions import seeded_regions


def test_a_name_two_regions_share_is_ambiguous_where_nobody_sees_the_choice() -> None:
    regions = seeded_regions()
    lima = match_region("Lima", regions, unambiguous=True)
    assert lima.region is None
    assert [r.name for r in lima.candidates] == ["Lima (Gobierno Regional)", "Lima Metropolitana"]
    for typed, code in [
        ("lima metropolitana", "lima-metropolitana"),
        ("Lima (Gobierno Regional)", "lima"),
        ("gobierno regional de lima", "lima"),
        ("Puno", "puno"),
    ]:
        match = match_region(typed, regions, unambiguous=True)
        assert match.region is not None and match.region.code == code, typed
    # In the chat the understood region is shown back («✅ Región: …»): unchanged there.
    assert match_region("lima", regions).region.code == "lima"  # type: ignore[union-attr]


async def test_report_for_an_ambiguous_region_lists_the_choices_and_stops(
    db: Database, database_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    output = tmp_path / "informe.xlsx"
    args = ["informe", "--desde", "2026-01-01", "--hasta", "2026-03-31", "--salida", str(output)]
    code = await asyncio.to_thread(main, [*args, "--region", "Lima"])
    assert code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        'error: la región «Lima» es ambigua; elija una: --region "Lima (Gobierno Regional)"; '
        '--region "Lima Metropolitana"'
    )
    assert not output.exists()
    assert await asyncio.to_thread(main, [*args, "--region", "Lima Metropolitana"]) == 0


async def test_meeting_audience_refuses_an_ambiguous_region(db: Database) -> None:
    async with db.session() as session:
        with pytest.raises(AudienceError, match="ambigua: use region:Lima \\(Gobierno"):
            await parse_audience(session, ["region:lima"])
        audience = await parse_audience(session, ["region:Lima Metropolitana"])
    assert audience.regions == {"lima-metropolitana"}


def _figure(kind: Kind, rows: int, horizontal: bool = False):  # type: ignore[no-untyped-def]
    table = Table(
        "Personas por región",
        (Column("Región", Kind.TEXT), Column("Mujeres", kind), Column("Hombres", kind)),
        tuple((f"Región {i}", i % 3, (i + 1) % 2) for i in range(rows)),
    )
    indicator = Indicator(7, "Prueba", "", (), (table,))
    chart = Chart("Por sexo", 0, (1, 2), horizontal)
    figure = chart_figure(
        indicator, chart, "2026 · Todas", translator("es", ZoneInfo("America/Lima"))
    )
    assert figure is not None
    figure.canvas.draw()
    return figure


@pytest.mark.parametrize(("rows", "horizontal"), [(3, False), (5, False), (12, False), (4, True)])
def test_count_charts_have_whole_ticks_and_a_legend_that_covers_no_bar(
    rows: int, horizontal: bool
) -> None:
    figure = _figure(Kind.COUNT, rows, horizontal)
    [axes] = figure.axes
    value_axis = axes.xaxis if horizontal or rows > 8 else axes.yaxis
    ticks = [t for t in value_axis.get_majorticklocs() if 0 <= t <= 2]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    spanish = translator("es", ZoneInfo("America/Lima"))
    shown = {tick.get_text() for tick in value_axis.get_ticklabels()}
    assert {spanish.number(t) for t in ticks} <= shown  # «1», «2»: as the summary writes them
    [legend] = figure.legends
    box = legend.get_window_extent()
    bars = [p for p in axes.patches if isinstance(p, Rectangle) and p.get_width() * p.get_height()]
    assert bars
    assert not any(box.overlaps(bar.get_window_extent()) for bar in bars)
    assert not box.overlaps(axes.get_window_extent())  # nor the plot, nor its titles
    assert not box.overlaps(figure.texts[0].get_window_extent())  # the chart's title


def test_averages_keep_their_decimal_ticks() -> None:
    figure = _figure(Kind.AVERAGE, 3)
    ticks = list(figure.axes[0].yaxis.get_majorticklocs())
    assert any(not float(t).is_integer() for t in ticks), ticks
