"""What a page says about itself: a synthetic page says so (page, index, exported chart), titles name
the selection, every chart and table cites its source, and the page links back and lists its sections."""

from __future__ import annotations

import datetime as dt
import re

import altair as alt
import nbformat
import polars as pl

from coopanalysis.html import render_html
from coopanalysis.html.index import render_index
from coopanalysis.present import export
from coopanalysis.present.display import table_html
from coopanalysis.present.mime import CHART_MIME, PAGE_MIME, chart_embed_html
from coopanalysis.present.page_facts import EXPORT_BANNER, page_facts
from coopanalysis.reports.citations import press_sources, provider_sources
from coopanalysis.reports.source import is_synthetic
from coopanalysis.reports.volumes import volume_report
from coopanalysis.paths import TRANSPARENCY_DIR


def test_a_log_of_generated_ids_is_synthetic_and_a_real_one_is_not():
    assert is_synthetic(pl.LazyFrame({"request_id": ["R-1", "SYN-2020-000001"]}))
    assert not is_synthetic(pl.LazyFrame({"request_id": ["R-1", "SYNC-7", "2020-SYN-1"]}))
    assert not is_synthetic(pl.LazyFrame({"requested_on": [dt.date(2020, 1, 1)]}))


def test_synthetic_sample_page_says_so_and_names_the_selection():
    facts = page_facts(volume_report("sample/requests_synthetic.csv", platforms=["Telegram"], period="quarter"))
    assert facts["title"] == "Telegram, 2020–2025: requests and growth"
    assert facts["synthetic"] is True and "not real figures" in facts["banner"]
    assert facts["description"].startswith("Synthetic data, not real figures. Requests per quarter")
    assert "; Telegram from 1 Jan 2020 to 30 Jun 2025." in facts["description"]
    labels = [s["label"] for s in facts["sources"]["default"]]
    assert labels[0].startswith("synthetic request log requests_synthetic.csv")
    assert labels[1:] == ["Yonhap, 2022-11-27", "Hankook Ilbo, 2024-08-27", "Sisa1, 2024-09-04"]
    assert "https://www.hankyung.com/it/article/202211277146Y" in [s["url"] for s in facts["sources"]["default"]]


def test_published_series_page_is_not_synthetic_and_cites_the_press():
    facts = page_facts(volume_report("published/npa_overseas_it_requests_press.csv", period="year"))
    assert facts["synthetic"] is False and facts["banner"] is None
    assert facts["title"] == "All overseas IT companies, 2020–2024: requests and growth"
    urls = [s["url"] for s in facts["sources"]["default"] if s["url"]]
    assert urls[:2] == ["https://www.hankyung.com/it/article/202211277146Y", "https://theqoo.net/square/3380924936"]


def test_press_and_provider_citations_from_the_bundled_files():
    telegram = press_sources(platforms=["Telegram"], metric="cooperation_requests")
    assert all(c.url.startswith("http") for c in telegram)
    providers = {c.label.split(" ")[0]: c.url for c in provider_sources(TRANSPARENCY_DIR)}
    assert providers["Apple"] == "https://www.apple.com/legal/transparency/"
    assert providers["Google"] == "https://transparencyreport.google.com/user-data/overview"  # the page, not the zip
    assert providers["Telegram"] == "https://github.com/Te-k/telegram-transparency"


def _notebook(facts: dict | None) -> nbformat.NotebookNode:
    spec = alt.Chart(pl.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q").properties(title="A chart").to_dict()
    table = table_html(pl.DataFrame({"Requests": [1, 2]}), caption="A table")
    outputs = [nbformat.v4.new_output("display_data", data={CHART_MIME: chart_embed_html(spec), "text/plain": "c"}),
               nbformat.v4.new_output("display_data", data={"text/html": table, "text/plain": "t"})]
    if facts is not None:
        outputs.insert(0, nbformat.v4.new_output("display_data", data={PAGE_MIME: facts, "text/plain": "f"}))
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# How many requests?\n\nThe question."),
        nbformat.v4.new_markdown_cell("## First section"),
        nbformat.v4.new_code_cell("x", outputs=outputs),
        nbformat.v4.new_markdown_cell("## Second & third"),
    ])


FACTS = {"title": "Telegram, 2020–2025: requests and growth", "description": "d", "synthetic": True,
         "banner": "Every request here was generated.",
         "sources": {"default": [{"label": "Yonhap <2022>", "url": "https://example.org/a?b=1&c=2"},
                                 {"label": "bad", "url": "javascript:alert(1)"}]}}


def test_page_shows_title_banner_contents_back_link_and_a_source_under_chart_and_table():
    whole = render_html(_notebook(FACTS))
    assert "<title>Telegram, 2020–2025: requests and growth (synthetic data)</title>" in whole
    page = whole[whole.index("</head>"):]  # the style sheet names every class
    assert '<h1 class="coop-title">Telegram, 2020–2025: requests and growth</h1>' in page
    assert '<p class="coop-question">How many requests?</p>' in page and "<h1 id=" not in page
    assert '<div class="coop-banner" role="note"><strong>Synthetic data' in page
    assert re.search(r'<a (class="coop-back" )?href="index.html"', page)
    toc = page[page.index('<nav class="coop-toc"'):page.index("</nav>", page.index('<nav class="coop-toc"'))]
    assert toc.count("<li>") == 2 and "Second &amp; third" in toc and toc.index("First") < toc.index("Second")
    assert page.index('<nav class="coop-toc"') < page.index('<h2 id="First-section"')
    assert page.count('<p class="coop-source">') == 2  # one under the chart, one under the table
    assert re.search(r'<a href="https://example.org/a\?b=1&amp;c=2"[^>]*>Yonhap &lt;2022&gt;</a>', page)
    assert "javascript:" not in page and "Synthetic data, not real figures." in page


def test_page_without_facts_keeps_its_heading_and_shows_no_banner_or_source():
    whole = render_html(_notebook(None))
    page = whole[whole.index("</head>"):]
    assert "coop-banner" not in page and 'class="coop-source"' not in page and "coop-title" not in page
    assert "<title>How many requests?</title>" in whole and re.search(r'<a (class="coop-back" )?href="index.html"', page)


def test_real_data_page_has_no_banner():
    whole = render_html(_notebook({**FACTS, "synthetic": False, "banner": None}))
    page = whole[whole.index("</head>"):]
    assert "coop-banner" not in page and "Synthetic data" not in page and "(synthetic data)" not in whole


def test_index_gives_title_description_and_synthetic_badge():
    entry = {"name": "platform_volumes--platforms-telegram", "status": "ok", "outputs": {"html": "p.html"},
             "page": {"title": "Telegram, 2020–2025: requests and growth", "description": "Requests <per> quarter.",
                      "synthetic": True}}
    old = {"name": "old_report", "status": "ok", "outputs": {"html": "o.html"}}
    html = render_index([entry, old], meta={})
    assert '<a href="p.html" class="t">Telegram, 2020–2025: requests and growth</a>' in html
    assert "Requests &lt;per&gt; quarter." in html and html.count('class="syn"') == 1
    assert '<a href="o.html">old_report</a>' in html


def test_exported_chart_of_a_synthetic_page_carries_the_banner():
    chart = alt.Chart(pl.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q").properties(
        title=alt.TitleParams("Requests", subtitle="per year"))
    spec = export.with_banner(chart.to_dict(), EXPORT_BANNER)
    assert spec["title"]["text"] == EXPORT_BANNER and spec["title"]["color"] == export.BANNER_COLOUR
    assert spec["vconcat"][0]["title"] == {"text": "Requests", "subtitle": "per year"}  # the chart's own, untouched
    assert chart.to_dict()["title"]["subtitle"] == "per year"  # the chart itself is unchanged
    svg = export.chart_to_svg(chart, banner=EXPORT_BANNER)
    assert "SYNTHETIC DATA" in svg and "SYNTHETIC DATA" not in export.chart_to_svg(chart)
    # drawn: the banner in the alert colour, the chart's subtitle not (it turned red too before)
    texts = dict((t, tag) for tag, t in re.findall(r"(<text[^>]*>)([^<]*)</text>", svg))
    assert export.BANNER_COLOUR in texts[EXPORT_BANNER] and export.BANNER_COLOUR not in texts["per year"]
    untitled = export.with_banner(alt.Chart(pl.DataFrame({"a": [1]})).mark_bar().to_dict(), EXPORT_BANNER)
    assert untitled["title"]["text"] == EXPORT_BANNER and "title" not in untitled["vconcat"][0]
