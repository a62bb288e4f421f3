"""Sentences about the input file and the selection a report covers."""

from __future__ import annotations

from coopanalysis.present.narrative.template import Hidden, sentence
from coopanalysis.present.narrative.words import count, date, join_names
from coopanalysis.reports.source import InputSummary


def input_summary(info: InputSummary) -> str:
    """Rows read / kept / rejected of the input file, with the reasons for rejected rows."""
    noun = "row" if info.kind == "request log" else "published figure"
    text = sentence("Read {n:count/" + noun + "} from {file:name} ({kind:name}): {kept:count} kept, {rejected:count} "
                    "{how:name}.", n=info.rows_read, file=info.file_name, kind=info.kind, kept=info.rows_kept,
                    rejected=info.rows_rejected, how="rejected" if info.kind == "request log" else "set aside")
    if info.rejected_by_reason:
        reasons = "; ".join(f"{reason.replace('_', ' ')}: {count(n)}" for reason, n in info.rejected_by_reason.items())
        text += f" By reason — {reasons}."
    if info.rows_read == info.rows_kept + info.rows_rejected:
        text += " Every row is accounted for."
    return text


def selection_sentence(info: InputSummary) -> str:
    """What the report covers, or — for an empty selection — that nothing matched and what to change."""
    who = join_names(info.platforms) if info.platforms else "all platforms"
    by = f" by {join_names(info.agencies)}" if info.agencies else ""
    span = f"from {date(info.start)} to {date(info.end)}"
    if info.is_empty:
        return empty_selection(info)
    what = "" if info.kind == "request log" else " in the published figures"
    n = Hidden(f"<{info.suppress_below}") if info.selected_hidden else info.selected
    return sentence("This report covers {n:count/request}{what:text} to {who:name}{by:text} {span:name}.", n=n,
                    what=what, who=who, by=by, span=span)


def empty_selection(info: InputSummary) -> str:
    """'' when the selection holds requests; otherwise a sentence saying that it is empty and why."""
    if not info.is_empty:
        return ""
    who = join_names(info.platforms) if info.platforms else "any platform"
    by = f" by {join_names(info.agencies)}" if info.agencies else ""
    return (
        f"No requests match this selection: none to {who}{by} from {date(info.start)} to {date(info.end)}. "
        f"The tables and charts below are empty. Widen the date range or choose other platforms "
        f"(available: {', '.join(info.available_platforms)})."
    )
