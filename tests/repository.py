"""Where the project's repository URL appears, and whether a copy of it agrees.

Shared by ``test_repository_url.py`` (the sources) and ``test_book.py`` (the built
buttons): a helper module, so that no test module imports another.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

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


def repository_url_extension():
    """``_ext/repository_url.py`` (the build's override, ``$BOOK_REPOSITORY_URL``) as a module."""
    import importlib.util
    import sys

    name = "_ext_repository_url"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "_ext" / "repository_url.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
