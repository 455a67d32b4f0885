"""Every stepper of the built site shows bplib's numbers, frame by frame, for every reader.

A stepper (:mod:`bplib.stepper`) is a chapter's stored HTML output: every frame drawn by
Python, a few lines of script choosing which one shows. This test finds every
``.bp-stepper`` on every page of the built site and, on a phone (390 px, touch) and a
desktop (1280 px), one page load per width:

* steps through every frame to the end with the Next button (tapped on the phone; there a
  swipe too goes back and forth), and again with the keys (Home, ArrowRight to the end,
  End, ArrowLeft) with the stepper focused, in dark mode (``html[data-theme=dark]``, what
  the theme switch sets);
* in each frame: exactly one frame group and one caption show, and they are the frame the
  counter names; every visible number (``[data-q]``, figure and caption) agrees with
  ``expected()[key]`` of ``tests/expected_steps/<name>.py`` to the digits it shows (a
  value recomputed there from bplib's public API, never by the walkthrough); no ASCII
  digit in the visible figure or caption outside a number; where the frame is printed
  (``.bp-pf``), the printed frame shows the same numbers;
* readable: at 390 px every visible SVG text is drawn at least 10 px tall and the stepper
  fits the width (nothing scrolls sideways); no two texts of a frame overlap; text has
  4.5:1 contrast against what is behind it, light and dark, and the halo drawn behind the
  figure's numbers is the colour of that background; the buttons are at least 44 px, and
  the keyboard focus ring is whole (no scrolling output box cuts it off);
* no request leaves 127.0.0.1, no script error, and a page's steppers weigh at most 300 kB.

``test_the_check_catches_one_number_off`` makes sure the comparison can fail: it serves a
copy of a stepper's page with one shown number changed in its last digit and expects
exactly that number reported.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urljoin

import pytest
from expected_steps import MissingExpectations, agrees, expected_for, parse_shown, tolerance
from site_browser import SIZES, TIMEOUT_MS, PageLog, open_at, settle

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: The most the steppers of one page may weigh (their HTML, style, script and data).
PAGE_BUDGET_BYTES = 300_000
#: The smallest text a phone reader is asked to read, in CSS px.
MIN_FONT_PX = 10.0
#: WCAG AA contrast for text.
MIN_CONTRAST = 4.5
#: The smallest touch target (WCAG 2.5.5), CSS px.
MIN_TARGET_PX = 44.0
#: Two texts overlap when their boxes share more than this many px both ways (the boxes
#: are the font's, taller than the glyphs: adjacent lines of text may touch).
OVERLAP_PX = 1.5

#: Digits a caption may show outside a number: a formula's constant, not a value computed
#: ("σ′ = a(1 − a)"). Anything else with an ASCII digit must be a shown number (data-q).
FORMULA_CONSTANTS = ("(1 \u2212 ",)

_STEPPER = re.compile(r'<div class="bp-stepper"[^>]*\sdata-stepper="([^"]+)"')


@pytest.fixture(scope="module")
def stepper_pages(built_book_with_pdf) -> dict[str, list[str]]:
    """Every page of the built site with a stepper: its path (from the site's root) and the
    names of its steppers, in order."""
    proc, html = built_book_with_pdf
    if proc.returncode != 0:
        pytest.fail("the book did not build; see test_book_builds_without_warnings")
    pages = {}
    for path in sorted(html.rglob("*.html")):
        if "_static" in path.parts or "_sources" in path.parts:
            continue
        names = _STEPPER.findall(path.read_text(encoding="utf-8"))
        if names:
            pages[path.relative_to(html).as_posix()] = names
    return pages


def test_every_stepper_has_expected_values(stepper_pages):
    """The site has steppers, each with a unique name on its page, and a module of expected
    values for each (a stepper without one fails, naming the file to write)."""
    assert stepper_pages, "no .bp-stepper on any page of the built site"
    problems = []
    for page, names in stepper_pages.items():
        if len(set(names)) != len(names):
            problems.append(f"{page}: two steppers share a name: {names}")
        for name in names:
            try:
                expected_for(name)
            except MissingExpectations as err:
                problems.append(f"{page}: {err}")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------- in the page
#: JavaScript: whether an element is drawn. (Chromium's checkVisibility() answers yes for
#: the SVG text inside a <g display="none">: every ancestor's display is asked too.)
_VISIBLE_JS = """(e => { if (!e.checkVisibility()) return false;
  for (let x = e; x; x = x.parentElement) if (getComputedStyle(x).display === 'none') return false;
  return true; })"""

#: JavaScript: the state of stepper ``i`` as the reader sees it now.
_FRAME_JS = r"""(i) => {
  const r = document.querySelectorAll('.bp-stepper')[i];
  const live = r.querySelector('.bp-live');
  const vis = VISIBLE;
  const svg = live.querySelector('svg');
  const groups = [...live.querySelectorAll('.bp-f')].filter(vis).map(g => g.dataset.f);
  const caps = [...live.querySelectorAll('.bp-cap')].filter(vis).map(c => c.dataset.f);
  const where = q => q.closest('svg') ? 'figure' : 'caption';
  const qs = [...live.querySelectorAll('[data-q]')].filter(vis)
    .map(q => ({key: q.dataset.q, text: q.textContent, where: where(q)}));
  const stray = [];
  for (const box of [svg, ...live.querySelectorAll('.bp-cap')].filter(vis)) {
    const w = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const el = n.parentElement;
      if (el.closest('[data-q]') || !vis(el)) continue;
      if (/[0-9]/.test(n.data.replace(FORMULA, ''))) stray.push(n.data.trim());
    }
  }
  const texts = [...svg.querySelectorAll('text')].filter(vis).filter(t => t.textContent.trim());
  const ctm = svg.getScreenCTM();
  const scale = Math.hypot(ctm.a, ctm.b);
  const fonts = texts.map(t => ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale}));
  const boxes = texts.map((t, k) => { const b = t.getBoundingClientRect();
    return {text: t.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom, px: fonts[k].px}; });
  // A text's box is its font's (ascent to descent, 1.16 em in DejaVu Sans), taller than its
  // glyphs with their 4-unit halo by about a sixth of an em: boxes may share that much height.
  const overlaps = [];
  for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
    const p = boxes[a], q = boxes[b];
    const w = Math.min(p.r, q.r) - Math.max(p.l, q.l), h = Math.min(p.b, q.b) - Math.max(p.t, q.t);
    if (w > OVERLAP && h > OVERLAP + 0.17 * Math.max(p.px, q.px))
      overlaps.push(`"${p.text}" and "${q.text}" (${w.toFixed(1)} x ${h.toFixed(1)} px)`);
  }
  const frame = r.dataset.frame;
  const pf = r.querySelector(`.bp-print .bp-pf[data-f="${frame}"]`);
  const list = (box, sel) => [...box.querySelectorAll(sel)].map(q => `${q.dataset.q}=${q.textContent}`).sort();
  const liveGroup = live.querySelector(`.bp-f[data-f="${frame}"]`);
  const liveCap = live.querySelector(`.bp-cap[data-f="${frame}"]`);
  return {frame: frame === undefined ? null : Number(frame), count: r.querySelector('.bp-count').textContent,
          groups, caps, qs, stray, fonts, overlaps,
          printed: pf ? {head: pf.querySelector('.bp-pf-head').textContent,
                         figure: list(pf.querySelector('svg'), '[data-q]'),
                         caption: list(pf.querySelector('.bp-cap'), '[data-q]'),
                         liveFigure: list(liveGroup, '[data-q]'), liveCaption: list(liveCap, '[data-q]'),
                         captionText: pf.querySelector('.bp-cap').textContent,
                         liveCaptionText: liveCap.textContent} : null};
}""".replace("VISIBLE", _VISIBLE_JS).replace("OVERLAP", str(OVERLAP_PX)).replace("FORMULA", "/" + "|".join(
    re.escape(f).replace("/", "\\/") for f in FORMULA_CONSTANTS) + "/g")

#: JavaScript: the layout of stepper ``i``: its box against the viewport, whether it or its
#: output scrolls sideways, its buttons' sizes, its ready mark and its weight.
_LAYOUT_JS = r"""(i) => {
  const r = document.querySelectorAll('.bp-stepper')[i];
  const box = r.getBoundingClientRect();
  const wide = [];
  for (let e = r; e && e !== document.body; e = e.parentElement)
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
      wide.push(`${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]} (${e.scrollWidth} px in ${e.clientWidth} px)`);
  // The focus ring: the stepper's box grown by its outline (offset + width) when focused
  // from the keyboard, and every ancestor that clips it (an output box that scrolls).
  const prev = document.activeElement;
  r.focus({focusVisible: true});
  const cs = getComputedStyle(r);
  const ring = cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) < 2 ? null
    : parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth);
  if (prev && prev.focus) prev.focus(); else r.blur();
  const clipped = [];
  for (let e = r.parentElement; e && e !== document.body; e = e.parentElement) {
    const c = getComputedStyle(e), q = e.getBoundingClientRect();
    if (c.overflowX !== 'visible' && (box.left - Math.max(ring || 0, 0) < q.left - 0.5 || box.right + Math.max(ring || 0, 0) > q.right + 0.5))
      clipped.push(`${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]}`);
  }
  return {name: r.dataset.stepper, frames: Number(r.dataset.frames), ready: r.hasAttribute('data-ready'),
          ring, clipped,
          nGroups: r.querySelectorAll('.bp-live .bp-f').length, nCaps: r.querySelectorAll('.bp-live .bp-cap').length,
          nPrinted: r.querySelectorAll('.bp-print .bp-pf').length,
          left: box.left, right: box.right, viewport: document.documentElement.clientWidth,
          pageWide: document.documentElement.scrollWidth > document.documentElement.clientWidth,
          wide, bytes: new TextEncoder().encode(r.outerHTML).length,
          buttons: [...r.querySelectorAll('.bp-controls button')].map(b => { const q = b.getBoundingClientRect();
            return {go: b.dataset.go, label: b.getAttribute('aria-label'), w: q.width, h: q.height}; })};
}"""

#: JavaScript: every visible text of stepper ``i`` (HTML and SVG) with its colour, what is
#: behind it (the first opaque background up the tree, with translucent ones blended over
#: it), its opacity, and for the figure's haloed text the halo's colour.
_COLOURS_JS = r"""(i) => {
  const r = document.querySelectorAll('.bp-stepper')[i];
  const rgba = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const behind = e => { const layers = [];
    for (let x = e; x; x = x.parentElement) { if (x instanceof SVGElement && x.tagName !== 'svg') continue;
      const c = rgba(getComputedStyle(x).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, k) => c[3] * c[k] + (1 - c[3]) * v);
    return out; };
  const opacity = e => { let o = 1; for (let x = e; x; x = x.parentElement) o *= Number(getComputedStyle(x).opacity); return o; };
  const out = [];
  const vis = VISIBLE;
  const els = [...r.querySelectorAll('*')].filter(e => vis(e) && e.tagName !== 'STYLE' && e.tagName !== 'SCRIPT'
    && [...e.childNodes].some(n => n.nodeType === 3 && n.data.trim()));
  for (const e of els) {
    if (e.closest('[aria-disabled=true]')) continue;       // an inactive control (WCAG 1.4.3 exempts it)
    const cs = getComputedStyle(e);
    const svgText = e.closest('svg') !== null;
    const text = e.closest('svg') ? e.closest('text') : e;
    const tcs = getComputedStyle(text);
    out.push({text: e.textContent.trim().slice(0, 30), fg: rgba(svgText ? cs.fill : cs.color), bg: behind(e), opacity: opacity(e),
              halo: svgText && tcs.paintOrder.startsWith('stroke') && tcs.stroke !== 'none' ? rgba(tcs.stroke) : null});
  }
  return out;
}""".replace("VISIBLE", _VISIBLE_JS)


#: JavaScript: a horizontal swipe of ``dx`` px across the figure of stepper ``i`` (touch events).
_SWIPE_JS = """([i, dx]) => {
  const svg = document.querySelectorAll('.bp-stepper')[i].querySelector('.bp-live svg');
  const b = svg.getBoundingClientRect(), x = b.left + b.width / 2 - dx / 2, y = b.top + b.height / 2;
  const touch = (cx) => new Touch({identifier: 1, target: svg, clientX: cx, clientY: y});
  svg.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(x)], changedTouches: [touch(x)], bubbles: true}));
  svg.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(x + dx)], bubbles: true}));
}"""


def _luminance(rgb) -> float:
    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])


def contrast(fg, bg) -> float:
    """WCAG contrast ratio of two sRGB colours (0..255)."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _blend(fg, bg, alpha: float):
    return [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]


def colour_problems(items: list[dict], where: str) -> list[str]:
    out = []
    for item in items:
        fg = item["fg"]
        if fg is None:
            out.append(f"{where}: {item['text']!r} has no colour")
            continue
        drawn = _blend(fg[:3], item["bg"], fg[3] * item["opacity"])
        ratio = contrast(drawn, item["bg"])
        if ratio < MIN_CONTRAST:
            out.append(f"{where}: {item['text']!r} in rgb{tuple(round(v) for v in drawn)} on "
                       f"rgb{tuple(round(v) for v in item['bg'])}: contrast {ratio:.2f} < {MIN_CONTRAST}")
        halo = item["halo"]
        if halo is not None and max(abs(h - b) for h, b in zip(halo[:3], item["bg"])) > 8:
            out.append(f"{where}: the halo behind {item['text']!r} is rgb{tuple(halo[:3])}, "
                       f"not the background rgb{tuple(round(v) for v in item['bg'])}")
    return out


def check_frame(state: dict, *, stepper: str, n: int, frame: int, expected: dict[str, float],
                width: str, how: str) -> list[str]:
    """What is wrong with one frame as shown (``state`` from _FRAME_JS)."""
    at = f"{stepper}, frame {frame + 1} of {n} ({how}, {width} px)"
    out = []
    if state["frame"] != frame:
        out.append(f"{at}: the stepper is at frame {state['frame']}")
    if state["groups"] != [str(frame)] or state["caps"] != [str(frame)]:
        out.append(f"{at}: the visible frame groups are {state['groups']} and captions {state['caps']}")
    if str(frame + 1) not in re.findall(r"\d+", state["count"]) or str(n) not in state["count"]:
        out.append(f"{at}: the counter reads {state['count']!r}")
    if not state["qs"]:
        out.append(f"{at}: no number shows")
    for q in state["qs"]:
        key, text = q["key"], q["text"]
        if key not in expected:
            out.append(f"{at}: {q['where']} shows {key} = {text!r}, a key expected() does not define")
            continue
        try:
            ok = agrees(text, expected[key])
        except ValueError as err:
            out.append(f"{at}: {q['where']} shows {key} as {text!r}: {err}")
            continue
        if not ok:
            value, half = parse_shown(text)
            out.append(f"{at}: {q['where']} shows {key} = {text!r}, but expected() gives "
                       f"{expected[key]!r} (off by {abs(value - expected[key]):.3g} > {tolerance(half):.3g})")
    if state["stray"]:
        out.append(f"{at}: digits outside a shown number: {state['stray']}")
    if state["overlaps"]:
        out.append(f"{at}: texts overlap: {'; '.join(state['overlaps'])}")
    if width == "390":
        small = [f"{f['text']!r} {f['px']:.1f} px" for f in state["fonts"] if f["px"] < MIN_FONT_PX]
        if small:
            out.append(f"{at}: figure text smaller than {MIN_FONT_PX} px: {small}")
    printed = state["printed"]
    if printed is not None:
        if str(frame + 1) not in re.findall(r"\d+", printed["head"]):
            out.append(f"{at}: the printed frame's head reads {printed['head']!r}")
        if printed["figure"] != printed["liveFigure"] or printed["caption"] != printed["liveCaption"]:
            out.append(f"{at}: the printed frame shows other numbers: figure {printed['figure']} "
                       f"caption {printed['caption']}, live figure {printed['liveFigure']} caption "
                       f"{printed['liveCaption']}")
        if printed["captionText"] != printed["liveCaptionText"]:
            out.append(f"{at}: the printed caption {printed['captionText']!r} differs from the live "
                       f"{printed['liveCaptionText']!r}")
    return out


def _press(page, selector: str, width: str, force: bool = False) -> None:
    """Tap (phone) or click (desktop) a button; ``force``: even one marked aria-disabled."""
    button = page.locator(selector)
    if width == "390":
        button.tap(force=force)
    else:
        button.click(force=force)


def check_stepper(page, index: int, width: str, *, dark_keys: bool = True) -> tuple[list[str], dict]:
    """Step through stepper ``index`` of the open page (buttons, then keys in dark mode);
    return the problems and its layout."""
    layout = page.evaluate(_LAYOUT_JS, index)
    name, n = layout["name"], layout["frames"]
    at = f"{name} ({width} px)"
    problems = []
    try:
        expected = expected_for(name)
    except MissingExpectations as err:
        return [str(err)], layout
    if not layout["ready"]:
        return [f"{at}: its script did not run (no data-ready)"], layout
    if not (layout["nGroups"] == layout["nCaps"] == n):
        problems.append(f"{at}: {n} frames but {layout['nGroups']} frame groups and {layout['nCaps']} captions")
    if not 1 <= layout["nPrinted"] <= 6:
        problems.append(f"{at}: {layout['nPrinted']} printed frames")
    if layout["ring"] is None:
        problems.append(f"{at}: no focus ring (an outline at least 2 px wide) when focused from the keyboard")
    elif layout["clipped"]:
        problems.append(f"{at}: its focus ring ({layout['ring']:g} px outside its box) is cut off by "
                        f"{layout['clipped']}")
    for b in layout["buttons"]:
        if b["h"] < MIN_TARGET_PX or b["w"] < MIN_TARGET_PX or not b["label"]:
            problems.append(f"{at}: button {b['go']} is {b['w']:.0f} x {b['h']:.0f} px, label {b['label']!r}")
    if width == "390":
        if layout["left"] < -0.5 or layout["right"] > layout["viewport"] + 0.5 or layout["pageWide"]:
            problems.append(f"{at}: the stepper spans {layout['left']:.0f}..{layout['right']:.0f} px of a "
                            f"{layout['viewport']} px viewport")
        if layout["wide"]:
            problems.append(f"{at}: scrolls sideways: {layout['wide']}")

    root = f".bp-stepper >> nth={index}"
    page.locator(root).scroll_into_view_if_needed()
    problems += colour_problems(page.evaluate(_COLOURS_JS, index), f"{at}, light")
    # 1. the buttons, from the first frame to the last
    if page.evaluate(_FRAME_JS, index)["frame"] != 0:
        _press(page, f"{root} >> [data-go=first]", width)
    for k in range(n):
        if k:
            _press(page, f"{root} >> [data-go=next]", width)
        problems += check_frame(page.evaluate(_FRAME_JS, index), stepper=name, n=n, frame=k,
                                expected=expected, width=width, how="Next button")
    _press(page, f"{root} >> [data-go=next]", width, force=True)  # at the end, Next stays there
    if page.evaluate(_FRAME_JS, index)["frame"] != n - 1:
        problems.append(f"{at}: Next at the last frame left it")
    if width == "390":                                     # a swipe to the right goes back
        page.evaluate(_SWIPE_JS, [index, 120])
        if page.evaluate(_FRAME_JS, index)["frame"] != max(n - 2, 0):
            problems.append(f"{at}: a swipe to the right did not go back one frame")
        page.evaluate(_SWIPE_JS, [index, -120])
        if page.evaluate(_FRAME_JS, index)["frame"] != n - 1:
            problems.append(f"{at}: a swipe to the left did not go forward one frame")
    if not dark_keys:
        return problems, layout
    # 2. the keys, with the stepper focused, in dark mode
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    page.locator(root).focus()
    page.keyboard.press("Home")
    for k in range(n):
        if k:
            page.keyboard.press("ArrowRight")
        state = page.evaluate(_FRAME_JS, index)
        problems += check_frame(state, stepper=name, n=n, frame=k, expected=expected, width=width,
                                how="ArrowRight, dark")
        if k in (0, n - 1) or k % 4 == 0:
            problems += colour_problems(page.evaluate(_COLOURS_JS, index), f"{at}, dark, frame {k + 1}")
    page.keyboard.press("Home")
    if page.evaluate(_FRAME_JS, index)["frame"] != 0:
        problems.append(f"{at}: Home did not go to the first frame")
    page.keyboard.press("End")
    if page.evaluate(_FRAME_JS, index)["frame"] != n - 1:
        problems.append(f"{at}: End did not go to the last frame")
    page.keyboard.press("ArrowLeft")
    if page.evaluate(_FRAME_JS, index)["frame"] != max(n - 2, 0):
        problems.append(f"{at}: ArrowLeft did not go back one frame")
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'light')")
    return problems, layout


@pytest.mark.parametrize("width", list(SIZES))
def test_steppers_show_bplibs_numbers_and_read_well(browser, site, stepper_pages, width):
    assert stepper_pages, "no .bp-stepper on any page of the built site"
    problems = []
    for path, names in stepper_pages.items():
        page, log = open_at(browser, site, path, width)
        try:
            weight = 0
            for index in range(len(names)):
                found, layout = check_stepper(page, index, width)
                problems += [f"{path}: {p}" for p in found]
                weight += layout["bytes"]
            if weight > PAGE_BUDGET_BYTES:
                problems.append(f"{path}: its steppers weigh {weight:,} bytes > {PAGE_BUDGET_BYTES:,}")
        finally:
            page.close()
        if log.external:
            problems.append(f"{path}: requests left 127.0.0.1: {sorted(set(log.external))[:5]}")
        problems += [f"{path}: {p}" for p in log.problems]
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems[:4000])


def _tamper(html: str) -> tuple[str, str, str, str]:
    """``html`` with the last shown number of its first stepper's last caption changed in its
    last digit (in the live caption only: the printed copy keeps the right one). Returns the
    page, the key, the old text and the new text."""
    start = html.index('<div class="bp-stepper"')
    caps = list(re.finditer(r'<div class="bp-cap" data-f="(\d+)"[^>]*>(.*?)</div>', html[start:]))
    live_caps = caps[: int(re.search(r'data-frames="(\d+)"', html[start:]).group(1))]
    last = live_caps[-1]
    numbers = list(re.finditer(r'<span data-q="([^"]+)">([^<]+)</span>', last.group(2)))
    q = numbers[-1]
    old = q.group(2)
    digit = int(old[-1]) if old[-1].isdigit() else 0
    new = old[:-1] + str((digit + 5) % 10)
    at = start + last.start(2) + q.start(2)
    return html[:at] + new + html[at + len(old):], html_lib.unescape(q.group(1)), old, new


def test_the_check_catches_one_number_off(browser, site, stepper_pages, built_book_with_pdf):
    """The comparison fails when one shown number is off in its last digit: a copy of the
    first stepper page, with one number of the last caption changed, reports exactly it."""
    path, names = next(iter(stepper_pages.items()))
    _, html_dir = built_book_with_pdf
    tampered, key, old, new = _tamper((html_dir / path).read_text(encoding="utf-8"))
    url = urljoin(site, path)
    page = browser.new_page(viewport=SIZES["1280"])
    page.set_default_timeout(TIMEOUT_MS)
    PageLog(page, site)
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                body=tampered))
    try:
        page.goto(url, wait_until="load")
        settle(page)
        problems, _ = check_stepper(page, 0, "1280", dark_keys=False)
    finally:
        page.close()
    wrong = [p for p in problems if f"shows {key} = {new!r}, but expected() gives" in p]
    others = [p for p in problems if p not in wrong and "the printed" not in p]
    assert len(wrong) == 1 and not others, (
        f"changing {key} from {old!r} to {new!r} in the last caption of {names[0]} should give one "
        f"wrong number (and, if that frame is printed, a printed-frame mismatch), but the check "
        f"found: {problems}")
