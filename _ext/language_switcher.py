"""A link on every page to the same page in the book's other edition, and the
``<link rel="alternate" hreflang>`` tags that tell a browser and a search engine about it.

The English site is the root of the build; the Chinese one is its ``zh_CN/`` directory
(``tools/build_editions.py``). A page ``book/xor`` is ``book/xor.html`` in each, so the
link from an English page is ``zh_CN/`` + the page and back is ``../`` + the page, both
made relative to where the page sits. The header shows it as a button
(``book/_templates/language-switcher.html`` in sphinx-book-theme's ``article_header_end``).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util.i18n import CatalogInfo

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


#: Words that extensions write into the HTML themselves, untranslatable by a catalog:
#: the edition replaces them in its pages and scripts when the build has finished.
HARD_CODED = {
    "zh_CN": {
        'aria-label="Toggle hidden content"': 'aria-label="显示或隐藏内容"',  # myst-nb, togglebutton.js
        # myst-nb fills the {type} of nb_code_prompt_show/_hide (build_editions.py) in English.
        "代码单元的source": "代码单元的源代码",
        "代码单元的outputs": "代码单元的输出",
        "代码单元的content": "代码单元的内容",
    },
}


def theme_words(app: Sphinx) -> None:
    """``builder-inited``: the edition's words for sphinx-book-theme's buttons
    (``locale/<language>/LC_MESSAGES/booktheme.po``), behind the theme's own catalog."""
    if edition_of(app.config.language) == "en":
        return
    for locale_dir in app.config.locale_dirs:
        base = Path(app.srcdir, locale_dir)
        catalog = CatalogInfo(str(base / app.config.language / "LC_MESSAGES"), "booktheme", "utf-8")
        if Path(catalog.po_path).is_file():
            if catalog.is_outdated():
                catalog.write_mo(app.config.language)
            app.add_message_catalog("booktheme", str(base))


def replace_hard_coded(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the edition's words for the labels extensions hard-code."""
    words = HARD_CODED.get(edition_of(app.config.language), {})
    if exception is not None or not words or app.builder.format != "html":
        return
    for path in [*Path(app.outdir).rglob("*.html"), *Path(app.outdir, "_static").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        changed = text
        for english, translated in words.items():
            changed = changed.replace(english, translated)
        if changed != text:
            path.write_text(changed, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", theme_words)
    app.connect("build-finished", replace_hard_coded)
    # After sphinx-book-theme's launch buttons (501).
    app.connect("html-page-context", launch_edition_notebook, priority=600)
    # Before pydata-sphinx-theme (500) renders each header template to drop the empty ones.
    app.connect("html-page-context", add_switcher, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
