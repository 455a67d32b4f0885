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

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def repository_url(config_path: Path = ROOT / "_config.yml") -> str:
    """The repository URL, from ``repository.url`` in ``_config.yml``."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    return config["repository"]["url"]


def owner_and_name(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    owner, name = parts.path.strip("/").split("/")
    return owner, name


#: GitHub repository URLs, in every form a text may hold them.
_GITHUB = re.compile(r"(?:git\+)?https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)", re.I)
_CLONE = re.compile(r"git\s+clone\s+(?:--?[\w-]+\s+)*(\S+)(?:\s*\n\s*cd\s+(\S+))?")
_GIT_PLUS = re.compile(r"git\+(\S+?)(?=[\"'`\s)]|$)")
_BINDER = re.compile(r"mybinder\.org/v2/gh/([\w.-]+)/([\w.-]+)/")
_COLAB = re.compile(r"colab\.research\.google\.com/github/([\w.-]+)/([\w.-]+)/")


def _strip_repo_name(name: str) -> str:
    return name[:-4] if name.lower().endswith(".git") else name


def url_problems(text: str, url: str, where: str) -> list[str]:
    """Every copy of the project's repository URL in ``text`` that disagrees with ``url``."""
    owner, name = owner_and_name(url)
    problems = []
    for m in _GITHUB.finditer(text):
        got_owner, got_name = m.group(1), _strip_repo_name(m.group(2))
        if got_owner.lower() == owner.lower() or got_name.lower() == name.lower():
            if (got_owner, got_name) != (owner, name):
                problems.append(f"{where}: {m.group(0)!r} is not {url}")
    for m in _CLONE.finditer(text):
        got = m.group(1).strip("\"'`")
        if not got.startswith(("http://", "https://", "git@")):
            continue
        if _strip_repo_name(got.rstrip("/")) != url:
            problems.append(f"{where}: git clone {got!r}, not {url}")
        if m.group(2) and m.group(2) != name:
            problems.append(f"{where}: 'cd {m.group(2)}' after cloning {url} (its folder is {name})")
    for m in _GIT_PLUS.finditer(text):
        got = re.split(r"[@#]", m.group(1).replace("https://", "", 1), maxsplit=1)[0]
        if _strip_repo_name("https://" + got.rstrip("/")) != url:
            problems.append(f"{where}: pip source {m.group(0)!r} is not {url}")
    for pattern, kind in ((_BINDER, "Binder"), (_COLAB, "Colab")):
        for m in pattern.finditer(text):
            if (m.group(1), m.group(2)) != (owner, name):
                problems.append(f"{where}: {kind} link to {m.group(1)}/{m.group(2)}, not {owner}/{name}")
    return problems


def _notebook_texts(path: Path):
    """(where, text) for each cell's source and each of its text outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        label = f"{path.relative_to(ROOT)} cell {i} ({cell.get('id', 'no id')})"
        yield f"{label} source", "".join(cell.get("source", ""))
        for j, out in enumerate(cell.get("outputs", [])):
            texts = [out.get("text", "")]
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    texts.append(data if isinstance(data, (str, list)) else json.dumps(data))
            text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
            yield f"{label} output {j}", text


def places() -> list[tuple[str, str]]:
    """Every text a reader (or a tool) may see the repository URL in: (where, text)."""
    found = []
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "_config.yml", ROOT / "_toc.yml"]
    files += sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "binder").glob("*"))
    files += sorted((ROOT / ".ci").glob("*")) + sorted((ROOT / ".github").rglob("*.y*ml"))
    for path in files:
        if path.is_file():
            found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        found.extend(_notebook_texts(path))
    return found


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
