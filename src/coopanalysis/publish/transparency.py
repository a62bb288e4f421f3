"""Small-count suppression for the frames of the transparency report (see `coopanalysis.publish.disclosure`).

A hidden count is nulled and labelled in `<column>_hidden` ("<k" or "withheld"); tables print the
label, sentences say "fewer than k". A threshold of 0 or 1 changes nothing.

A provider that publishes an exact count publishes it as its own lower and upper bound too: there
`requests`, `requests_low` and `requests_high` are one figure (`publish.figures.Figures`), hidden or
shown together, so a hidden count never stands in its bound columns and a bound is never
"withheld" beside the same number shown as the count. The periods of a provider's year add up to
the year, so the per-period and per-year frames are suppressed together (`hide_periods_and_years`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import polars as pl

from coopanalysis.publish.disclosure import hidden_column, hide_counts
from coopanalysis.publish.figures import Figures

COUNT_COLUMNS = ("requests", "requests_low", "requests_high", "answered", "legal", "emergency", "fulfilled",
                 "affected_users", "providers_requests", "telegram_fulfilled")
"""Counts of the transparency frames that a small value could give away."""
DERIVED_COLUMNS = ("answered_share", "emergency_share", "fulfilled_per_30_days", "difference", "providers_to_agency")
"""Figures computed from those counts: nulled on a row where one of its counts is hidden."""
BOUNDS = ("requests_low", "requests_high")
JOINT = ("requests", *BOUNDS, "answered")
"""The counts suppressed as figures of one page: requests with its bounds, and answered."""


def hide_small(df: pl.DataFrame, *, threshold: int, by: Sequence[str] = ()) -> pl.DataFrame:
    """A collected summary frame fit to share: each count column (requests, answered, legal,
    emergency, fulfilled, …) hidden where below `threshold`, with complementary suppression
    along `by` (an exact count and its bounds as one figure); shares, rates and differences of a
    row with a hidden count are nulled. A threshold of 0 or 1 changes nothing."""
    return _hide_frames([(df, list(by), None)], threshold=threshold)[0]


def hide_periods_and_years(over_time: pl.DataFrame, yearly: pl.DataFrame, *, threshold: int,
                           position: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """`requests_over_time` (provider, period_start, period_end, …) and `provider_years` (provider,
    year, …) suppressed as one set of figures: besides the lines of each frame, a provider's year
    and its periods within that year form a line (the periods add up to the year). `position`
    (`country_position` over the same dates) counts the requests of its provider's periods, so it
    joins their line. Returns the two frames and the position fit to share (`hide_position`)."""
    year_of = lambda r: (r["provider"], r["period_start"].year) if r["period_start"].year == r["period_end"].year \
        else None
    frames: list[Frame] = [
        (over_time, ["provider", "period_start"], year_of),
        (yearly, ["provider", "year"], lambda r: (r["provider"], r["year"])),
    ]
    if position is not None and position.get("requests") is not None:
        whole = pl.DataFrame({"provider": [position["provider"]], "requests": [position["requests"]]})
        frames.append((whole, [], lambda r: (r["provider"], "all")))
        frames[0] = (over_time, ["provider", "period_start"], lambda r: [year_of(r), (r["provider"], "all")])
    hidden = _hide_frames(frames, threshold=threshold)
    label = hidden[2][hidden_column("requests")][0] if len(hidden) > 2 and threshold > 1 else None
    return hidden[0], hidden[1], hide_position(position or {}, threshold=threshold, label=label)


Frame = tuple[pl.DataFrame, list[str], object]
"""(frame, the dimensions of its table, None or a function row → the total(s) it adds up in, e.g.
(provider, year), or a list of them)."""


def _hide_frames(frames: Sequence[Frame], *, threshold: int) -> list[pl.DataFrame]:
    """Frames of one page with `JOINT` counts suppressed as one set of figures (lines: along each
    dimension of each frame, per column; and the rows of frames adding up in the same (provider,
    year), per column), other counts per column and frame; derived figures nulled beside them."""
    if threshold <= 1:
        return [df for df, _, _ in frames]
    figures = Figures()
    keys = [_register(figures, i, df) for i, (df, _, _) in enumerate(frames)]
    sums: dict[Hashable, list] = {}
    for (df, by, adds_up), frame_keys in zip(frames, keys, strict=True):
        for column, column_keys in frame_keys.items():
            for dim in by or [None]:
                others = [d for d in by if d != dim]
                lines: dict[tuple, list] = {}
                for row, key in zip(df.select(others).rows() if others else [()] * df.height, column_keys, strict=True):
                    lines.setdefault(row, []).append(key)
                for members in lines.values():
                    figures.add_line(members)
            if adds_up is not None:
                for r, key in zip(df.iter_rows(named=True), column_keys, strict=True):
                    groups = adds_up(r)
                    for group in groups if isinstance(groups, list) else [groups]:
                        if group is not None:
                            sums.setdefault((group, column), []).append(key)
    for members in sums.values():
        figures.add_line(members)
    labels = figures.hide(threshold)
    out = []
    for (df, by, _), frame_keys in zip(frames, keys, strict=True):
        shown = df.with_columns(
            pl.Series(hidden_column(c), [labels.get(k) for k in ks], dtype=pl.String) for c, ks in frame_keys.items()
        ).with_columns(pl.when(pl.col(hidden_column(c)).is_null()).then(pl.col(c)).alias(c) for c in frame_keys)
        rest = [c for c in COUNT_COLUMNS if c in df.columns and c not in frame_keys]
        for column in rest:
            shown = hide_counts(shown, value=column, threshold=threshold, dims=by)
        out.append(_derived(shown, [*frame_keys, *rest]))
    return out


def _register(figures: Figures, frame: int, df: pl.DataFrame) -> dict[str, list[Hashable]]:
    """Add the `JOINT` counts of one frame to `figures`: per column, the key of each row's figure.
    A bound equal to its row's count is that count's figure."""
    present = [c for c in JOINT if c in df.columns]
    keys: dict[str, list[Hashable]] = {c: [] for c in present}
    for i, r in enumerate(df.select(present).iter_rows(named=True)):
        for c in present:
            same = c in BOUNDS and r.get("requests") is not None and r[c] == r["requests"]
            key = (frame, i, "requests" if same else c)
            figures.add(key, r[c])
            keys[c].append(key)
    return keys


def _derived(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Null the derived figures of a row where one of its counts `columns` is hidden."""
    if not columns:
        return df
    hidden = pl.any_horizontal([pl.col(hidden_column(c)).is_not_null() for c in columns])
    return df.with_columns(pl.when(~hidden).then(pl.col(c)).alias(c) for c in DERIVED_COLUMNS if c in df.columns)


def hide_position(position: dict, *, threshold: int, label: str | None = None) -> dict:
    """`country_position` fit to share: a count of requests with 0 < requests < `threshold` is nulled
    and labelled "<k" in `requests_hidden` (with its rank, which would place it), as is one hidden
    to protect another (`label`, e.g. "withheld"); else unchanged."""
    requests = position.get("requests")
    if threshold > 1 and requests is not None and 0 < requests < threshold:
        label = f"<{threshold}"
    if threshold <= 1 or requests is None or label is None:
        return dict(position)
    return {**position, "requests": None, "rank": None, hidden_column("requests"): label}
