"""Generate ``provinces.csv``: a SYNTHETIC panel of China's 31 provincial-level regions, 2015-2023.

The numbers are simulated for demonstration and testing. They are NOT official statistics and must
not be cited as such. Magnitudes and trends are only meant to look like Chinese provincial
yearbook data (rough 2015 anchors per province, zone-specific growth, a COVID dip in 2020, slow
decarbonisation in the east).

How the data are made (all randomness from ``numpy.random.default_rng(SEED)``):

1. Inputs grow from the 2015 anchors in ``PROVINCES`` at zone- and province-specific rates, with
   small yearly noise: R&D spending, R&D personnel, basic research, capital stock, employment,
   postgraduate workers, computing capacity, broadband ports, manufacturing investment, energy.
2. Every desirable output is a Cobb-Douglas function of inputs of its dimension times
   ``exp(-u_i + v_it)``: ``u_i >= 0`` is a persistent province inefficiency drawn once per dimension
   (0 for a few named leaders, large for named laggards), ``v_it ~ N(0, 0.015..0.05)`` is yearly noise.
   Each year's outputs are then scaled so that their national total follows a target path, which
   plays the role of the frontier shift A_t (technical change, including the 2020 dip).
3. CO2 (undesirable output) is energy use times a province carbon factor that declines over time,
   fastest in the east, and rises with the province's industrial inefficiency.
4. The technology value chain (network DEA): the R&D stage turns R&D spending, personnel and basic
   research into invention patents and new-product projects (step 2); those two are the
   *intermediate products* of a second, transformation stage, whose output ``tech_contract_turnover``
   (technology-market contract turnover) is a Cobb-Douglas function of the two intermediates times
   ``exp(-u_i + v_it)`` with its own province inefficiency ``u_i`` ("transform"): some provinces that
   are efficient at R&D (Jiangsu) transform their results poorly - the "high R&D input, low
   transformation" pattern a black-box score cannot show. Its randomness is drawn after every other
   column, so adding it left the earlier columns unchanged.

Run ``python sample_data/generate.py [--out PATH]``; the CSV is byte-for-byte reproducible.
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20150101
YEARS = np.arange(2015, 2024)
t = YEARS - YEARS[0]  # 0..8

# 2015 anchors: zone, GDP (100m yuan), employment (10k), R&D expenditure (100m yuan),
# R&D growth (%/yr), tertiary share (%), energy use (10k tce), CO2 per tce (t).
PROVINCES = {
    "Beijing":        ("east",    23015, 1186, 1384,  9.9, 81.8,  6853, 1.45),
    "Tianjin":        ("east",    16538,  897,  510,  2.8, 52.2,  8260, 2.30),
    "Hebei":          ("east",    29806, 4212,  351, 12.8, 41.5, 29395, 2.70),
    "Shanxi":         ("central", 12766, 1849,  132, 10.3, 53.0, 19384, 2.80),
    "Inner Mongolia": ("west",    17832, 1463,  136,  7.9, 40.8, 18927, 2.85),
    "Liaoning":       ("east",    28669, 2410,  363,  8.4, 46.2, 21667, 2.50),
    "Jilin":          ("central", 14063, 1489,  141,  5.1, 40.6,  8142, 2.40),
    "Heilongjiang":   ("central", 15084, 2043,  158,  5.4, 50.7, 12126, 2.40),
    "Shanghai":       ("east",    25123, 1362,  936, 10.3, 67.8, 11387, 1.95),
    "Jiangsu":        ("east",    70116, 4759, 1801, 11.2, 48.6, 30235, 2.35),
    "Zhejiang":       ("east",    42886, 3734, 1011, 12.7, 49.8, 19610, 2.10),
    "Anhui":          ("central", 22006, 4342,  431, 14.4, 40.8, 12332, 2.55),
    "Fujian":         ("east",    25980, 2796,  393, 16.1, 41.6, 12180, 2.05),
    "Jiangxi":        ("central", 16724, 2606,  173, 15.8, 40.9,  8440, 2.30),
    "Shandong":       ("east",    63002, 6632, 1427,  6.6, 45.3, 37900, 2.35),
    "Henan":          ("central", 37002, 6636,  435, 13.6, 40.5, 23161, 2.35),
    "Hubei":          ("central", 29550, 3658,  562, 12.2, 43.1, 16404, 2.00),
    "Hunan":          ("central", 28902, 4021,  413, 15.2, 43.9, 15469, 1.95),
    "Guangdong":      ("east",    72813, 6219, 1798, 13.1, 50.6, 30145, 1.75),
    "Guangxi":        ("west",    16803, 2820,  106, 10.2, 40.7,  9761, 1.90),
    "Hainan":         ("east",     3703,  570,   17, 19.0, 53.3,  1938, 1.80),
    "Chongqing":      ("west",    15717, 1707,  247, 14.9, 47.7,  8934, 1.80),
    "Sichuan":        ("west",    30053, 4847,  503, 13.2, 43.7, 19888, 1.45),
    "Guizhou":        ("west",    10503, 1946,   62, 17.8, 44.9,  9948, 2.30),
    "Yunnan":         ("west",    13619, 2981,  109, 15.7, 45.1, 10357, 1.40),
    "Tibet":          ("west",     1026,  180,  2.2, 15.6, 53.8,   450, 1.10),
    "Shaanxi":        ("west",    18022, 2073,  393, 10.0, 40.7, 11716, 2.55),
    "Gansu":          ("west",     6790, 1517,   82,  8.7, 49.2,  7523, 2.20),
    "Qinghai":        ("west",     2417,  321, 11.6, 11.6, 41.4,  4134, 1.30),
    "Ningxia":        ("west",     2912,  369, 25.5, 15.4, 44.5,  5405, 2.80),
    "Xinjiang":       ("west",     9325, 1197,   52, 11.0, 44.9, 15651, 2.60),
}
NORTHEAST = ["Liaoning", "Jilin", "Heilongjiang"]
DATA_HUBS = ["Hebei", "Inner Mongolia", "Guizhou", "Gansu", "Ningxia", "Shanghai", "Jiangsu",
             "Zhejiang", "Anhui", "Guangdong", "Sichuan", "Chongqing"]  # "East Data West Computing"
BASIC_SHARE = {"Beijing": .145, "Shanghai": .075, "Tianjin": .045, "Hubei": .055, "Shaanxi": .055,
               "Heilongjiang": .07, "Jilin": .07, "Gansu": .075, "Qinghai": .07, "Yunnan": .06,
               "Hainan": .08, "Tibet": .09}  # basic research / R&D in 2015; others ~3.5%
LEADERS = {"technology": ["Guangdong", "Jiangsu", "Beijing", "Zhejiang"],
           "factor": ["Beijing", "Shanghai", "Guangdong", "Jiangsu"],
           "industry": ["Guangdong", "Jiangsu", "Zhejiang", "Chongqing"],
           "transform": ["Beijing", "Shanghai", "Guangdong", "Hubei"]}
LAGGARDS = {"technology": ["Heilongjiang", "Inner Mongolia", "Xinjiang", "Gansu"],
            "factor": ["Gansu", "Qinghai", "Ningxia", "Heilongjiang"],
            "industry": ["Shanxi", "Inner Mongolia", "Ningxia", "Xinjiang"],
            "transform": ["Jiangsu", "Heilongjiang", "Jilin", "Henan"]}
# Outputs: national total in 2015 and 2023, multiplier on the 2020 (COVID) value, sd of yearly noise.
TARGETS = {"invention_patents": (260e3, 880e3, .97, .04), "pct_applications": (28e3, 72e3, .98, .05),
           "new_product_projects": (326e3, 1000e3, .95, .04), "value_added": (728e3, 1180e3, .965, .015),
           "new_product_revenue": (150e3, 330e3, .94, .04), "digital_economy_output": (38e3, 125e3, .98, .03),
           "high_tech_output": (140e3, 235e3, .96, .03), "tech_contract_turnover": (9.8e3, 61.5e3, .99, .05)}

rng = np.random.default_rng(SEED)
names = list(PROVINCES)
N = len(names)
zone, gdp0, emp0, rd0, rd_g, tert0, energy0, carbon0 = (np.array(c) for c in zip(*PROVINCES.values()))
east, central, west = (zone == z for z in ("east", "central", "west"))
ne = np.isin(names, NORTHEAST)


def col(v):
    """A per-province vector as an (N, 1) column, to broadcast over years."""
    return np.asarray(v, dtype=float).reshape(-1, 1)


def by_zone(e, c, w):
    return np.where(east, e, np.where(central, c, w))


def noise(sd):
    return np.exp(rng.normal(0.0, sd, (N, len(YEARS))))


def grow(base, rate, sd=0.02):
    """base_i * (1 + rate_i)^t with multiplicative yearly noise; shape (N, years)."""
    return col(base) * (1 + col(rate)) ** t * noise(sd)


def scale_to(x, total):
    """Rescale columns (years) of x to the given national total(s)."""
    return x * (np.asarray(total, dtype=float) / x.sum(axis=0))


def inefficiency(dim):
    u = rng.normal(0.3, 0.25, 4 * N)
    u = u[u > 0][:N]  # truncated normal N+(0.3, 0.25^2)
    u[np.isin(names, LEADERS[dim])] = 0.0
    u[np.isin(names, LAGGARDS[dim])] += 0.5
    return col(u)


def produce(name, inputs, u):
    """Cobb-Douglas output prod(x^beta) * exp(-u + v), scaled to the national target path."""
    raw = np.ones((N, len(YEARS)))
    for x, beta in inputs:
        raw = raw * x ** beta
    start, end, dip, sd = TARGETS[name]
    raw = raw * np.exp(-u) * noise(sd)
    raw[names.index("Hubei"), YEARS == 2020] *= 0.90  # lockdown in Wuhan
    path = start * (end / start) ** (t / t[-1]) * np.select([YEARS == 2020, YEARS == 2021], [dip, dip**0.3], 1.0)
    return scale_to(raw, path)


# ---- inputs -------------------------------------------------------------------------------------
labour_prod = (gdp0 / emp0) / (gdp0.sum() / emp0.sum())
rd_intensity = (rd0 / emp0) / (rd0.sum() / emp0.sum())

rd_expenditure = grow(rd0, rd_g / 100, 0.03)
cost_per_fte = col(37.7 * labour_prod ** 0.25) * 1.035 ** t  # 10k yuan per person-year, rising
rd_personnel = rd_expenditure / cost_per_fte * noise(0.03)
basic_share = col([BASIC_SHARE.get(p, 0.035 * np.exp(rng.normal(0, 0.15))) for p in names])
basic_research = rd_expenditure * basic_share * 1.035 ** t * noise(0.05)

emp_g = by_zone(0.003, -0.007, -0.004) + np.where(ne, -0.015, 0.0)
emp_g[names.index("Guangdong")], emp_g[names.index("Zhejiang")] = 0.014, 0.009
employment = grow(emp0, emp_g, 0.005)
high_end_talent = employment * col(0.006 * rd_intensity ** 0.5) * 1.07 ** t * noise(0.03)

k_growth = col(by_zone(0.085, 0.10, 0.105) - np.where(ne, 0.035, 0.0)) - 0.005 * t
k_growth[:, YEARS == 2020] -= 0.01
capital_stock = col(gdp0 * by_zone(2.6, 3.0, 3.5) * np.exp(rng.normal(0, 0.1, N))) \
    * np.exp(np.cumsum(np.where(t == 0, 0.0, k_growth), axis=1)) * noise(0.005)

hub = np.isin(names, DATA_HUBS)
computing_capacity = scale_to(col(gdp0 ** 1.2 * np.where(hub & west, 1.8, 1.0)), 20e3) \
    * np.exp(0.25 * t + np.where(col(hub), 0.12, 0.0) * np.clip(t - 6, 0, None)) * noise(0.05)
ports0 = scale_to(col(emp0 ** 0.85 * labour_prod ** 0.35), 57.7e3)
data_infrastructure = grow(ports0[:, 0], by_zone(0.08, 0.095, 0.105), 0.02)

manuf_path = np.cumprod([1, 1.042, 1.048, 1.095, 1.031, 0.978, 1.135, 1.091, 1.065])
inv0 = scale_to(col(gdp0 * (100 - tert0) / 100 * np.exp(rng.normal(0, 0.15, N))), 180e3)
industrial_investment = inv0 * manuf_path \
    * (1 + col(by_zone(0.0, 0.015, 0.01) - np.where(ne, 0.04, 0.0))) ** t * noise(0.05)

energy_g = by_zone(0.015, 0.025, 0.035)
for p, g in {"Inner Mongolia": .055, "Xinjiang": .055, "Ningxia": .05, "Beijing": .003, "Shanghai": .008}.items():
    energy_g[names.index(p)] = g
energy_consumption = grow(energy0, energy_g, 0.015)

# ---- outputs ------------------------------------------------------------------------------------
u_tech, u_factor, u_ind = (inefficiency(d) for d in ("technology", "factor", "industry"))
industrial_weight = col((100 - tert0) / 50)  # industry-heavy provinces run more product projects

invention_patents = produce("invention_patents",
                            [(rd_expenditure, .45), (rd_personnel, .25), (basic_research, .35)], u_tech)
pct_applications = produce("pct_applications",
                           [(rd_expenditure, .9), (rd_personnel, .2), (basic_research, .1)], u_tech)
new_product_projects = produce("new_product_projects",
                               [(rd_expenditure, .6), (rd_personnel, .45), (industrial_weight, 2)], u_tech)

factor_inputs = {"K": capital_stock, "L": employment, "H": high_end_talent,
                 "C": computing_capacity, "D": data_infrastructure}


def factor(**betas):
    return [(factor_inputs[k], b) for k, b in betas.items()]


value_added = produce("value_added", factor(K=.4, L=.25, H=.15, C=.1, D=.1), u_factor)
new_product_revenue = produce("new_product_revenue",
                              factor(K=.35, L=.15, H=.3, C=.05, D=.15) + [(industrial_weight, 1)], u_factor)
digital_economy_output = produce("digital_economy_output", factor(K=.15, L=.1, H=.3, C=.25, D=.3), u_factor)

high_tech_output = produce("high_tech_output", [(industrial_investment, .7), (energy_consumption, .3)], u_ind)
upgrade_rate = col(0.022 * np.exp(-u_ind[:, 0]) + rng.normal(0, 0.004, N))
advanced_structure_share = np.clip(
    100 - col(100 - tert0) * np.exp(-upgrade_rate * t) + rng.normal(0, 0.4, (N, len(YEARS))), 40, 85)
carbon_factor = col(carbon0) * (1 - col(by_zone(0.022, 0.013, 0.007))) ** t
co2_emissions = energy_consumption * carbon_factor / 100 * np.exp(0.15 * u_ind) * noise(0.02)  # Mt

# ---- the transformation stage of the technology value chain (drawn last: earlier columns unchanged) --
u_transform = inefficiency("transform")
tech_contract_turnover = produce("tech_contract_turnover", [(invention_patents, .6), (new_product_projects, .4)],
                                 u_transform)

# ---- assemble -----------------------------------------------------------------------------------
COUNTS = ["invention_patents", "pct_applications", "new_product_projects"]
COLUMNS = ["rd_expenditure", "rd_personnel", "basic_research", *COUNTS,
           "capital_stock", "employment", "high_end_talent", "computing_capacity", "data_infrastructure",
           "value_added", "new_product_revenue", "digital_economy_output",
           "industrial_investment", "high_tech_output", "advanced_structure_share",
           "co2_emissions", "energy_consumption", "tech_contract_turnover"]


def build() -> pd.DataFrame:
    df = pd.DataFrame({"province": np.repeat(names, len(YEARS)), "year": np.tile(YEARS, N),
                       "zone": np.repeat(zone, len(YEARS))})
    for c in COLUMNS:
        v = globals()[c].ravel()
        if c in COUNTS:
            df[c] = np.maximum(np.round(v), 1).astype(np.int64)
        else:
            digits = 1 if c == "advanced_structure_share" else 2
            df[c] = np.maximum(np.round(v, digits), 10.0 ** -digits)
    return df


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("provinces.csv"))
    out = parser.parse_args().out
    df = build()
    df.to_csv(out, index=False, lineterminator="\n")
    print(f"wrote {len(df)} rows x {df.shape[1]} columns to {out} (SYNTHETIC data)")


if __name__ == "__main__":
    main()
