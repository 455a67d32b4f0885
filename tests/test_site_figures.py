"""Every image of the site is shown at its own aspect ratio, on a phone and a desktop.

myst-nb writes a figure's pixel size into its ``<img>`` as an inline style; shrunk to the
column, an image used to keep its full height and was drawn squashed (labels tall and
narrow). book/_static/custom.css gives every image ``height: auto``. This test opens
every page of the table of contents at 390 px (a phone) and at 1280 px and compares, for
every image in the article, the drawn width/height with naturalWidth/naturalHeight.
"""

from __future__ import annotations

import pytest
from site_browser import DOCNAMES, _IMAGES_JS, open_at, SIZES, TOLERANCE, unfold_all


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("docname", DOCNAMES)
def test_images_keep_their_aspect_ratio(browser, site, docname, width):
    page, log = open_at(browser, site, f"{docname}.html", width)
    try:
        unfold_all(page)
        images = page.evaluate(_IMAGES_JS)
    finally:
        page.close()
    problems = []
    for img in images:
        name = img["src"].rsplit("/", 1)[-1][:16]
        if not (img["naturalWidth"] and img["naturalHeight"]):
            problems.append(f"{name}: not loaded")
            continue
        if not (img["width"] and img["height"]):
            problems.append(f"{name}: not displayed")
            continue
        shown = img["width"] / img["height"]
        natural = img["naturalWidth"] / img["naturalHeight"]
        if abs(shown / natural - 1) > TOLERANCE:
            problems.append(
                f"{name}: drawn {img['width']:.0f}x{img['height']:.0f} (ratio {shown:.3f}), "
                f"natural {img['naturalWidth']}x{img['naturalHeight']} (ratio {natural:.3f}): "
                f"distorted {max(shown, natural) / min(shown, natural):.2f}x"
            )
    assert not problems, f"{docname} at {width} px:\n  " + "\n  ".join(problems)
    assert not log.problems, log.problems
