"""Where a report's figures come from, as a reader cites them: publisher, date and address.

`press_sources` reads the press reports the KNPA series cites (`source_publisher`, `source_date`,
`source_url` of data/published/npa_overseas_it_requests_press.csv); `provider_sources` reads the
original publisher of each providers' folder from its PROVENANCE.md. A `Citation` keeps an address
only when it is an http(s) URL; nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from coopanalysis.paths import KNPA_SERIES

_URL = re.compile(r"https?://[^\s)<>`,;]+")
_REPO = re.compile(r"github\.com/([\w.-]+/[\w.-]+)")


@dataclass(frozen=True)
class Citation:
    """One source as a page cites it: who published it (and when), and where (an http(s) URL or "")."""

    label: str
    url: str = ""

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url}


def _safe_url(url: str) -> str:
    url = url.strip().rstrip(".")
    return url if re.fullmatch(r"https?://[^\s\"'<>]+", url) else ""


def press_sources(path: str | Path | None = None, *, platforms: Sequence[str] = (),
                  metric: str = "cooperation_requests") -> list[Citation]:
    """The press reports behind the KNPA figures of `metric`, one per address, oldest first;
    `platforms` narrows them to those rows' platform ("all overseas IT companies", "Telegram")."""
    source = Path(path) if path else KNPA_SERIES
    try:
        rows = pl.read_csv(source, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError):
        return []
    if not {"source_publisher", "source_url"} <= set(rows.columns):
        return []
    if "metric" in rows.columns:
        rows = rows.filter(pl.col("metric") == metric)
    if platforms and "platform" in rows.columns:
        rows = rows.filter(pl.col("platform").is_in(list(platforms)))
    date = pl.col("source_date") if "source_date" in rows.columns else pl.lit("")
    rows = rows.select(publisher=pl.col("source_publisher"), date=date.fill_null(""), url=pl.col("source_url"))
    out: dict[str, Citation] = {}
    for publisher, when, url in rows.sort("date").iter_rows():
        key = url or publisher
        if key and key not in out:
            name = str(publisher).split(" (")[0].strip() or str(publisher)  # "Yonhap (data: KNPA via …)" → "Yonhap"
            label = f"{name}, {when}" if when else name
            out[key] = Citation(label, _safe_url(url or ""))
    return list(out.values())


def provider_sources(data_dir: str | Path) -> list[Citation]:
    """Each providers' folder under `data_dir` with a PROVENANCE.md: its title and the original
    publisher's address (else the repository it was copied from), in folder order."""
    out = []
    for provenance in sorted(Path(data_dir).glob("*/PROVENANCE.md")):
        citation = _provenance_citation(provenance)
        if citation is not None:
            out.append(citation)
    return out


def _provenance_citation(path: Path) -> Citation | None:
    """The citation a PROVENANCE.md gives: its heading, and the first address of its
    "Original publisher" line (else its "Source repo" on GitHub)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), path.parent.name)
    title = title.split(" — ")[0].strip() or title  # "Apple — Transparency Report (…)": the publisher
    publisher = re.search(r"Original publisher:(.*(?:\n\s+\S.*)*)", text)
    url = ""
    if publisher:
        found = [_safe_url(u) for u in _URL.findall(publisher.group(1))]
        pages = [u for u in found if u and not u.lower().endswith(".zip")]  # a page before a download
        url = (pages or [u for u in found if u] or [""])[0]
    if not url:
        repo = _REPO.search(text)
        url = f"https://github.com/{repo.group(1)}" if repo else ""
    return Citation(title, url)
