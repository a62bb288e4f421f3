"""Sentences the reports print, written from small collected frames, numbers formatted for readers.

Every function returns plain text (no Markdown, no HTML); the notebook shows it with
``coopanalysis.present.display.say("{text}", text=...)``, which escapes it. Every function
accepts an empty frame and then says that there is nothing to report, so a report on
an empty selection still reads well.

- :mod:`.template` — sentence templates with typed slots (`sentence`), the one way a sentence is written;
- :mod:`.words` — numbers, shares, intervals, dates and hidden counts as words;
- :mod:`.selection` — the input file and the selection;
- :mod:`.volumes`, :mod:`.growth`, :mod:`.answers`, :mod:`.outcomes` — the sentences of each topic.

The tables for readers are in :mod:`coopanalysis.present.tables`.
"""

from __future__ import annotations

from coopanalysis.present.narrative.answers import (
    answered_sentence,
    answered_sentences,
    answered_total_sentence,
    response_time_sentence,
    slowest_sentence,
)
from coopanalysis.present.narrative.growth import (
    cagr_sentence,
    growth_range_sentence,
    growth_for_year,
    growth_sentence,
    latest_growth_sentence,
    partial_year_sentence,
    projection_sentence,
)
from coopanalysis.present.narrative.outcomes import funnel_sentence, outcome_sentence, untraceable_sentence
from coopanalysis.present.narrative.selection import empty_selection, input_summary, selection_sentence
from coopanalysis.present.narrative.volumes import top_sentence, volumes_sentence
from coopanalysis.present.narrative.words import (
    change,
    count,
    date,
    interval,
    join_names,
    share,
    signed,
    slot,
    span,
)
from coopanalysis.present.narrative.template import Hidden, SentenceError, check_text, sentence
