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
    """The output format: --format, else OUT's extension, else csv. An extension that names another
    format than --format is an error, exit code 1 like any inconsistent option of a model (an xlsx
    file named .csv would mislead every later reader)."""
    ext = Path(out).suffix.lower().lstrip(".") if out else ""
    if fmt:
        fmt = fmt.lower()
        if ext in FORMATS and ext != fmt:
            _fail(f"-o {out} is a .{ext} file but --format says {fmt}; name the file "
                  f"{Path(out).with_suffix('.' + fmt).name!r} or leave out --format")
    elif out:
        fmt = ext or "csv"
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
            from efficiency.report import check_xlsx, xlsx_bytes

            sheets = {"efficiency": table}
            check_xlsx(sheets, out, ids=[n for n in frame.index.names if n is not None])
            Path(out).write_bytes(xlsx_bytes(sheets))
            return
        text = (table.to_csv(index=False) if fmt == "csv" else
                table.to_json(orient="records", double_precision=15, indent=1) + "\n")
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
    except EfficiencyError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(f"{out}: cannot write the result ({exc.strerror or exc})")


def _table_options(out_help: str = "Output file (default: CSV on stdout).", quiet: bool = True):
    """The options of the commands that write a table: --quiet (unless ``quiet`` is false), -o/--out
    and --format, in that order."""
    def decorate(f):
        f = click.option("--format", "fmt", type=click.Choice(FORMATS),
                         help="Output format (default: from OUT's extension).")(f)
        f = click.option("-o", "--out", metavar="OUT", help=out_help)(f)
        return click.option("--quiet", is_flag=True, help="No progress bar.")(f) if quiet else f
    return decorate


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


def _numbers(value: str | None, param, count: int | None = None):
    """A comma-separated list of numbers (``count`` of them when given) as a tuple, or None."""
    if value is None:
        return None
    try:
        numbers = tuple(float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of numbers") from None
    if count is not None and len(numbers) != count:
        raise click.BadParameter(f"{value!r}: expected {count} numbers, got {len(numbers)}")
    return numbers


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
@click.option("--model", type=click.Choice(["radial", "sbm", "additive", "ddf", "fdh", "russell", "rdm", "ram", "bam",
                                           "mea"]), default="radial", show_default=True)
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs", "grs", "fdh", "frh"]), default="vrs",
              show_default=True, help="grs needs --rts-bounds; fdh: the free disposal hull technology (no LP).")
@click.option("--rts-bounds", "rts_bounds", metavar="L,U", callback=lambda c, p, v: _numbers(v, p, 2),
              help="With --rts grs: L <= sum(lambda) <= U, 0 <= L <= 1 <= U (e.g. 0.8,1.2; U may be inf).")
@click.option("--orientation", type=click.Choice(["input", "output", "graph", "none"]), default="input",
              show_default=True)
@click.option("--inverse", is_flag=True, help="With --model rdm: the inverse range directional model (IRDM).")
@click.option("--slack-weights", "slack_weights", metavar="W1,W2,..", callback=lambda c, p, v: _numbers(v, p),
              help="With --model additive: one weight per input, then per output slack (data units).")
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
@click.option("--scheduler", metavar="ADDRESS", help="Run the LPs on the Dask cluster of this scheduler.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N", help="Start a local Dask cluster of N workers.")
@click.option("--summary", is_flag=True, help="Print a summary of the scores on stderr.")
@_table_options()
def dea(file, id_col, inputs, outputs, undesirable, model, rts, rts_bounds, orientation, inverse, slack_weights,
        super_eff, direction, reference, solver, nondiscretionary, noncontrollable, scale, no_slacks, scheduler,
        workers, summary, quiet, out, fmt):
    """Score the DMUs (rows) of FILE with a DEA model."""
    from efficiency.distributed import cluster

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        with cluster(scheduler, workers) as client:
            result = _dea_call(file, id_col, inputs, outputs, undesirable, model, rts, orientation, super_eff,
                               direction, reference, solver, nondiscretionary, noncontrollable, scale, no_slacks,
                               client, rts_bounds=rts_bounds, inverse=inverse, slack_weights=slack_weights)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


def _dea_call(file, id_col, inputs, outputs, undesirable, model, rts, orientation, super_eff, direction, reference,
              solver, nondiscretionary, noncontrollable, scale, no_slacks, client, **breadth):
    return efficiency.dea(_table(file, id_col), id=_split(id_col), inputs=_split(inputs), outputs=_split(outputs),
                          undesirable=_split(undesirable), model=model, rts=rts, orientation=orientation,
                          super_efficiency=super_eff, direction=_direction(direction),
                          reference=None if reference is None else _table(reference, id_col),
                          solver=solver, client=client,
                          slacks=not no_slacks, scale=scale, nondiscretionary=_split(nondiscretionary),
                          noncontrollable=_split(noncontrollable), **breadth)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--undesirable", metavar="E",
              help="Bad output columns: the Malmquist-Luenberger index (Chung-Faere-Grosskopf 1997).")
@click.option("--kind", type=click.Choice(["adjacent", "base", "sequential", "global", "biennial"]),
              default="adjacent", show_default=True,
              help="Technology of each period: adjacent, fixed base, sequential, global, biennial (each pair of "
                   "periods pooled; no infeasible LP).")
@click.option("--base", metavar="PERIOD", help="Base period for --kind base (default: the first).")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="crs", show_default=True,
              help="Under vrs/nirs/ndrs pech and sech are added (FGNZ decomposition).")
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--decomposition", type=click.Choice(["fgnz", "rd", "gl", "bias", "rts"]), default="fgnz",
              show_default=True,
              help="fgnz (Faere et al. 1994), rd (Ray-Desli 1997) and gl (Grifell-Tatje-Lovell 1999) with --rts vrs, "
                   "bias (obtech, ibtech, matech; Faere et al. 1997), rts (every distance under --rts, as "
                   "Benchmarking's malmquist).")
@click.option("--tc-vrs", "tc_vrs", is_flag=True,
              help="Technical change on the VRS frontiers (--decomposition fgnz or bias, --rts vrs; deaR's tc_vrs).")
@click.option("--cumulative", is_flag=True, help="Add running products per unit (cum_malmquist, ...).")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print geometric means per pair of periods on stderr.")
@_table_options()
def malmquist(file, id_col, period, inputs, outputs, undesirable, kind, base, rts, orientation, decomposition, tc_vrs,
              cumulative, solver, summary, quiet, out, fmt):
    """Malmquist productivity change of the panel in FILE (one row per unit and period)."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.malmquist(read_csv(file), id=_split(id_col), period=period, inputs=_split(inputs),
                                      outputs=_split(outputs), undesirable=_split(undesirable), kind=kind,
                                      rts=rts, orientation=orientation, solver=solver,
                                      base=_period_value(base), cumulative=cumulative,
                                      decomposition=decomposition, tc_vrs=tc_vrs)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index(list(result.id_names)), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--undesirable", metavar="E", help="Undesirable (bad) output columns (models sbm, ddf).")
@click.option("--width", type=int, default=3, show_default=True, help="Consecutive periods in a window.")
@click.option("--model", type=click.Choice(["radial", "sbm", "additive", "ddf", "fdh"]), default="radial",
              show_default=True)
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output", "graph", "none"]), default="input",
              show_default=True)
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print the window summary on stderr.")
@_table_options()
def window(file, id_col, period, inputs, outputs, undesirable, width, model, rts, orientation, solver, summary,
           quiet, out, fmt):
    """DEA window analysis of the panel in FILE: one row per unit, window and period."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.window(read_csv(file), id=_split(id_col), period=period, inputs=_split(inputs),
                                   outputs=_split(outputs), undesirable=_split(undesirable), width=width,
                                   model=model, rts=rts, orientation=orientation, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index(list(result.id_names)), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--inputs", required=True, metavar="A,B", help="Input (quantity) columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output (quantity) columns, comma-separated.")
@click.option("--index", "index", type=click.Choice(["hicks-moorsteen", "fare-primont", "lowe"]),
              default="hicks-moorsteen", show_default=True,
              help="TFP index (O'Donnell 2012; R productivity's hicksmoorsteen, fareprim, lowe).")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["output", "input"]), default="output", show_default=True)
@click.option("--input-prices", "input_prices", metavar="W1,W2",
              help="Input price columns, one per input (--index lowe).")
@click.option("--output-prices", "output_prices", metavar="P1,P2",
              help="Output price columns, one per output (--index lowe).")
@click.option("--levels", is_flag=True, help="Write the levels (TFP, MP, TFPE, ...) instead of the changes.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print geometric means of the changes per period on stderr.")
@_table_options()
def productivity(file, id_col, period, inputs, outputs, index, rts, orientation, input_prices, output_prices, levels,
                 solver, summary, quiet, out, fmt):
    """TFP levels and changes of the panel in FILE: Hicks-Moorsteen, Faere-Primont or Lowe index."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.productivity(read_csv(file), id=_split(id_col), period=period, inputs=_split(inputs),
                                         outputs=_split(outputs), index=index, rts=rts, orientation=orientation,
                                         input_prices=_split(input_prices), output_prices=_split(output_prices),
                                         solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    table = result.levels() if levels else result.to_frame()
    write_table(table.set_index(list(result.id_names)), out, fmt)
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
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--output", "output_col", required=True, metavar="COL", help="Output (dependent variable) column; cost column with --cost.")
@click.option("--inputs", required=True, metavar="A,B", help="Regressor columns, comma-separated.")
@click.option("--form", type=click.Choice(["cobb-douglas", "translog", "linear"]), default="cobb-douglas",
              show_default=True, help="linear: columns used as given (already logged).")
@click.option("--dist", type=click.Choice(["half-normal", "truncated-normal", "exponential", "gamma", "genexponential"]),
              default="half-normal", show_default=True,
              help="Distribution of the inefficiency u (gamma: simulated ML with --draws, Greene 2003).")
@click.option("--cost", is_flag=True, help="Cost frontier (u raises cost).")
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id (firm) column; default: rows numbered 1..n.")
@click.option("--period", metavar="COL", help="Period column (panels).")
@click.option("--panel", type=click.Choice(["ti", "bc92", "bc95", "k90", "tfe", "tre", "wang-ho", "four-component"]),
              help="ti: time-invariant u; bc92: Battese-Coelli 1992 decay; bc95: inefficiency effects (--z); "
              "k90: Kumbhakar 1990; tfe/tre: Greene 2005 true fixed / random effects; wang-ho: Wang-Ho 2010 "
              "first-difference fixed effects, u_it = exp(z'delta) u_i* (--z); four-component: Kumbhakar-Lien-"
              "Hardaker 2014 persistent + transient inefficiency (need --id and --period).")
@click.option("--draws", type=click.IntRange(min=2), help="tre, four-component, gamma: simulation draws (Halton; "
              "default 100).")
@click.option("--seed", type=click.IntRange(min=0), help="tre, four-component, gamma: seed of the Halton draws "
              "(default: plain Halton).")
@click.option("--scaling", is_flag=True, help="Scaling property model (Wang and Schmidt 2002): u = exp(z'delta) u*, "
              "the z's given by --uhet.")
@click.option("--z", metavar="A,B", help="Inefficiency-effects columns (Battese-Coelli 1995), or the scaling-"
              "function columns h = exp(z'delta) of --panel wang-ho.")
@click.option("--trend", metavar="COL", help="Time-trend column added to the frontier.")
@click.option("--bc92-time", type=click.Choice(["values", "index"]), default="values", show_default=True,
              help="BC92 time t - T: the period column's values, or the periods numbered 1..T (R frontier).")
@click.option("--uhet", metavar="A,B", help="Columns of the variance of u: sigma_u^2 = exp(Zu'delta) (sfaR's uhet; "
              "'1' = intercept only). Cross-sections, half-normal or exponential.")
@click.option("--vhet", metavar="C", help="Columns of the variance of v: sigma_v^2 = exp(Zv'phi) (sfaR's vhet; "
              "'1' = intercept only).")
@click.option("--latent-classes", type=click.IntRange(2, 5), metavar="K",
              help="Latent-class frontier with K = 2..5 classes (Orea-Kumbhakar 2004, sfaR's sfalcmcross); "
              "cross-sections, half-normal.")
@click.option("--class-covariates", metavar="A,B", help="Columns of the prior class probabilities (logit; "
              "with --latent-classes; default: intercept only).")
@click.option("--estimates", metavar="FILE",
              help="File for the estimates table (default with -o: OUT's name + '_estimates').")
@click.option("--summary", is_flag=True, help="Print the summary table on stderr.")
@_table_options("Efficiency table file (default: CSV on stdout).", quiet=False)
def sfa(file, output_col, inputs, form, dist, cost, id_col, period, panel, z, trend, bc92_time, uhet, vhet,
        latent_classes, class_covariates, estimates, summary, out, fmt, draws=None, seed=None, scaling=False):
    """Stochastic frontier of FILE: an estimates table and an efficiency table (efficiency = BC88, jlms).

    The efficiency table goes to OUT (or stdout); the estimates table to --estimates, or beside OUT
    as OUT_estimates.EXT; without either, the summary is printed on stderr.
    """
    fmt = _format(out, fmt)
    ids = _split(id_col)
    if period and ids:
        ids = ids + [period] if period not in ids else ids
    try:
        table = _table(file, ",".join(ids) if ids else None)
        result = efficiency.sfa(table, output=output_col, inputs=_split(inputs), form=form, dist=dist, cost=cost,
                                id=_split(id_col), period=period, panel=panel, z=_split(z), trend=trend,
                                bc92_time=bc92_time, draws=draws, seed=seed, scaling=scaling,
                                uhet=None if uhet is None else (_split(uhet) or []),
                                vhet=None if vhet is None else (_split(vhet) or []),
                                latent_classes=latent_classes,
                                class_covariates=None if class_covariates is None else _split(class_covariates))
    except EfficiencyError as exc:
        _fail(exc)
    if estimates is None and out:
        p = Path(out)
        estimates = str(p.with_name(f"{p.stem}_estimates{p.suffix}"))
    write_table(result.to_frame(), out, fmt)
    if estimates:
        write_table(result.estimates_frame().set_index("param"), estimates, _format(estimates, None))
    if summary or not estimates:
        click.echo(result.summary(), err=True)


@main.command(name="three-stage")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--environment", required=True, metavar="E,F", help="Environmental variables (stage-2 regressors).")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--dist", type=click.Choice(["half-normal", "truncated-normal", "exponential"]), default="half-normal",
              show_default=True, help="Distribution of managerial inefficiency in the stage-2 SFA.")
@click.option("--solver", metavar="NAME", help="LP backend for stages 1 and 3.")
@click.option("--stage2", metavar="FILE", help="Write the stage-2 SFA estimates to FILE.")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def three_stage(file, id_col, inputs, outputs, environment, rts, orientation, dist, solver, stage2, summary, quiet,
                out, fmt):
    """Three-stage DEA (Fried-Lovell-Schmidt-Yaisawarng 2002): DEA, SFA of slacks, DEA on adjusted data."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.three_stage(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                        outputs=_split(outputs), environment=_split(environment), rts=rts,
                                        orientation=orientation, dist=dist, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if stage2:
        write_table(result.stage2_frame().set_index("variable"), stage2, _format(stage2, None))
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--spec", "spec_path", required=True, metavar="SPEC.toml", type=click.Path(dir_okay=False),
              help="TOML spec of the dimensions (efficiency spec init writes a template).")
@click.option("--report", "report_dir", metavar="DIR", help="Write an HTML report, PNG figures and tables.xlsx to DIR.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options("Output file (default: CSV on stdout); xlsx: one sheet per table.")
def score(file, spec_path, report_dir, solver, summary, quiet, out, fmt):
    """Innovation efficiency of FILE in the dimensions of SPEC: scores, composite, coupling, coordination,
    bottleneck, regime (+ Malmquist and group gaps with a period and a group)."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.analyze(read_csv(file), spec_path, solver=solver)
        if report_dir:
            index = result.report(report_dir)
    except EfficiencyError as exc:
        _fail(exc)
    if fmt == "xlsx":
        from efficiency.report import write_workbook

        try:
            write_workbook(result, out)
        except EfficiencyError as exc:
            _fail(exc)
        except OSError as exc:
            _fail(f"{out}: cannot write the result ({exc.strerror or exc})")
    else:
        write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)
    if report_dir:
        click.echo(f"report: {index}", err=True)


@main.group()
def spec():
    """Write and check the TOML spec of `efficiency score`."""


@spec.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def spec_init(path, force):
    """Write a commented spec template to PATH (default: stdout)."""
    from efficiency.spec import TEMPLATE

    if not path:
        click.echo(TEMPLATE, nl=False)
        return
    p = Path(path)
    if p.exists() and not force:
        _fail(f"{p}: exists; give --force to overwrite it")
    try:
        p.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        _fail(f"{p}: cannot write ({exc.strerror or exc})")
    click.echo(f"wrote {p}", err=True)


@spec.command("check")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
def spec_check(spec_path, data):
    """Validate SPEC and DATA together: keys, models, weights, columns and every cell used."""
    from efficiency.dimensions import check

    try:
        text = check(data, spec_path)
    except EfficiencyError as exc:
        _fail(exc)
    click.echo(text)


def _cluster_options(f):
    """--scheduler ADDRESS | --workers N (Dask; efficiency.distributed)."""
    f = click.option("--workers", type=click.IntRange(min=1), metavar="N",
                     help="Start a local Dask cluster of N worker processes.")(f)
    f = click.option("--scheduler", metavar="ADDRESS",
                     help="Run on the Dask cluster of this scheduler (e.g. tcp://10.0.0.5:8786).")(f)
    return f


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--rts", type=click.Choice(["crs", "vrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--B", "B", type=click.IntRange(min=2), default=2000, show_default=True, help="Bootstrap replications.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05,
              show_default=True, help="1 - coverage of the intervals.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (same seed, same numbers).")
@click.option("--solver", metavar="NAME", help="LP backend (default: numba).")
@_cluster_options
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def bootstrap(file, id_col, inputs, outputs, rts, orientation, B, alpha, seed, solver, scheduler, workers, summary,
              quiet, out, fmt):
    """Simar-Wilson (1998) bootstrap of radial DEA scores: bias-corrected scores and intervals."""
    from efficiency.distributed import cluster

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        with cluster(scheduler, workers) as client:
            result = efficiency.bootstrap(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                          outputs=_split(outputs), rts=rts, orientation=orientation, B=B,
                                          alpha=alpha, seed=seed, client=client, solver=solver)
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
@click.option("--undesirable", metavar="E", help="Bad output columns (weak disposability; Luenberger-ML).")
@click.option("--direction", metavar="NAME|V1,V2,..", default="proportional", show_default=True,
              help="proportional (x, y, b), unit, input (x, 0, 0), output (0, y, b), or one vector of numbers.")
@click.option("--kind", type=click.Choice(["adjacent", "sequential", "global", "biennial"]), default="adjacent",
              show_default=True, help="Technology of each period: adjacent, sequential, global, biennial.")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="crs", show_default=True,
              help="Under vrs/nirs/ndrs pech and sech (effch = pech + sech) are added.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print means per pair of periods on stderr.")
@_table_options()
def luenberger(file, id_col, period, inputs, outputs, undesirable, direction, kind, rts, solver, summary, quiet, out,
               fmt):
    """Luenberger productivity indicator of the panel in FILE (> 0: improvement; luenberger = effch + techch)."""
    from efficiency.data import read_csv

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.luenberger(read_csv(file), id=_split(id_col), period=period, inputs=_split(inputs),
                                       outputs=_split(outputs), undesirable=_split(undesirable),
                                       direction=_direction(direction), kind=kind, rts=rts, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index(list(result.id_names)), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command("malmquist-bootstrap")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--rts", type=click.Choice(["crs", "vrs"]), default="crs", show_default=True,
              help="Technology of the bootstrap; vrs adds pech and sech.")
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--B", "B", type=click.IntRange(min=2), default=2000, show_default=True, help="Bootstrap replications.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05,
              show_default=True, help="1 - coverage of the intervals.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (same seed, same numbers).")
@click.option("--solver", metavar="NAME", help="LP backend (default: numba).")
@_cluster_options
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def malmquist_bootstrap(file, id_col, period, inputs, outputs, rts, orientation, B, alpha, seed, solver, scheduler,
                        workers, summary, quiet, out, fmt):
    """Simar-Wilson (1999) bootstrap of the adjacent-period Malmquist index: bias-corrected values and intervals."""
    from efficiency.data import read_csv
    from efficiency.distributed import cluster

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        with cluster(scheduler, workers) as client:
            result = efficiency.malmquist_bootstrap(read_csv(file), id=_split(id_col), period=period,
                                                    inputs=_split(inputs), outputs=_split(outputs), rts=rts,
                                                    orientation=orientation, B=B, alpha=alpha, seed=seed,
                                                    solver=solver, client=client)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index(list(result.id_names)), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command("second-stage")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--environment", metavar="Z1,Z2", help="Environmental variables, comma-separated (required).")
@click.option("--env", "env_alias", metavar="Z1,Z2", hidden=True, help="Deprecated name of --environment.")
@click.option("--method", type=click.Choice(["sw1", "sw2", "tobit", "ols"]), default="sw2", show_default=True,
              help="Simar-Wilson (2007) Algorithm 2 (double bootstrap) or 1; tobit/ols for comparison (biased).")
@click.option("--scale", type=click.Choice(["efficiency", "distance"]), default="efficiency", show_default=True,
              help="Dependent variable: the score in (0, 1], or the distance >= 1 (Simar-Wilson's).")
@click.option("--rts", type=click.Choice(["crs", "vrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--B", "B", type=click.IntRange(min=2), default=2000, show_default=True,
              help="Bootstrap replications of the regression.")
@click.option("--B1", "B1", type=click.IntRange(min=2), default=100, show_default=True,
              help="Replications of the bias correction (sw2).")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (same seed, same numbers).")
@click.option("--solver", metavar="NAME", help="LP backend (default: numba).")
@_cluster_options
@_table_options("Write the coefficient table to OUT (csv, json, xlsx).")
def second_stage(file, id_col, inputs, outputs, environment, env_alias, method, scale, rts, orientation, B, B1,
                 alpha, seed, solver, scheduler, workers, quiet, out, fmt):
    """Regress DEA scores on environmental variables (Simar-Wilson 2007); prints the summary table."""
    from efficiency.distributed import cluster

    if env_alias is not None:
        if environment is not None:
            raise click.UsageError("give --environment or its deprecated name --env, not both")
        click.echo("warning: --env is deprecated and will be removed; use --environment", err=True)
        environment = env_alias
    if environment is None:
        raise click.UsageError("Missing option '--environment'.")
    fmt = _format(out, fmt) if out else None
    _quiet(quiet)
    try:
        with cluster(scheduler, workers) as client:
            result = efficiency.second_stage(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                             outputs=_split(outputs), environment=_split(environment), rts=rts,
                                             orientation=orientation, method=method, B=B, B1=B1, alpha=alpha,
                                             seed=seed, client=client, scale=scale, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    click.echo(result.summary())
    if out:
        write_table(result.to_frame(), out, fmt)


def _prices_option(value: str | None):
    """--input-prices / --output-prices: column names, or numbers (one price for every DMU)."""
    names = _split(value)
    if names is None:
        return None
    try:
        return [float(v) for v in names]
    except ValueError:
        return names


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--kind", type=click.Choice(["cost", "revenue", "profit"]), default="cost", show_default=True,
              help="cost needs --input-prices, revenue --output-prices, profit both.")
@click.option("--input-prices", metavar="PA,PB",
              help="Input price columns, one per input in the order of --inputs (or numbers: the same prices for "
                   "every DMU).")
@click.option("--output-prices", metavar="PC,PD", help="Output price columns, one per output (or numbers).")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--restricted", is_flag=True,
              help="Optimum only among x <= x0 (cost), y >= y0 (revenue), both (profit), as deaR's restricted_optimal.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default when installed), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def economic(file, id_col, inputs, outputs, kind, input_prices, output_prices, rts, restricted, solver, summary,
             quiet, out, fmt):
    """Cost, revenue or profit efficiency of the DMUs (rows) of FILE with observed prices (DEA)."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.economic(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                     outputs=_split(outputs), kind=kind, input_prices=_prices_option(input_prices),
                                     output_prices=_prices_option(output_prices), rts=rts, solver=solver,
                                     restricted=restricted)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


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


def _weight_bounds(values: tuple[str, ...]) -> str | None:
    """--weight-bounds, given once or more: one text (the API parses it; errors are SpecErrors)."""
    text = ",".join(v for v in values if v.strip())
    return text or None


_WEIGHT_BOUNDS_HELP = ("Weight restrictions, KEY=LO:HI separated by commas (LO or HI may be empty): A/B bounds the "
                       "ratio of two input (or two output) weights, A the weight itself, virtual:A the share of "
                       "the virtual input (output); e.g. 'x2/x1=0.5:2,virtual:y1=0.2:'. May be repeated.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="vrs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--weight-bounds", "weight_bounds", multiple=True, metavar="KEY=LO:HI,..", help=_WEIGHT_BOUNDS_HELP)
@click.option("--weights", type=click.Choice(["maximin", "solver"]), default="maximin", show_default=True,
              help="Which optimal weights: the smallest (scaled) weight maximised, or the backend's first optimum.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default; hands these LPs to HiGHS), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def multiplier(file, id_col, inputs, outputs, rts, orientation, weight_bounds, weights, solver, summary, quiet, out,
               fmt):
    """Multiplier (dual) form of radial DEA: efficiency, weights v_<input>, u_<output>, u0, virtual weights."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.multiplier(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                       outputs=_split(outputs), rts=rts, orientation=orientation,
                                       weight_bounds=_weight_bounds(weight_bounds), weights=weights, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Inputs of stage 1, comma-separated.")
@click.option("--intermediates", required=True, metavar="Z1,Z2",
              help="Intermediates: outputs of stage 1 and inputs of stage 2, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Outputs of stage 2, comma-separated.")
@click.option("--model", type=click.Choice(["relational", "additive", "leader-follower", "centralised", "nsbm"]),
              default="relational", show_default=True,
              help="Kao-Hwang relational (stage1 x stage2), Chen et al. additive, Liang-Cook-Zhu leader-follower or "
                   "centralised, Tone-Tsutsui network SBM.")
@click.option("--rts", type=click.Choice(["crs", "vrs"]), default="crs", show_default=True,
              help="vrs: additive and nsbm only.")
@click.option("--orientation", type=click.Choice(["input", "output", "none"]), default="input", show_default=True,
              help="none: nsbm only.")
@click.option("--leader", type=click.Choice(["stage1", "stage2"]), help="With --model leader-follower: the leader "
              "(default stage1).")
@click.option("--priority", type=click.Choice(["stage1", "stage2"]), default="stage1", show_default=True,
              help="Relational, additive, centralised: the stage whose efficiency is maximised first among the "
                   "optimal splits.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default; hands these LPs to HiGHS), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def network(file, id_col, inputs, intermediates, outputs, model, rts, orientation, leader, priority, solver, summary,
            quiet, out, fmt):
    """Two-stage network DEA: overall, stage1 and stage2 efficiencies of the DMUs (rows) of FILE
    (inputs -> stage 1 -> intermediates -> stage 2 -> outputs)."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.network(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                    intermediates=_split(intermediates), outputs=_split(outputs), model=model,
                                    rts=rts, orientation=orientation, leader=leader, priority=priority,
                                    solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command("cross-efficiency")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--rts", type=click.Choice(["crs", "vrs", "nirs", "ndrs"]), default="crs", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--method", type=click.Choice(["arbitrary", "aggressive", "benevolent"]), default="arbitrary",
              show_default=True, help="Raters' weights: as the multiplier model, or Doyle-Green's secondary goal.")
@click.option("--secondary", type=click.Choice(["II", "III"], case_sensitive=False), default="II", show_default=True,
              help="Doyle and Green's method for aggressive/benevolent.")
@click.option("--correction/--no-correction", default=None,
              help="Lim-Zhu (2015) ratings, input orientation (default: on unless crs).")
@click.option("--matrix", "matrix_out", metavar="FILE", help="Also write the matrix (row = rater, column = rated) to FILE.")
@click.option("--solver", metavar="NAME", help="LP backend: numba (default; hands these LPs to HiGHS), highs, scipy, pulp, ...")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options()
def cross_efficiency(file, id_col, inputs, outputs, rts, orientation, method, secondary, correction, matrix_out, solver,
                     summary, quiet, out, fmt):
    """Cross-efficiency (Sexton et al. 1986; Doyle and Green 1994): efficiency, cross_efficiency, peer mean,
    maverick index and rank of every DMU."""
    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        result = efficiency.cross_efficiency(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                             outputs=_split(outputs), rts=rts, orientation=orientation, method=method,
                                             secondary=secondary.upper(), correction=correction, solver=solver)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if matrix_out:
        write_table(result.matrix_table(), matrix_out, _format(matrix_out, None))
    if summary:
        click.echo(result.summary(), err=True)


def _replications(ctx, param, value):
    """--B: a positive integer, or 'exact' (order-m's exact expectation, no Monte Carlo)."""
    if value is None or str(value).strip().lower() in ("exact", "none"):
        return None
    try:
        b = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a positive integer nor 'exact'") from None
    if b < 1:
        raise click.BadParameter(f"{value!r}: needs at least 1 Monte Carlo draw (or 'exact')")
    return b


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--outputs", required=True, metavar="C,D", help="Output columns, comma-separated.")
@click.option("--method", type=click.Choice(["order-m", "order-alpha"]), default="order-m", show_default=True)
@click.option("--orientation", type=click.Choice(["input", "output"]), default="input", show_default=True)
@click.option("--m", "m", type=int, default=25, show_default=True, help="Order-m: DMUs drawn per replication.")
@click.option("--B", "B", metavar="N|exact", default="200", show_default=True, callback=_replications,
              help="Order-m: Monte Carlo replications, or 'exact' for the exact expectation.")
@click.option("--alpha", type=float, default=0.95, show_default=True,
              help="Order-alpha: the quantile level in (0, 1]; 1 gives FDH.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed of order-m (same seed, same numbers).")
@click.option("--reference", type=click.Path(dir_okay=False), help="CSV whose DMUs span the frontier.")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options(quiet=False)
def partial(file, id_col, inputs, outputs, method, orientation, m, B, alpha, seed, reference, summary, out, fmt):
    """Partial frontiers robust to outliers: order-m (Cazals, Florens and Simar 2002) or order-alpha
    (Daouia and Simar 2007) efficiency; scores above 1 lie beyond the partial frontier."""
    fmt = _format(out, fmt)
    try:
        result = efficiency.partial_frontier(_table(file, id_col), id=_split(id_col), inputs=_split(inputs),
                                             outputs=_split(outputs), method=method, orientation=orientation,
                                             m=m, B=B, alpha=alpha, seed=seed, reference=reference)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", metavar="COL[,COL]", help="Id column(s); default: rows numbered 1..n.")
@click.option("--output", "output_col", required=True, metavar="Y", help="The output column (cost with --cost).")
@click.option("--inputs", required=True, metavar="A,B", help="Input columns, comma-separated.")
@click.option("--rts", type=click.Choice(["vrs", "crs"]), default="vrs", show_default=True)
@click.option("--cost", is_flag=True, help="Cost frontier (convex, efficiency from above).")
@click.option("--additive", is_flag=True,
              help="Additive CNLS (Benchmarking MULT=0); default: the multiplicative model (see --objective).")
@click.option("--objective", type=click.Choice(["log", "ratio"], case_sensitive=False), default=None,
              help="Multiplicative model: log = log-CNLS (Kuosmanen and Kortelainen 2012, default), "
                   "ratio = Benchmarking's MULT=1 QP approximation. Not with --additive.")
@click.option("--method", type=click.Choice(["MM", "PSL"], case_sensitive=False), default="MM", show_default=True,
              help="Step 2: method of moments or pseudo-likelihood.")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options(quiet=False)
def stoned(file, id_col, output_col, inputs, rts, cost, additive, objective, method, summary, out, fmt):
    """StoNED: CNLS frontier (Kuosmanen 2008, constraint generation, Clarabel QP), then sigma_u and
    efficiency by MM or PSL (Kuosmanen and Kortelainen 2012), as Benchmarking's stoned; the
    multiplicative model is log-CNLS by default (--objective ratio: Benchmarking's MULT=1)."""
    fmt = _format(out, fmt)
    try:
        result = efficiency.stoned(_table(file, id_col), id=_split(id_col), output=output_col,
                                   inputs=_split(inputs), rts=rts, cost=cost, multiplicative=not additive,
                                   method=method.upper(), objective=objective.lower() if objective else None)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame(), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.option("--n", "n", metavar="N1,N2", help="Sizes (default: 100,1000,5000,20000,100000; dula: 100000).")
@click.option("--solvers", metavar="A,B", help="numba,highs,highs+screen,scipy,pulp (default: all).")
@click.option("--rts", metavar="crs,vrs", help="Returns to scale (default: both).")
@click.option("--repeats", type=int, default=3, show_default=True, help="Timed runs (1 when a run takes over 30 s).")
@click.option("--budget", type=float, default=120.0, show_default=True,
              help="Seconds per case and backend; predicted to exceed it: skipped.")
@click.option("--out", metavar="DIR", default="efficiency-bench", show_default=True,
              help="Folder for <suite>.md and <suite>.csv (the committed tables in benchmarks/results are "
                   "refreshed with python -m benchmarks, never by this command).")
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


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--value", required=True, metavar="COL[,COL]", help="Score column(s), each decomposed separately.")
@click.option("--group", required=True, metavar="COL", help="Group column (at least two groups).")
@click.option("--id", "id_col", metavar="COL", help="Unit id column (checked unique per period; named in messages).")
@click.option("--period", metavar="COL", help="Period column (numeric, e.g. year): one decomposition per period.")
@click.option("--measure", type=click.Choice(["dagum", "theil"]), default="dagum", show_default=True,
              help="Dagum (1997) Gini decomposition, or Theil T and L with Shorrocks' (1980) split.")
@click.option("--table", "table", type=click.Choice(["overall", "groups", "pairs"]), default="overall",
              show_default=True, help="Per period; per period and group; per pair of groups (dagum only).")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options(quiet=False)
def disparity(file, value, group, id_col, period, measure, table, summary, out, fmt):
    """Disparity of the scores in FILE between and within groups: Dagum's Gini decomposition
    G = G_w + G_nb + G_t, or the Theil indices T and L (within + between)."""
    fmt = _format(out, fmt)
    if measure == "theil" and table == "pairs":
        raise click.UsageError("--table pairs is the Dagum between-group table; use --measure dagum")
    try:
        if measure == "dagum":
            result = efficiency.dagum_gini(file, value=_split(value), group=group, id=id_col, period=period)
            frame = {"overall": result.to_frame(), "groups": result.within_groups,
                     "pairs": result.between_groups}[table]
        else:
            result = efficiency.theil(file, value=_split(value), group=group, id=id_col, period=period)
            frame = result.to_frame() if table == "overall" else result.groups
    except EfficiencyError as exc:
        _fail(exc)
    write_table(frame.set_index("variable"), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--value", required=True, metavar="COL", help="Score column (positive).")
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--controls", metavar="A,B", help="Control columns: conditional beta convergence (fixed effects).")
@click.option("--group", metavar="COL", help="Group column: sigma statistics per group as well.")
@click.option("--table", "table", type=click.Choice(["beta", "speed", "sigma", "sigma-trend"]), default="beta",
              show_default=True, help="Coefficients per model and term; beta, speed and half-life per model; "
                                      "sd and cv per period (and group); slope of cv on the period.")
@click.option("--summary", is_flag=True, help="Print a summary on stderr.")
@_table_options(quiet=False)
def convergence(file, value, id_col, period, controls, group, table, summary, out, fmt):
    """Sigma and beta convergence of the scores in FILE: growth ln y(t+1) - ln y(t) on ln y(t), pooled
    OLS and unit fixed effects (standard errors clustered by unit), speed and half-life."""
    fmt = _format(out, fmt)
    try:
        result = efficiency.convergence(file, value=value, id=_split(id_col), period=period,
                                        controls=_split(controls), group=group)
    except EfficiencyError as exc:
        _fail(exc)
    if table == "beta":
        frame = result.to_frame().set_index("model")
    elif table == "speed":
        frame = result.speed.set_index("model")
    elif table == "sigma":
        frame = result.sigma.set_index(period)
    else:
        frame = result.sigma_trend.set_index(group if group else "measure")
    write_table(frame, out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


def _spatial_options(f):
    """--neighbours / --coordinates and their options, shared by `moran` and `markov`."""
    f = click.option("--radius", type=float, metavar="R",
                     help="With --coordinates: they are longitude, latitude (degrees); distances are great-circle "
                          "distances on a sphere of radius R (6371 for km).")(f)
    f = click.option("--threshold", type=float, metavar="D",
                     help="With --coordinates: neighbours are the units within distance D (distance band).")(f)
    f = click.option("--k", "k", type=click.IntRange(min=1), metavar="N",
                     help="With --coordinates: the N nearest neighbours.")(f)
    f = click.option("--directed", is_flag=True,
                     help="Read --neighbours pairs as directed links (default: a pair a,b links both ways).")(f)
    f = click.option("--coordinates", type=click.Path(dir_okay=False), metavar="CSV",
                     help="CSV whose first three columns are the unit id, x and y (with --k or --threshold).")(f)
    return click.option("--neighbours", type=click.Path(dir_okay=False), metavar="CSV",
                        help="CSV of neighbour pairs: two columns, unit and neighbour.")(f)


def _save_figure(fig, path: str) -> None:
    try:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    except OSError as exc:
        _fail(f"{path}: cannot write the figure ({exc.strerror or exc})")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--value", required=True, metavar="COL", help="The score column (e.g. efficiency).")
@click.option("--id", "id_col", required=True, metavar="COL", help="Unit id column (the names the neighbours use).")
@click.option("--period", metavar="COL", help="Period column (numeric); one Moran's I per period.")
@_spatial_options
@click.option("--transform", type=click.Choice(["r", "b", "d", "v", "o"]), default="r", show_default=True,
              help="Weights: r row-standardised, b binary, d doubly standardised, v variance stabilising, o as built.")
@click.option("--permutations", type=click.IntRange(min=0), default=999, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), help="Seed of the permutations (reproducible p-values).")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05, show_default=True,
              help="Significance level of the local statistics.")
@click.option("--local", "local", is_flag=True, help="Write the local Moran table (unit x period) instead.")
@click.option("--figure", metavar="PNG", help="Write the Moran scatter plot of the last period to PNG.")
@click.option("--summary", is_flag=True, help="Print the summary on stderr.")
@_table_options(quiet=False)
def moran(file, value, id_col, period, neighbours, coordinates, directed, k, threshold, radius, transform,
          permutations, seed, alpha, local, figure, summary, out, fmt):
    """Global and local Moran's I of a score in FILE (needs the extra [spatial]: libpysal, esda)."""
    from efficiency.data import read_csv
    from efficiency.regional.spatial import fig_moran

    fmt = _format(out, fmt)
    try:
        result = efficiency.moran(read_csv(file), value=value, id=id_col, period=period, neighbours=neighbours,
                                  coordinates=coordinates, k=k, threshold=threshold, radius=radius,
                                  symmetric=not directed, transform=transform, permutations=permutations,
                                  seed=seed, alpha=alpha)
    except EfficiencyError as exc:
        _fail(exc)
    table = result.local if local else result.to_frame()
    keys = [result.id_name] if local else []
    keys += [period] if period else ([] if local else ["n"])
    write_table(table.set_index(keys), out, fmt)
    if figure:
        _save_figure(fig_moran(result), figure)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--value", required=True, metavar="COL", help="The score column (e.g. efficiency).")
@click.option("--id", "id_col", required=True, metavar="COL", help="Unit id column.")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--classes", type=click.IntRange(min=2), default=4, show_default=True,
              help="Number of pooled quantile classes.")
@click.option("--breaks", metavar="B1,B2,..", callback=lambda c, p, v: _numbers(v, p),
              help="Class upper bounds instead of quantiles (all classes but the last).")
@click.option("--lag-breaks", "lag_breaks", metavar="B1,B2,..", callback=lambda c, p, v: _numbers(v, p),
              help="Upper bounds of the spatial-lag classes (default: pooled quantiles).")
@_spatial_options
@click.option("--figure", metavar="PNG", help="Write the heatmap(s) of the transition matrices to PNG.")
@click.option("--summary", is_flag=True, help="Print the matrices, ergodic distributions and tests on stderr.")
@_table_options(quiet=False)
def markov(file, value, id_col, period, classes, breaks, lag_breaks, neighbours, coordinates, directed, k, threshold,
           radius, figure, summary, out, fmt):
    """Markov transition matrices of score classes in FILE; spatial Markov with --neighbours/--coordinates."""
    from efficiency.data import read_csv
    from efficiency.regional.markov import fig_markov

    fmt = _format(out, fmt)
    try:
        result = efficiency.markov(read_csv(file), value=value, id=id_col, period=period,
                                   classes=None if breaks else classes, breaks=breaks, lag_breaks=lag_breaks,
                                   neighbours=neighbours, coordinates=coordinates, k=k, threshold=threshold,
                                   radius=radius, symmetric=not directed)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().set_index("lag_class"), out, fmt)
    if figure:
        _save_figure(fig_markov(result), figure)
    if summary:
        click.echo(result.summary(), err=True)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "id_col", required=True, metavar="COL[,COL]", help="Unit id column(s).")
@click.option("--period", required=True, metavar="COL", help="Period column (numeric, e.g. year).")
@click.option("--y", "y_col", required=True, metavar="Y", help="The dependent column.")
@click.option("--regime-dependent", "dep", required=True, metavar="A,B",
              help="Columns whose slopes switch at the thresholds, comma-separated.")
@click.option("--regime-independent", "indep", metavar="C,D", help="The other regressors, comma-separated.")
@click.option("--threshold", "thr", required=True, metavar="Q", help="The threshold variable.")
@click.option("--n-thresholds", type=click.IntRange(0, 3), default=1, show_default=True,
              help="Thresholds estimated sequentially (0: the linear fixed-effects model).")
@click.option("--trim", type=float, default=0.05, show_default=True, help="Share trimmed at each end of the grid.")
@click.option("--grid", type=click.IntRange(min=2), default=400, show_default=True,
              help="Number of quantiles of the distinct threshold values searched.")
@click.option("--B", "B", type=click.IntRange(min=0), default=300, show_default=True,
              help="Bootstrap replications per test (0: no bootstrap).")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05,
              show_default=True, help="1 - coverage of the threshold intervals.")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed (same seed, same numbers).")
@click.option("--within", type=click.Choice(["hansen", "full"]), default="hansen", show_default=True,
              help="hansen: demeaned, last period deleted (Hansen 1999); full: all demeaned periods.")
@_cluster_options
@click.option("--summary", is_flag=True, help="Print the tests, thresholds and intervals on stderr.")
@_table_options()
def threshold(file, id_col, period, y_col, dep, indep, thr, n_thresholds, trim, grid, B, alpha, seed, within,
              scheduler, workers, summary, quiet, out, fmt):
    """Hansen (1999) fixed-effects panel threshold regression: thresholds, bootstrap F tests and the
    coefficient table (White standard errors)."""
    from efficiency.data import read_csv
    from efficiency.distributed import cluster

    fmt = _format(out, fmt)
    _quiet(quiet)
    try:
        with cluster(scheduler, workers) as client:
            result = efficiency.threshold(read_csv(file), id=_split(id_col), period=period, y=y_col,
                                          regime_dependent=_split(dep), regime_independent=_split(indep),
                                          threshold=thr, n_thresholds=n_thresholds, trim=trim, grid=grid, B=B,
                                          alpha=alpha, seed=seed, client=client, within=within)
    except EfficiencyError as exc:
        _fail(exc)
    write_table(result.to_frame().rename_axis("parameter"), out, fmt)
    if summary:
        click.echo(result.summary(), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
