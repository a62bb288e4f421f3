# Two commands matter: `make report` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test test-all lab sample bench clean system-deps wheelhouse

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m ipykernel install --sys-prefix --name coopanalysis --display-name "coopanalysis (Python 3)" >/dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/coopanalysis run --out reports

# The browser and export tests need Debian's chromium and the Noto CJK fonts (pip cannot bring them):
# installed with apt when run as root, otherwise one line says what to install.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and fonts-noto-cjk for the browser and Korean-glyph tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "make test needs chromium and the Noto Sans CJK fonts: sudo apt-get install chromium fonts-noto-cjk (or your system's packages), then make test" >&2; \
	    exit 1; \
	  fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2

test-all: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 -m ''

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

sample: $(STAMP)
	$(BIN)/coopanalysis synth --seed 2020 --out data/sample/requests_synthetic.csv

bench: $(STAMP)
	$(BIN)/python benchmarks/transforms.py --rows 1000000
	$(BIN)/python benchmarks/batch.py

# An offline install bundle for networks without the package index (Linux and Windows x86-64,
# Python 3.11 and 3.12): dist/wheelhouse/, to carry over and run install.sh / install.ps1 there.
wheelhouse: $(STAMP)
	$(BIN)/python packaging/wheelhouse.py --out dist/wheelhouse

clean:
	rm -rf reports .pytest_cache
