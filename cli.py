"""Command-line interface ``efficiency`` (DESIGN section 9): parses, calls the public API, writes tables.

No model logic lives here. Exit codes: 0 success, 1 an error in the data or the specification (the
message names file, column and row), 2 a usage error.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

import efficiency
from efficiency.errors import EfficiencyError

FORMATS = ("csv", "json", "xlsx")


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    return names or None


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"warning: {message}", err=True)


def _fail(exc) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _format(out: str | None, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
    elif out:
        fmt = Path(out).suffix.lower().lstrip(".") or "csv"
        if fmt not in FORMATS:
            raise click.UsageError(f"cannot tell the format of {out!r} from its extension; "
                                   f"give --format {'|'.join(FORMATS)}")
    else:
        fmt = "csv"
    if fmt == "xlsx" and not out:
        raise click.UsageError("--format xlsx needs an output file (-o OUT.xlsx)")
    return fmt


def write_table(frame, out: str | None, fmt: str) -> None:
    """Write a result table (id column(s) first, then the model's columns) as CSV, JSON or xlsx."""
    clash = [name for name in frame.index.names if name in frame.columns]
    if clash:
        _fail(f"the id column {clash[0]!r} has the name of a result column; rename it in the data")
    table = frame.reset_index()
    try:
        if fmt == "xlsx":
            table.to_excel(out, index=False, sheet_name="efficiency")
            return
        text = (table.to_csv(index=False) if fmt == "csv" else
                table.to_json(orient="records", double_precision=15, indent=1) + "\n")
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
    except OSError as exc:
        _fail(f"{out}: cannot write the result ({exc.strerror or exc})")


def _quiet(flag: bool) -> None:
    if flag:
        from efficiency import progress
        progress.set_enabled(False)


def _direction(value: str | None):
    """A direction name, or a comma-separated list of numbers."""
    if value is None or not any(ch.isdigit() for ch in value):
        return value
    try:
        return [float(v) for v in value.split(",")]
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a direction name nor a list of numbers",
                                 param_hint="--direction") from None


def _table(path: str, id_col: str | None):
    """Read a CSV for the API; without the id column(s), DMUs are labelled 1..n in a column 'row'."""
    import pandas as pd

    from efficiency.data import RawTable, read_csv

    raw = read_csv(path)
    if id_col is None or not all(c in raw.frame.columns for c in _split(id_col) or []):
        frame = raw.frame.set_axis(pd.RangeIndex(1, len(raw.frame) + 1, name="row"), axis=0)
        raw = RawTable(frame, raw.source, raw.lines, raw.decimal_comma)
    return raw


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(efficiency.__version__, prog_name="efficiency")
def main():
    """Innovation efficiency with DEA, SFA and Malmquist indices."""
    warnings.showwarning = _show_warning


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]",
              help="Id column, or several for a composite id (e.g. region,year); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--undesirable", metavar="E", help="Undesirable (bad) output columns, comma-separated.")
@click.option("--model", type=click.Choice(["radial", "sbm", "additive", "ddf", "fdh"]), default="radial",
              show_default=True)
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output", "graph", "none"]), default="input",
              show_default=True)
@click.option("--super", "super_eff", is_flag=True, help="Super-efficiency (the DMU leaves its reference set).")
@click.option("--direction", metavar="NAME|V1,V2,..",
              help="DDF direction: proportional (default), unit, input, output, or one number per "
                   "input, output and undesirable output.")
@click.option("--reference", type=click.Path(dir_okay=False), help="CSV whose DMUs span the frontier.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, pulp:GLPK_CMD, ...")
@click.option("--nondiscretionary", metavar="COLS", help="Inputs/outputs kept at their level (Banker-Morey).")
@click.option("--noncontrollable", metavar="COLS", help="Inputs/outputs held exactly at their level.")
@click.option("--scale", is_flag=True, help="Add scale efficiency (CRS/VRS) and the returns-to-scale class.")
@click.option("--no-slacks", is_flag=True, help="Skip phase II (no slacks, targets from phase I).")
@click.option("--summary", is_flag=True, help="Print a summary of the scores on stderr.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--out", metavar="OUT", help="Output file (default: CSV on stdout).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from OUT's extension).")
def dea(file, id_col, inputs, outputs, undesirable, model, rts, orientation, super_eff, direction, reference,
        solver, nondiscretionary, noncontrollable, scale, no_slacks, summary, quiet, out, fmt):
    """Score the DMUs (rows) of FILE with a DEA model."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.dea(_table(file, id_col), id=_split(id_col), inputs=_split(inputs), outputs=_split(outputs),
                                undesirable=_split(undesirable), model=model, rts=rts, orientation=orientation,
                                super_efficiency=super_eff, direction=_direction(direction),
                                reference=None if reference is None else _table(reference, id_col),
                                solver=solver,
                                slacks=not no_slacks, scale=scale, nondiscretionary=_split(nondiscretionary),
                                noncontrollable=_split(noncontrollable))
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--undesirable", metavar="E",
              help="Bad output columns: the Malmquist-Luenberger index (Chung-Faere-Grosskopf 1997).")
@click.option("--kind", type=click.Choice(["adjacent", "base", "sequential", "global"]), default="adjacent",
              show_default=True, help="Technology of each period: adjacent, fixed base, sequential, global.")
@click.option("--base", metavar="PERIOD", help="Base period for --kind base (default: the first).")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="crs", show_default=True,
              help="Under vrs/nirs/ndrs pech and sech are added (FGNZ decomposition).")
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--cumulative", is_flag=True, help="Add running products per unit (cum_malmquist, ...).")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print geometric means per pair of periods on stderr.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--out", metavar="OUT", help="Output file (default: CSV on stdout).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from OUT's extension).")
def malmquist(file, id_col, period, inputs, outputs, undesirable, kind, base, rts, orientation, cumulative, solver,
              summary, quiet, out, fmt):
    """Malmquist productivity change of the panel in FILE (one row per unit and period)."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.malmquist(read_csv(file), id=_split(id_col), period=period, inputs=_split(inputs),
                                      outputs=_split(outputs), undesirable=_split(undesirable), kind=kind,
                                      rts=rts, orientation=orientation, solver=solver,
                                      base=_period_value(base), cumulative=cumulative)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index(list(result.id_names)), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


def _period_value(value: str | None):
    """A period given on the command line: a number where it reads as one."""
    if value is None:
        return None
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


@main.command()
def solvers():
    """List the LP backends and whether each is available here."""
    from solvers import registered

    for name, ok, description in registered():
        click.echo(f"{name:<8} {'available' if ok else 'missing  '}  {description}")
    try:
        import pulp
    except ImportError:  # pragma: no cover
        return
    avail = pulp.listSolvers(onlyAvailable=True)
    names = dict.fromkeys(pulp.listSolvers())          # PuLP lists some solvers twice
    click.echo("PuLP solvers (use as pulp:NAME): " +
               ", ".join(f"{s}{'' if s in avail else ' (missing)'}" for s in names))


@main.command()
@click.option("--n", "n", metavar="N1,N2", help="Sizes (default: 100,1000,5000,20000,100000; dula: 100000).")
@click.option("--solvers", metavar="A,B", help="numba,highs,highs+screen,scipy,pulp (default: all).")
@click.option("--rts", metavar="crs,vrs", help="Returns to scale (default: both).")
@click.option("--repeats", type=int, default=3, show_default=True, help="Timed runs (1 when a run takes over 30 s).")
@click.option("--budget", type=float, default=120.0, show_default=True,
              help="Seconds per case and backend; predicted to exceed it: skipped.")
@click.option("--out", metavar="DIR", help="Folder for <suite>.md and <suite>.csv (default: benchmarks/results).")
@click.option("--suite", type=click.Choice(["standard", "dula"]), default="standard", show_default=True)
@click.option("--quick", is_flag=True, help="n in {100, 1000} only (tests, CI).")
def bench(n, solvers, rts, repeats, budget, out, suite, quick):
    """Time the LP backends on synthetic data and check them against HiGHS (benchmarks/)."""
    from benchmarks import suite as bench_suite

    given = [f"--{k}" if v is True else f"--{k} {v}" for k, v in click.get_current_context().params.items()
             if v not in (None, False)]
    try:
        text, _, _ = bench_suite.run(suite, n=n, solvers=solvers, rts=rts, repeats=repeats, budget=budget,
                                     out=out, quick=quick, argv=["efficiency bench", *given])
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
