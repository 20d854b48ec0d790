"""Unit tests of the data layer: CSV reading, validation and the messages of every DataError.

Every error must be an ``efficiency.DataError`` (also a ``ValueError``) whose message names the file
(or ``<data DataFrame>`` / ``<arrays>``), the column and the row (1-based data row, CSV line, DMU id).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.data import FrontierData, RawTable, frontier_data, read_csv, reference_data

# The 5-DMU example (two inputs, one output) used across the suite.
DMU5 = "dmu,input1,input2,output\nDMU1,2,5,1\nDMU2,2,4,2\nDMU3,6,6,3\nDMU4,3,2,1\nDMU5,6,2,2\n"
CCR_INPUT = [0.5, 1.0, 5 / 6, 5 / 7, 1.0]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` byte for byte (no newline translation) and return the path."""
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def data_error(func, *args, **kwargs) -> str:
    """Call ``func``, require a DataError that is also a ValueError, return its message."""
    with pytest.raises(ef.DataError) as info:
        func(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ef.EfficiencyError)
    return str(info.value)


def assert_names(msg: str, *parts: str) -> None:
    for part in parts:
        assert part in msg, f"{part!r} not in message {msg!r}"


# --------------------------------------------------------------------------------------------------
# Reading CSV files
# --------------------------------------------------------------------------------------------------

def test_read_csv_keeps_strings_lines_and_source(tmp_path):
    p = write(tmp_path, "d.csv", DMU5)
    raw = read_csv(p)
    assert isinstance(raw, RawTable)
    assert list(raw.frame.columns) == ["dmu", "input1", "input2", "output"]
    assert raw.frame["dmu"].tolist() == ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"]
    assert raw.frame["input1"].tolist() == ["2", "2", "6", "3", "6"]
    assert raw.lines.tolist() == [2, 3, 4, 5, 6]
    assert raw.source == str(p)
    assert raw.decimal_comma is False
    assert raw.where(4, "DMU5") == "row 5 (line 6, id 'DMU5')"


def test_utf8_bom_is_stripped_from_first_header(tmp_path):
    p = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + DMU5.encode())
    raw = read_csv(p)
    assert list(raw.frame.columns)[0] == "dmu"
    fd = frontier_data(p, id="dmu", inputs=["input1", "input2"], outputs="output")
    assert list(fd.ids) == ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"]
    assert fd.X[:, 0].tolist() == [2, 2, 6, 3, 6]


@pytest.mark.parametrize("delim", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_delimiters_are_detected(tmp_path, delim):
    p = write(tmp_path, "d.csv", DMU5.replace(",", delim))
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["dmu", "input1", "input2", "output"]
    assert raw.decimal_comma is (delim == ";")
    fd = frontier_data(p, id="dmu", inputs="input1,input2", outputs=["output"])
    np.testing.assert_array_equal(fd.X, [[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]])
    np.testing.assert_array_equal(fd.Y, [[1], [2], [3], [1], [2]])


def test_quoted_fields_with_delimiter_and_embedded_quotes(tmp_path):
    text = ('"name, full",a,"b ""q"""\n'
            '"Beijing, China",1,2\n'
            '"He said ""hi""",3,4\n'
            'plain,"5","6"\n')
    p = write(tmp_path, "q.csv", text)
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["name, full", "a", 'b "q"']
    # a name holding a comma is passed as a list (a string is split at commas: a composite id)
    fd = frontier_data(p, id=["name, full"], inputs="a", outputs=['b "q"'])
    assert list(fd.ids) == ["Beijing, China", 'He said "hi"', "plain"]
    assert fd.X[:, 0].tolist() == [1.0, 3.0, 5.0]
    assert fd.Y[:, 0].tolist() == [2.0, 4.0, 6.0]
    assert fd.lines.tolist() == [2, 3, 4]


def test_quoted_newline_keeps_later_line_numbers_right(tmp_path):
    text = ("id,a,b\n"          # line 1
            "A,1,2\n"           # line 2
            '"B\nsecond",2,3\n'  # lines 3-4
            "C,x,4\n")          # line 5
    p = write(tmp_path, "nl.csv", text)
    raw = read_csv(p)
    assert raw.frame["id"].tolist() == ["A", "B\nsecond", "C"]
    assert raw.lines[0] == 2 and raw.lines[2] == 5
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'a', row 3 (line 5, id 'C'): 'x' is not a number"


def test_semicolon_file_reads_decimal_commas(tmp_path):
    p = write(tmp_path, "dc.csv", "id;a;b\nA;1,5;2\nB;0,25;3,0\nC;-0,5;1\n")
    raw = read_csv(p)
    assert raw.decimal_comma is True
    fd = frontier_data(raw, id="id", inputs="a", outputs="b", nonnegative=False)
    assert fd.X[:, 0].tolist() == [1.5, 0.25, -0.5]
    assert fd.Y[:, 0].tolist() == [2.0, 3.0, 1.0]
    # and with the usual non-negativity the negative decimal-comma value is reported as -0.5
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert_names(msg, str(p), "column 'a'", "row 3", "line 4", "id 'C'", "negative value -0.5")


def test_comma_file_does_not_treat_commas_as_decimal(tmp_path):
    p = write(tmp_path, "c.csv", 'id,a,b\nA,"1,5",2\nB,2,3\n')
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'a', row 1 (line 2, id 'A'): '1,5' is not a number"


def test_blank_lines_are_skipped_and_lines_counted(tmp_path):
    text = "id,a,b\n\nA,1,2\n\n   \nB,2,3\n\nC,3,oops\n"
    p = write(tmp_path, "bl.csv", text)
    raw = read_csv(p)
    assert raw.frame["id"].tolist() == ["A", "B", "C"]
    assert raw.lines.tolist() == [3, 6, 8]
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'b', row 3 (line 8, id 'C'): 'oops' is not a number"


def test_crlf_line_endings(tmp_path):
    p = write(tmp_path, "crlf.csv", "id,a,b\r\nA,1,2\r\nB,2,3\r\nC,,1\r\n")
    raw = read_csv(p)
    assert raw.frame["id"].tolist() == ["A", "B", "C"]
    assert raw.frame["b"].tolist() == ["2", "3", "1"]
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'a', row 3 (line 4, id 'C'): missing value"


def test_wrong_number_of_fields_names_the_line(tmp_path):
    p = write(tmp_path, "wf.csv", "id,a,b\nA,1,2\nB,2\nC,3,3\n")
    msg = data_error(read_csv, p)
    assert msg == f"{p}: line 3: 2 fields, but the header has 3 (delimiter ',')"
    p2 = write(tmp_path, "wf2.csv", "id;a;b\nA;1;2\nB;2;3;4\n")
    msg = data_error(read_csv, p2)
    assert_names(msg, str(p2), "line 3", "4 fields", "header has 3", "';'")


def test_empty_file(tmp_path):
    p = write(tmp_path, "empty.csv", "")
    assert data_error(read_csv, p) == f"{p}: the file is empty"
    p2 = write(tmp_path, "bom_only.csv", b"\xef\xbb\xbf")
    assert data_error(read_csv, p2) == f"{p2}: the file is empty"


def test_header_only_file_has_zero_dmus(tmp_path):
    p = write(tmp_path, "hdr.csv", "id,a,b\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: 0 DMUs; at least 2 are needed"


def test_missing_file(tmp_path):
    p = tmp_path / "nope.csv"
    assert data_error(read_csv, p) == f"{p}: no such file"
    # the same through the public entry point
    msg = data_error(ef.dea, str(p), id="id", inputs="a", outputs="b")
    assert_names(msg, "nope.csv", "no such file")


def test_directory_instead_of_file(tmp_path):
    assert_names(data_error(read_csv, tmp_path), str(tmp_path), "is a directory")


def test_non_utf8_file(tmp_path):
    p = write(tmp_path, "latin1.csv", "id,a,b\nZ\u00fcrich,1,2\nB,2,3\n".encode("latin-1"))
    msg = data_error(read_csv, p)
    assert_names(msg, str(p), "not UTF-8", "byte 8")


def test_duplicated_header_name(tmp_path):
    p = write(tmp_path, "dh.csv", "id,a,b, a\nA,1,2,3\nB,2,3,4\n")
    msg = data_error(read_csv, p)
    assert msg == f"{p}: column 'a' appears more than once in the header"


def test_blank_line_before_header_is_skipped(tmp_path):
    p = write(tmp_path, "lead.csv", "\nid,a,b\nA,1,2\nB,2,3\n")
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["id", "a", "b"]
    assert raw.lines.tolist() == [3, 4]


def test_file_of_blank_lines_is_reported_empty(tmp_path):
    p = write(tmp_path, "blank.csv", "\n\n  \n")
    msg = data_error(frontier_data, p, inputs="a", outputs="b")
    assert_names(msg, str(p), "empty")


@pytest.mark.parametrize("text, hint", [('"', " (a quote '\"' opens a field that is never closed)"),
                                        ('\n\n"\n', " (a quote '\"' opens a field that is never closed)"),
                                        ('""\n', ""), (",,,\n", "")])
def test_file_without_a_header_row(tmp_path, text, hint):
    # every record is blank: a lone quote swallows the rest of the file, or the header has no names
    p = write(tmp_path, "nohdr.csv", text)
    line = text.count("\n", 0, text.index(text.strip()[0])) + 1
    assert data_error(read_csv, p) == f"{p}: line {line}: no header row: the file has no column names{hint}"


def test_unclosed_quote_names_the_line_where_it_starts(tmp_path):
    p = write(tmp_path, "uq.csv", 'id,a,b\nA,1,2\nB,"2,3\nC,1,1\n')
    msg = data_error(read_csv, p)
    assert_names(msg, str(p), "line 3")


# --------------------------------------------------------------------------------------------------
# Values: exact, float64, file order, ids as written
# --------------------------------------------------------------------------------------------------

def test_values_float64_in_file_order_and_ids_as_written(tmp_path):
    text = ("code,x1,x2,y\n"
            "007,1.25,3,10\n"
            "zeta, 2e1 ,0.5,0.001\n"
            "Alpha,3,1e-3,7\n"
            "010,0,4,5\n"
            "a b,12345678.5,6,1\n")
    p = write(tmp_path, "v.csv", text)
    fd = frontier_data(p, id="code", inputs=["x1", "x2"], outputs="y")
    assert isinstance(fd, FrontierData)
    assert list(fd.ids) == ["007", "zeta", "Alpha", "010", "a b"]
    assert fd.ids.name == "code"
    assert fd.input_names == ("x1", "x2") and fd.output_names == ("y",)
    assert fd.undesirable_names == () and fd.B.shape == (5, 0)
    assert fd.n == 5
    for arr in (fd.X, fd.Y):
        assert arr.dtype == np.float64
        assert arr.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(fd.X, [[1.25, 3], [20, 0.5], [3, 0.001], [0, 4], [12345678.5, 6]])
    np.testing.assert_array_equal(fd.Y, [[10], [0.001], [7], [5], [1]])
    assert fd.source == str(p)
    assert fd.lines.tolist() == [2, 3, 4, 5, 6]
    assert fd.cell("x2", 3) == f"{p}: column 'x2', row 4 (line 5, id '010')"


def test_dea_keeps_ids_and_order(tmp_path):
    # unsorted ids, one with leading zeros; scores indexed by them, in file order
    text = "dmu,input1,input2,output\nz,2,5,1\n007,2,4,2\nm,6,6,3\nA,3,2,1\nb,6,2,2\n"
    p = write(tmp_path, "u.csv", text)
    r = ef.dea(p, id="dmu", inputs=["input1", "input2"], outputs=["output"], rts="crs")
    assert list(r.scores.index) == ["z", "007", "m", "A", "b"]
    np.testing.assert_allclose(r.scores.to_numpy(), CCR_INPUT, rtol=0, atol=1e-9)
    assert r.to_frame().index.name == "dmu"


def test_dataframe_values_and_index_ids():
    df = pd.DataFrame({"x": [3, 1, 2], "y": [1.5, 2.5, 0.5]}, index=pd.Index(["c", "a", "b"], name="firm"))
    fd = frontier_data(df, inputs="x", outputs="y")
    assert list(fd.ids) == ["c", "a", "b"] and fd.ids.name == "firm"
    assert fd.X.dtype == np.float64 and fd.X[:, 0].tolist() == [3.0, 1.0, 2.0]
    assert fd.Y[:, 0].tolist() == [1.5, 2.5, 0.5]
    assert fd.source == "<data DataFrame>" and fd.lines is None
    # unnamed default index: label name 'dmu'
    fd2 = frontier_data(df.reset_index(drop=True), inputs="x", outputs="y")
    assert fd2.ids.name == "dmu" and list(fd2.ids) == [0, 1, 2]


def test_arrays_values_and_names():
    X = [[1, 2], [2, 3], [3, 1]]
    fd = frontier_data(inputs=X, outputs=[4, 5, 6])
    assert fd.X.dtype == np.float64 and fd.X.tolist() == [[1, 2], [2, 3], [3, 1]]
    assert fd.Y.shape == (3, 1) and fd.Y[:, 0].tolist() == [4, 5, 6]
    assert fd.input_names == ("x1", "x2") and fd.output_names == ("y1",)
    assert fd.source == "<arrays>" and list(fd.ids) == [0, 1, 2]


def test_dea_with_arrays_gives_ccr_scores():
    X = np.array([[2, 5], [2, 4], [6, 6], [3, 2], [6, 2]], dtype=float)
    Y = np.array([1, 2, 3, 1, 2], dtype=float)
    r = ef.dea(inputs=X, outputs=Y, rts="crs")
    np.testing.assert_allclose(r.scores.to_numpy(), CCR_INPUT, rtol=0, atol=1e-9)


# --------------------------------------------------------------------------------------------------
# Bad CSV input: every message names file, column, row, line and id
# --------------------------------------------------------------------------------------------------

BAD_CELLS = [
    # (cell text in column 'a' of row 2 = DMU 'B', expected problem text)
    ("x1", "'x1' is not a number"),
    ("", "missing value"),
    ("NA", "missing value ('NA')"),
    ("NaN", "missing value ('NaN')"),
    ("n/a", "missing value ('n/a')"),
    ("inf", "infinite value (inf)"),
    ("-inf", "infinite value (-inf)"),
    ("-1.5", "negative value -1.5; these models need non-negative data"),
]


@pytest.mark.parametrize("cell,problem", BAD_CELLS, ids=[c or "empty" for c, _ in BAD_CELLS])
def test_bad_cell_in_csv(tmp_path, cell, problem):
    p = write(tmp_path, "bad.csv", f"id,a,b\nA,1,2\nB,{cell},3\nC,2,2\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'a', row 2 (line 3, id 'B'): {problem}"
    # the public API raises the same error
    assert data_error(ef.dea, p, id="id", inputs="a", outputs="b") == msg


def test_bad_cell_counts_more_rows_like_it(tmp_path):
    p = write(tmp_path, "bad.csv", "id,a,b\nA,1,2\nB,2,\nC,2,\nD,1,\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'b', row 2 (line 3, id 'B'): missing value (2 more rows like it)"


def test_bad_cell_in_output_column(tmp_path):
    p = write(tmp_path, "bad.csv", "id,a,b,c\nA,1,2,3\nB,2,3,4\nC,2,3,-4\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs=["b", "c"])
    assert_names(msg, str(p), "column 'c'", "row 3", "line 4", "id 'C'", "negative value -4")


def test_bad_cell_without_id_column_names_row_and_line(tmp_path):
    p = write(tmp_path, "bad.csv", "a,b\n1,2\n2,3\nbad,4\n")
    msg = data_error(frontier_data, p, inputs="a", outputs="b")
    assert msg.startswith(f"{p}: column 'a', row 3 (line 4")
    assert msg.endswith("'bad' is not a number")


def test_unknown_column_suggests_close_match(tmp_path):
    p = write(tmp_path, "u.csv", "province,rd_expenditure,patents\nA,1,2\nB,2,3\n")
    msg = data_error(frontier_data, p, id="province", inputs="rd_expenditur", outputs="patents")
    assert msg.startswith(f"{p}: unknown input column 'rd_expenditur'")
    assert_names(msg, "did you mean 'rd_expenditure'?", "'province', 'rd_expenditure', 'patents'")
    msg = data_error(frontier_data, p, id="province", inputs="rd_expenditure", outputs="patent")
    assert_names(msg, str(p), "unknown output column 'patent'", "did you mean 'patents'?")
    msg = data_error(frontier_data, p, id="Province", inputs="rd_expenditure", outputs="patents")
    assert_names(msg, str(p), "unknown id column 'Province'")
    msg = data_error(frontier_data, p, id="province", inputs="zzz", outputs="patents")
    assert "did you mean" not in msg and "unknown input column 'zzz'" in msg


def test_all_zero_column(tmp_path):
    p = write(tmp_path, "z.csv", "id,a,b,c\nA,1,0,2\nB,2,0.0,3\nC,3,0,1\n")
    msg = data_error(frontier_data, p, id="id", inputs=["a", "b"], outputs="c")
    assert msg == (f"{p}: column 'b' is zero in every row; it carries no information and cannot be "
                   "used")


def test_dmu_with_all_inputs_zero_input_orientation(tmp_path):
    p = write(tmp_path, "zi.csv", "id,a,b,y\nA,1,2,1\nB,2,1,2\nHebei,0,0,1\nD,1,1,1\n")
    msg = data_error(ef.dea, p, id="id", inputs=["a", "b"], outputs="y")
    assert msg == (f"{p}: column 'a', row 3 (line 4, id 'Hebei'): all inputs zero; input-oriented "
                   "radial DEA cannot evaluate it")
    # graph orientation contracts inputs too
    msg = data_error(ef.dea, p, id="id", inputs=["a", "b"], outputs="y", orientation="graph")
    assert_names(msg, "row 3 (line 4, id 'Hebei')", "all inputs zero")
    # output orientation can score it
    r = ef.dea(p, id="id", inputs=["a", "b"], outputs="y", orientation="output")
    assert (r.status == "optimal").all()


def test_dmu_with_all_outputs_zero_output_orientation(tmp_path):
    p = write(tmp_path, "zo.csv", "id,a,y1,y2\nA,1,2,1\nB,2,1,2\nC,3,0,0\nD,1,1,0\n")
    msg = data_error(ef.dea, p, id="id", inputs="a", outputs=["y1", "y2"], orientation="output")
    assert msg == (f"{p}: column 'y1', row 3 (line 4, id 'C'): all outputs zero; output-oriented "
                   "radial DEA cannot evaluate it")
    msg = data_error(ef.dea, p, id="id", inputs="a", outputs=["y1", "y2"], orientation="output",
                     model="fdh")
    assert_names(msg, str(p), "column 'y1'", "row 3", "line 4", "id 'C'", "output-oriented fdh DEA")
    # input orientation can score it (D has a zero in y2 only; fine either way)
    r = ef.dea(p, id="id", inputs="a", outputs=["y1", "y2"], orientation="input")
    assert (r.status == "optimal").all()


def test_several_zero_rows_are_counted(tmp_path):
    p = write(tmp_path, "zi.csv", "id,a,y\nA,1,1\nB,0,1\nC,0,2\nD,2,1\n")
    msg = data_error(ef.dea, p, id="id", inputs="a", outputs="y")
    assert_names(msg, "row 2 (line 3, id 'B')", "(1 more DMUs like it)")


def test_duplicate_ids_name_both_rows(tmp_path):
    p = write(tmp_path, "dup.csv", "id,a,b\nA,1,2\nB,2,3\nC,1,1\nB,3,3\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg.startswith(f"{p}: column 'id': duplicate id 'B' in row 2 (line 3) and row 4 (line 5); ids "
                          "must be unique")


def test_missing_id(tmp_path):
    p = write(tmp_path, "mi.csv", "id,a,b\nA,1,2\n  ,2,3\nC,1,1\n")
    msg = data_error(frontier_data, p, id="id", inputs="a", outputs="b")
    assert msg == f"{p}: column 'id', row 2 (line 3): missing id"


def test_fewer_than_two_dmus(tmp_path):
    p = write(tmp_path, "one.csv", "id,a,b\nA,1,2\n")
    assert data_error(frontier_data, p, id="id", inputs="a", outputs="b") == \
        f"{p}: 1 DMU; at least 2 are needed"
    assert_names(data_error(ef.dea, p, id="id", inputs="a", outputs="b"), str(p), "1 DMU")


def test_same_column_as_input_and_output(tmp_path):
    p = write(tmp_path, "s.csv", "id,a,b\nA,1,2\nB,2,3\n")
    assert data_error(frontier_data, p, id="id", inputs="a,b", outputs="a") == \
        f"{p}: column 'a' is used as input and as output"
    assert data_error(frontier_data, p, id="id", inputs="a,a", outputs="b") == \
        f"{p}: column 'a' is used twice as input"


def test_id_column_as_input_or_output(tmp_path):
    p = write(tmp_path, "s.csv", "id,a,b\nA,1,2\nB,2,3\n")
    assert data_error(frontier_data, p, id="id", inputs=["id", "a"], outputs="b") == \
        f"{p}: column 'id' is the id column and cannot be an input"
    assert data_error(frontier_data, p, id="id", inputs="a", outputs="id") == \
        f"{p}: column 'id' is the id column and cannot be an output"


def test_no_inputs_or_outputs_given(tmp_path):
    p = write(tmp_path, "s.csv", "id,a,b\nA,1,2\nB,2,3\n")
    for empty in (None, [], "", " , "):
        assert data_error(frontier_data, p, id="id", inputs=empty, outputs="b") == \
            f"{p}: no input columns given"
    assert data_error(frontier_data, p, id="id", inputs="a", outputs=[]) == \
        f"{p}: no output columns given"
    assert data_error(ef.dea, p, id="id", inputs=[], outputs="b") == f"{p}: no input columns given"


def test_non_string_column_names(tmp_path):
    p = write(tmp_path, "s.csv", "id,a,b\nA,1,2\nB,2,3\n")
    msg = data_error(frontier_data, p, id="id", inputs=[1], outputs="b")
    assert_names(msg, "inputs", "column names must be strings", "1")


def test_unsupported_data_type():
    msg = data_error(frontier_data, 42, inputs="a", outputs="b")
    assert_names(msg, "expected a pandas DataFrame or a CSV path", "int")


# --------------------------------------------------------------------------------------------------
# DataFrame input: messages start with '<data DataFrame>'
# --------------------------------------------------------------------------------------------------

def frame() -> pd.DataFrame:
    return pd.DataFrame({"id": ["A", "B", "C"], "a": [1.0, 2.0, 3.0], "b": [1, 2, 3]})


def with_cell(col: str, i: int, value) -> pd.DataFrame:
    df = frame()
    df[col] = df[col].astype(object)
    df.loc[i, col] = value
    return df


@pytest.mark.parametrize("value,problem", [
    (np.nan, "missing value"),
    (None, "missing value"),
    ("", "missing value"),
    ("NA", "missing value ('NA')"),
    ("abc", "'abc' is not a number"),
    (np.inf, "infinite value (inf)"),
    (-2.0, "negative value -2; these models need non-negative data"),
], ids=["nan", "None", "empty", "NA", "text", "inf", "negative"])
def test_dataframe_bad_cell(value, problem):
    msg = data_error(frontier_data, with_cell("a", 1, value), id="id", inputs="a", outputs="b")
    assert msg == f"<data DataFrame>: column 'a', row 2 (id 'B'): {problem}"


def test_dataframe_numeric_column_bad_values():
    df = frame()
    df.loc[2, "a"] = np.inf
    assert data_error(ef.dea, df, id="id", inputs="a", outputs="b") == \
        "<data DataFrame>: column 'a', row 3 (id 'C'): infinite value (inf)"
    df = frame().assign(b=pd.array([1, None, 3], dtype="Int64"))
    assert data_error(ef.dea, df, id="id", inputs="a", outputs="b") == \
        "<data DataFrame>: column 'b', row 2 (id 'B'): missing value"
    df = frame().assign(a=[1.0, -0.5, 2.0])
    assert data_error(ef.dea, df, id="id", inputs="a", outputs="b").startswith(
        "<data DataFrame>: column 'a', row 2 (id 'B'): negative value -0.5")


def test_dataframe_structural_errors():
    df = frame()
    msg = data_error(frontier_data, df, id="id", inputs="aa", outputs="b")
    assert msg.startswith("<data DataFrame>: unknown input column 'aa'; did you mean 'a'?")
    assert data_error(frontier_data, df.assign(a=0.0), id="id", inputs="a", outputs="b") == \
        "<data DataFrame>: column 'a' is zero in every row; it carries no information and cannot be used"
    assert data_error(frontier_data, with_cell("id", 2, "A"), id="id", inputs="a", outputs="b").startswith(
        "<data DataFrame>: column 'id': duplicate id 'A' in row 1 and row 3; ids must be unique")
    assert data_error(frontier_data, with_cell("id", 1, None), id="id", inputs="a", outputs="b") == \
        "<data DataFrame>: column 'id', row 2: missing id"
    assert data_error(frontier_data, df.iloc[:1], id="id", inputs="a", outputs="b") == \
        "<data DataFrame>: 1 DMU; at least 2 are needed"
    assert data_error(frontier_data, df, id="id", inputs="a", outputs="a") == \
        "<data DataFrame>: column 'a' is used as input and as output"
    assert data_error(frontier_data, df, id="id", inputs="id", outputs="a") == \
        "<data DataFrame>: column 'id' is the id column and cannot be an input"
    assert data_error(frontier_data, df, id="id", inputs=None, outputs="b") == \
        "<data DataFrame>: no input columns given"
    assert data_error(frontier_data, df.assign(a=[True, False, True]), id="id", inputs="a",
                      outputs="b") == "<data DataFrame>: column 'a' is boolean, not numeric"


def test_dataframe_index_ids():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]}, index=["x", "x"])
    assert data_error(frontier_data, df, inputs="a", outputs="b").startswith(
        "<data DataFrame>: row labels (index): duplicate id 'x' in row 1 and row 2; ids must be unique")
    df = pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 2.0]}, index=pd.Index(["p", "q"], name="firm"))
    assert data_error(frontier_data, df, inputs="a", outputs="b") == \
        "<data DataFrame>: column 'a', row 2 (id 'q'): missing value"


def test_dataframe_zero_rows_via_dea():
    df = frame().assign(a=[1.0, 0.0, 2.0])
    assert data_error(ef.dea, df, id="id", inputs="a", outputs="b") == \
        ("<data DataFrame>: column 'a', row 2 (id 'B'): all inputs zero; input-oriented radial DEA "
         "cannot evaluate it")
    df = frame().assign(b=[1.0, 2.0, 0.0])
    assert data_error(ef.dea, df, id="id", inputs="a", outputs="b", orientation="output") == \
        ("<data DataFrame>: column 'b', row 3 (id 'C'): all outputs zero; output-oriented radial DEA "
         "cannot evaluate it")


def test_dataframe_duplicate_column_name():
    df = pd.DataFrame([["A", 1, 2, 3], ["B", 2, 3, 1]], columns=["id", "a", "a", "b"])
    msg = data_error(frontier_data, df, id="id", inputs="a", outputs="b")
    assert_names(msg, "<data DataFrame>", "column 'a'")


# --------------------------------------------------------------------------------------------------
# Array input: messages start with '<arrays>'
# --------------------------------------------------------------------------------------------------

X3 = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 1.0]])
Y3 = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("value,problem", [(np.nan, "missing value (NaN)"), (np.inf, "infinite value"),
                                           (-np.inf, "infinite value"), (-1.0, "negative value")])
def test_array_bad_value(value, problem):
    X = X3.copy()
    X[1, 1] = value
    assert data_error(ef.dea, inputs=X, outputs=Y3) == \
        f"<arrays>: inputs column 1 (x2), row 2: {problem}"
    Y = Y3.copy()
    Y[2] = value
    assert data_error(ef.dea, inputs=X3, outputs=Y) == \
        f"<arrays>: outputs column 0 (y1), row 3: {problem}"


def test_array_shape_errors():
    assert data_error(ef.dea, inputs=X3, outputs=Y3[:2]) == "<arrays>: inputs have 3 rows but outputs have 2"
    assert data_error(ef.dea, inputs=X3, outputs=np.ones((4, 1))) == \
        "<arrays>: inputs have 3 rows but outputs have 4"
    assert data_error(ef.dea, inputs=X3[:, :, None], outputs=Y3) == \
        "<arrays>: inputs must be a 1-D or 2-D array (rows are DMUs)"
    assert data_error(ef.dea, inputs=X3, outputs=np.ones((3, 1, 1))) == \
        "<arrays>: outputs must be a 1-D or 2-D array (rows are DMUs)"
    assert data_error(ef.dea, inputs=[[1.0, 2.0]], outputs=[1.0]).startswith("<arrays>: 1 DMU")
    assert data_error(ef.dea, inputs=[["a", "b"], ["c", "d"]], outputs=[1, 2]) == \
        "<arrays>: inputs are not numeric"
    assert data_error(ef.dea, inputs=X3, outputs=np.zeros(3)) == \
        "<arrays>: outputs column 0 (y1) is zero in every row"
    assert_names(data_error(ef.dea, inputs=X3), "<arrays>", "inputs and outputs")


def test_array_zero_rows_via_dea():
    X = X3.copy()
    X[1] = 0.0
    msg = data_error(ef.dea, inputs=X, outputs=Y3)
    assert msg.startswith("<arrays>: column 'x1', row 2")
    assert msg.endswith("all inputs zero; input-oriented radial DEA cannot evaluate it")
    msg = data_error(ef.dea, inputs=X3, outputs=[1.0, 0.0, 2.0], orientation="output")
    assert msg.startswith("<arrays>: column 'y1', row 2")
    assert msg.endswith("all outputs zero; output-oriented radial DEA cannot evaluate it")


def test_array_zero_row_message_has_no_conflicting_id():
    X = X3.copy()
    X[1] = 0.0
    msg = data_error(ef.dea, inputs=X, outputs=Y3)
    assert "id '1'" not in msg and "id 1" not in msg


@pytest.mark.parametrize("which", ["inputs", "outputs"])
def test_array_with_no_columns_is_rejected(which):
    kwargs = {"inputs": X3, "outputs": Y3, which: np.empty((3, 0))}
    msg = data_error(ef.dea, **kwargs)
    assert_names(msg, "<arrays>", which)


def test_empty_arrays_report_too_few_dmus():
    msg = data_error(ef.dea, inputs=np.array([]), outputs=np.array([]))
    assert_names(msg, "<arrays>", "0 DMUs")


# --------------------------------------------------------------------------------------------------
# Reference sets
# --------------------------------------------------------------------------------------------------

REF = "dmu,input1,input2,output\nR1,4,8,1\nR2,6,6,1\n"


def test_reference_data_reads_same_columns(tmp_path):
    p = write(tmp_path, "d.csv", DMU5)
    ref_path = write(tmp_path, "ref.csv", "output,input2,dmu,input1,extra\n1,8,R1,4,x\n1,6,R2,6,y\n")
    fd = frontier_data(p, id="dmu", inputs=["input1", "input2"], outputs="output")
    ref = reference_data(ref_path, fd, id="dmu")
    assert list(ref.ids) == ["R1", "R2"]
    np.testing.assert_array_equal(ref.X, [[4, 8], [6, 6]])
    np.testing.assert_array_equal(ref.Y, [[1], [1]])
    assert ref.source == str(ref_path)
    # a single reference DMU is enough
    one = write(tmp_path, "one.csv", "dmu,input1,input2,output\nR1,4,8,1\n")
    assert reference_data(one, fd, id="dmu").n == 1
    # arrays as a reference
    ref_arr = reference_data((np.array([[4.0, 8.0]]), np.array([1.0])), fd)
    assert ref_arr.X.tolist() == [[4.0, 8.0]]


def test_reference_lacking_a_column_names_reference_file(tmp_path):
    p = write(tmp_path, "data.csv", DMU5)
    ref_path = write(tmp_path, "frontier.csv", "dmu,input1,output\nR1,4,1\nR2,6,1\n")
    fd = frontier_data(p, id="dmu", inputs=["input1", "input2"], outputs="output")
    msg = data_error(reference_data, ref_path, fd, id="dmu")
    assert msg.startswith(f"{ref_path}: unknown input column 'input2'")
    assert "data.csv" not in msg
    assert data_error(ef.dea, p, id="dmu", inputs=["input1", "input2"], outputs="output",
                      reference=ref_path) == msg


def test_reference_bad_cell_names_reference_file_row_and_id(tmp_path):
    p = write(tmp_path, "data.csv", DMU5)
    ref_path = write(tmp_path, "frontier.csv", "dmu,input1,input2,output\nR1,4,8,1\nR2,6,-6,1\n")
    msg = data_error(ef.dea, p, id="dmu", inputs=["input1", "input2"], outputs="output", reference=ref_path)
    assert msg == (f"{ref_path}: column 'input2', row 2 (line 3, id 'R2'): negative value -6; these "
                   "models need non-negative data")


def test_reference_dataframe_and_array_column_count(tmp_path):
    fd = frontier_data(write(tmp_path, "d.csv", DMU5), id="dmu", inputs=["input1", "input2"],
                       outputs="output")
    ref_df = pd.DataFrame({"input1": [4.0], "output": [1.0]})
    msg = data_error(reference_data, ref_df, fd)
    assert msg.startswith("<reference DataFrame>: unknown input column 'input2'")
    msg = data_error(reference_data, (np.array([[4.0]]), np.array([1.0])), fd)
    assert msg == "<arrays>: the reference set has 1 inputs, the data 2"


def test_dea_against_reference_scores_may_exceed_one(tmp_path):
    p = write(tmp_path, "d.csv", DMU5)
    ref_path = write(tmp_path, "ref.csv", REF)
    r = ef.dea(p, id="dmu", inputs=["input1", "input2"], outputs="output", rts="crs", reference=ref_path)
    np.testing.assert_allclose(r.scores.to_numpy(), [2, 4, 3, 3, 6], rtol=0, atol=1e-9)
    assert list(r.reference_ids) == ["R1", "R2"]
    assert r.to_frame()["peers"].tolist() == ["R1", "R1", "R2", "R2", "R2"]


# --------------------------------------------------------------------------------------------------
# Composite ids (several id columns, e.g. a panel of regions and years)
# --------------------------------------------------------------------------------------------------

def test_composite_id_labels_and_messages(tmp_path):
    text = "region,year,a,b\nA,2020,1,2\nA,2021,2,1\nB,2020,3,1\n"
    p = write(tmp_path, "panel.csv", text)
    fd = frontier_data(p, id="region,year", inputs="a", outputs="b")
    assert isinstance(fd.ids, pd.MultiIndex)
    assert list(fd.ids.names) == ["region", "year"]
    assert list(fd.ids) == [("A", 2020), ("A", 2021), ("B", 2020)]   # integer ids read as int
    assert fd.cell("a", 2) == f"{p}: column 'a', row 3 (line 4, id 'B/2020')"

    bad = write(tmp_path, "bad.csv", text.replace("B,2020,3,1", "B,2020,x,1"))
    assert data_error(frontier_data, bad, id=["region", "year"], inputs="a", outputs="b") == \
        f"{bad}: column 'a', row 3 (line 4, id 'B/2020'): 'x' is not a number"
    dup = write(tmp_path, "dup.csv", text.replace("B,2020", "A,2020"))
    assert data_error(frontier_data, dup, id="region,year", inputs="a", outputs="b").startswith(
        f"{dup}: columns 'region', 'year': duplicate id 'A/2020' in row 1 (line 2) and row 3 (line 4)")
    miss = write(tmp_path, "miss.csv", text.replace("A,2021", "A,"))
    assert data_error(frontier_data, miss, id="region,year", inputs="a", outputs="b") == \
        f"{miss}: column 'year', row 2 (line 3): missing id"
    assert data_error(frontier_data, p, id="region,year", inputs="a,year", outputs="b") == \
        f"{p}: column 'year' is the id column and cannot be an input"
    msg = data_error(frontier_data, p, id="region,yaer", inputs="a", outputs="b")
    assert_names(msg, str(p), "unknown id column 'yaer'", "did you mean 'year'?")


def test_integer_ids_from_csv_are_integers_but_leading_zeros_stay_text(tmp_path):
    p = write(tmp_path, "ints.csv", "firm,x,y\n3,1,2\n10,2,3\n-1,3,3\n")
    assert frontier_data(p, id="firm", inputs="x", outputs="y").ids.tolist() == [3, 10, -1]
    assert frontier_data(p, id="firm", inputs="x", outputs="y").ids.dtype == np.int64
    p = write(tmp_path, "zeros.csv", "firm,x,y\n03,1,2\n10,2,3\n")
    assert frontier_data(p, id="firm", inputs="x", outputs="y").ids.tolist() == ["03", "10"]
