"""The page as a browser shows it, from file:// (headless Chromium's --dump-dom, the DOM after the
scripts ran). Skipped where no Chromium is installed: the other view tests check the files alone.

Each view is reached through the URL's hash, which is what the page's own links and clicks write."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
from view_fixture import HOSTILE, make_sample, write_run

from hardgen.view import ViewSite, build_view

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")


def _dom(site: ViewSite, hash_: str) -> str:
    assert CHROMIUM is not None
    url = site.index.resolve().as_uri() + "#" + hash_
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                           "--dump-dom", url], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _text(dom: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> ViewSite:
    samples = [make_sample(i, domain="bank" if i % 4 == 0 else "shop") for i in range(1, 80)]
    samples.insert(0, make_sample(0, query=f"Cancel {HOSTILE}"))
    return build_view(write_run(tmp_path_factory.mktemp("view-browser") / "run", samples))


def test_the_list_shows_a_page_of_samples(site: ViewSite) -> None:
    dom = _dom(site, "tab=samples")
    assert 'data-ready="samples"' in dom
    assert dom.count('class="row') == 50 and "80 of 80 samples" in dom
    assert "page 1 of 2" in dom


def test_a_filter_keeps_only_matching_samples(site: ViewSite) -> None:
    dom = _dom(site, "tab=samples&domain=bank")
    ids = re.findall(r'data-id="(s-\d+)"', dom)
    assert ids and all(int(i[2:]) % 4 == 0 for i in ids) and len(ids) == 19  # 4, 8, ..., 76


def test_the_search_matches_text_in_the_samples(site: ViewSite) -> None:
    ids = re.findall(r'data-id="(s-\d+)"', _dom(site, "tab=samples&q=c-17"))
    assert ids == ["s-00017"]


def test_a_sample_opens_as_a_chat_with_its_markup_shown_as_text(site: ViewSite) -> None:
    dom = _dom(site, "tab=samples&sample=s-00000")
    assert 'data-ready="sample"' in dom
    assert "<script>alert" not in dom and "<img src=x" not in dom  # not parsed as markup...
    assert html.escape(HOSTILE, quote=False) in dom  # ...but shown, as text
    text = _text(dom)
    assert "Gold trace" in text and "step 1 find_orders" in text and "result.orders[0].order_id" in text
    assert 'class="msg user"' in dom and dom.count('class="msg tool') == 2 and "reasoning" in text


def test_a_rejected_candidate_opens_with_its_reason(site: ViewSite) -> None:
    dom = _dom(site, "tab=rejected&open=u-1")
    assert 'id="rejected-detail"' in dom and "<script>alert" not in dom
    assert "reason 1:" in _text(dom) and "look it up" in _text(dom)


def test_statistics_and_graph_render(site: ViewSite) -> None:
    stats = _text(_dom(site, "tab=stats"))
    assert "Validity of the golds" in stats and "Samples per domain" in stats
    graph = _dom(site, "tab=graph&node=cancel_order")
    assert 'data-tool="cancel_order"' in graph and "Inputs from (1)" in _text(graph)
