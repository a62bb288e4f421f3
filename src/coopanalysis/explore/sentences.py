"""The sentence under each view, written with the reports' own sentence functions
(`present.narrative`), so an exploration and a report say the same thing of the same selection."""

from __future__ import annotations

import dataclasses

from coopanalysis.explore.tables import Tables
from coopanalysis.explore.update import Views
from coopanalysis.present.narrative import answered_total_sentence, response_time_sentence, selection_sentence
from coopanalysis.present.narrative import top_sentence
from coopanalysis.present.narrative.answers import censoring_sentence
from coopanalysis.present.narrative.outcomes import outcome_sentence
from coopanalysis.present.narrative.template import sentence
from coopanalysis.present.narrative.words import join_names


def selection_text(tables: Tables, views: Views) -> str:
    """'This report covers 1,234 requests to Telegram from …' for the selection (crime types named)."""
    s = views.selection
    first, last = tables.info.extent or (None, None)
    info = dataclasses.replace(
        tables.info, selected=views.selected, start=s.start or first, end=s.end or last,
        platforms=list(s.platforms), agencies=list(s.agencies), period=s.period, suppress_below=views.suppress_below,
    )
    text = selection_sentence(info).replace("This report covers", "This selection holds", 1)
    if s.crime_types:
        text += " " + sentence("Crime types: {names:name}.", names=join_names(list(s.crime_types)))
    return text


def gate_text(suppress_below: int) -> str:
    """What the sharing profile does to the views: '' when nothing is hidden."""
    if suppress_below <= 1:
        return ""
    return sentence(
        "Sharing profile: counts below {k:count} and the figures that would give them back are hidden in these "
        "views, as in a shared report; a report made from this view passes the batch's gate as well.", k=suppress_below)


def view_sentences(tables: Tables, views: Views) -> dict[str, str]:
    """One sentence (or two) per view: selection, top_agencies, answered, curve, outcome_mix."""
    return {
        "selection": selection_text(tables, views),
        "top_agencies": top_sentence(views.top_agencies, column="agency"),
        "answered": answered_total_sentence(views.answered),
        "curve": response_time_sentence(views.response_time) + " " + censoring_sentence(
            tables.as_of, given=tables.as_of_given),
        "outcome_mix": outcome_sentence(views.outcome_mix) if views.outcome_mix.height else
        "There are no cases in this selection.",
    }
