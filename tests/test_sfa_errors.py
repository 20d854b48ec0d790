"""Bad SFA input becomes a clear DataError (exit code 1 on the command line, the message naming file,
column and row), never a traceback (issue 12): a header-only file, an output that is also an input,
a constant output, an output that the inputs fit exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency as ef


def _frame(n=40, seed=3):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.lognormal(1.0, 0.5, n), rng.lognormal(2.0, 0.5, n)
    y = np.exp(0.5 + 0.3 * np.log(x1) + 0.6 * np.log(x2) + rng.normal(0, 0.2, n) - np.abs(rng.normal(0, 0.3, n)))
    return pd.DataFrame({"firm": [f"F{i}" for i in range(n)], "y": y, "x1": x1, "x2": x2})


def _csv(tmp_path: Path, frame: pd.DataFrame | None = None, text: str | None = None) -> Path:
    path = tmp_path / "data.csv"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        frame.to_csv(path, index=False)
    return path


def run(*args):
    return CliRunner().invoke(cli.main, ["sfa", *[str(a) for a in args]])


def _fails(result, *fragments):
    """Exit code 1, 'error: ...' on stderr with every fragment, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert "Traceback" not in result.output


def test_header_only_file(tmp_path):
    path = _csv(tmp_path, text="firm,y,x1,x2\n")
    with pytest.raises(ef.DataError, match=r"data\.csv: the table has no data rows"):
        ef.sfa(str(path), output="y", inputs=["x1", "x2"])
    _fails(run(path, "--output", "y", "--inputs", "x1,x2"), "data.csv", "no data rows")
    _fails(run(path, "--output", "y", "--inputs", "x1,x2", "--id", "firm"), "data.csv", "no data rows")


def test_output_that_is_also_an_input(tmp_path):
    df = _frame()
    with pytest.raises(ef.DataError, match=r"column 'x1' is both the output and an input"):
        ef.sfa(df, output="x1", inputs=["x1", "x2"])
    with pytest.raises(ef.DataError, match=r"column 'y' is both the output and an input"):
        ef.sfa(df, output="y", inputs=["y"], form="linear")
    _fails(run(_csv(tmp_path, df), "--output", "x2", "--inputs", "x1,x2", "--id", "firm"),
           "data.csv", "column 'x2' is both the output and an input")


def test_constant_output(tmp_path):
    df = _frame()
    df["y"] = 7.0
    with pytest.raises(ef.DataError, match=r"the output column 'y' is constant \(7 in every row\)"):
        ef.sfa(df, output="y", inputs=["x1", "x2"])
    _fails(run(_csv(tmp_path, df), "--output", "y", "--inputs", "x1,x2", "--id", "firm"),
           "data.csv", "output column 'y' is constant")


def test_output_fitted_exactly_by_the_inputs(tmp_path):
    df = _frame()
    df["y"] = 2.0 * df["x1"] ** 0.4 * df["x2"] ** 0.5          # no noise, no inefficiency
    with pytest.raises(ef.DataError, match=r"'log\(y\)' is an exact function of the frontier terms"):
        ef.sfa(df, output="y", inputs=["x1", "x2"])
    _fails(run(_csv(tmp_path, df), "--output", "y", "--inputs", "x1,x2"), "data.csv", "exact function")


def test_bad_cell_names_file_column_and_row(tmp_path):
    df = _frame()
    path = _csv(tmp_path, df)
    lines = path.read_text().splitlines()
    cells = lines[5].split(",")
    cells[2] = "abc"                                           # x1 of data row 5 (line 6)
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    _fails(run(path, "--output", "y", "--inputs", "x1,x2", "--id", "firm"), "data.csv", "'x1'", "row 5",
           "line 6")
