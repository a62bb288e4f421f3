"""Paths anchored at the package, never at the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = PROJECT_DIR / "data"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
TEMPLATES_DIR = PACKAGE_DIR / "html" / "templates"

SAMPLE_REQUESTS = DATA_DIR / "sample" / "requests_synthetic.csv"
KNPA_SERIES = DATA_DIR / "published" / "npa_overseas_it_requests_press.csv"
SEOUL_STATIONS = DATA_DIR / "reference" / "seoul_police_stations.csv"
COUNTRIES = DATA_DIR / "reference" / "countries_iso3166.csv"
TRANSPARENCY_DIR = DATA_DIR / "transparency"
REPORTS_CONFIG = NOTEBOOKS_DIR / "reports.toml"


def resolve_data_path(value: str | Path) -> Path:
    """Resolve a user-given data path: absolute or relative to the working directory
    if it exists there, otherwise relative to the project's `data/` folder."""
    p = Path(value).expanduser()
    if p.is_absolute() or p.exists():
        return p
    candidate = DATA_DIR / p
    return candidate if candidate.exists() else p
