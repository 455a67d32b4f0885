"""The repository URL of the site: ``repository.url`` of ``_config.yml``, or an override.

``repository.url`` in ``_config.yml`` is the one place the course's repository URL is set;
the sources (the README's and the preface's ``git clone``, the chapters' install cells,
which ``tools/reader_notebooks.py`` writes from it) are committed with that URL, and
``tests/test_repository_url.py`` checks that every copy agrees with it.

A build may publish the site for another repository (a fork, or the course's real home
before ``_config.yml`` names it): set ``BOOK_REPOSITORY_URL`` to that repository's URL,
as the Pages workflow does (``.github/workflows/book.yml``, from the repository it runs in).
Then this extension

* gives Jupyter Book's theme that URL (``html_theme_options.repository_url``), from which
  it builds the repository and "open an issue" buttons and the Binder and Colab links;
* rewrites every copy of the configured URL in each page's source as Sphinx reads it (the
  preface's ``git clone`` and ``pip install`` lines, the chapters' install cells), and the
  folder a ``git clone`` of it makes (``cd NAME``);
* rewrites the same copies in the sources the site offers for download (``_sources/``: the
  chapters' ``.ipynb`` behind the download button, the pages' ``.md``).

A change of the override is a change of the configuration value ``book_repository_url``,
so Sphinx reads every page again instead of reusing pages read with the previous URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

ENV_VAR = "BOOK_REPOSITORY_URL"

#: https://HOST/OWNER/NAME: what Jupyter Book's buttons and Binder understand.
_REPOSITORY = re.compile(r"https://[\w.-]+(?::\d+)?/[\w.-]+/[\w.-]+")

#: Downloadable sources under ``_sources/`` that may hold a copy of the URL.
_TEXT_SUFFIXES = (".ipynb", ".md", ".txt", ".rst")


def effective_url(configured: str, environ: Mapping[str, str] = os.environ) -> str:
    """The repository URL the site names: ``$BOOK_REPOSITORY_URL`` if set, else ``configured``.

    Parameters
    ----------
    configured : str
        ``repository.url`` of ``_config.yml``.
    environ : Mapping[str, str]
        Where to look for ``BOOK_REPOSITORY_URL`` (the process's environment by default).

    Returns
    -------
    str
        ``https://HOST/OWNER/NAME``, without a trailing ``/`` or ``.git``.

    Raises
    ------
    ValueError
        If the override is not a repository URL of that form.
    """
    override = environ.get(ENV_VAR, "").strip()
    if not override:
        return configured
    url = override.rstrip("/")
    url = url[:-4] if url.endswith(".git") else url
    if not _REPOSITORY.fullmatch(url):
        raise ValueError(
            f"{ENV_VAR} should be a repository's URL, https://github.com/OWNER/NAME; got {override!r}"
        )
    return url


def rewrite(text: str, old: str, new: str) -> str:
    """``text`` with every copy of the repository URL ``old`` naming ``new`` instead.

    A URL that merely starts like ``old`` (``old-extra``) is left alone.  After ``git clone
    NEW``, a ``cd`` into the old repository's folder becomes ``cd`` into the new one's (in
    plain text and in a notebook's JSON, where the lines are ``"...\\n",`` strings).
    """
    if old == new:
        return text
    text = re.sub(re.escape(old) + r"(?![\w-])", lambda _: new, text)
    old_name, new_name = old.rsplit("/", 1)[1], new.rsplit("/", 1)[1]
    if old_name != new_name:
        text = re.sub(
            r"(git clone\s+" + re.escape(new) + r"(?:\.git)?(?:\s|\\n|[\",])*cd\s+)" + re.escape(old_name)
            + r"(?![\w.-])",
            lambda m: m.group(1) + new_name,
            text,
        )
    return text


def _configure(app: Sphinx, config: Config) -> None:
    options = dict(config.html_theme_options or {})
    configured = options.get("repository_url", "")
    try:
        url = effective_url(configured)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    options["repository_url"] = url
    config.html_theme_options = options
    config.book_repository_configured_url = configured
    config.book_repository_url = url


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = rewrite(source[0], app.config.book_repository_configured_url, app.config.book_repository_url)


def _rewrite_downloads(app: Sphinx, exception: Exception | None) -> None:
    old, new = app.config.book_repository_configured_url, app.config.book_repository_url
    if exception is not None or old == new or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for path in sources.rglob("*") if sources.is_dir() else ():
        if path.is_file() and path.name.endswith(_TEXT_SUFFIXES):
            text = path.read_text(encoding="utf-8")
            changed = rewrite(text, old, new)
            if changed != text:
                path.write_text(changed, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    # "env": a page read with one URL is read again when the URL changes.
    app.add_config_value("book_repository_url", "", "env", types=[str])
    app.add_config_value("book_repository_configured_url", "", "env", types=[str])
    # After Jupyter Book has put repository.url into html_theme_options (its own
    # config-inited handlers run at the default priority, 500).
    app.connect("config-inited", _configure, priority=900)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _rewrite_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
