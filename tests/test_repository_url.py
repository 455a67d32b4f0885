"""The project's repository URL is set in one place and agrees everywhere it appears.

The one place is ``repository.url`` in ``_config.yml`` (Jupyter Book builds the repository,
issues, Binder and Colab buttons from it).  Readers also see the URL in text: the README's
and the preface's ``git clone``, ``pip install "git+..."`` lines, and (from the chapters'
install cells) the notebooks.  These tests find every such copy, in the sources and in
notebook cells and outputs, and check it against the configuration; the built pages'
buttons are checked in ``tests/test_book.py`` (``test_repository_url_in_the_built_book``).

Any GitHub URL naming the configured owner or repository counts as a copy, and so does any
URL in a project-reference form (``git clone URL``, ``git+URL``, a Binder or Colab link to
GitHub) whatever it names: a copy left behind when the URL changes is caught too.

A build may name another repository (``$BOOK_REPOSITORY_URL``, ``_ext/repository_url.py``;
the Pages workflow sets it to the repository it runs in): one real build with another URL
checks that the override reaches every copy the site shows or offers for download, and
that no copy of the configured URL is left in it.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from repository import (  # noqa: E402
    ROOT,
    owner_and_name,
    places,
    repository_url,
    repository_url_extension,
    url_problems,
)
from site_browser import DOCNAMES

#: The repository the override build names instead of repository.url.
OTHER = "https://github.com/example-org/example-course"


def test_the_url_is_a_plain_github_repository_url():
    url = repository_url()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), (
        f"repository.url in _config.yml should read https://github.com/OWNER/NAME, not {url!r}"
    )
    assert not url.endswith(".git")


def test_the_url_is_set_once_in_the_configuration():
    """_config.yml holds it once; Jupyter Book derives every button from it."""
    url = repository_url()
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert config.count(url) == 1, f"_config.yml should name {url} once (repository.url)"
    owner, name = owner_and_name(url)
    # No hand-made copy elsewhere in the configuration (html_theme_options.repository_url...).
    assert config.count(f"{owner}/{name}") == 1


def test_every_copy_of_the_url_agrees():
    url = repository_url()
    problems = [p for where, text in places() for p in url_problems(text, url, where)]
    assert not problems, "copies of the repository URL that disagree with _config.yml:\n  " + "\n  ".join(problems)


def test_readers_find_the_url_where_they_install():
    """The README's and the preface's clone instructions name the repository."""
    url = repository_url()
    for name in ("README.md", "book/preface.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert re.search(rf"git clone {re.escape(url)}(\.git)?\b", text), f"{name} has no `git clone {url}`"


@pytest.mark.parametrize(
    "text",
    [
        "git clone https://github.com/someone-else/backprop-tested.git",
        "git clone https://github.com/elsewhere/other-name.git",
        "git clone https://github.com/backprop-tested/backprop-tested.git\ncd wrong-folder",
        '%pip install "git+https://github.com/old-org/backprop-tested@main"',
        '%pip install "git+https://gitlab.com/x/y"',
        "[binder](https://mybinder.org/v2/gh/old-org/old-name/main?urlpath=lab)",
        "https://colab.research.google.com/github/old-org/old-name/blob/main/book/xor.ipynb",
        "see https://github.com/backprop-tested/old-name/issues",
    ],
)
def test_a_stale_copy_is_caught(text):
    assert url_problems(text, "https://github.com/backprop-tested/backprop-tested", "example")


@pytest.mark.parametrize(
    "text",
    [
        "git clone https://github.com/backprop-tested/backprop-tested.git\ncd backprop-tested",
        '%pip install "git+https://github.com/backprop-tested/backprop-tested"',
        '%pip install "git+https://github.com/backprop-tested/backprop-tested@main#egg=bplib"',
        "https://github.com/backprop-tested/backprop-tested/issues/new?title=x",
        "https://github.com/karpathy/micrograd (another project)",
    ],
)
def test_a_matching_copy_passes(text):
    assert not url_problems(text, "https://github.com/backprop-tested/backprop-tested", "example")


# ------------------------------------------------------------- the build's override


def test_the_override_is_read_from_the_environment():
    ext = repository_url_extension()
    configured = repository_url()
    assert ext.effective_url(configured, {}) == configured
    assert ext.effective_url(configured, {ext.ENV_VAR: ""}) == configured
    assert ext.effective_url(configured, {ext.ENV_VAR: OTHER}) == OTHER
    assert ext.effective_url(configured, {ext.ENV_VAR: OTHER + ".git"}) == OTHER
    assert ext.effective_url(configured, {ext.ENV_VAR: OTHER + "/"}) == OTHER
    for bad in ("example-org/example-course", "http://github.com/a/b", "https://github.com/a", "https://github.com/a/b/c"):
        with pytest.raises(ValueError, match=ext.ENV_VAR):
            ext.effective_url(configured, {ext.ENV_VAR: bad})


def test_the_rewrite_changes_every_copy_and_nothing_else():
    ext = repository_url_extension()
    old = "https://github.com/backprop-tested/backprop-tested"
    text = (
        f"git clone {old}.git\ncd backprop-tested\n"
        f'%pip install "backprop-tested[book] @ git+{old}"\n'
        f"{old}/issues and {old}-extra and pip install backprop-tested"
    )
    got = ext.rewrite(text, old, OTHER)
    assert got == (
        f"git clone {OTHER}.git\ncd example-course\n"
        f'%pip install "backprop-tested[book] @ git+{OTHER}"\n'
        f"{OTHER}/issues and {old}-extra and pip install backprop-tested"
    )
    # In a notebook's JSON, each line is a string of its own.
    notebook = f'"git clone {old}\\n",\n    "cd backprop-tested\\n"'
    assert ext.rewrite(notebook, old, OTHER) == f'"git clone {OTHER}\\n",\n    "cd example-course\\n"'
    assert ext.rewrite(text, old, old) == text


def _jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@pytest.fixture(scope="module")
def overridden_site(tmp_path_factory) -> Path:
    """The site built with BOOK_REPOSITORY_URL set to another repository (as the Pages
    workflow builds it from a fork): its HTML directory."""
    out = tmp_path_factory.mktemp("book-other-repository")
    env = dict(os.environ, BOOK_REPOSITORY_URL=OTHER)
    proc = subprocess.run(
        [_jupyter_book(), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True, text=True, timeout=1200, env=env,
    )
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stdout[-3000:] + proc.stderr[-4000:]
    return out / "_build" / "html"


def _served_texts(html: Path):
    """(site path, text) of every text file the site serves or offers for download."""
    for path in sorted(html.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".js", ".ipynb", ".md", ".txt", ".json"):
            if "mathjax" in path.relative_to(html).parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":  # the cells' text, not its JSON escapes
                cells = json.loads(text)["cells"]
                text = "\n".join(
                    "".join(cell["source"]) + "".join(json.dumps(o) for o in cell.get("outputs", []))
                    for cell in cells
                )
            yield str(path.relative_to(html)), text


@pytest.mark.book
def test_the_override_reaches_every_copy(overridden_site):
    html = overridden_site
    configured = repository_url()
    owner, name = owner_and_name(configured)
    other_owner, other_name = owner_and_name(OTHER)
    problems = []
    # No copy of the configured repository is left anywhere in the site.
    for where, text in _served_texts(html):
        text = html_lib.unescape(text)
        if f"{owner}/{name}" in text:
            problems.append(f"{where}: still names {owner}/{name}")
        problems += url_problems(text, OTHER, where)
    # Every page's buttons, every chapter's launch links and download.
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    branch = config["repository"].get("branch", "main")
    for docname in DOCNAMES:
        page = html_lib.unescape((html / f"{docname}.html").read_text(encoding="utf-8"))
        hrefs = re.findall(r'href="([^"]+)"', page)
        if OTHER not in hrefs:
            problems.append(f"{docname}: no repository button linking to {OTHER}")
        if not any(h.startswith(f"{OTHER}/issues/new?") for h in hrefs):
            problems.append(f"{docname}: no 'open an issue' button on {OTHER}")
        source = ROOT / f"{docname}.ipynb"
        if source.is_file():
            binder = f"mybinder.org/v2/gh/{other_owner}/{other_name}/{branch}?urlpath=lab/tree/{docname}.ipynb"
            colab = f"colab.research.google.com/github/{other_owner}/{other_name}/blob/{branch}/{docname}.ipynb"
            for kind, link in (("Binder", binder), ("Colab", colab)):
                if link not in page:
                    problems.append(f"{docname}: no {kind} link {link}")
            download = (html / "_sources" / f"{docname}.ipynb").read_text(encoding="utf-8")
            if f"git+{OTHER}" not in download:
                problems.append(f"{docname}: the downloadable notebook's install cell does not install from {OTHER}")
    # The preface's install lines, as the reader reads them.
    preface = html_lib.unescape(re.sub(r"<[^>]+>", "", (html / "book" / "preface.html").read_text(encoding="utf-8")))
    if not re.search(rf"git clone {re.escape(OTHER)}(\.git)?\s+cd {other_name}\b", preface):
        problems.append(f"book/preface: no `git clone {OTHER}` followed by `cd {other_name}`")
    if f"git+{OTHER}" not in preface:
        problems.append(f"book/preface: no pip install from git+{OTHER}")
    assert not problems, "\n  ".join(problems)
