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
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from repository import (  # noqa: E402
    ROOT,
    owner_and_name,
    places,
    repository_url,
    url_problems,
)


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
