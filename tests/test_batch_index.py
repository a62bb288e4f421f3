"""The index page of a batch run (Jinja2, autoescape): content, escaping, safe links only."""

from __future__ import annotations

import re

from coopanalysis.html.index import render_index

META = {
    "title": "Reports <&>",
    "finished_at": "2024-01-01T00:00:00+00:00",
    "coopanalysis_version": "0.1.0",
    "counts": {"ok": 1, "failed": 2, "skipped": 1},
    "elapsed_s": 12.345,
}

ENTRIES = [
    {
        "name": "good--a",
        "status": "ok",
        "outputs": {"html": "good--a.html", "log": "logs/good--a.log"},
        "parameters": {"label": "서울 <b>x</b>", "n": 3, "platforms": ["Telegram", "Meta"]},
        "duration_s": 3.14159,
        "headlines": {
            "total": {"value": 4.5, "label": "Total <i>"},
            "share": {"value": 0.5, "interval": [0.25, 0.75]},
            "plain": 7,
        },
        "this_run": True,
    },
    {
        "name": "raises",
        "status": "failed",
        "error": "ValueError: <script>alert(1)</script> & 'q'",
        "outputs": {"html": "raises.html", "error_html": "failed/raises.html", "log": "logs/raises.log"},
        "duration_s": 1,
        "this_run": True,
    },
    {
        "name": "evil",
        "status": "failed",
        "error": None,
        "outputs": {"html": "../x.html", "error_html": "/etc/passwd", "log": "javascript:alert(1)"},
    },
    {"name": "old", "status": "skipped", "outputs": {"html": "old.html"}, "this_run": False, "duration_s": 2},
]


def test_index_shows_every_report_with_its_status_and_figures() -> None:
    page = render_index(ENTRIES, meta=META)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert "<h1>Reports &lt;&amp;&gt;</h1>" in page
    assert "2 FAILED, 1 done, 1 unchanged · total 12.3 s" in page
    assert page.count('class="st st-failed"') == 2 and page.count('class="st st-ok"') == 1
    assert 'class="st st-skipped">unchanged<' in page and "not part of this run" in page
    assert '<td class="num">3.1 s</td>' in page and '<td class="num">1.0 s</td>' in page
    assert "Total &lt;i&gt;: <b>4.5</b>" in page and "plain: <b>7</b>" in page
    assert re.search(r"share: <b>[^<]+</b> \([^)]+ – [^)]+\)", page)
    assert "<dt>n</dt><dd><code>3</code></dd>" in page
    assert "[&#34;Telegram&#34;,<wbr> &#34;Meta&#34;]" in page  # lists as JSON, escaped, breakable after a comma
    assert 'href="failed/raises.html#papermill-error-cell"' in page and 'href="logs/raises.log"' in page
    assert "the link on the name is the last good report" in page
    assert '<div class="err">failed</div>' in page  # a failure without a message


def test_index_escapes_every_value_and_keeps_only_safe_links() -> None:
    page = render_index(ENTRIES, meta=META)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/<wbr>b&gt;" in page
    # the one script is the page's own search and sort; the error's script tag is text
    assert page.count("<script") == 1 and "alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;q&#39;" in page
    assert "http" not in page.replace('http-equiv="Content-Security-Policy"', "")
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert hrefs and all(not h.startswith(("/", ".")) and ".." not in h and ":" not in h for h in hrefs)
    assert "<td>evil</td>" in page  # its unsafe page link is dropped, its name stays as text
    assert "default-src 'none'" in page
