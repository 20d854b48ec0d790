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
               "malmquist_components.png", "group_gaps.png"}


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


def test_workbook_has_one_sheet_per_table(analysis, tmp_path):
    analysis.report(tmp_path)
    book = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    tables = analysis.tables()
    assert list(book) == list(tables) == ["scores", "summary", "dimensions", "malmquist", "dynamics", "groups",
                                          "group_summary"]
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
