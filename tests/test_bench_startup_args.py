"""`python -m bench.startup --runs 0` ended in an IndexError after migrating a database (the
medians of no run): argparse refuses it, and any count below one, before anything starts."""

from __future__ import annotations

import pytest

from bench.startup import arguments


@pytest.mark.parametrize("runs", ["0", "-1", "dos", "٣"])
def test_a_count_of_runs_below_one_is_refused(
    runs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        arguments(["--runs", runs])
    assert exit_.value.code == 2
    assert (
        f"argument --runs: «{runs}» debe ser un número entero de 1 o más" in capsys.readouterr().err
    )


def test_one_run_or_more_is_taken() -> None:
    assert arguments(["--runs", "1"]).runs == 1
    assert arguments([]).runs == 5
