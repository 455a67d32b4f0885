"""Serve MathJax 3 from the built site itself, so the book's math renders offline.

Jupyter Book 1 loads MathJax from a CDN by default; a reader without internet
(and our browser test, which runs with no network) would then see raw TeX.
This extension copies the few files MathJax needs from the ``mathjax`` tree
shipped by the PyPI package ``django-static-mathjax`` into ``_build/html/mathjax/``
and ``_config.yml`` points Sphinx's ``mathjax_path`` at it
(``../mathjax/tex-mml-chtml.js``: Sphinx resolves it from ``_static/``).  Online the book works the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: Parts of MathJax's ``es5`` tree the book needs: the combined TeX/CHTML
#: component, its web fonts, and the TeX extensions loaded on demand.
NEEDED = ("tex-mml-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")


def mathjax_source() -> Path:
    """Return the ``es5`` directory of the installed MathJax 3 distribution."""
    try:
        import mathjax  # provided by django-static-mathjax
    except ImportError as exc:  # pragma: no cover - reported to the user
        raise ExtensionError(
            "offline_mathjax needs the package 'django-static-mathjax' "
            "(pip install -r requirements.txt)"
        ) from exc
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / NEEDED[0]).is_file():
        raise ExtensionError(f"MathJax files not found under {es5}")
    return es5


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """After an HTML build, copy MathJax into ``<outdir>/mathjax``."""
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "mathjax"
    for part in NEEDED:
        s, d = src / part, dest / part
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d)


def setup(app: Sphinx) -> dict:
    mathjax_source()  # fail early, with a clear message, if MathJax is missing
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
