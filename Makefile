# Set-up and everyday commands. Needs only python3: every target creates .venv on first use.
#   make demo   install, then score the sample provinces in three dimensions, with the report
#   make test   install with the test extras, then run the whole test suite; it needs the oracle
#               (../shared/oracle, or EFFICIENCY_ORACLE=DIR); EFFICIENCY_ORACLE=skip runs without it,
#               and the oracle tests are then reported as skipped in red
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_OUT ?= out

.PHONY: demo test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[spatial]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	mkdir -p $(DEMO_OUT)
	$(BIN)/efficiency score sample_data/provinces.csv --spec sample_data/innovation.toml --summary \
	    -o $(DEMO_OUT)/innovation_scores.csv --report $(DEMO_OUT)/report
	@echo "Scores (technology, factor, industry; composite, coupling, coordination): $(DEMO_OUT)/innovation_scores.csv"
	@echo "Report: $(DEMO_OUT)/report/index.html (figures *.png and all tables in $(DEMO_OUT)/report/tables.xlsx)"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .hypothesis
