"""Offline HTML pages of executed report notebooks.

The public API: :func:`render_notebook` (write a page), :func:`render_html` (the page as a
string), :func:`read_headlines` (the headline figures a notebook recorded),
:func:`sanitize_html` and :func:`vega_bundle`, and the mime types a page draws
(:data:`CHART_MIME`, :data:`VEGALITE_MIMES`) or reads (:data:`HEADLINE_MIME`), which are
defined in :mod:`coopanalysis.present.mime`.
"""

from coopanalysis.html.bundle import vega_bundle
from coopanalysis.html.page import read_headlines
from coopanalysis.html.renderer import render_html, render_notebook
from coopanalysis.html.sanitise import sanitize_html
from coopanalysis.present.mime import CHART_MIME, HEADLINE_MIME, VEGALITE_MIMES

__all__ = [
    "CHART_MIME",
    "HEADLINE_MIME",
    "VEGALITE_MIMES",
    "read_headlines",
    "render_html",
    "render_notebook",
    "sanitize_html",
    "vega_bundle",
]
