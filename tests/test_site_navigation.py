"""Finding one's way: the "on this page" drawer on a phone, and the search results.

* At 390 px the page's own contents ("on this page") open in a drawer (a dialog) over
  the text. Picking a section must close it and show that section, not leave the
  drawer over the text.
* The search page shows a snippet of each page found; the snippets come from the
  pages' text, where a formula is TeX (``\\(\\delta\\)``). They must read as text.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from site_browser import CODE_STRING, open_at, PageLog, PHONE, RAW_TEX, TIMEOUT_MS


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", ["book/four_equations", "book/chain_rule"])
def test_picking_a_section_in_the_phone_drawer_closes_it_and_shows_the_section(browser, site, docname):
    page, log = open_at(browser, site, f"{docname}.html", "390")
    try:
        toggles = page.locator(".secondary-toggle:visible")
        assert toggles.count() == 1, f"{toggles.count()} visible 'on this page' buttons"
        links = page.locator("#pst-secondary-sidebar nav.page-toc a[href^='#']")
        n = links.count()
        assert n >= 3, f"only {n} sections in the page's contents"
        for index in (n // 2, n - 1):
            toggles.first.tap()
            page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=10_000)
            link = page.locator("#pst-secondary-sidebar-modal nav.page-toc a[href^='#']").nth(index)
            href = link.get_attribute("href")
            link.tap()
            page.wait_for_function(
                "() => !document.querySelector('#pst-secondary-sidebar-modal[open]')", timeout=10_000
            )
            page.wait_for_timeout(300)
            assert page.url.endswith(href), f"the URL is {page.url}, not …{href}"
            top = page.evaluate(
                "id => document.getElementById(decodeURIComponent(id)).getBoundingClientRect().top", href[1:]
            )
            assert 0 <= top <= PHONE["height"] / 2, f"section {href} is at y = {top:.0f} px, not at the top of the screen"
            assert page.locator(f"[id={href[1:]!r}]").is_visible()
    finally:
        page.close()
    assert not log.problems, log.problems


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize(("query", "symbol"), [("delta", "δ"), ("sigmoid", "σ")])
def test_search_snippets_show_no_raw_tex(browser, site, query, symbol):
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.set_default_timeout(TIMEOUT_MS)
    log = PageLog(page, site)
    try:
        page.goto(urljoin(site, f"search.html?q={query}"), wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=TIMEOUT_MS)
        # Each result's snippet arrives when its page has been fetched.
        page.wait_for_function(
            """() => { const items = document.querySelectorAll('#search-results ul.search li');
                       return items.length && Array.from(items).every(li => li.querySelector('p.context')); }""",
            timeout=TIMEOUT_MS,
        )
        snippets = page.evaluate(
            "() => Array.from(document.querySelectorAll('#search-results p.context')).map(p => p.innerText)"
        )
    finally:
        page.close()
    assert len(snippets) >= 3, snippets
    raw = [s for s in snippets if RAW_TEX.search(CODE_STRING.sub('""', s))]
    assert not raw, f"{len(raw)} of {len(snippets)} snippets show TeX, e.g. {raw[:2]}"
    assert any(symbol in s for s in snippets), f"no snippet shows a formula with {symbol}: the test lost its subject"
    assert not log.problems, log.problems
