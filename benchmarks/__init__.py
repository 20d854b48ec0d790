"""The solver performance suite (DESIGN section 8): `efficiency bench` and `python -m benchmarks`."""
