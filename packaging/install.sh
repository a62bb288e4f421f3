#!/bin/sh
# Install coopanalysis from this folder, with no network: sh install.sh [FOLDER]
#
# FOLDER (default: ~/coopanalysis) becomes a Python environment holding coopanalysis, its
# Jupyter kernel, the report notebooks and the bundled data. Needs Python 3.11 or 3.12
# (set PYTHON=/path/to/python3.12 to choose one).
set -eu
BUNDLE=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-"$HOME/coopanalysis"}

if [ -z "${PYTHON:-}" ]; then
  for candidate in python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON=$candidate; break; fi
  done
fi
if [ -z "${PYTHON:-}" ] || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' 2>/dev/null; then
  echo "install.sh: needs Python 3.11 or 3.12 (found: ${PYTHON:-none}); set PYTHON=/path/to/python3.12" >&2
  exit 1
fi

echo "creating the environment $VENV with $("$PYTHON" --version)"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-index --find-links "$BUNDLE/wheels" coopanalysis
"$VENV/bin/python" -m ipykernel install --sys-prefix --name coopanalysis --display-name "coopanalysis (Python 3)" >/dev/null

# The notebooks and data are not inside the wheel: put them where the installed package looks.
NOTEBOOKS=$("$VENV/bin/python" -c 'from coopanalysis import paths; print(paths.NOTEBOOKS_DIR)')
DATA=$("$VENV/bin/python" -c 'from coopanalysis import paths; print(paths.DATA_DIR)')
mkdir -p "$NOTEBOOKS" "$DATA"
cp -R "$BUNDLE/notebooks/." "$NOTEBOOKS/"
cp -R "$BUNDLE/data/." "$DATA/"

echo "installed $("$VENV/bin/coopanalysis" --version)"
echo "reports:   $NOTEBOOKS/reports.toml (data: $DATA)"
echo
echo "run the reports on the bundled sample:"
echo "  $VENV/bin/coopanalysis run --out reports"
echo "one report, on your own file:"
echo "  $VENV/bin/coopanalysis run --only request_volumes -p data=/path/to/requests.csv --out reports"
