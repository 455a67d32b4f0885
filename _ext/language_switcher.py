"""A link on every page to the same page in the book's other edition, and the
``<link rel="alternate" hreflang>`` tags that tell a browser and a search engine about it.

The English site is the root of the build; the Chinese one is its ``zh_CN/`` directory
(``tools/build_editions.py``). A page ``book/xor`` is ``book/xor.html`` in each, so the
link from an English page is ``zh_CN/`` + the page and back is ``../`` + the page, both
made relative to where the page sits. The header shows it as a button
(``book/_templates/language-switcher.html`` in sphinx-book-theme's ``article_header_end``).
"""

from __future__ import annotations

from sphinx.application import Sphinx

#: Each edition: its directory under the site's root, its ``hreflang``, and the words of the
#: button that leads *to* it (in its own language, as language switchers do).
EDITIONS = {
    "en": {"subdir": "", "hreflang": "en", "label": "English", "title": "Read this page in English"},
    "zh_CN": {"subdir": "zh_CN/", "hreflang": "zh-CN", "label": "中文", "title": "阅读本页的中文版"},
}


def edition_of(language: str | None) -> str:
    return "zh_CN" if language == "zh_CN" else "en"


def other_page_url(pagename: str, language: str | None, target: str) -> str:
    """The relative URL, from page ``pagename`` of the edition in ``language``, of the same
    page in the ``target`` edition."""
    here = EDITIONS[edition_of(language)]["subdir"]
    up = "../" * pagename.count("/") + "../" * here.count("/")
    return f"{up}{EDITIONS[target]['subdir']}{pagename}.html"


def add_switcher(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    current = edition_of(app.config.language)
    other = "en" if current == "zh_CN" else "zh_CN"
    spec = EDITIONS[other]
    context["bt_other_edition"] = {
        "url": other_page_url(pagename, app.config.language, other),
        "hreflang": spec["hreflang"], "label": spec["label"], "title": spec["title"],
    }
    links = "".join(
        f'<link rel="alternate" hreflang="{EDITIONS[e]["hreflang"]}" '
        f'href="{other_page_url(pagename, app.config.language, e)}" />\n'
        for e in EDITIONS)
    context["metatags"] = context.get("metatags", "") + links


def _edition_urls(value, pagename: str, subdir: str):
    """``value`` (the header buttons' nested lists and dicts) with every URL of the page's
    notebook in the repository (``.../book/xor.ipynb``) pointing at the edition's own
    (``.../book/zh_CN/xor.ipynb``)."""
    name = pagename.rsplit("/", 1)[-1]
    if isinstance(value, dict):
        return {k: _edition_urls(v, pagename, subdir) for k, v in value.items()}
    if isinstance(value, list):
        return [_edition_urls(v, pagename, subdir) for v in value]
    if isinstance(value, str) and value.endswith(f"book/{name}.ipynb") and "://" in value:
        return value[: -len(f"{name}.ipynb")] + f"{subdir}{name}.ipynb"
    return value


def launch_edition_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """In the Chinese edition, the Binder and Colab buttons open the Chinese notebook
    (``book/zh_CN/<page>.ipynb``), whose markdown is Chinese and whose code cells speak
    Chinese (bplib.language); the download button's file is replaced by it after the build
    (``tools/build_editions.py``)."""
    if edition_of(app.config.language) == "en" or "header_buttons" not in context:
        return
    context["header_buttons"] = _edition_urls(context["header_buttons"], pagename,
                                              EDITIONS[edition_of(app.config.language)]["subdir"])


def setup(app: Sphinx) -> dict:
    # After sphinx-book-theme's launch buttons (501).
    app.connect("html-page-context", launch_edition_notebook, priority=600)
    # Before pydata-sphinx-theme (500) renders each header template to drop the empty ones.
    app.connect("html-page-context", add_switcher, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
