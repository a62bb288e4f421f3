# Two commands matter: `make report` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test test-all lab sample bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m ipykernel install --sys-prefix --name coopanalysis --display-name "coopanalysis (Python 3)" >/dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/coopanalysis run --out reports

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m ''

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

sample: $(STAMP)
	$(BIN)/coopanalysis synth --seed 2020 --out data/sample/requests_synthetic.csv

bench: $(STAMP)
	$(BIN)/python benchmarks/transforms.py --rows 1000000
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf reports .pytest_cache
