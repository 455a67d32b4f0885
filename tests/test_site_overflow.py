"""Nothing in the article is cut off without a hint, on a phone or a desktop.

Two kinds of defect, on every page of the table of contents (folded solutions opened):

* A printed message (a cell's print() output) scrolls sideways: a one-line checker
  message 1,069 px wide ran out of a 688 px column. Printed text wraps; only lines laid
  out in aligned columns (a printed table, an indented array) keep their layout, and must
  not be wrapped (that would scramble the columns). Checked at 1280 px and 390 px, line
  by line, from where each line is drawn.
* At 390 px a box still wider than its content area (a wide equation, a SymPy output, the
  intro's chapter map, Exercise 3.1's equation) scrolls inside itself with no sign that it
  does. Every element of the article with scrollWidth > clientWidth must either scroll
  and show a scroll cue (book/_static/reading.js gives it a fading mask on the side where
  there is more), or not be clipped at all; the cue moves to the other side when the box
  is scrolled to its end.
"""

from __future__ import annotations

import pytest
from site_browser import DOCNAMES, open_at, _PRINTED_JS, SIZES, unfold_all, _WIDE_JS


# Table cells with no room between their columns (a Markdown table a cell prints, such as
# chapter 7's benchmark table, had none: "float6444.4" on a phone).
_CRAMPED_CELLS_JS = """() => Array.from(document.querySelectorAll('.bd-article td, .bd-article th'))
  .filter(c => c.getClientRects().length && c.textContent.trim())
  .filter(c => { const cs = getComputedStyle(c);
                 return parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) < 8; })
  .map(c => `table cell "${c.textContent.trim().slice(0, 30)}" has no room beside it`)"""


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("docname", DOCNAMES)
def test_printed_messages_wrap(browser, site, docname, width):
    """Printed messages wrap at the column (aligned printouts scroll), and table cells keep
    room between their columns."""
    page, log = open_at(browser, site, f"{docname}.html", width)
    try:
        unfold_all(page)
        problems = page.evaluate(_PRINTED_JS)
        cramped = page.evaluate(_CRAMPED_CELLS_JS)
    finally:
        page.close()
    assert not problems, f"{docname} at {width} px:\n  " + "\n  ".join(problems)
    assert not cramped, f"{docname} at {width} px:\n  " + "\n  ".join(cramped[:5])
    assert not log.problems, log.problems


_AT_END_JS = """ids => Promise.all(ids.map(id => {
  const el = document.querySelector(`[data-overflow-test="${id}"]`);
  el.scrollLeft = el.scrollWidth;
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
    const cs = getComputedStyle(el);
    r(cs.maskImage !== 'none' ? cs.maskImage : (cs.webkitMaskImage || 'none'));
  })));
}))"""


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_what_scrolls_on_a_phone_shows_a_cue(browser, site, docname):
    page, log = open_at(browser, site, f"{docname}.html", "390")
    try:
        unfold_all(page)
        wide = page.evaluate(_WIDE_JS)
        scrollers = [w for w in wide if w["overflow"] in ("auto", "scroll")]
        at_end = page.evaluate(_AT_END_JS, [w["id"] for w in scrollers])
    finally:
        page.close()
    problems = []
    for w in wide:
        where = f"{w['label']} ({w['scroll']} px in {w['client']} px)"
        if w["overflow"] in ("hidden", "clip"):
            problems.append(f"cut off, cannot even be scrolled: {where}")
        elif w["overflow"] in ("auto", "scroll") and "gradient" not in w["mask"]:
            problems.append(f"scrolls with no cue: {where}")
    for w, end_mask in zip(scrollers, at_end):
        if "gradient" in w["mask"] and end_mask == w["mask"]:
            problems.append(f"the cue stays on the right when scrolled to the end: {w['label']}")
        if "gradient" not in end_mask:
            problems.append(f"no cue on the left when scrolled to the end: {w['label']}")
    assert not problems, f"{docname} at 390 px ({len(scrollers)} boxes scroll):\n  " + "\n  ".join(problems)
    assert not log.problems, log.problems
