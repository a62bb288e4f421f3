"""Sentences about the input file and the selection a report covers."""

from __future__ import annotations

from coopanalysis.core.i18n import _
from coopanalysis.present.narrative.template import Hidden, sentence
from coopanalysis.present.narrative.words import count, date, join_names
from coopanalysis.reports.source import InputSummary


def input_summary(info: InputSummary) -> str:
    """Rows read / kept / rejected of the input file, with the reasons for rejected rows."""
    noun = "row" if info.kind == "request log" else "published figure"
    template = ("Read {n:count/row} from {file:name} ({kind:name}): {kept:count} kept, {rejected:count} {how:name}."
                if noun == "row" else "Read {n:count/published figure} from {file:name} ({kind:name}): {kept:count} kept, "
                "{rejected:count} {how:name}.")
    text = sentence(template, n=info.rows_read, file=info.file_name, kind=_(info.kind), kept=info.rows_kept,
                    rejected=info.rows_rejected, how=_("rejected" if info.kind == "request log" else "set aside"))
    if info.rejected_by_reason:
        reasons = "; ".join(f"{_(reason.replace('_', ' '))}: {count(n)}" for reason, n in info.rejected_by_reason.items())
        text += _(" By reason — {reasons}.").format(reasons=reasons)
    if info.rows_read == info.rows_kept + info.rows_rejected:
        text += _(" Every row is accounted for.")
    return text


def selection_sentence(info: InputSummary) -> str:
    """What the report covers, or — for an empty selection — that nothing matched and what to change."""
    who = join_names(info.platforms) if info.platforms else _("all platforms")
    by = _(" by {agencies}").format(agencies=join_names(info.agencies)) if info.agencies else ""
    span = _("from {start} to {end}").format(start=date(info.start), end=date(info.end))
    if info.is_empty:
        return empty_selection(info)
    what = "" if info.kind == "request log" else _(" in the published figures")
    n = Hidden(f"<{info.suppress_below}") if info.selected_hidden else info.selected
    return sentence("This report covers {n:count/request}{what:text} to {who:name}{by:text} {span:name}.", n=n,
                    what=what, who=who, by=by, span=span)


def empty_selection(info: InputSummary) -> str:
    """'' when the selection holds requests; otherwise a sentence saying that it is empty and why."""
    if not info.is_empty:
        return ""
    who = join_names(info.platforms) if info.platforms else _("any platform")
    by = _(" by {agencies}").format(agencies=join_names(info.agencies)) if info.agencies else ""
    return _(
        "No requests match this selection: none to {who}{by} from {start} to {end}. "
        "The tables and charts below are empty. Widen the date range or choose other platforms "
        "(available: {available})."
    ).format(who=who, by=by, start=date(info.start), end=date(info.end),
             available=", ".join(_(p) for p in info.available_platforms))
