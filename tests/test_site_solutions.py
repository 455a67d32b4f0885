"""A folded solution opens and closes with a tap or click anywhere on its title.

sphinx-exercise titles a solution "Solution to Exercise 3.1", where "Exercise 3.1" is a
link to the exercise, and sphinx-togglebutton folds it. A tap on the link jumped back to
the exercise instead of opening the solution, and togglebutton's handler threw "button
is not defined". On every page with folded solutions, at 390 px (touch) and 1280 px
(mouse), each solution starts folded and a tap or click on the title's left edge, on its
words "Solution to", on the link text and on the chevron button opens or closes it, with
no navigation (the URL stays the same) and no console error.
"""

from __future__ import annotations

import pytest
from site_browser import DOCNAMES, SIZES, open_at

# Points of a solution's title, in the viewport: [name, x, y].
_POINTS_JS = """id => {
  const sol = document.getElementById(id);
  const title = sol.querySelector(':scope > .admonition-title');
  title.scrollIntoView({block: 'center'});
  const mid = r => [r.left + r.width / 2, r.top + r.height / 2];
  const t = title.getBoundingClientRect();
  const points = [['left edge of the title', t.left + 4, t.top + t.height / 2]];
  const text = Array.from(title.childNodes).find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  if (text) { const r = document.createRange(); r.selectNodeContents(text); points.push(['the words "' + text.textContent.trim() + '"', ...mid(r.getBoundingClientRect())]); }
  const link = title.querySelector('a');
  if (link) points.push(['the link text "' + link.textContent.trim() + '"', ...mid(link.getBoundingClientRect())]);
  const button = title.querySelector('.toggle-button');
  if (button) points.push(['the chevron button', ...mid(button.getBoundingClientRect())]);
  return points;
}"""


def _solution_pages(html) -> list[str]:
    return [d for d in DOCNAMES if 'class="solution dropdown' in (html / f"{d}.html").read_text(encoding="utf-8")]


@pytest.mark.book
def test_some_pages_have_folded_solutions(built_book):
    _, html = built_book
    assert len(_solution_pages(html)) >= 5, "the chapters' solutions are no longer folded dropdowns"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("docname", DOCNAMES)
def test_a_tap_anywhere_on_the_title_toggles_the_solution(built_book, browser, site, docname, width):
    _, html = built_book
    if docname not in _solution_pages(html):
        pytest.skip(f"{docname} has no folded solution")
    page, log = open_at(browser, site, f"{docname}.html", width)
    problems = []
    try:
        url = page.url
        ids = page.evaluate("() => Array.from(document.querySelectorAll('.solution.dropdown')).map(e => e.id)")
        assert ids
        is_open = "id => !document.getElementById(id).classList.contains('toggle-hidden')"
        for sol_id in ids:
            sol = page.locator(f"[id={sol_id!r}]")
            body = sol.locator(":scope > :not(.admonition-title)").first
            button = sol.locator(".toggle-button")
            if page.evaluate(is_open, sol_id) or body.is_visible():
                problems.append(f"{sol_id} starts open")
                continue
            expected = False
            for name, x, y in page.evaluate(_POINTS_JS, sol_id):
                if width == "390":
                    page.touchscreen.tap(x, y)
                else:
                    page.mouse.click(x, y)
                expected = not expected
                page.wait_for_timeout(50)
                state = page.evaluate(is_open, sol_id)
                if state != expected:
                    problems.append(f"{sol_id}: a {'tap' if width == '390' else 'click'} on {name} did not "
                                    f"{'open' if expected else 'close'} the solution")
                    expected = state
                elif expected and not body.is_visible():
                    problems.append(f"{sol_id}: opened by {name}, but its content is not visible")
                if button.get_attribute("aria-expanded") != str(state).lower():
                    problems.append(f"{sol_id}: aria-expanded is {button.get_attribute('aria-expanded')} "
                                    f"with the solution {'open' if state else 'closed'}")
                if page.url != url:
                    problems.append(f"{sol_id}: {name} navigated to {page.url}")
                    page.goto(url, wait_until="load")
                    break
    finally:
        page.close()
    problems += log.problems
    assert not problems, f"{docname} at {width} px:\n  " + "\n  ".join(dict.fromkeys(problems))
