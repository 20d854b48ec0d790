"""The report of a three-dimension analysis: index.html, PNG figures, tables.xlsx (DESIGN section 7)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import efficiency as ef

REPO = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"
ALL_FIGURES = {"score_distribution.png", "unit_dimensions.png", "coordination_heatmap.png",
               "malmquist_components.png", "group_gaps.png",
               # the regional study of the sample spec (efficiency.regional.study)
               "dagum_gini.png", "score_density.png", "markov.png", "moran_scatter.png", "threshold_lr.png"}


@pytest.fixture(scope="module")
def analysis():
    df = pd.read_csv(REPO / "sample_data" / "provinces.csv")
    df = df[df["year"] >= 2021].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.analyze(df, REPO / "sample_data" / "innovation.toml")


def test_report_renders_every_figure(analysis, tmp_path):
    index = analysis.report(tmp_path / "report")
    assert index == tmp_path / "report" / "index.html"
    html = index.read_text(encoding="utf-8")
    pngs = {p.name for p in (tmp_path / "report").glob("*.png")}
    assert pngs == ALL_FIGURES
    for name in pngs:
        data = (tmp_path / "report" / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000, name
        assert f"href='{name}'" in html                       # linked ...
    embedded = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(embedded) == len(pngs)                         # ... and embedded (self-contained)
    assert "tables.xlsx" in html and "Beijing" in html
    assert "O'Donnell" in html or "O&#x27;Donnell" in html
    # the methods name each dimension's Malmquist kind (industry: global Malmquist-Luenberger, the spec's)
    assert html.count("Malmquist index: adjacent") == 2 and html.count("Malmquist-Luenberger index: global") == 1


def test_workbook_has_one_sheet_per_table(analysis, tmp_path):
    analysis.report(tmp_path)
    book = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    tables = analysis.tables()
    assert list(book) == list(tables) == ["scores", "summary", "dimensions", "malmquist", "dynamics", "groups",
                                          "group_summary", "dagum", "dagum_groups", "dagum_pairs", "theil",
                                          "density", "convergence", "convergence_speed", "sigma", "markov",
                                          "moran", "moran_local", "threshold", "threshold_tests",
                                          "threshold_estimates"]
    scores = book["scores"]
    assert list(scores.columns) == list(tables["scores"].columns)
    assert scores["province"].tolist() == tables["scores"]["province"].tolist()
    pd.testing.assert_series_equal(scores["coordination"], tables["scores"]["coordination"], rtol=1e-12)


def test_cross_section_report_has_no_dynamics_or_group_figures(tmp_path):
    df = pd.read_csv(REPO / "sample_data" / "provinces.csv")
    df = df[df["year"] == 2023]
    spec = {"data": {"id": "province"},
            "dimensions": {"technology": {"inputs": ["rd_expenditure", "rd_personnel"],
                                          "outputs": ["invention_patents"]},
                           "industry": {"inputs": ["industrial_investment"], "outputs": ["high_tech_output"]}}}
    index = ef.analyze(df, spec).report(tmp_path)
    html = index.read_text(encoding="utf-8")
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert pngs == {"score_distribution.png", "unit_dimensions.png", "coordination_heatmap.png"}
    for name in pngs:
        assert name in html
    assert set(pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)) == {"scores", "summary", "dimensions"}


# --------------------------------------------------------------------------------------------------
# What an xlsx file cannot hold is refused before writing (check_xlsx)
# --------------------------------------------------------------------------------------------------

def test_check_xlsx_names_sheet_column_row_and_id(tmp_path):
    from efficiency.report import check_xlsx

    table = pd.DataFrame({"id": ["a", "b", "c"], "year": [2020, 2020, 2021], "note": ["ok", "tab\tok", "bad\x1f"],
                          "v": [1.0, 2.0, 3.0]})
    with pytest.raises(ef.DataError) as exc:
        check_xlsx({"scores": table}, tmp_path / "t.xlsx", ids=["id", "year"])
    assert str(exc.value) == (f"{tmp_path / 't.xlsx'}, sheet 'scores': column 'note', row 3 (id 'c/2021'): "
                              "'bad\\x1f' holds the control character U+001F, which an xlsx file cannot store; "
                              "remove it from the data, or write CSV or JSON instead (-o t.csv)")
    check_xlsx({"scores": table.iloc[:2]}, tmp_path / "t.xlsx", ids=["id"])      # tab and newline are fine


def test_check_xlsx_column_name_and_sheet_length(tmp_path, monkeypatch):
    from efficiency import report

    with pytest.raises(ef.DataError, match=r"sheet 's': the column name 'x\\x0by' holds a control character"):
        report.check_xlsx({"s": pd.DataFrame({"x\x0by": [1]})}, tmp_path / "t.xlsx")
    monkeypatch.setattr(report, "XLSX_MAX_ROWS", 3)
    report.check_xlsx({"s": pd.DataFrame({"x": [1, 2]})}, tmp_path / "t.xlsx")
    with pytest.raises(ef.DataError) as exc:
        report.check_xlsx({"s": pd.DataFrame({"x": [1, 2, 3]})}, tmp_path / "t.xlsx")
    assert str(exc.value) == (f"{tmp_path / 't.xlsx'}, sheet 's': 3 rows, but an xlsx sheet holds at most 2 below "
                              "its header; write CSV or JSON instead (-o t.csv)")
    assert not (tmp_path / "t.xlsx").exists()
