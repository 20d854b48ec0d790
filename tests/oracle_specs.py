"""Data-set specifications of the external DEA oracle (``ref/dea_benchmarking/<ds>/``, ``ref/dea_deaR/<ds>/``).

Each entry says which file of the oracle's ``data/`` folder holds the data set, which column is the DMU
id, and which columns are the inputs and outputs, as the oracle's README states them (columns "used
as" and "inputs -> outputs as used here"). Adding a data set is one line in ``SPECS``; the oracle tests
compare every data set of ``REFERENCED`` with its reference folders, and every one of ``BLIND`` (its
references are kept back) with LPs written independently in the tests.

The reference files list DMUs in data order, labelled by the column ``ref_label`` (default: the id).
For ``charnes1981`` the labels are the ``name`` column, which has duplicates, so the unique ``firm``
column is the id and reference rows are matched by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: The two packages whose per-data-set reference folders the tests read.
PACKAGES = {"benchmarking": "dea_benchmarking", "deaR": "dea_deaR"}


@dataclass(frozen=True)
class DatasetSpec:
    """How to build one DEA data set from the oracle's ``data/`` folder."""

    file: str                                   # relative to data/
    id: str                                     # DMU id column (unique), possibly derived
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    ref_label: str | None = None                # column whose values label the reference rows (default: id)
    where: dict = field(default_factory=dict)   # keep rows with column == value
    id_parts: tuple[str, ...] = ()              # build `id` as "_".join(str(row[c]) for c in id_parts)

    @property
    def label(self) -> str:
        return self.ref_label or self.id


def _s(*names: str) -> tuple[str, ...]:
    return tuple(names)


SPECS: dict[str, DatasetSpec] = {
    # Benchmarking data sets
    "charnes1981": DatasetSpec("Benchmarking/charnes1981.csv", "firm", _s("x1", "x2", "x3", "x4", "x5"),
                               _s("y1", "y2", "y3"), ref_label="name"),
    "milkProd": DatasetSpec("Benchmarking/milkProd.csv", "farmNo", _s("energy", "vet", "cows"), _s("milk")),
    "pigdata": DatasetSpec("Benchmarking/pigdata.csv", "firm", _s("x1", "x2", "x3", "x4", "x5", "x6"),
                           _s("y2", "y4")),
    # frontier / productivity data sets
    "front41Data": DatasetSpec("frontier/front41Data.csv", "firm", _s("capital", "labour"), _s("output")),
    "riceProdPhil_pooled": DatasetSpec("frontier/riceProdPhil.csv", "FMERCODE_YEARDUM",
                                       _s("AREA", "LABOR", "NPK", "OTHER"), _s("PROD"),
                                       id_parts=_s("FMERCODE", "YEARDUM")),
    "usagri_1995": DatasetSpec("productivity/usagri.csv", "States",
                               _s("q.capital", "q.land", "q.labor", "q.materials"),
                               _s("q.livestock", "q.crop", "q.other"), where={"Years": 1995}),
    # deaR data sets
    "Airlines": DatasetSpec("deaR/Airlines.csv", "Name", _s("Lab", "Fuel", "Matl", "Cap"), _s("Pass", "Cargo")),
    "Coelli_1998": DatasetSpec("deaR/Coelli_1998.csv", "dmus", _s("input1", "input2"), _s("output")),
    "Doyle_Green_1994": DatasetSpec("deaR/Doyle_Green_1994.csv", "DMU", _s("Salaries", "Other_expenses"),
                                    _s("Undergraduates", "Postgraduates", "Research_income", "Publications")),
    "Electric_plants": DatasetSpec("deaR/Electric_plants.csv", "Plant", _s("Labor", "Fuel", "Capital"),
                                   _s("Output")),
    "Fortune500": DatasetSpec("deaR/Fortune500.csv", "Company", _s("Assets", "Equity", "Employees"),
                              _s("Revenue", "Profit")),
    "Fried1993": DatasetSpec("deaR/Fried1993.csv", "DMU", _s("x1", "x2"), _s("y")),
    "Golany_Roll_1989": DatasetSpec("deaR/Golany_Roll_1989.csv", "DMU", _s("X1", "X2", "X3"), _s("Y1", "Y2")),
    "Hotels": DatasetSpec("deaR/Hotels.csv", "Hotel", _s("Employees", "Guest_rooms", "Area_F&B", "Operating_cost"),
                          _s("Room_revenue", "F&B_revenue", "Other_revenue")),
    "Libraries": DatasetSpec("deaR/Libraries.csv", "DMU", _s("AREA", "BOOKS", "STAFF", "POPULATION"),
                             _s("REGISTERED", "BORROWED")),
    "Lim_Zhu_2015": DatasetSpec("deaR/Lim_Zhu_2015.csv", "R&D project", _s("Budget"),
                                _s("Indirect_economic", "Direct_economic", "Technical", "Social", "Scientific")),
    "PFT1981": DatasetSpec("deaR/PFT1981.csv", "Site", _s("Education", "Occupation", "Parental", "Counseling",
                                                          "Teachers"), _s("Reading", "Math", "Coopersmith")),
    "Power_plants": DatasetSpec("deaR/Power_plants.csv", "DMU", _s("X1", "X2", "X3", "X4"), _s("Y1", "Y2")),
    "Ruggiero2007": DatasetSpec("deaR/Ruggiero2007.csv", "DMU", _s("X1", "X2"), _s("Y1")),
    "Tone2001": DatasetSpec("deaR/Tone2001.csv", "DMU", _s("Input1", "Input2"), _s("Output1", "Output2")),
}


#: Data sets whose data are in the oracle but whose reference results are kept back as a blind test
#: (oracle README, first line): no ref/dea_benchmarking/<ds> or ref/dea_deaR/<ds> folder. The oracle
#: tests compare our results on them with LPs written independently in the tests instead, and
#: ``test_blind_datasets_have_no_reference_folder`` fails when their references appear.
BLIND = ("Fortune500", "Hotels", "Lim_Zhu_2015", "pigdata", "riceProdPhil_pooled", "usagri_1995")
#: Data sets with both reference folders: the ones compared with R.
REFERENCED = tuple(sorted(d for d in SPECS if d not in BLIND))


def spec(name: str) -> DatasetSpec:
    """The spec of data set ``name``, with a clear error when there is none."""
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"no data-set spec for {name!r} in tests/oracle_specs.py; add one line to SPECS "
                       "(data file, id, inputs, outputs) taken from the oracle README") from None


def load_frame(oracle: Path, name: str) -> pd.DataFrame:
    """The data set's rows (in data order), with a derived id column built where the spec says so."""
    sp = spec(name)
    df = pd.read_csv(Path(oracle) / "data" / sp.file)
    for col, value in sp.where.items():
        df = df[df[col] == value]
    df = df.reset_index(drop=True)
    if sp.id_parts:
        df[sp.id] = ["_".join(str(v) for v in row) for row in df[list(sp.id_parts)].itertuples(index=False)]
    return df


def load_dataset(oracle: Path, name: str) -> tuple[pd.DataFrame, str, list[str], list[str]]:
    """(DataFrame, id column, input columns, output columns) of data set ``name``."""
    sp = spec(name)
    return load_frame(oracle, name), sp.id, list(sp.inputs), list(sp.outputs)


def reference_labels(oracle: Path, name: str) -> list[str]:
    """The DMU labels the reference files use for data set ``name``, in data order, as strings."""
    return [str(v) for v in load_frame(oracle, name)[spec(name).label]]


def reference_folders(oracle: Path) -> dict[str, list[str]]:
    """Data-set folders present under each package's reference folder."""
    out = {}
    for pkg, folder in PACKAGES.items():
        root = Path(oracle) / "ref" / folder
        out[pkg] = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return out
