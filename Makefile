# Set-up and everyday commands. Needs only python3: every target creates .venv on first use.
#   make demo   install, then score the sample provinces (the main job)
#   make test   install with the test extras, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_OUT ?= out

.PHONY: demo test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	mkdir -p $(DEMO_OUT)
	$(BIN)/efficiency dea sample_data/provinces.csv --id province,year \
	    --inputs rd_expenditure,rd_personnel --outputs invention_patents,new_product_projects \
	    --rts vrs --orientation input --scale --summary -o $(DEMO_OUT)/technology_dea.csv
	@echo "Scores of the technology dimension (pooled 2015-2023 frontier): $(DEMO_OUT)/technology_dea.csv"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .hypothesis
