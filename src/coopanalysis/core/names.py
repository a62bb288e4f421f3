"""The one registry of names and labels: one spelling per platform, one colour per platform, and one
human label per column, used by every chart, table, sentence and export."""

from __future__ import annotations

import polars as pl

from coopanalysis.core.i18n import _

PLATFORM_NAMES: dict[str, str] = {
    "google": "Google",
    "youtube": "Google",
    "meta": "Meta",
    "facebook": "Meta",
    "instagram": "Meta",
    "whatsapp": "Meta",
    "apple": "Apple",
    "microsoft": "Microsoft",
    "x": "X",
    "twitter": "X",
    "x (twitter)": "X",
    "telegram": "Telegram",
    "discord": "Discord",
    "tiktok": "TikTok",
    "snapchat": "Snapchat",
    "binance": "Binance",
    "amazon": "Amazon",
    "okx": "OKX",
    # providers of the 2009–2013 transparency compilation, as the providers write themselves
    "yahoo": "Yahoo",
    "linkedin": "LinkedIn",
    "tumblr": "Tumblr",
    "dropbox": "Dropbox",
    "pinterest": "Pinterest",
    "wordpress": "WordPress",
    "cloudflare": "Cloudflare",
    "leaseweb": "LeaseWeb",
    "sonic.net": "Sonic.net",
    "verizon": "Verizon",
    "at&t": "AT&T",
    "comcast": "Comcast",
    "telstra": "Telstra",
    "credo": "CREDO Mobile",
    "credo mobile": "CREDO Mobile",
    "구글": "Google",
    "유튜브": "Google",
    "메타": "Meta",
    "페이스북": "Meta",
    "인스타그램": "Meta",
    "애플": "Apple",
    "마이크로소프트": "Microsoft",
    "트위터": "X",
    "엑스": "X",
    "텔레그램": "Telegram",
    "디스코드": "Discord",
    "틱톡": "TikTok",
    "바이낸스": "Binance",
}
"""Lower-case source spelling → the platform name used throughout the reports."""

PLATFORM_COLOURS: dict[str, str] = {
    "Google": "#4477AA",
    "Meta": "#66CCEE",
    "Apple": "#228833",
    "Microsoft": "#CCBB44",
    "X": "#444444",
    "Telegram": "#EE6677",
    "Discord": "#AA3377",
    "Binance": "#BBBBBB",
    "TikTok": "#994F00",
    "Snapchat": "#E1BE6A",
    "Amazon": "#7A5195",
    "OKX": "#332288",
}
"""Paul Tol's colour-blind-safe palette, fixed per platform so a platform looks the same everywhere."""


_WHOLE = "\x00"
"""Put around a name so that a literal replacement matches the whole name only (`canonical_platform`)."""


def canonical_platform(raw: pl.Expr) -> pl.Expr:
    """The reports' spelling of a platform name ("telegram " → "Telegram"); unknown names kept as
    written (stripped). A native expression, which the streaming engine runs batch by batch without
    Python: a known name (lower-cased, `PLATFORM_NAMES`) is wrapped in `_WHOLE` and replaced
    literally (`str.replace_many`; `replace` and `replace_strict` would make the engine gather every
    row of a log first)."""
    text = raw.cast(pl.String).str.strip_chars()
    lower = text.str.to_lowercase()
    whole = pl.concat_str(pl.lit(_WHOLE), lower, pl.lit(_WHOLE))
    mapped = whole.str.replace_many([f"{_WHOLE}{k}{_WHOLE}" for k in PLATFORM_NAMES], list(PLATFORM_NAMES.values()))
    return pl.when(lower.is_in(list(PLATFORM_NAMES))).then(mapped).otherwise(text)


def platform_name(text: str) -> str:
    """`canonical_platform` for one name, e.g. a report parameter: "google", "Google" and "구글" →
    "Google", "at&t" → "AT&T"; a name not registered is kept as written (stripped)."""
    stripped = text.strip()
    return PLATFORM_NAMES.get(stripped.lower(), stripped)


LABELS: dict[str, str] = {
    "request_id": "Request",
    "requested_on": "Requested on",
    "agency": "Agency",
    "country": "Country",
    "platform": "Platform",
    "crime_type": "Crime type",
    "channel": "Channel",
    "responded_on": "Responded on",
    "response": "Response",
    "case_outcome": "Case outcome",
    "closed_on": "Closed on",
    "provider": "Provider",
    "period_start": "Period start",
    "period_end": "Period end",
    "period": "Period",
    "requests": "Requests",
    "answered": "Answered",
    "answered_share": "Answered share",
    "accounts": "Accounts",
    "legal_process": "Legal process",
    "growth": "Growth",
    "source": "Source",
    # derived columns of the transforms, drawn by the charts
    "share": "Share of requests",
    "cases": "Cases",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "base": "Same span a year earlier",
    "growth_note": "Why no growth",
    "period_label": "Period",
    "waiting": "Share still waiting",
    "days": "Days since request",
    "at_risk": "Still waiting (at risk)",
    "responded": "Responded that day",
    "censored": "Censored (no response yet)",
    "stage": "Stage",
    "share_of_requested": "Share of requests",
    "suspended_share": "Share suspended (suspect untraceable)",
    "suspended_ci_low": "95% CI low (suspended)",
    "suspended_ci_high": "95% CI high (suspended)",
    "projected": "Projected requests",
    "low": "Interval low",
    "high": "Interval high",
    "method": "Method",
    "basis": "Basis",
    "kind": "Figure",
    "year": "Year",
    # the transparency report: files read, provider totals, Telegram's phases, the reconciliation
    "file": "File",
    "rows_read": "Rows read",
    "rows_kept": "Rows kept",
    "rows_rejected": "Rows set aside",
    "reasons": "Why set aside",
    "rank": "Rank",
    "requests_low": "Requests (lower bound)",
    "requests_high": "Requests (upper bound)",
    "rows": "Rows in the reports",
    "days_covered": "Days covered",
    "full_year": "Whole year covered",
    "legal": "Legal process requests",
    "emergency": "Emergency requests",
    "emergency_share": "Emergency share",
    "phase": "Before/after late-2024 change",
    "reply": "Kind of reply",
    "period_days": "Days",
    "fulfilled": "Fulfilled requests",
    "affected_users": "Affected users",
    "fulfilled_per_30_days": "Fulfilled requests per 30 days",
    "agency_period": "Year",
    "agency_requests": "Agency reports sending",
    "providers_requests": "Providers report receiving",
    "providers_to_agency": "Providers ÷ agency",
    "providers_included": "Providers counted",
    "providers_not_full_year": "Providers covering part of the year",
    "telegram_fulfilled": "Telegram: fulfilled requests",
    "difference": "Agency minus providers",
}
"""Human labels for chart titles, axes and tooltips."""


def label(column: str) -> str:
    """The human label of a column (its own name, capitalised, when none is registered)."""
    return _(LABELS.get(column, column.replace("_", " ").capitalize()))


PLURAL_LABELS: dict[str, str] = {"agency": "Agencies", "platform": "Platforms", "crime_type": "Crime types",
                                 "country": "Countries", "year": "Years", "provider": "Providers"}
"""Plural labels of category columns, for titles such as "Agencies with the most requests"."""


def plural_label(column: str) -> str:
    """The plural label of a category column ("agency" → "Agencies"; "Channel values" when none is registered)."""
    if column in PLURAL_LABELS:
        return _(PLURAL_LABELS[column])
    return _("{label} values").format(label=label(column))


CODE_LABELS: dict[str, dict[str, str]] = {
    "crime_type": {
        "fraud": "fraud",
        "cyber_sexual_violence": "cyber sexual violence",
        "defamation": "defamation",
        "hacking": "hacking",
        "threats_stalking": "threats and stalking",
        "illegal_gambling": "illegal gambling",
        "drug_trafficking": "drug trafficking",
        "child_sexual_exploitation": "child sexual exploitation",
        "copyright": "copyright infringement",
        "other": "other crimes",
    },
    "case_outcome": {
        "open": "open",
        "suspect_identified": "suspect identified",
        "arrested": "arrested",
        "referred_to_prosecution": "referred to prosecution",
        "closed_no_suspect": "closed without a suspect",
        "suspended_untraceable": "suspended (suspect untraceable)",
        "closed_other": "closed for another reason",
    },
    "response": {"disclosed": "disclosed", "partial": "partial", "refused": "refused", "no_data": "no data"},
    "phase": {"before": "before the change", "after": "after the change"},
    "reply": {"data": "data (disclosed, partial)", "no data": "refused or no data"},
    "legal_process": {"legal": "legal process", "emergency": "emergency"},
    "channel": {"email": "email", "portal": "portal", "mlat": "MLAT", "emergency": "emergency",
                "liaison": "liaison", "other": "other channel"},
}
"""The words for the codes of a category column ("cyber_sexual_violence" → "cyber sexual violence"),
lower case as they read inside a sentence; a table cell capitalises them (`code_label(..., capital=True)`)."""


AGENCY_SCOPES: dict[str, str] = {
    "KNPA all police": "the Korean National Police Agency (all police)",
}
"""The words for the scopes of the published agency figures (the `agency` of the KNPA series)."""


def agency_scope(scope: str) -> str:
    """A published agency figure's scope as a reader reads it; unregistered scopes stay as written."""
    return _(AGENCY_SCOPES.get(scope, scope))


WORD_FIELDS = ("agency", "platform", "provider", "method", "stage", "kind_label", "series", "growth_note", "cagr_note",
               "trend_note", "trend_vs_cagr")
"""Fields whose values are names or words, not codes ("Google", "seasonal share", "before"): they
read as written in English and through the message catalogue in another language (`display_name`).
Charts and tables show them in the page's language; colours and filters key on the English value."""


def code_label(column: str, code: object, *, capital: bool = False) -> str:
    """The words for one value of a code column ("crime_type", "drug_trafficking" → "drug trafficking");
    a code not registered reads with spaces for underscores; a value of any other column stays as written."""
    text = str(code)
    if column in CODE_LABELS:
        text = _(CODE_LABELS[column].get(text, text.replace("_", " ")))
    elif column in WORD_FIELDS:
        text = display_name(text)
    return text[:1].upper() + text[1:] if capital else text


def display_name(name: str) -> str:
    """A platform's or agency's name as the page's language writes it ("Google" → "구글" in Korean);
    the canonical (English) name keys colours and filters, only the shown text changes."""
    return _(name)


NAME_LIST_FIELDS = ("providers_included", "providers_not_full_year")
"""Fields whose values are comma-separated lists of names ("Apple, Google, Meta"), shown name by name
in the page's language (:func:`name_list`)."""


def name_list(text: str | None) -> str | None:
    """A comma-separated list of names with each name as the page's language writes it
    ("Apple, Google, Meta" → "애플, 구글, 메타" in Korean); empty or missing stays as it is."""
    if not text:
        return text
    return ", ".join(display_name(n.strip()) for n in text.split(","))


def display_names() -> bool:
    """True when names are shown in another language than the canonical one."""
    from coopanalysis.core.i18n import DEFAULT_LANGUAGE, current_language

    return current_language() != DEFAULT_LANGUAGE


def code_labels(column: str, values: pl.Expr, *, capital: bool = False) -> pl.Expr:
    """`code_label` for a column of a small collected frame (a reader table)."""
    if column not in CODE_LABELS and not (column in WORD_FIELDS and display_names()):
        return values
    return values.map_elements(lambda v: code_label(column, v, capital=capital), return_dtype=pl.String)

