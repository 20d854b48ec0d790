"""Tables and figures of a three-dimension analysis (DESIGN section 7): ``Analysis.report(dir)``.

``write_report`` writes into one folder:

* ``index.html``: a self-contained report (figures embedded as base64 PNG data URIs, each also linked
  to its PNG file), with the spec, the methods (formulas and papers), summary tables and the figures;
* the figures as PNG files (matplotlib, Agg backend, imported only here and only when called):
  ``score_distribution.png`` (score distribution per dimension), ``unit_dimensions.png`` (each unit's
  dimensions side by side, latest period), ``coordination_heatmap.png`` (D by unit and period),
  ``malmquist_components.png`` (geometric means of the Malmquist index and its components over time,
  per dimension; with a period), ``productivity_components.png`` (geometric means of the TFP index and
  its components over time, per dimension with ``dynamics`` a TFP index) and ``group_gaps.png`` (mean
  technology gap ratio by group and dimension; with a group);
* ``tables.xlsx``: one sheet per table of :meth:`Analysis.tables` (openpyxl).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .panel import geomean
from .plotting import pyplot
from .spec import BANDS

WORKBOOK = "tables.xlsx"
INDEX = "index.html"


_plt = pyplot


# --------------------------------------------------------------------------------------------------
# Figures: each returns a matplotlib Figure (or None when the data do not call for it)
# --------------------------------------------------------------------------------------------------

def fig_score_distribution(a):
    plt = _plt()
    names = list(a.spec.names)
    cols = [f"score_{n}" for n in names] + ["composite", "coordination"]
    labels = [d.title for d in a.spec.dimensions] + ["composite T", "coordination D"]
    data = [a.scores[c].dropna().to_numpy() for c in cols]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(cols)), 4.2))
    ax.boxplot(data, showmeans=True)
    ax.set_xticks(range(1, len(cols) + 1), labels, rotation=20, ha="right")
    rng = np.random.default_rng(0)
    for k, v in enumerate(data, start=1):
        ax.scatter(k + rng.uniform(-0.15, 0.15, v.size), v, s=6, alpha=0.35, color="tab:blue")
    ax.axhline(a.spec.threshold, ls="--", color="tab:red", lw=1, label=f"threshold {a.spec.threshold:g}")
    ax.set_ylabel("efficiency / degree")
    ax.set_ylim(0, 1.05)
    ax.set_title("Score distribution per dimension")
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig


def _latest(a) -> tuple[pd.DataFrame, str]:
    s = a.scores
    if a.spec.period:
        last = s[a.spec.period].max()
        return s[s[a.spec.period] == last], f"{a.spec.period} {last}"
    return s, ""


def fig_unit_dimensions(a):
    plt = _plt()
    s, when = _latest(a)
    names = list(a.spec.names)
    s = s.sort_values("composite")
    n, k = len(s), len(names)
    fig, ax = plt.subplots(figsize=(8, max(3.5, 0.28 * n * max(1, k) / 2 + 1)))
    y = np.arange(n)
    h = 0.8 / k
    for j, d in enumerate(a.spec.dimensions):
        ax.barh(y + (j - (k - 1) / 2) * h, s[f"score_{d.name}"], height=h, label=d.title)
    ax.set_yticks(y, [str(v) for v in s[a.spec.id]], fontsize=7)
    ax.axvline(a.spec.threshold, ls="--", color="tab:red", lw=1)
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("efficiency")
    ax.set_title("Each unit's dimensions" + (f" ({when})" if when else "") + ", sorted by composite")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    return fig


def fig_coordination_heatmap(a):
    plt = _plt()
    s = a.scores
    idc = a.spec.id
    units = pd.unique(s[idc])
    if a.spec.period:
        mat = s.pivot(index=idc, columns=a.spec.period, values="coordination").reindex(units)
    else:
        mat = s.set_index(idc)[["coordination"]].reindex(units)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * mat.shape[1] + 3), max(3.5, 0.25 * len(units) + 1)))
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    ax.set_yticks(range(len(units)), [str(u) for u in units], fontsize=7)
    ax.set_xticks(range(mat.shape[1]), [str(c) for c in mat.columns], rotation=45 if mat.shape[1] > 6 else 0)
    fig.colorbar(im, ax=ax, label="coordination degree D")
    ax.set_title("Coupling coordination degree D" + (" by unit and period" if a.spec.period else " by unit"))
    fig.tight_layout()
    return fig


def _components_over_time(a, table, components, title):
    """Geometric means over units of ``components`` per pair of periods, one panel per dimension of
    ``table`` (columns dimension, period_from, period_to, the components)."""
    plt = _plt()
    dims = list(pd.unique(table["dimension"]))
    fig, axes = plt.subplots(1, len(dims), figsize=(4.2 * len(dims), 3.6), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], dims):
        f = table[table["dimension"] == name]
        g = f.groupby(["period_from", "period_to"], sort=True)
        labels = [f"{a_}-{str(b)[-2:]}" for a_, b in g.groups]
        for comp in components:
            ax.plot(range(len(labels)), [geomean(v) for _, v in g[comp]], marker="o", label=comp)
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.set_xticks(range(len(labels)), labels, rotation=45, fontsize=7)
        dim_title = next((d.title for d in a.spec.dimensions if d.name == name), name)
        ax.set_title(dim_title + (f" ({f['index'].iloc[0]})" if "index" in f else ""), fontsize=9)
    axes[0][0].set_ylabel("geometric mean (> 1: improvement)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def fig_malmquist(a):
    if a.malmquist is None or a.malmquist.empty:
        return None
    return _components_over_time(a, a.malmquist, ("malmquist", "effch", "techch"),
                                 "Malmquist index and components over time")


def fig_productivity(a):
    if a.productivity is None or a.productivity.empty:
        return None
    return _components_over_time(a, a.productivity, ("tfp_change", "mp_change", "tfpe_change"),
                                 "TFP index and components over time (O'Donnell 2012)")


def fig_group_gaps(a):
    if a.group_summary is None or a.group_summary.empty:
        return None
    plt = _plt()
    gs = a.group_summary
    groups = list(pd.unique(gs["group"]))
    dims = list(pd.unique(gs["dimension"]))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.6 * len(groups) + 2), 3.8))
    w = 0.8 / len(dims)
    x = np.arange(len(groups))
    for j, d in enumerate(dims):
        vals = [gs[(gs["group"] == g) & (gs["dimension"] == d)]["tgr"].mean() for g in groups]
        ax.bar(x + (j - (len(dims) - 1) / 2) * w, vals, width=w, label=d)
    ax.set_xticks(x, [str(g) for g in groups])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean technology gap ratio (meta / group)")
    ax.set_title("Group technology gaps (O'Donnell, Rao and Battese 2008)")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def _regional(a):
    return getattr(a, "regional", None)


def fig_dagum_composite(a):
    r = _regional(a)
    if r is None or r.dagum is None:
        return None
    from .regional.disparity import fig_dagum

    return fig_dagum(r.dagum, r.values[0])


def fig_score_density(a):
    r = _regional(a)
    if r is None or r.density is None:
        return None
    from .regional.disparity import fig_density

    d = r.density[r.density["variable"] == r.values[0]].drop(columns="variable")
    d.attrs.update(period=a.spec.period, value=r.values[0])
    return fig_density(d, title=f"Kernel density of {r.values[0]} per period (Gaussian kernel, Scott bandwidth)")


def fig_markov_chain(a):
    r = _regional(a)
    if r is None or r.markov is None:
        return None
    from .regional.markov import fig_markov

    return fig_markov(r.markov)


def fig_moran_scatter(a):
    r = _regional(a)
    if r is None or not r.moran:
        return None
    from .regional.spatial import fig_moran

    return fig_moran(r.moran[r.values[0]])


def fig_threshold_lr(a):
    r = _regional(a)
    if r is None or r.threshold is None or not r.threshold.thresholds:
        return None
    from .threshold import fig_threshold

    return fig_threshold(r.threshold)


FIGURES = (
    ("score_distribution.png", fig_score_distribution,
     "Distribution of each dimension's efficiency, the composite T and the coordination degree D over "
     "all rows (box: quartiles, triangle: mean; dashed: the bottleneck threshold)."),
    ("unit_dimensions.png", fig_unit_dimensions,
     "Each unit's dimension scores side by side (latest period), units sorted by the composite."),
    ("coordination_heatmap.png", fig_coordination_heatmap,
     "Coupling coordination degree D = sqrt(C T) by unit and period."),
    ("malmquist_components.png", fig_malmquist,
     "Geometric means over units of the Malmquist index (malmquist), efficiency change (effch) and "
     "technical change (techch) per pair of periods, per dimension."),
    ("productivity_components.png", fig_productivity,
     "Geometric means over units of the TFP index (tfp_change), the change in maximal TFP (mp_change, "
     "technical change) and the change in TFP efficiency (tfpe_change) per pair of periods, per dimension "
     "whose dynamics is a TFP index (O'Donnell 2012; tfp_change = mp_change x tfpe_change)."),
    ("group_gaps.png", fig_group_gaps,
     "Mean technology gap ratio TGR = meta-frontier score / group-frontier score by group and dimension "
     "(1: the group's frontier is the meta-frontier)."),
    ("dagum_gini.png", fig_dagum_composite,
     "Dagum (1997) Gini decomposition of the first regional value per period: within-group, net between-group "
     "and transvariation contributions (their sum is the Gini index), and the within-group Ginis by group."),
    ("score_density.png", fig_score_density,
     "Kernel density of the first regional value in each period (Gaussian kernel, Scott's rule)."),
    ("markov.png", fig_markov_chain,
     "Markov transition probabilities between quantile classes of the first regional value from one period to "
     "the next (spatial Markov: one matrix per class of the neighbours' mean; Rey 2001)."),
    ("moran_scatter.png", fig_moran_scatter,
     "Moran scatter plot of the first regional value in the last period: standardised score against its spatial "
     "lag; the slope is Moran's I."),
    ("threshold_lr.png", fig_threshold_lr,
     "Likelihood ratio LR(gamma) over each threshold's search grid (Hansen 1999); the dashed line is the critical "
     "value, the threshold's confidence interval is where LR lies below it."),
)


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------

#: Rows of an xlsx sheet, the header row included (Excel's limit).
XLSX_MAX_ROWS = 1_048_576


def check_xlsx(tables: dict[str, pd.DataFrame], path, ids=(), remedy: str | None = None) -> None:
    """Refuse, before anything is written, tables that an xlsx file cannot hold as they are: text with a
    control character (XML 1.0 forbids U+0000-U+001F other than tab, line feed and carriage return)
    and sheets longer than Excel's limit. The ids are not altered to fit: a changed id no longer
    matches the input (and stripping a character can make two ids equal). A DataError names the
    file, sheet, column and row (with the id, from the columns ``ids``) and ends with ``remedy``
    (default: write CSV or JSON, which keep every character)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as illegal

    from .data import format_id

    other = remedy or f"write CSV or JSON instead (-o {Path(path).with_suffix('.csv').name})"
    for sheet, table in tables.items():
        where = f"{path}, sheet {sheet!r}"
        if len(table) + 1 > XLSX_MAX_ROWS:
            raise DataError(f"{where}: {len(table)} rows, but an xlsx sheet holds at most "
                            f"{XLSX_MAX_ROWS - 1} below its header; {other}")
        for col in table.columns:
            if illegal.search(str(col)):
                raise DataError(f"{where}: the column name {str(col)!r} holds a control character, which "
                                f"an xlsx file cannot store; rename the column, or {other}")
            values = table[col]
            if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
                continue
            bad = values.map(lambda v: isinstance(v, str) and illegal.search(v) is not None).to_numpy(dtype=bool)
            if not bad.any():
                continue
            i = int(np.flatnonzero(bad)[0])
            text = values.iloc[i]
            ch = illegal.search(text).group()
            keys = [c for c in ids if c in table.columns]
            ident = f" (id {format_id(tuple(table[c].iloc[i] for c in keys))!r})" if keys else ""
            more = f" ({int(bad.sum()) - 1} more rows like it)" if bad.sum() > 1 else ""
            raise DataError(f"{where}: column {str(col)!r}, row {i + 1}{ident}: {text!r} holds the control "
                            f"character U+{ord(ch):04X}, which an xlsx file cannot store{more}; remove it from "
                            f"the data, or {other}")


def write_workbook(a, path) -> Path:
    """Write every table of the analysis to an xlsx workbook, one sheet per table (checked first with
    :func:`check_xlsx`: nothing is written when a table cannot go into xlsx)."""
    path = Path(path)
    tables = {name[:31]: t for name, t in a.tables().items()}
    check_xlsx(tables, path, ids=a.key_columns)
    path.write_bytes(xlsx_bytes(tables))
    return path


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook with one sheet per table, built in memory: any file name will do (pandas would
    refuse an extension other than .xlsx) and a failure leaves no half-written file."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, table in tables.items():
            table.to_excel(xl, sheet_name=name, index=False)
    return buf.getvalue()


def _table_html(frame: pd.DataFrame, max_rows: int | None = None) -> str:
    f = frame if max_rows is None or len(frame) <= max_rows else frame.head(max_rows)
    out = f.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="", border=0, classes="t",
                    escape=True)
    if max_rows is not None and len(frame) > max_rows:
        out += f"<p class='note'>First {max_rows} of {len(frame)} rows; all rows are in {WORKBOOK}.</p>"
    return out


_NETWORK_PAPERS = {"nsbm": "network SBM (Tone and Tsutsui 2009)",
                   "relational": "relational model (Kao and Hwang 2008; Kao 2009)",
                   "additive": "additive decomposition (Chen, Cook, Li and Zhu 2009)",
                   "centralised": "centralised model (Liang, Cook and Zhu 2008)",
                   "leader-follower": "leader-follower model (Liang, Cook and Zhu 2008)"}


def _methods(a) -> str:
    sp = a.spec
    items = []
    for d in sp.dimensions:
        frontier = sp.frontier_of(d) if sp.period else "cross-section"
        rts = (f"GRS {d.rts_bounds[0]:g}-{d.rts_bounds[1]:g}" if d.rts_bounds is not None else d.rts.upper())
        model = {"radial": f"radial DEA ({rts}, {d.orientation}-oriented; Charnes-Cooper-Rhodes 1978, "
                           "Banker-Charnes-Cooper 1984)",
                 "sbm": f"SBM ({d.rts.upper()}, {d.orientation}; Tone 2001" +
                        (", with undesirable outputs Tone 2004)" if d.undesirable else ")"),
                 "ddf": f"directional distance function ({d.rts.upper()}; Chambers-Chung-Faere 1996), "
                        "efficiency 1/(1 + beta)",
                 "fdh": f"FDH ({d.orientation}-oriented; Deprins-Simar-Tulkens 1984)",
                 "sfa": f"SFA ({d.form}, {d.dist}; Battese-Coelli 1988 efficiency)",
                 "stoned": f"StoNED ({d.rts.upper()}, {d.objective} CNLS, {d.method}; Kuosmanen and Kortelainen 2012)",
                 "russell": f"Russell measure ({rts}, {d.orientation}-oriented; Faere and Lovell 1978), the mean "
                            "of the per-variable factors",
                 "rdm": f"range directional model ({rts}, {d.orientation}; Silva Portela, Thanassoulis and "
                        "Simpson 2004), efficiency 1 - beta",
                 "ram": f"range-adjusted measure ({rts}; Cooper, Park and Pastor 1999)",
                 "bam": f"bounded adjusted measure ({rts}; Cooper, Pastor, Borras, Aparicio and Pastor 2011)",
                 "network": f"network DEA, {_NETWORK_PAPERS.get(d.network, d.network)} ({rts}, {d.orientation}); "
                            "score = overall efficiency; stages " + " -> ".join(st for st, _, _ in d.stages)
                            if d.model == "network" else ""}[d.model]
        if d.cross_efficiency is not None:
            model += f"; cross-efficiency ranks ({d.cross_efficiency}; Sexton, Silkman and Hogan 1986)"
        cols = (f"inputs {', '.join(d.inputs)}; outputs {', '.join(d.outputs)}" +
                (f"; undesirable {', '.join(d.undesirable)}" if d.undesirable else ""))
        if d.model == "network":
            cols = "; ".join(f"stage {st}: inputs {', '.join(i) or '-'}, outputs {', '.join(o) or '-'}"
                             for st, i, o in d.stages) + "; " + "; ".join(
                f"link {a} -> {b} ({kind}): {', '.join(c)}" for a, b, c, kind in d.links)
        kind = sp.malmquist_kind(d) if sp.period else None
        dyn = f"; Malmquist{'-Luenberger' if d.undesirable else ''} index: {kind}" if kind else ""
        index = sp.productivity_index(d)
        if index:
            dyn = f"; TFP index: {index} (O'Donnell 2012)"
        items.append(f"<li><b>{html.escape(d.title)}</b> ({html.escape(d.name)}): {html.escape(model)}, "
                     f"frontier: {html.escape(frontier)}{html.escape(dyn)}; {html.escape(cols)}.</li>")
    w = ", ".join(f"{n} {x:.3g}" for n, x in zip(sp.names, a.weights or sp.weights))
    how = ("entropy weights (entropy weight method on the scores of all rows, "
           f"{sp.entropy_normalisation} normalisation; Zeleny 1982, Hwang and Yoon 1981)"
           if sp.weighting == "entropy" else "normalised weights")
    return (
        "<ul>" + "".join(items) + "</ul>"
        f"<p>Composite T = &sum; w<sub>i</sub> U<sub>i</sub> with {how} ({html.escape(w)}). "
        "Obstacle degree of dimension i: w<sub>i</sub>(1 &minus; U<sub>i</sub>) / &sum;<sub>j</sub> "
        "w<sub>j</sub>(1 &minus; U<sub>j</sub>), its share of the weighted shortfall (columns obstacle_*; "
        "main_obstacle the largest). "
        "Coupling C = (&prod; U<sub>i</sub>)<sup>1/k</sup> / ((1/k) &sum; U<sub>i</sub>) (geometric over "
        "arithmetic mean; capacity-coupling coefficient, Liu, Li and Song 2005; Wang et al. 2021), in [0, 1]. "
        "Coordination D = &radic;(C T), classified on the ten-band scale (0&ndash;0.1 extreme disorder, "
        "&hellip;, 0.9&ndash;1 quality coordination). "
        f"A dimension below the threshold {sp.threshold:g} is a bottleneck; the regime is "
        "<i>new-quality</i> when every dimension reaches it, else <i>traditional</i>.</p>"
        + ("<p>Dynamics: Malmquist index per dimension (Faere, Grosskopf, Norris and Zhang 1994; "
           "Malmquist-Luenberger with bad outputs, Chung, Faere and Grosskopf 1997; global: one technology of "
           "all periods, Pastor and Lovell 2005, Oh 2010) and the change in D between consecutive periods.</p>"
           if sp.period else "")
        + ("<p>Groups: DEA against each group's own frontier and against all units (meta-frontier); "
           "technology gap ratio TGR = meta / group (O'Donnell, Rao and Battese 2008).</p>" if sp.group else ""))


_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
table.t{border-collapse:collapse;font-size:.8em;margin:.5em 0}table.t td,table.t th{padding:2px 6px;
border-bottom:1px solid #eee;text-align:right}table.t th{background:#f4f4f4}figure{margin:1.5em 0}
figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.9em;color:#555}.note{font-size:.85em;color:#666}"""


def write_report(a, directory) -> Path:
    """Write ``index.html``, the PNG figures and ``tables.xlsx`` into ``directory`` (created if
    needed); returns the path of ``index.html``."""
    out = Path(directory)
    check_xlsx(a.tables(), out / WORKBOOK, ids=a.key_columns,      # before anything is written
               remedy=f"leave out the report (it always writes {WORKBOOK}) and write the tables with -o")
    try:
        out.mkdir(parents=True, exist_ok=True)
        return _write_report(a, out)
    except OSError as exc:
        raise DataError(f"{exc.filename or out}: cannot write the report ({exc.strerror or exc})") from None


def _regional_sections(a) -> list[str]:
    """The regional study's tables (efficiency.regional.study), each with a caption."""
    r = _regional(a)
    if r is None:
        return []
    v0 = r.values[0]
    parts = ["<h2>Regional study</h2>",
             f"<p>Analysed scores: {html.escape(', '.join(r.values))}. Every table, for every analysed score, is in "
             "the workbook (sheets dagum, dagum_groups, dagum_pairs, theil, density, convergence, convergence_speed, "
             "sigma, markov, moran, moran_local, threshold, threshold_tests, threshold_estimates).</p>"]
    if r.notes:
        parts.append("<p class='note'>Not computed: " + "; ".join(html.escape(n) for n in r.notes) + ".</p>")
    if r.dagum is not None:
        t = r.dagum.to_frame()
        parts += [f"<h3>Disparity: Dagum Gini decomposition of {html.escape(v0)}</h3>",
                  "<p>G = G<sub>w</sub> (within groups) + G<sub>nb</sub> (net between groups) + G<sub>t</sub> "
                  "(transvariation), per period, with their shares (Dagum 1997).</p>",
                  _table_html(t[t["variable"] == v0])]
    if r.theil is not None:
        t = r.theil.to_frame()
        parts += [f"<h3>Disparity: Theil indices of {html.escape(v0)}</h3>",
                  "<p>Theil T and L (mean log deviation), each split into within- and between-group parts "
                  "(Shorrocks 1980).</p>", _table_html(t[t["variable"] == v0])]
    if r.convergence:
        speed = pd.concat([c.speed.assign(variable=v) for v, c in r.convergence.items()], ignore_index=True)
        trend = pd.concat([c.sigma_trend.assign(variable=v) for v, c in r.convergence.items()], ignore_index=True)
        parts += ["<h3>Convergence</h3>",
                  "<p>Beta convergence: growth ln y<sub>t+1</sub> &minus; ln y<sub>t</sub> regressed on ln y<sub>t</sub>, "
                  "pooled (absolute) and with unit fixed effects (standard errors clustered by unit); beta &lt; 0 means "
                  "convergence, &lambda; = &minus;ln(1 + beta) per period, half-life ln 2 / &lambda;. Sigma "
                  "convergence: the slope of the coefficient of variation on the period (negative: the "
                  "dispersion shrinks).</p>",
                  "<h4>Beta convergence</h4>", _table_html(speed[["variable"] + [c for c in speed.columns
                                                                               if c != "variable"]]),
                  "<h4>Sigma convergence</h4>", _table_html(trend[["variable"] + [c for c in trend.columns
                                                                                if c != "variable"]])]
    if r.markov is not None:
        parts += [f"<h3>Markov chain of {html.escape(v0)}</h3>",
                  "<p>Transition probabilities between quantile classes from one period to the next (Quah 1993"
                  + ("; spatial Markov conditioned on the neighbours' class, Rey 2001" if r.markov.spatial else "")
                  + "), with the ergodic distribution.</p>", _table_html(r.markov.to_frame(), max_rows=200)]
    if r.moran:
        m = pd.concat([res.to_frame().reset_index().assign(variable=v) for v, res in r.moran.items()],
                      ignore_index=True)
        parts += ["<h3>Spatial dependence: global Moran's I</h3>",
                  "<p>Moran's I per period with its expectation, z-scores and analytic and permutation p-values "
                  "(esda); local Moran's I per unit in the workbook (sheet moran_local).</p>",
                  _table_html(m[["variable"] + [c for c in m.columns if c != "variable"]])]
    if r.threshold is not None:
        from .regional.study import threshold_tests

        th = r.threshold
        parts += ["<h3>Threshold effects (Hansen 1999)</h3>",
                  f"<p>Fixed-effects panel threshold regression of {html.escape(th.y)} with threshold variable "
                  f"{html.escape(th.threshold_variable)}: bootstrap F tests of k against k &minus; 1 thresholds "
                  f"(B = {th.B}), the threshold estimates with their {100 * (1 - th.alpha):g}% LR intervals, and the "
                  "coefficients (White standard errors).</p>",
                  "<h4>Tests</h4>", _table_html(threshold_tests(th)),
                  "<h4>Thresholds</h4>", _table_html(th.conf_int().rename_axis("threshold").reset_index()),
                  "<h4>Coefficients</h4>", _table_html(th.to_frame().rename_axis("term").reset_index())]
    return parts


def _write_report(a, out: Path) -> Path:
    plt = _plt()
    figures = []
    for filename, make, caption in FIGURES:
        fig = make(a)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        png = buf.getvalue()
        (out / filename).write_bytes(png)
        figures.append((filename, caption, base64.b64encode(png).decode("ascii")))
    write_workbook(a, out / WORKBOOK)

    sp = a.spec
    s = a.scores
    bands = s["band"].value_counts().rename_axis("band").reset_index(name="rows")
    order = {name: i for i, (_, name) in enumerate(BANDS)}
    bands = bands.sort_values("band", key=lambda c: c.map(order), ascending=False)
    regime = s["regime"].value_counts().rename_axis("regime").reset_index(name="rows")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Innovation efficiency report</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>Innovation efficiency in " + str(len(sp.dimensions)) + " dimensions</h1>",
        f"<p>Data: <code>{html.escape(a.source)}</code>, {len(s)} rows"
        + (f", {s[sp.period].nunique()} periods" if sp.period else "")
        + (f", groups by <code>{html.escape(sp.group)}</code>" if sp.group else "")
        + f". Spec: <code>{html.escape(sp.source)}</code>. All tables: <a href='{WORKBOOK}'>{WORKBOOK}</a>.</p>",
        "<h2>Model</h2>", _methods(a),
        "<h2>Summary</h2>", _table_html(a.summary_table),
        "<h3>Coordination bands</h3>", _table_html(bands), "<h3>Regime</h3>", _table_html(regime),
    ]
    if a.group_summary is not None:
        parts += ["<h3>Group and meta-frontier</h3>", _table_html(a.group_summary)]
    stage_cols = [c for c in s.columns if c.startswith("score_") and ":" in c]
    if stage_cols:
        by = [sp.period] if sp.period else []
        means = (s.groupby(by)[stage_cols].mean().reset_index() if by else
                 s[stage_cols].mean().to_frame().T)
        parts += ["<h3>Network stages</h3>",
                  "<p>Mean stage efficiencies of the network dimensions (columns <code>score_dimension:stage</code> "
                  "of the scores table); a network dimension below the threshold is named in the bottleneck "
                  "column with its weakest stage (e.g. <code>technology:transform</code>).</p>",
                  _table_html(means)]
    if a.productivity is not None:
        parts += ["<h3>Productivity change (TFP index)</h3>",
                  "<p>Per dimension with a TFP index: the change from each unit's previous period "
                  "(tfp_change = mp_change x tfpe_change; O'Donnell 2012; Hicks-Moorsteen, Faere-Primont or "
                  "Lowe as computed by R's productivity package). All rows in the workbook, sheet "
                  "<code>productivity</code>.</p>",
                  _table_html(a.productivity, max_rows=200)]
    if a.cross_efficiency is not None:
        parts += ["<h3>Cross-efficiency ranks</h3>",
                  "<p>The mean rating of each unit by the weights of every unit of its period (Sexton et al. "
                  "1986; rank 1 = best); <code>maverick</code> = (efficiency - cross-efficiency) / "
                  "cross-efficiency.</p>",
                  _table_html(a.cross_efficiency.sort_values(["dimension", "rank"]), max_rows=400)]
    parts += _regional_sections(a)
    parts.append("<h2>Figures</h2>")
    for filename, caption, b64 in figures:
        parts.append(f"<figure id='{filename[:-4]}'><img src='data:image/png;base64,{b64}' alt='{filename}'>"
                     f"<figcaption>{html.escape(caption)} (<a href='{filename}'>{filename}</a>)</figcaption></figure>")
    parts += ["<h2>Scores</h2>", _table_html(s, max_rows=400)]
    parts.append("<p class='note'>Generated by innovation-efficiency.</p></body></html>")
    index = out / INDEX
    index.write_text("\n".join(parts), encoding="utf-8")
    return index
