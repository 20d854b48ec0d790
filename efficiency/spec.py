"""Model options as enums with string values (DESIGN section 2).

Every public function accepts either the enum member or its string value (case-insensitive, with the
common aliases of R Benchmarking and deaR: ``in``/``io``, ``out``/``oo``, ``drs``/``irs``...).
"""

from __future__ import annotations

from enum import Enum

from .errors import SpecError


#: The ten-band scale of the coordination degree D (lower bound, name); a band holds
#: lower <= D < next lower bound, and D = 1 is in the top band.
BANDS = (
    (0.0, "extreme disorder"),
    (0.1, "serious disorder"),
    (0.2, "moderate disorder"),
    (0.3, "mild disorder"),
    (0.4, "verge of disorder"),
    (0.5, "barely coordinated"),
    (0.6, "primary coordination"),
    (0.7, "intermediate coordination"),
    (0.8, "good coordination"),
    (0.9, "quality coordination"),
)


class _Option(str, Enum):
    """String enum whose ``parse`` accepts members, values and aliases, with a clear error."""

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def parse(cls, value, *, name: str | None = None):
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower().replace("_", "-")
            key = cls._aliases().get(key, key)
            for member in cls:
                if member.value == key:
                    return member
        allowed = ", ".join(repr(m.value) for m in cls)
        raise SpecError(f"{name or cls.__name__.lower()}: {value!r} is not one of {allowed}")

    def __str__(self) -> str:
        return self.value


class RTS(_Option):
    """Returns to scale of the technology: the row on sum(lambda)."""

    CRS = "crs"    # constant (CCR): no row
    VRS = "vrs"    # variable (BCC): sum = 1
    NIRS = "nirs"  # non-increasing: sum <= 1 (Benchmarking "drs")
    NDRS = "ndrs"  # non-decreasing: sum >= 1 (Benchmarking "irs")
    GRS = "grs"    # generalised: L <= sum <= U, the bounds given as ``rts_bounds`` (deaR "grs")
    FDH = "fdh"    # free disposal hull: one observed peer (lambda binary, sum = 1), no convexity
    FRH = "frh"    # free replicability hull: lambda non-negative integers (Benchmarking "add")

    @classmethod
    def _aliases(cls):
        return {"ccr": "crs", "bcc": "vrs", "drs": "nirs", "irs": "ndrs", "vrs-nirs": "nirs", "add": "frh"}


class Orientation(_Option):
    """Direction in which a DMU is projected onto the frontier."""

    INPUT = "input"    # contract inputs (theta)
    OUTPUT = "output"  # expand outputs (phi)
    GRAPH = "graph"    # hyperbolic: (G x, y / G)
    NONE = "none"      # non-oriented (additive, SBM, DDF)

    @classmethod
    def _aliases(cls):
        return {"in": "input", "io": "input", "out": "output", "oo": "output",
                "no": "none", "non-oriented": "none", "hyperbolic": "graph"}


class Model(_Option):
    """DEA formulation (DESIGN section 4)."""

    RADIAL = "radial"
    FDH = "fdh"
    SBM = "sbm"
    ADDITIVE = "additive"
    DDF = "ddf"
    RUSSELL = "russell"    # non-radial Russell measure (Faere and Lovell 1978)
    RDM = "rdm"            # range directional model (Silva Portela, Thanassoulis and Simpson 2004)
    RAM = "ram"            # range adjusted measure (Cooper, Park and Pastor 1999)
    BAM = "bam"            # bounded adjusted measure (Cooper, Pastor, Borras, Aparicio and Pastor 2011)
    MEA = "mea"            # multi-directional efficiency analysis (Bogetoft and Hougaard 1999)

    @classmethod
    def _aliases(cls):
        return {"ccr": "radial", "bcc": "radial", "basic": "radial", "directional": "ddf",
                "nonradial": "russell", "non-radial": "russell"}


# ==================================================================================================
# The TOML dimension spec (DESIGN section 7)
# ==================================================================================================
#
# A spec names the data's id/period/group columns, any number of dimensions (each with its inputs,
# outputs, bad outputs and model) and the composite's weights and threshold. ``load_spec`` parses it
# (tomllib) and validates it; every error is a SpecError naming the spec file, the line and the key:
#   "innovation.toml, line 12: dimensions.technology.inputs: unknown column 'rd_expenditur' (did you
#    mean 'rd_expenditure'?)"
# tomllib keeps no positions, so the line is found by scanning the TOML text for the table header and
# the ``key =`` line inside it (``_Locator``).

import difflib  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

#: Models a dimension can be scored with.
DIMENSION_MODELS = ("radial", "sbm", "ddf", "fdh", "sfa", "stoned", "russell", "rdm", "ram", "bam", "network")
#: One-output frontiers estimated by regression (no DEA index of change, no group frontier).
REGRESSION_MODELS = ("sfa", "stoned")
STONED_OBJECTIVES = ("log", "ratio", "additive")
STONED_METHODS = ("mm", "psl")
#: The network models a ``model = "network"`` dimension may use (``network = ...``; ef.network).
NETWORK_MODELS = ("nsbm", "relational", "additive", "centralised", "leader-follower")
#: Models without an orientation (non-oriented measures).
NON_ORIENTED_MODELS = ("ddf", "ram", "bam")
#: Cross-efficiency methods a (radial) dimension may ask for (``cross_efficiency = ...``).
CROSS_EFFICIENCY_METHODS = ("arbitrary", "aggressive", "benevolent")
#: Models that take undesirable (bad) outputs: SBM (Tone 2004) and the directional distance
#: function (Chung, Faere and Grosskopf 1997).
TAKE_BAD_OUTPUTS = ("sbm", "ddf")
#: Frontier of a panel: each period's own ('period'), all periods pooled ('pooled', one global
#: technology), or all periods up to the current one ('sequential', Shestalova 2003).
FRONTIERS = ("period", "pooled", "sequential")
MALMQUIST_KINDS = ("adjacent", "base", "sequential", "global")
#: The index of a dimension's change over time (``dynamics = ...``): the Malmquist index (kind from the
#: ``malmquist`` key), or one of O'Donnell's (2012) multiplicatively complete TFP indices.
DYNAMICS = ("malmquist", "hicks-moorsteen", "fare-primont", "lowe")
SFA_FORMS = ("cobb-douglas", "translog", "linear")
SFA_DISTS = ("half-normal", "truncated-normal", "exponential", "gamma", "genexponential")
SFA_PANELS = ("ti", "bc92", "k90", "tfe", "tre", "wang-ho", "four-component")
DEFAULT_THRESHOLD = 0.6

_DATA_KEYS = ("id", "period", "group", "frontier")
_DIMENSION_KEYS = ("inputs", "outputs", "undesirable", "model", "rts", "orientation", "frontier",
                   "direction", "malmquist", "form", "dist", "cost", "panel", "label", "rts_bounds",
                   "cross_efficiency", "dynamics", "input_prices", "output_prices", "network", "stages", "links",
                   "priority", "leader", "uhet", "vhet", "latent_classes", "z", "objective", "method")
_COMPOSITE_KEYS = ("weights", "threshold", "entropy_normalisation")
ENTROPY_NORMALISATIONS = ("min-max", "sum")
_TOP_KEYS = ("data", "dimensions", "composite", "regional")
_REGIONAL_KEYS = ("values", "neighbours", "coordinates", "k", "markov_classes", "permutations", "seed", "threshold")
_THRESHOLD_KEYS = ("y", "regime_dependent", "regime_independent", "variable", "n_thresholds", "trim", "grid", "B",
                   "alpha", "seed")
#: Score columns of the scores table a [regional] analysis may name (besides score_<dimension>).
REGIONAL_SCORES = ("composite", "coupling", "coordination")


@dataclass(frozen=True)
class ThresholdSpec:
    """[regional.threshold]: Hansen's (1999) panel threshold regression on the scores (a second stage):
    ``y``, the regressors and the threshold ``variable`` are score columns (``composite``,
    ``score_<dimension>`` or a dimension's name) or data columns."""

    y: str
    regime_dependent: tuple[str, ...]
    regime_independent: tuple[str, ...]
    variable: str
    n_thresholds: int = 1
    trim: float = 0.05
    grid: int | None = None        # None: 400, or the number of distinct threshold values if fewer
    B: int = 300
    alpha: float = 0.05
    seed: int | None = None


@dataclass(frozen=True)
class RegionalSpec:
    """[regional]: the regional study on top of the scores (issue 18). ``values``: the score columns
    analysed (disparity, convergence, distribution dynamics); ``neighbours`` (a CSV of unit, neighbour
    pairs) or ``coordinates`` (a CSV of id, x, y; ``k`` nearest neighbours) for Moran's I and the
    spatial Markov chain, as paths (relative ones from the spec file's folder)."""

    values: tuple[str, ...] = ()
    neighbours: str | None = None
    coordinates: str | None = None
    k: int = 4
    markov_classes: int = 4
    permutations: int = 999
    seed: int | None = None
    threshold: ThresholdSpec | None = None


@dataclass(frozen=True)
class DimensionSpec:
    """One dimension: its columns and the model that scores it.

    ``frontier`` is None when the dimension does not set it (the [data] default then applies);
    ``malmquist`` is the Malmquist kind used for the dimension's dynamics, or None for none.
    """

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    undesirable: tuple[str, ...] = ()
    model: str = "radial"
    rts: str = "vrs"
    orientation: str = "input"
    frontier: str | None = None
    direction: str | None = None       # ddf: proportional | unit | input | output
    malmquist: str | None = "auto"     # 'auto': adjacent / sequential / global after the frontier
    form: str = "cobb-douglas"         # sfa
    dist: str = "half-normal"          # sfa
    cost: bool = False                 # sfa
    panel: str | None = None           # sfa: None | 'ti' | 'bc92'
    label: str | None = None           # display name (report)
    rts_bounds: tuple[float, float] | None = None   # rts = "grs": L <= sum(lambda) <= U
    cross_efficiency: str | None = None  # radial: cross-efficiency ranks by this method (report)
    dynamics: str = "malmquist"        # or 'hicks-moorsteen' | 'fare-primont' | 'lowe' (ef.productivity)
    input_prices: tuple[str, ...] = ()   # lowe: one price column per input
    output_prices: tuple[str, ...] = ()  # lowe: one price column per output
    network: str | None = None         # model 'network': nsbm | relational | additive | centralised | leader-follower
    stages: tuple = ()                 # network: ((stage, inputs, outputs), ...) in order
    links: tuple = ()                  # network: ((source, target, columns, kind), ...)
    priority: str | None = None        # network: the stage whose efficiency is maximised first
    leader: str | None = None          # network 'leader-follower': the leading stage
    uhet: tuple[str, ...] | None = None  # sfa: columns of the variance of u (sfaR's uhet)
    vhet: tuple[str, ...] | None = None  # sfa: columns of the variance of v (sfaR's vhet)
    latent_classes: int | None = None  # sfa: a latent-class frontier with this many classes
    z: tuple[str, ...] = ()            # sfa, panel 'wang-ho': columns of the scaling function exp(z'delta)
    objective: str = "log"             # stoned: "log" (log-CNLS), "ratio" (Benchmarking MULT=1), "additive"
    method: str = "MM"                 # stoned: "MM" or "PSL" (the step-2 estimator of sigma_u)

    @property
    def columns(self) -> tuple[str, ...]:
        links = tuple(c for link in self.links for c in link[2])
        het = (self.uhet or ()) + (self.vhet or ()) + self.z
        return self.inputs + self.outputs + self.undesirable + self.input_prices + self.output_prices + links + het

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class AnalysisSpec:
    """A validated three-dimension (any-dimension) spec: data roles, dimensions, composite."""

    id: str
    dimensions: tuple[DimensionSpec, ...]
    weights: tuple[float, ...]          # normalised, sum 1, in the order of ``dimensions``
    threshold: float = DEFAULT_THRESHOLD
    period: str | None = None
    group: str | None = None
    frontier: str = "period"
    source: str = "<spec>"
    text: str | None = field(default=None, repr=False, compare=False)
    #: "fixed": ``weights`` as given; "entropy": the entropy weight method on the scores
    #: (:func:`efficiency.dimensions.entropy_weights`; ``weights`` is then only the equal start)
    weighting: str = "fixed"
    entropy_normalisation: str = "min-max"
    regional: RegionalSpec | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every data column a dimension uses, once, in order of first use."""
        return tuple(dict.fromkeys(c for d in self.dimensions for c in d.columns))

    def malmquist_kind(self, dim: DimensionSpec) -> str | None:
        """The Malmquist kind of a dimension: its own ``malmquist`` key, else from its frontier
        ('period': adjacent, 'sequential': sequential, 'pooled': global); None for none (SFA, or
        ``malmquist = false``, or another ``dynamics`` index)."""
        if dim.malmquist is None or dim.model in (*REGRESSION_MODELS, "network") or dim.dynamics != "malmquist":
            return None
        if dim.malmquist != "auto":
            return dim.malmquist
        return {"period": "adjacent", "sequential": "sequential", "pooled": "global"}[self.frontier_of(dim)]

    def productivity_index(self, dim: DimensionSpec) -> str | None:
        """The TFP index of a dimension's dynamics ('hicks-moorsteen', 'fare-primont', 'lowe'), or None
        (Malmquist, or no period)."""
        return dim.dynamics if self.period and dim.dynamics != "malmquist" else None

    def frontier_of(self, dim: DimensionSpec) -> str:
        """The frontier a dimension is measured against: its own, else 'pooled' for SFA and StoNED (one
        frontier over all rows: the estimators need many observations), else the [data] default."""
        if dim.frontier is not None:
            return dim.frontier
        return "pooled" if dim.model in REGRESSION_MODELS else self.frontier

    def error(self, key: str, problem: str, value=None) -> SpecError:
        """A SpecError naming the spec file, the line of ``key`` (dotted path) and the key."""
        return _Locator(self.text, self.source).error(key, problem, value)

    def check_columns(self, columns, data_source: str = "data") -> None:
        """Check the spec against the data's column names: every named column exists (with a
        did-you-mean hint), and no dimension column is the id, period or group column."""
        cols = [str(c) for c in columns]
        have = set(cols)
        for role in ("id", "period", "group"):
            name = getattr(self, role)
            if name is not None and name not in have:
                raise self.error(f"data.{role}", _unknown(name, cols, data_source), name)
        special = {getattr(self, r): r for r in ("id", "period", "group") if getattr(self, r)}
        for d in self.dimensions:
            roles = [("inputs", d.inputs), ("outputs", d.outputs)] if d.model != "network" else \
                [(f"stages.{st}.{k}", c) for st, i, o in d.stages for k, c in (("inputs", i), ("outputs", o))]
            roles += [("uhet", d.uhet or ()), ("vhet", d.vhet or ()), ("z", d.z)]
            roles += [("undesirable", d.undesirable), ("input_prices", d.input_prices),
                      ("output_prices", d.output_prices), ("links", tuple(c for link in d.links for c in link[2]))]
            for role, names in roles:
                for name in names:
                    key = f"dimensions.{d.name}.{role}"
                    if name not in have:
                        raise self.error(key, _unknown(name, cols, data_source), name)
                    if name in special:
                        raise self.error(key, f"column {name!r} is the {special[name]} column "
                                              f"([data] {special[name]}) and cannot be one of the "
                                              f"{role.rsplit('.', 1)[-1]}", name)
        t = self.regional.threshold if self.regional else None
        if t is not None:
            scores = {f"score_{n}" for n in self.names} | set(REGIONAL_SCORES)
            for role, names in (("y", (t.y,)), ("regime_dependent", t.regime_dependent),
                                ("regime_independent", t.regime_independent), ("variable", (t.variable,))):
                for name in names:
                    if name not in scores and name not in have:
                        raise self.error(f"regional.threshold.{role}",
                                         _unknown(name, cols, data_source) + "; or a score column: "
                                         + ", ".join(sorted(scores)), name)


def _unknown(name: str, columns: list[str], source: str) -> str:
    close = [c for c in columns if c.lower() == name.lower()]
    close += [c for c in difflib.get_close_matches(name, columns, n=3, cutoff=0.6) if c not in close]
    hint = f" (did you mean {', '.join(repr(c) for c in close[:3])}?)" if close else ""
    return f"unknown column {name!r}{hint}; {source} has no such column"


# --------------------------------------------------------------------------------------------------
# Finding a key's line in the TOML text
# --------------------------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[(?!\[)\s*([^\]]+?)\s*\]\s*(?:#.*)?$")


def _split_dotted(text: str) -> tuple[str, ...]:
    parts, cur, quote = [], "", None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return tuple(parts)


class _Locator:
    """Line numbers of keys in TOML text (tomllib keeps none): the table header ``[a.b]`` and the
    ``key =`` line inside it (also dotted keys and inline tables, whose line is the outer key's)."""

    def __init__(self, text: str | None, source: str):
        self.source = source
        self.lines = text.splitlines() if text else []
        self.tables: list[tuple[tuple[str, ...], int, int]] = []   # (path, header line idx, end idx)
        starts = [(i, _split_dotted(m.group(1))) for i, line in enumerate(self.lines)
                  if (m := _HEADER.match(line))]
        bounds = [(( ), -1)] + [(p, i) for i, p in starts]
        for k, (path, i) in enumerate(bounds):
            end = bounds[k + 1][1] if k + 1 < len(bounds) else len(self.lines)
            self.tables.append((path, i, end))

    @staticmethod
    def _key_pattern(parts: tuple[str, ...]) -> re.Pattern:
        alt = [f"(?:\"{re.escape(p)}\"|'{re.escape(p)}'|{re.escape(p)})" for p in parts]
        return re.compile(r"^\s*" + r"\s*\.\s*".join(alt) + r"\s*=")

    def line(self, key: str, value=None) -> int | None:
        """1-based line of ``key`` (dotted), or of ``value`` (a string) inside its value; None when
        the text is unknown or the key is not written out."""
        if not self.lines:
            return None
        path = _split_dotted(key)
        for k in range(len(path), 0, -1):
            want = path[:k]
            for tpath, start, end in self.tables:
                if tpath == want and start >= 0:
                    return start + 1
                if len(tpath) < k and want[:len(tpath)] == tpath:
                    pat = self._key_pattern(want[len(tpath):])
                    for i in range(start + 1, end):
                        if pat.match(self.lines[i]):
                            return self._value_line(i, end, value) + 1
        return None

    def _value_line(self, i: int, end: int, value) -> int:
        """The line, from the key's line i on, where the string ``value`` is written (multi-line
        arrays); i when not found before the next key."""
        if not isinstance(value, str):
            return i
        quoted = (f'"{value}"', f"'{value}'")
        next_key = re.compile(r"^\s*[A-Za-z0-9_\-\"'.]+\s*=")
        for j in range(i, end):
            if j > i and next_key.match(self.lines[j]):
                break
            if any(q in self.lines[j] for q in quoted):
                return j
        return i

    def error(self, key: str, problem: str, value=None) -> SpecError:
        n = self.line(key, value)
        where = f"{self.source}, line {n}" if n else self.source
        return SpecError(f"{where}: {key}: {problem}")


# --------------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------------

def _read_spec(spec) -> tuple[dict, str | None, str]:
    """(parsed dict, TOML text or None, source name) of a path, TOML text or dict."""
    import tomllib

    if isinstance(spec, dict):
        return spec, None, "<spec>"
    if isinstance(spec, os.PathLike) or (isinstance(spec, str) and "\n" not in spec and
                                         ("=" not in spec or spec.strip().lower().endswith(".toml"))):
        p = Path(spec)
        if not p.exists():
            raise SpecError(f"{p}: no such spec file")
        if p.is_dir():
            raise SpecError(f"{p}: is a directory, not a TOML spec")
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError(f"{p}: not UTF-8 text") from None
        source = str(spec)
    elif isinstance(spec, str):
        text, source = spec, "<spec>"
    else:
        raise SpecError(f"spec: expected a TOML file path, TOML text or a dict, got {type(spec).__name__}")
    try:
        return tomllib.loads(text), text, source
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: not valid TOML: {exc}") from None


def load_spec(spec) -> AnalysisSpec:
    """Parse and validate a dimension spec: a path to a TOML file, TOML text, a dict of the same
    shape, or an :class:`AnalysisSpec` (returned as is). Raises :class:`SpecError` naming the spec
    file, the line and the key."""
    if isinstance(spec, AnalysisSpec):
        return spec
    doc, text, source = _read_spec(spec)
    loc = _Locator(text, source)
    err = loc.error

    def unknown_keys(table: dict, allowed, prefix: str) -> None:
        for k in table:
            if k not in allowed:
                close = difflib.get_close_matches(k, list(allowed), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                where = f"{prefix}.{k}" if prefix else k
                raise err(where, f"unknown key{hint}; allowed: {', '.join(allowed)}")

    def table(value, key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise err(key, f"expected a table ([{key}]), got {type(value).__name__}")
        return value

    def string(value, key: str, choices=None, *, optional=True):
        if value is None:
            if optional:
                return None
            raise err(key, "missing")
        if not isinstance(value, str) or not value.strip():
            raise err(key, f"expected a text value, got {value!r}")
        v = value.strip()
        if choices is not None:
            v = v.lower().replace("_", "-")
            if v not in choices:
                raise err(key, f"{value!r} is not one of {', '.join(map(repr, choices))}", value)
        return v

    def names(value, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise err(key, f"expected a list of column names, got {value!r}")
        out = tuple(v.strip() for v in value)
        for v in out:
            if out.count(v) > 1:
                raise err(key, f"column {v!r} is listed twice", v)
        return out

    unknown_keys(doc, _TOP_KEYS, "")
    data = table(doc.get("data"), "data")
    if "data" not in doc:
        raise SpecError(f"{source}: data: missing table [data] (with id = \"...\", the unit id column)")
    unknown_keys(data, _DATA_KEYS, "data")
    id_col = string(data.get("id"), "data.id", optional=False)
    period = string(data.get("period"), "data.period")
    group = string(data.get("group"), "data.group")
    for a, b in (("id", "period"), ("id", "group"), ("period", "group")):
        va, vb = {"id": id_col, "period": period, "group": group}[a], {"id": id_col, "period": period,
                                                                         "group": group}[b]
        if va is not None and va == vb:
            raise err(f"data.{b}", f"{vb!r} is also the {a} column")
    frontier = string(data.get("frontier"), "data.frontier", FRONTIERS) or "period"

    dims_table = table(doc.get("dimensions"), "dimensions")
    if not dims_table:
        raise err("dimensions", "no dimensions: add at least one table [dimensions.NAME] with inputs and outputs")
    dims = []
    for name, d in dims_table.items():
        p = f"dimensions.{name}"
        d = table(d, p)
        unknown_keys(d, _DIMENSION_KEYS, p)
        model = string(d.get("model"), f"{p}.model", DIMENSION_MODELS) or "radial"
        model = {"ccr": "radial", "bcc": "radial"}.get(model, model)
        ins = names(d.get("inputs"), f"{p}.inputs")
        outs = names(d.get("outputs"), f"{p}.outputs")
        bads = names(d.get("undesirable"), f"{p}.undesirable")
        net = _network_keys(d, p, model, err, names, string, table)
        if net is not None:
            ins, outs = net["inputs"], net["outputs"]
        if not ins:
            raise err(f"{p}.inputs" if "inputs" in d else p, "no inputs: give inputs = [\"column\", ...]")
        if not outs:
            raise err(f"{p}.outputs" if "outputs" in d else p, "no outputs: give outputs = [\"column\", ...]")
        seen: dict[str, str] = {}
        for role, cols in (("inputs", ins), ("outputs", outs), ("undesirable", bads)):
            for c in cols:
                if c in seen:
                    raise err(f"{p}.{role}", f"column {c!r} is used in {seen[c]} and in {role} of the same "
                                             "dimension", c)
                seen[c] = role
        if bads and model not in TAKE_BAD_OUTPUTS:
            raise err(f"{p}.undesirable", f"the {model} model cannot take undesirable outputs; use model = "
                                          "\"sbm\" (Tone 2004) or \"ddf\" (directional distance)")
        try:
            rts = RTS.parse(d.get("rts", "vrs"), name="rts").value
        except SpecError as exc:
            raise err(f"{p}.rts", str(exc).split(": ", 1)[1]) from None
        default_orient = "none" if model in ("sbm", "ddf", "rdm", "ram", "bam") else "input"
        try:
            orient = Orientation.parse(d.get("orientation", default_orient), name="orientation").value
        except SpecError as exc:
            raise err(f"{p}.orientation", str(exc).split(": ", 1)[1]) from None
        if model in ("radial", "fdh") and orient == "none":
            raise err(f"{p}.orientation", f"the {model} model needs 'input', 'output' or 'graph'")
        if model in ("sbm", "rdm") and orient == "graph":
            raise err(f"{p}.orientation", f"the {model} model is 'none' (non-oriented), 'input' or 'output'")
        if model == "russell" and orient not in ("input", "output"):
            raise err(f"{p}.orientation", "the russell model is 'input' or 'output'")
        if model in ("ram", "bam") and orient != "none":
            raise err(f"{p}.orientation", f"the {model} model is non-oriented: orientation = \"none\"")
        bounds = d.get("rts_bounds")
        if (rts == "grs") != (bounds is not None):
            raise err(f"{p}.rts_bounds" if bounds is not None else f"{p}.rts",
                      "rts = \"grs\" and rts_bounds = [L, U] (L <= sum(lambda) <= U) go together")
        if bounds is not None:
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bounds)):
                raise err(f"{p}.rts_bounds", f"expected [L, U], two numbers, got {bounds!r}")
            bounds = (float(bounds[0]), float(bounds[1]))
        ce = d.get("cross_efficiency", False)
        if ce is True:
            ce = "arbitrary"
        elif ce is False:
            ce = None
        else:
            ce = string(ce, f"{p}.cross_efficiency", CROSS_EFFICIENCY_METHODS)
        if ce is not None and (model != "radial" or orient not in ("input", "output") or rts == "grs"):
            raise err(f"{p}.cross_efficiency", "cross-efficiency ranks are for an input- or output-oriented radial "
                                               "dimension under crs, vrs, nirs or ndrs (the multiplier form's weights)")
        dim_frontier = string(d.get("frontier"), f"{p}.frontier", FRONTIERS)
        direction = string(d.get("direction"), f"{p}.direction", ("proportional", "unit", "input", "output"))
        if direction is not None and model != "ddf":
            raise err(f"{p}.direction", "only the directional distance model (model = \"ddf\") takes a direction")
        mq = d.get("malmquist", "auto")
        if mq is False:
            mq = None
        elif mq is True:
            mq = "auto"
        else:
            mq = string(mq, f"{p}.malmquist", MALMQUIST_KINDS + ("auto",))
        form = string(d.get("form"), f"{p}.form", SFA_FORMS) or "cobb-douglas"
        dist = string(d.get("dist"), f"{p}.dist", SFA_DISTS) or "half-normal"
        panel = string(d.get("panel"), f"{p}.panel", SFA_PANELS)
        cost = d.get("cost", False)
        if not isinstance(cost, bool):
            raise err(f"{p}.cost", f"expected true or false, got {cost!r}")
        objective = string(d.get("objective"), f"{p}.objective", STONED_OBJECTIVES) or "log"
        method = (string(d.get("method"), f"{p}.method", STONED_METHODS) or "mm").upper()
        if model != "stoned":
            for k in ("objective", "method"):
                if k in d:
                    raise err(f"{p}.{k}", f"an option of the stoned model; this dimension's model is {model!r}")
        else:
            for k in ("form", "dist", "panel", "uhet", "vhet", "latent_classes", "z"):
                if k in d:
                    raise err(f"{p}.{k}", "an option of the sfa model; this dimension's model is 'stoned'")
            if len(outs) != 1:
                raise err(f"{p}.outputs", f"a stoned dimension takes exactly one output, got {len(outs)} "
                                          f"({', '.join(outs)})")
            if rts not in ("vrs", "crs"):
                raise err(f"{p}.rts", f"StoNED is rts = \"vrs\" or \"crs\", got {rts!r}")
            if dim_frontier == "sequential":
                raise err(f"{p}.frontier", "a sequential frontier is a DEA construction; a stoned dimension "
                                           "takes 'pooled' or 'period'")
        uhet = names(d.get("uhet"), f"{p}.uhet") if "uhet" in d else None
        vhet = names(d.get("vhet"), f"{p}.vhet") if "vhet" in d else None
        latent = d.get("latent_classes")
        if latent is not None and (isinstance(latent, bool) or not isinstance(latent, int) or not 2 <= latent <= 5):
            raise err(f"{p}.latent_classes", f"expected a number of classes from 2 to 5, got {latent!r}")
        z_cols = names(d.get("z"), f"{p}.z")
        if panel == "wang-ho" and not z_cols:
            raise err(f"{p}.z", "panel = \"wang-ho\" needs the columns of the scaling function exp(z'delta) "
                                "(z = [\"...\"])")
        if z_cols and panel != "wang-ho":
            raise err(f"{p}.z", "z (the scaling function's columns) applies to panel = \"wang-ho\" only")
        if model not in REGRESSION_MODELS:
            for k in ("form", "dist", "panel", "cost", "uhet", "vhet", "latent_classes", "z"):
                if k in d:
                    raise err(f"{p}.{k}", f"an option of the sfa model; this dimension's model is {model!r}")
        elif model == "sfa":
            if len(outs) != 1:
                raise err(f"{p}.outputs", f"an sfa dimension takes exactly one output, got {len(outs)} "
                                          f"({', '.join(outs)})")
            if dim_frontier == "sequential":
                raise err(f"{p}.frontier", "a sequential frontier is a DEA construction; an sfa dimension "
                                           "takes 'pooled' or 'period'")
            if panel is not None and period is None:
                raise err(f"{p}.panel", "a panel SFA model needs the period column ([data] period)")
            if panel is not None and dim_frontier == "period":
                raise err(f"{p}.panel", "a panel SFA model spans all periods; it cannot use frontier = 'period'")
        label = string(d.get("label"), f"{p}.label")
        dynamics = string(d.get("dynamics"), f"{p}.dynamics", DYNAMICS) or "malmquist"
        w_cols = names(d.get("input_prices"), f"{p}.input_prices")
        p_cols = names(d.get("output_prices"), f"{p}.output_prices")
        if dynamics != "malmquist":
            if period is None:
                raise err(f"{p}.dynamics", f"dynamics = {dynamics!r} is a change over time; it needs the period "
                                           "column ([data] period)")
            if model in REGRESSION_MODELS:
                raise err(f"{p}.dynamics", f"a {model} dimension has no DEA productivity index")
            if bads:
                raise err(f"{p}.dynamics", f"the {dynamics} index takes no undesirable outputs; use dynamics = "
                                           "\"malmquist\" (Malmquist-Luenberger) for a dimension with bad outputs")
            if "malmquist" in d and d["malmquist"] not in (True, "auto"):
                raise err(f"{p}.malmquist", f"a Malmquist kind does not apply: this dimension's dynamics is "
                                            f"{dynamics!r}")
        for key, cols, want in (("input_prices", w_cols, ins), ("output_prices", p_cols, outs)):
            if cols and dynamics != "lowe":
                raise err(f"{p}.{key}", "prices are taken by dynamics = \"lowe\" only")
            if dynamics == "lowe" and len(cols) != len(want):
                raise err(f"{p}.{key}" if key in d else f"{p}.dynamics",
                          f"dynamics = \"lowe\" needs {key} = [...], one price column per "
                          f"{key.split('_')[0]} ({len(want)}), got {len(cols)}")
        if net is not None:
            if dynamics != "malmquist" or "malmquist" in d:
                raise err(f"{p}.dynamics" if "dynamics" in d else f"{p}.malmquist",
                          "a network dimension has no index of change over time here (its score is the overall "
                          "network efficiency of each period)")
            if dim_frontier == "sequential" or (dim_frontier is None and frontier == "sequential"):
                raise err(f"{p}.frontier", "a network dimension takes frontier 'period' or 'pooled'")
            if net["network"] in ("relational", "centralised", "leader-follower") and rts != "crs":
                raise err(f"{p}.rts", f"the {net['network']} network model is CRS (rts = \"crs\")")
            if net["network"] in ("relational", "centralised", "leader-follower", "additive") and orient == "none":
                orient = "input"
            if net["network"] == "leader-follower" and net["leader"] is None:
                raise err(f"{p}.leader", "the leader-follower model needs leader = \"<stage>\"")
            mq = None
        dims.append(DimensionSpec(name, ins, outs, bads, model, rts, orient, dim_frontier, direction, mq,
                                  form, dist, cost, panel, label, bounds, ce, dynamics, w_cols, p_cols,
                                  *((net["network"], net["stages"], net["links"], net["priority"], net["leader"])
                                    if net is not None else (None, (), (), None, None)),
                                  uhet, vhet, latent, z_cols, objective, method))

    comp = table(doc.get("composite"), "composite")
    unknown_keys(comp, _COMPOSITE_KEYS, "composite")
    dim_names = [d.name for d in dims]
    raw_w = comp.get("weights")
    weighting = "entropy" if raw_w == "entropy" else "fixed"
    norm = comp.get("entropy_normalisation", "min-max")
    if norm not in ENTROPY_NORMALISATIONS:
        raise err("composite.entropy_normalisation", f"expected one of {', '.join(map(repr, ENTROPY_NORMALISATIONS))}, "
                                                     f"got {norm!r}")
    if "entropy_normalisation" in comp and weighting != "entropy":
        raise err("composite.entropy_normalisation", 'applies to weights = "entropy" only')
    if raw_w is None or weighting == "entropy":
        weights = [1.0] * len(dims)
    else:
        if isinstance(raw_w, list):
            if len(raw_w) != len(dims):
                raise err("composite.weights", f"{len(raw_w)} weights for {len(dims)} dimensions "
                                               f"({', '.join(dim_names)})")
            raw_w = dict(zip(dim_names, raw_w))
        if not isinstance(raw_w, dict):
            raise err("composite.weights", 'expected a table { dimension = weight, ... }, a list or "entropy"')
        for k in raw_w:
            if k not in dim_names:
                raise err(f"composite.weights.{k}", f"no dimension {k!r} (dimensions: {', '.join(dim_names)})")
        weights = []
        for k in dim_names:
            if k not in raw_w:
                raise err("composite.weights", f"no weight for dimension {k!r}; give every dimension a weight "
                                               "(0 leaves it out of the composite)")
            w = raw_w[k]
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w != w or w in (float("inf"), -float("inf")):
                raise err(f"composite.weights.{k}", f"expected a number, got {w!r}")
            if w < 0:
                raise err(f"composite.weights.{k}", f"negative weight {w}")
            weights.append(float(w))
    total = sum(weights)
    if not total > 0:
        raise err("composite.weights", f"the weights sum to {total:g}; they must sum to a positive number")
    weights = tuple(w / total for w in weights)
    threshold = comp.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise err("composite.threshold", f"expected a number in (0, 1], got {threshold!r}")
    if period is None:
        for d in dims:
            if d.frontier not in (None, "period"):
                raise err(f"dimensions.{d.name}.frontier", f"frontier = {d.frontier!r} needs a period column "
                                                           "([data] period)")
        if "frontier" in data and frontier != "period":
            raise err("data.frontier", f"frontier = {frontier!r} needs a period column ([data] period)")
    regional = _regional(doc.get("regional"), dims, period, err, unknown_keys, table, string, names, source)
    return AnalysisSpec(id_col, tuple(dims), weights, float(threshold), period, group, frontier, source, text,
                        weighting, norm, regional)


def _regional(raw, dims, period, err, unknown_keys, table, string, names, source) -> RegionalSpec | None:
    """The [regional] table (None when absent)."""
    if raw is None:
        return None
    reg = table(raw, "regional")
    unknown_keys(reg, _REGIONAL_KEYS, "regional")
    if period is None:
        raise err("regional", "a regional study (convergence, distribution dynamics, threshold effects) needs "
                              "a period column ([data] period)")
    dim_names = [d.name for d in dims]

    def score(name: str, key: str) -> str:
        """A dimension's name stands for its score column."""
        return f"score_{name}" if name in dim_names else name

    allowed = [f"score_{n}" for n in dim_names] + list(REGIONAL_SCORES)
    values = tuple(score(v, "regional.values") for v in names(reg.get("values"), "regional.values"))
    for v in values:
        if v not in allowed:
            raise err("regional.values", f"{v!r} is not a score column; allowed: {', '.join(allowed)} (or a "
                                         "dimension's name)", v)

    def integer(key: str, default: int, lo: int, hi: int | None = None, table_=reg, prefix="regional"):
        v = table_.get(key, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
            raise err(f"{prefix}.{key}", f"expected an integer {'in ' + str(lo) + '..' + str(hi) if hi else '>= ' + str(lo)}, "
                                         f"got {v!r}")
        return v

    def path(key: str) -> str | None:
        v = string(reg.get(key), f"regional.{key}")
        if v is None:
            return None
        p = Path(v)
        if not p.is_absolute() and source not in ("<spec>",) and Path(source).exists():
            p = Path(source).parent / p
        if not p.exists():
            raise err(f"regional.{key}", f"no such file: {p}", v)
        return str(p)

    neighbours, coordinates = path("neighbours"), path("coordinates")
    if neighbours and coordinates:
        raise err("regional.coordinates", "give neighbours or coordinates, not both")
    if "k" in reg and not coordinates:
        raise err("regional.k", "k (nearest neighbours) applies to coordinates only")
    thr = None
    if reg.get("threshold") is not None:
        t = table(reg.get("threshold"), "regional.threshold")
        unknown_keys(t, _THRESHOLD_KEYS, "regional.threshold")
        p = "regional.threshold"
        y = string(t.get("y"), f"{p}.y", optional=False)
        variable = string(t.get("variable"), f"{p}.variable", optional=False)
        dep = names(t.get("regime_dependent"), f"{p}.regime_dependent")
        if not dep:
            raise err(f"{p}.regime_dependent", "missing: the columns whose slopes switch at the threshold")
        indep = names(t.get("regime_independent"), f"{p}.regime_independent")
        num = {}
        for key, default, lo, hi in (("trim", 0.05, 0.0, 0.5), ("alpha", 0.05, 0.0, 1.0)):
            v = t.get(key, default)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo < v < hi:
                raise err(f"{p}.{key}", f"expected a number in ({lo:g}, {hi:g}), got {v!r}")
            num[key] = float(v)
        thr = ThresholdSpec(score(y, p), tuple(score(c, p) for c in dep), tuple(score(c, p) for c in indep),
                            score(variable, p), integer("n_thresholds", 1, 1, 3, t, p), num["trim"],
                            integer("grid", None, 10, None, t, p), integer("B", 300, 0, None, t, p), num["alpha"],
                            integer("seed", None, 0, None, t, p))
    return RegionalSpec(values, neighbours, coordinates, integer("k", 4, 1), integer("markov_classes", 4, 2, 10),
                        integer("permutations", 999, 0), integer("seed", None, 0), thr)


def _network_keys(d: dict, p: str, model: str, err, names, string, table) -> dict | None:
    """The stages and links of a ``model = "network"`` dimension (None for another model):

        network = "nsbm"                  # nsbm (default) | relational | additive | centralised | leader-follower
        [dimensions.NAME.stages.rd]       # stages in order; each with inputs and/or final outputs
        inputs = ["rd_expenditure", "rd_personnel"]
        [dimensions.NAME.stages.transform]
        outputs = ["tech_contract_turnover"]
        links = [{ from = "rd", to = "transform", columns = ["invention_patents"] }]   # on the dimension
    """
    keys = ("network", "stages", "links", "priority", "leader")
    if model != "network":
        for k in keys:
            if k in d:
                raise err(f"{p}.{k}", f"an option of model = \"network\"; this dimension's model is {model!r}")
        return None
    for k in ("inputs", "outputs"):
        if k in d:
            raise err(f"{p}.{k}", f"a network dimension gives its {k} per stage ([{p}.stages.NAME] {k} = [...])")
    network = string(d.get("network"), f"{p}.network", NETWORK_MODELS) or "nsbm"
    stage_table = table(d.get("stages"), f"{p}.stages")
    if len(stage_table) < 2:
        raise err(f"{p}.stages" if "stages" in d else p, "a network needs at least two stages ([" + p +
                  ".stages.NAME] tables with inputs and outputs)")
    stages = []
    for sname, st in stage_table.items():
        q = f"{p}.stages.{sname}"
        st = table(st, q)
        for k in st:
            if k not in ("inputs", "outputs"):
                raise err(f"{q}.{k}", "unknown key; allowed: inputs, outputs")
        stages.append((sname, names(st.get("inputs"), f"{q}.inputs"), names(st.get("outputs"), f"{q}.outputs")))
    known = [s[0] for s in stages]
    raw_links = d.get("links")
    if not isinstance(raw_links, list) or not raw_links:
        raise err(f"{p}.links" if "links" in d else p, "a network needs links = [{ from = \"stage\", to = "
                                                       "\"stage\", columns = [...] }, ...]")
    links = []
    for i, link in enumerate(raw_links):
        q = f"{p}.links"
        if not isinstance(link, dict):
            raise err(q, f"link {i + 1}: expected {{ from = ..., to = ..., columns = [...] }}, got {link!r}")
        for k in link:
            if k not in ("from", "to", "columns", "kind"):
                raise err(q, f"link {i + 1}: unknown key {k!r}; allowed: from, to, columns, kind")
        ends = []
        for k in ("from", "to"):
            v = link.get(k)
            if v not in known:
                close = difflib.get_close_matches(str(v), known, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise err(q, f"link {i + 1}: {k} = {v!r} is no stage{hint}; stages: {', '.join(known)}")
            ends.append(v)
        cols = names(link.get("columns"), q)
        if not cols:
            raise err(q, f"link {i + 1}: no columns")
        kind = string(link.get("kind"), q, ("free", "fixed")) or "free"
        links.append((ends[0], ends[1], cols, kind))
    ins = tuple(dict.fromkeys(c for s in stages for c in s[1]))
    outs = tuple(dict.fromkeys(c for s in stages for c in s[2]))
    priority = string(d.get("priority"), f"{p}.priority", known)
    leader = string(d.get("leader"), f"{p}.leader", known)
    return {"network": network, "stages": tuple(stages), "links": tuple(links), "inputs": ins, "outputs": outs,
            "priority": priority, "leader": leader}


# --------------------------------------------------------------------------------------------------
# Template (``efficiency spec init``)
# --------------------------------------------------------------------------------------------------

TEMPLATE = '''\
# Innovation efficiency in three dimensions (technology, factor, industry): a spec for `efficiency score`.
# Column names below are those of sample_data/provinces.csv; replace them with your data's columns.
#   efficiency spec check innovation.toml data.csv     # validate spec and data
#   efficiency score data.csv --spec innovation.toml -o scores.csv --report report/

[data]
id = "province"          # required: the unit (DMU) id column
period = "year"          # optional: a panel; scores per period, Malmquist change, change in coordination
group = "zone"           # optional: group frontiers, meta-frontier and technology gap ratios
# frontier = "period"    # panel frontier: "period" (each period's own, default), "pooled" (all periods
                         # together) or "sequential" (all periods up to the current one)

# Any number of [dimensions.NAME] tables. Keys:
#   inputs, outputs      column lists (a column cannot be an input and an output of the same dimension)
#   undesirable          bad outputs (CO2, ...): only model = "sbm" (Tone 2004) or "ddf" take them
#   model                "radial" (CCR/BCC), "sbm", "ddf" (directional distance), "fdh", "sfa" (one output),
#                        "stoned" (one output; objective = "log" | "ratio" | "additive", method = "MM" | "PSL",
#                        rts "vrs" | "crs", cost),
#                        "russell" (non-radial), "rdm" (range directional), "ram", "bam" (weighted additive)
#   rts                  "crs" | "vrs" | "nirs" | "ndrs" | "grs" with rts_bounds = [L, U]   (default "vrs")
#   orientation          "input" | "output" | "none" (sbm, ddf, rdm, ram, bam)   (default "input"; "none" for
#                        the non-oriented models)
#   cross_efficiency     radial only: true | "arbitrary" | "aggressive" | "benevolent": cross-efficiency ranks
#   frontier             overrides [data] frontier for this dimension (sfa: "pooled" or "period")
#   malmquist            "adjacent" | "base" | "sequential" | "global" | false  (default: after the frontier)
#   dynamics             "malmquist" (default) | "hicks-moorsteen" | "fare-primont" | "lowe": the index of change
#                        over time (O'Donnell 2012 TFP indices; no bad outputs; "lowe" with input_prices and
#                        output_prices, one price column per input and output)
#   direction            ddf only: "proportional" (default) | "unit" | "input" | "output"
#   model = "network"    a network of stages (ef.network): network = "nsbm" (default) | "relational" |
#                        "additive" | "centralised" | "leader-follower"; [dimensions.NAME.stages.STAGE] tables with
#                        inputs / outputs; links = [{ from = "STAGE", to = "STAGE", columns = [...] }]; the
#                        dimension's score is the overall efficiency, the stage scores are added
#   form, dist, cost, panel   sfa only: "cobb-douglas"|"translog"|"linear", "half-normal"|"truncated-normal"|
#                        "exponential"|"gamma"|"genexponential", true|false, "ti"|"bc92"|"k90"|"tfe"|"tre"|
#                        "wang-ho"|"four-component"
#   uhet, vhet, latent_classes   sfa only: variance covariates of u and v (sfaR); latent classes 2..5
#   z                    sfa with panel = "wang-ho": the scaling function's columns, u_it = exp(z'delta) u_i*

[dimensions.technology]  # technological revolution: R&D resources -> original technology
inputs = ["rd_expenditure", "rd_personnel", "basic_research"]
outputs = ["invention_patents", "pct_applications", "new_product_projects"]
model = "sbm"
rts = "vrs"
orientation = "input"

[dimensions.factor]      # factor allocation: capital, labour, talent, computing and data -> value
inputs = ["capital_stock", "employment", "high_end_talent", "computing_capacity", "data_infrastructure"]
outputs = ["value_added", "new_product_revenue", "digital_economy_output"]
model = "radial"
rts = "vrs"
orientation = "output"

[dimensions.industry]    # industrial transition within a sustainability bound
inputs = ["industrial_investment", "energy_consumption"]
outputs = ["high_tech_output", "advanced_structure_share"]
undesirable = ["co2_emissions"]
model = "sbm"
rts = "vrs"
malmquist = "global"     # with bad outputs, adjacent-period cross-period LPs can be infeasible; global has none

[composite]
weights = { technology = 1, factor = 1, industry = 1 }   # normalised to sum 1; default equal;
                         # or weights = "entropy" (entropy weight method on the scores)
threshold = 0.6          # a dimension below it is a bottleneck; all at or above it: "new-quality" regime

# With a period the report adds a regional study of the scores (disparity by group, kernel densities,
# Markov chain, sigma and beta convergence). The optional [regional] table chooses the scores and adds
# Moran's I (neighbours or coordinates; pip install 'innovation-efficiency[spatial]') and a threshold test:
# [regional]
# values = ["composite", "technology"]      # score columns or dimension names; default: composite,
#                                           # coordination and every dimension
# neighbours = "neighbours.csv"             # two columns: unit, neighbour (or coordinates = "xy.csv", k = 4)
# [regional.threshold]                      # Hansen (1999) fixed-effects panel threshold regression
# y = "industry"                            # score columns, dimension names or data columns
# regime_dependent = ["technology"]
# variable = "factor"                       # the threshold variable
# n_thresholds = 1                          # 1..3; also trim, grid, B (bootstrap), alpha, seed
'''
