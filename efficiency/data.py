"""Data layer: a table (DataFrame, CSV path) or numpy arrays in; validated float64 arrays plus labels out.

Every check lives here, and every failure is a :class:`~efficiency.errors.DataError` whose message
names the file, the column and the row (the 1-based data row, the line of the file for CSV input, and
the DMU id). Rows are never dropped or reordered: ``FrontierData`` keeps the input's order and ids.

CSV reading accepts UTF-8 with or without a byte-order mark, a comma, semicolon or tab delimiter
(detected from the header line) and quoted fields. In semicolon-delimited files a decimal comma
(``1,5``) is read as a decimal point, as spreadsheets in many locales write them.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import DataError

#: Cell texts read as "missing" (compared after stripping and lower-casing).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", ".", "#n/a"})


# --------------------------------------------------------------------------------------------------
# Reading CSV files
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RawTable:
    """A table as read, cells as strings (or a user's DataFrame), with where each row came from."""

    frame: pd.DataFrame
    source: str                   # file path, or "<DataFrame>" / "<arrays>"
    lines: np.ndarray | None      # file line of each data row (CSV only)
    decimal_comma: bool = False

    def where(self, i: int, ident=None) -> str:
        """Human description of data row ``i`` (0-based): 'row 5 (line 6, id 'Hebei')'."""
        parts = []
        if self.lines is not None:
            parts.append(f"line {int(self.lines[i])}")
        if ident is not None:
            parts.append(f"id {format_id(ident)!r}")
        extra = f" ({', '.join(parts)})" if parts else ""
        return f"row {i + 1}{extra}"


def _sniff_delimiter(header: str) -> str:
    """The delimiter among , ; and tab that occurs most often outside quotes in the header line."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv(path: str | os.PathLike) -> RawTable:
    """Read a CSV file as strings, keeping each row's line number for error messages."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if p.is_dir():
        raise DataError(f"{p}: is a directory, not a CSV file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV") from None
    lines_of_text = text.splitlines()
    lead = next((k for k, line in enumerate(lines_of_text) if line.strip()), None)
    if lead is None:
        raise DataError(f"{p}: the file is empty")
    delim = _sniff_delimiter(lines_of_text[lead])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"')
    header: list[str] | None = None
    rows, lines = [], []
    start = 1                                  # line on which the next record starts
    try:
        for rec in reader:
            first_line, start = start, reader.line_num + 1
            if not rec or all(not c.strip() for c in rec):
                continue  # blank line (not a data row)
            if header is None:
                header = [h.strip() for h in rec]
                dups = [h for h in header if header.count(h) > 1]
                if dups:
                    raise DataError(f"{p}: column {dups[0]!r} appears more than once in the header")
                continue
            if len(rec) != len(header):
                span = reader.line_num - first_line
                hint = (f" (the row runs from line {first_line} to line {reader.line_num}: is a quote "
                        "not closed?)" if span and '"' in lines_of_text[first_line - 1] else "")
                raise DataError(f"{p}: line {first_line}: {len(rec)} fields, but the header has "
                                f"{len(header)} (delimiter {delim!r}){hint}")
            rows.append(rec)
            lines.append(first_line)
    except csv.Error as exc:
        raise DataError(f"{p}: line {start}: {exc}") from None
    if header is None:              # every record was blank, e.g. a lone '"' that opens a quote never closed
        hint = " (a quote '\"' opens a field that is never closed)" if text.count('"') % 2 else ""
        raise DataError(f"{p}: line {lead + 1}: no header row: the file has no column names{hint}")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return RawTable(frame, str(p), np.asarray(lines, dtype=np.int64), decimal_comma=(delim == ";"))


def as_raw_table(data, *, what: str = "data") -> RawTable:
    """Wrap a DataFrame, or read a CSV path, into a :class:`RawTable`."""
    if isinstance(data, RawTable):
        return data
    if isinstance(data, pd.DataFrame):
        return RawTable(data, f"<{what} DataFrame>", None)
    if isinstance(data, (str, os.PathLike)):
        return read_csv(data)
    raise DataError(f"{what}: expected a pandas DataFrame or a CSV path, got {type(data).__name__}")


# --------------------------------------------------------------------------------------------------
# Validated arrays
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrontierData:
    """Validated production data: n DMUs (rows) with inputs X, outputs Y and bad outputs B.

    Arrays are float64, C-contiguous, finite; ``ids`` are the DMU labels in input order.
    """

    X: np.ndarray                  # (n, m) inputs
    Y: np.ndarray                  # (n, s) desirable outputs
    B: np.ndarray                  # (n, k) undesirable outputs (k may be 0)
    ids: pd.Index                  # named after the id column(s); a MultiIndex for a composite id
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    undesirable_names: tuple[str, ...] = ()
    source: str = "<arrays>"
    lines: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def where(self, i: int) -> str:
        """'row 5 (line 6, id 'Hebei')' for data row i (0-based); arrays have no ids to name."""
        ident = None if self.source == "<arrays>" else self.ids[i]
        return RawTable(pd.DataFrame(), self.source, self.lines).where(i, ident)

    def cell(self, column: str, i: int) -> str:
        """'file: column 'x', row 5 (line 6, id 'Hebei')'."""
        return f"{self.source}: column {column!r}, {self.where(i)}"


def _as_name_list(names, role: str) -> list[str]:
    if names is None:
        return []
    if isinstance(names, str):
        names = [n for n in (s.strip() for s in names.split(",")) if n]
    names = list(names)
    for nm in names:
        if not isinstance(nm, str):
            raise DataError(f"{role}: column names must be strings, got {nm!r}")
    return names


def _unknown_column(source: str, name: str, role: str, columns: Sequence[str]) -> DataError:
    names = [str(c) for c in columns]
    close = [c for c in names if c.lower() == name.lower()]
    close += [c for c in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if c not in close]
    close = close[:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(repr(str(c)) for c in list(columns)[:30])
    more = ", ..." if len(columns) > 30 else ""
    return DataError(f"{source}: unknown {role} column {name!r}{hint} (columns: {shown}{more})")


def _numeric_column(raw: RawTable, column: str, ids: pd.Index, *, nonnegative: bool) -> np.ndarray:
    """Convert one column to float64, raising a DataError at the first bad cell."""
    series = raw.frame[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        raise DataError(f"{raw.source}: column {column!r} is boolean, not numeric")
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        text = None
    else:
        text = series.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                          else str(v).strip())
        cleaned = text
        if raw.decimal_comma:
            cleaned = text.str.replace(r"^([+-]?\d*),(\d+)$", r"\1.\2", regex=True)
        values = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    def fail(mask: np.ndarray, problem) -> None:
        bad = np.flatnonzero(mask)
        if bad.size == 0:
            return
        i = int(bad[0])
        more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
        raise DataError(f"{raw.source}: column {column!r}, {raw.where(i, ids[i])}: {problem(i)}{more}")

    nan = np.isnan(values)
    if nan.any():
        if text is None:
            fail(nan, lambda i: "missing value")
        missing = nan & text.str.lower().isin(MISSING_TOKENS).to_numpy()
        fail(missing, lambda i: "missing value" if not text.iloc[i] else f"missing value ({text.iloc[i]!r})")
        fail(nan, lambda i: f"{text.iloc[i]!r} is not a number")
    fail(np.isinf(values), lambda i: f"infinite value ({values[i]})")
    if nonnegative:
        fail(values < 0, lambda i: f"negative value {values[i]:g}; these models need non-negative data")
    return values


def _id_columns(id) -> list[str]:
    """The id column(s): None, one name, a comma-separated string or a list (a composite id)."""
    return _as_name_list(id, "id")


def format_id(value) -> str:
    """Text of a DMU id; a composite id (a tuple) is joined with '/' (e.g. 'Beijing/2023')."""
    return "/".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


_INTEGER = r"^-?(0|[1-9][0-9]{0,17})$"


def _id_values(col: pd.Series, *, from_text: bool) -> np.ndarray:
    """Id values; a CSV id column of plain integers (no leading zeros, so '007' stays text) becomes
    int64, as pandas would read it."""
    values = col.to_numpy()
    if from_text and col.astype(str).str.strip().str.fullmatch(_INTEGER).all():
        return col.astype(str).str.strip().astype(np.int64).to_numpy()
    return values


def _labels(raw: RawTable, id_cols: list[str]) -> pd.Index:
    """The DMU ids (an Index named after the id column, a MultiIndex for a composite id, or the
    table's own row labels), checked for missing and duplicate values."""
    frame = raw.frame
    if not id_cols:
        ids = frame.index
        if ids.name is None:
            ids = ids.rename("dmu")
    else:
        for c in id_cols:
            if c not in frame.columns:
                raise _unknown_column(raw.source, c, "id", list(frame.columns))
            col = frame[c]
            miss = col.isna().to_numpy() | col.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy()
            if miss.any():
                i = int(np.flatnonzero(miss)[0])
                raise DataError(f"{raw.source}: column {c!r}, {raw.where(i)}: missing id")
        values = [_id_values(frame[c], from_text=raw.lines is not None) for c in id_cols]
        if len(id_cols) == 1:
            ids = pd.Index(values[0], name=id_cols[0])
        else:
            ids = pd.MultiIndex.from_arrays(values, names=id_cols)
    dup = ids.duplicated(keep=False)
    if dup.any():
        rows = np.flatnonzero(dup)
        first = ids[rows[0]]
        same = [int(r) for r in rows if ids[r] == first]
        where = " and ".join(raw.where(r) for r in same[:3])
        col = ("column" + ("s " if len(id_cols) > 1 else " ") + ", ".join(repr(c) for c in id_cols)
               if id_cols else "row labels (index)")
        raise DataError(f"{raw.source}: {col}: duplicate id {format_id(first)!r} in {where}; ids must be "
                        "unique" + ("" if len(id_cols) > 1 else " (a panel? make the period part of the id: "
                                    "id=['region', 'year'], or --id region,year)"))
    return ids


def frontier_data(data=None, *, id=None, inputs=None, outputs=None, undesirable=None, zero_columns: bool = False,
                  nonnegative: bool = True, what: str = "data", min_rows: int = 2) -> FrontierData:
    """Validate a table or arrays into :class:`FrontierData`.

    ``data`` is a DataFrame, a CSV path, or ``None`` with ``inputs``/``outputs`` given as arrays
    (n x m and n x s; a 1-D array is one column). With a table, ``inputs``, ``outputs`` and
    ``undesirable`` are column names (a list, or one comma-separated string); ``id`` is the id
    column, or several (a composite id such as region and year); omitted, the row labels are used.
    """
    if isinstance(data, FrontierData):
        return data
    if data is None:
        return _from_arrays(inputs, outputs, undesirable, nonnegative=nonnegative, min_rows=min_rows,
                            zero_columns=zero_columns)
    raw = as_raw_table(data, what=what)
    roles = {"input": _as_name_list(inputs, "inputs"), "output": _as_name_list(outputs, "outputs"),
             "undesirable output": _as_name_list(undesirable, "undesirable")}
    if not roles["input"]:
        raise DataError(f"{raw.source}: no input columns given")
    if not roles["output"] and not roles["undesirable output"]:
        raise DataError(f"{raw.source}: no output columns given")
    frame = raw.frame
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise DataError(f"{raw.source}: column {str(repeated[0])!r} appears more than once")
    id_cols = _id_columns(id)
    seen: dict[str, str] = {}
    for role, names in roles.items():
        for nm in names:
            if nm not in frame.columns:
                raise _unknown_column(raw.source, nm, role, list(frame.columns))
            if nm in id_cols:
                raise DataError(f"{raw.source}: column {nm!r} is the id column and cannot be an {role}")
            if nm in seen:
                same = "twice as " + role if seen[nm] == role else f"as {seen[nm]} and as {role}"
                raise DataError(f"{raw.source}: column {nm!r} is used {same}")
            seen[nm] = role
    n = len(frame)
    if n < min_rows:
        raise DataError(f"{raw.source}: {n} DMU{'s' if n != 1 else ''}; at least {min_rows} are needed")
    ids = _labels(raw, id_cols)

    def block(names: list[str]) -> np.ndarray:
        if not names:
            return np.zeros((n, 0))
        cols = [_numeric_column(raw, nm, ids, nonnegative=nonnegative) for nm in names]
        arr = np.ascontiguousarray(np.column_stack(cols), dtype=np.float64)
        for j, nm in enumerate(names):
            if not zero_columns and not np.any(arr[:, j] != 0):
                raise DataError(f"{raw.source}: column {nm!r} is zero in every row; it carries no "
                                "information and cannot be used")
        return arr

    return FrontierData(block(roles["input"]), block(roles["output"]), block(roles["undesirable output"]),
                        ids, tuple(roles["input"]), tuple(roles["output"]),
                        tuple(roles["undesirable output"]), raw.source, raw.lines)


def _array_block(a, role: str, prefix: str, n: int | None, nonnegative: bool, zero_columns: bool = False) -> np.ndarray:
    if a is None:
        return np.zeros((n or 0, 0))
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"<arrays>: {role} are not numeric") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise DataError(f"<arrays>: {role} must be a 1-D or 2-D array (rows are DMUs)")
    if arr.shape[0] == 0:
        raise DataError("<arrays>: 0 DMUs; at least 2 are needed")
    if arr.shape[1] == 0 and role == "inputs":
        raise DataError(f"<arrays>: {role} have no columns")
    for j in range(arr.shape[1]):
        col = arr[:, j]
        for mask, problem in ((np.isnan(col), "missing value (NaN)"), (np.isinf(col), "infinite value"),
                              ((col < 0) if nonnegative else np.zeros(col.shape, bool), "negative value")):
            bad = np.flatnonzero(mask)
            if bad.size:
                raise DataError(f"<arrays>: {role} column {j} ({prefix}{j + 1}), row {bad[0] + 1}: "
                                f"{problem}")
        if not zero_columns and not np.any(col != 0):
            raise DataError(f"<arrays>: {role} column {j} ({prefix}{j + 1}) is zero in every row")
    return np.ascontiguousarray(arr)


def _from_arrays(inputs, outputs, undesirable, *, nonnegative: bool, min_rows: int,
                 zero_columns: bool = False) -> FrontierData:
    if inputs is None or (outputs is None and undesirable is None):
        raise DataError("<arrays>: give data (a DataFrame or CSV path), or inputs and outputs as arrays")
    X = _array_block(inputs, "inputs", "x", None, nonnegative, zero_columns)
    n = X.shape[0]
    Y = _array_block(outputs, "outputs", "y", n, nonnegative, zero_columns)
    B = _array_block(undesirable, "undesirable outputs", "b", n, nonnegative, zero_columns)
    for arr, role in ((Y, "outputs"), (B, "undesirable outputs")):
        if arr.shape[0] != n:
            raise DataError(f"<arrays>: inputs have {n} rows but {role} have {arr.shape[0]}")
    if Y.shape[1] + B.shape[1] == 0:
        raise DataError("<arrays>: outputs have no columns")
    if n < min_rows:
        raise DataError(f"<arrays>: {n} DMU{'s' if n != 1 else ''}; at least {min_rows} are needed")
    names = lambda p, k: tuple(f"{p}{j + 1}" for j in range(k))  # noqa: E731
    return FrontierData(X, Y, B, pd.RangeIndex(n, name="dmu"), names("x", X.shape[1]),
                        names("y", Y.shape[1]), names("b", B.shape[1]))


def reference_data(reference, like: FrontierData, *, id=None,
                   nonnegative: bool = True) -> FrontierData:
    """Validate a reference set (the frontier to measure against) with the same columns as ``like``.

    ``reference`` is a DataFrame or CSV path with the same input/output columns (its id column is
    used when present), a :class:`FrontierData`, or a tuple ``(X, Y)`` / ``(X, Y, B)`` of arrays.
    A column may be zero in every row of the reference set or of ``like`` (validated with
    ``zero_columns=True``), not of both.
    """
    if isinstance(reference, FrontierData):
        ref = reference
    elif isinstance(reference, tuple):
        ref = _from_arrays(*(list(reference) + [None] * (3 - len(reference))),
                           nonnegative=nonnegative, min_rows=1, zero_columns=True)
    else:
        raw = as_raw_table(reference, what="reference")
        cols = _id_columns(id)
        ref_id = cols if cols and all(c in raw.frame.columns for c in cols) else None
        ref = frontier_data(raw, id=ref_id, inputs=list(like.input_names), outputs=list(like.output_names),
                            undesirable=list(like.undesirable_names) or None, nonnegative=nonnegative,
                            what="reference", min_rows=1, zero_columns=True)
    for a, b, role, names in ((ref.X, like.X, "inputs", like.input_names),
                              (ref.Y, like.Y, "outputs", like.output_names),
                              (ref.B, like.B, "undesirable outputs", like.undesirable_names)):
        if a.shape[1] != b.shape[1]:
            raise DataError(f"{ref.source}: the reference set has {a.shape[1]} {role}, the data "
                            f"{b.shape[1]}")
        for j in range(a.shape[1]):               # a column may be zero in the data, not in both
            if not np.any(a[:, j] != 0) and not np.any(b[:, j] != 0):
                raise DataError(f"{like.source} and {ref.source}: column {names[j]!r} is zero in every row of "
                                "the data and of the reference set; it carries no information and cannot be used")
    return ref


def require_positive_rows(fd: FrontierData, block: str, why: str, *, every: bool = False) -> None:
    """Raise a DataError for the first DMU whose ``block`` ('inputs'/'outputs') is all zero
    (or, with ``every=True``, has any zero), naming the column and row; ``why`` names the model."""
    arr, names = (fd.X, fd.input_names) if block == "inputs" else (fd.Y, fd.output_names)
    if arr.shape[1] == 0:
        return
    bad = (arr <= 0).any(axis=1) if every else ~(arr > 0).any(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        j = int(np.flatnonzero(arr[i] <= 0)[0])
        count = int(bad.sum())
        more = f" ({count - 1} more DMUs like it)" if count > 1 else ""
        what = f"a zero in {block}" if every else f"all {block} zero"
        raise DataError(f"{fd.cell(names[j], i)}: {what}; {why} cannot evaluate it{more}")
