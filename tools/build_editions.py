"""Build the book's two editions: English at the site's root, Chinese under ``zh_CN/``.

``make book`` runs this. Both editions are built from the same sources and the same
``_config.yml``; the Chinese one adds Sphinx's ``language: zh_CN`` (and its title), so
Sphinx's i18n replaces each message of a page by its translation in
``locale/zh_CN/LC_MESSAGES/book/<page>.po``. A message without a translation (new or
changed English, or a fuzzy one) stays English there, and ``tests/test_i18n.py`` fails on
it.

Usage::

    python tools/build_editions.py [--out DIR] [--edition en|zh_CN|all]

``--out`` is the directory that receives ``_build/html`` (default: the repository, as
``jupyter-book build .`` writes it). The Chinese edition is built into
``DIR/_build/zh_CN/_build/html`` and copied to ``DIR/_build/html/zh_CN``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: The editions: their Sphinx language, the directory under the site's root, the title.
EDITIONS = {
    "en": {"language": "en", "subdir": "", "title": None},
    "zh_CN": {"language": "zh_CN", "subdir": "zh_CN", "title": "反向传播，步步检验"},
}

#: Words the English build takes from Jupyter Book's and the extensions' defaults, which no
#: catalog of theirs translates, in each edition's language (its Sphinx configuration).
EDITION_SPHINX_CONFIG = {
    "zh_CN": {
        "nb_code_prompt_show": "显示代码单元的{type}",
        "nb_code_prompt_hide": "隐藏代码单元的{type}",
        "togglebutton_hint": "点击显示",
        "togglebutton_hint_hide": "点击隐藏",
        "html_theme_options": {"search_bar_text": "搜索本书……"},
        "html_search_language": "zh",
    },
}

#: The edition's own words for the configuration's names (the footer's author).
EDITION_WORDS = {"zh_CN": {"author": "《反向传播，步步检验》的作者们"}}


def jieba_dictionary(out: Path) -> Path:
    """A jieba user dictionary of the edition's terms (``locale/zh_CN/terms.yml``), so that
    the search index keeps 反向传播 or 链式法则 whole, as a reader types them, wherever they
    stand in the text (jieba alone cuts some of them in two)."""
    terms = yaml.safe_load((ROOT / "locale" / "zh_CN" / "terms.yml").read_text(encoding="utf-8"))
    words = sorted({t["zh"] for t in terms if any("\u4e00" <= ch <= "\u9fff" for ch in t["zh"])})
    path = out / "_build" / "jieba_zh_CN.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{word} 100000 n\n" for word in words), encoding="utf-8")
    return path


#: Files `make pdf` and `make download` write into an edition's site (_ext/book_pdf_link.py).
SITE_FILES = ("backprop-tested.pdf", "backprop-tested-course.zip")


def jupyter_book() -> str:
    """The ``jupyter-book`` beside this Python (the virtual environment's), else on PATH."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def edition_config(edition: str, out: Path) -> Path | None:
    """The configuration file of an edition: ``_config.yml`` itself for English, and for
    another edition a copy of it with the edition's language and title, written under
    ``out/_build``."""
    spec = EDITIONS[edition]
    if spec["language"] == "en":
        return None
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = spec["title"]
    config.update(EDITION_WORDS.get(edition, {}))
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = spec["language"]
    if spec["language"] == "zh_CN":
        sphinx["html_search_options"] = {"dict": str(jieba_dictionary(out))}
    for key, value in EDITION_SPHINX_CONFIG.get(edition, {}).items():
        if isinstance(value, dict):
            sphinx.setdefault(key, {}).update(value)
        else:
            sphinx[key] = value
    # Jupyter Book finds local extensions relative to the configuration file's directory.
    config["sphinx"]["local_extensions"] = {
        name: str((ROOT / where).resolve()) for name, where in config["sphinx"]["local_extensions"].items()}
    path = out / "_build" / f"_config.{edition}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build(edition: str, out: Path, env: dict[str, str] | None = None,
          capture: bool = False) -> subprocess.CompletedProcess:
    """Build one edition with ``-W -n --keep-going`` and put its HTML in place.

    Returns the finished ``jupyter-book`` process (its output captured when ``capture``).
    """
    spec = EDITIONS[edition]
    html = out / "_build" / "html"
    cmd = [jupyter_book(), "build", str(ROOT), "-W", "-n", "--keep-going"]
    config = edition_config(edition, out)
    if config is None:
        cmd += ["--path-output", str(out)]
    else:
        cmd += ["--config", str(config), "--path-output", str(out / "_build" / edition)]
    if spec["subdir"]:
        # What `make pdf` and `make download` put in this edition's directory of the site
        # (tools/make_pdf.py, tools/make_download.py): into the edition's own build first, so
        # that its pages link them (_ext/book_pdf_link.py) and the copy below keeps them.
        own = out / "_build" / edition / "_build" / "html"
        for name in SITE_FILES:
            made = html / spec["subdir"] / name
            if made.is_file():
                own.mkdir(parents=True, exist_ok=True)
                shutil.copy2(made, own / name)
    proc = subprocess.run(cmd, capture_output=capture, text=True, env=env, timeout=1800)
    if proc.returncode == 0 and spec["subdir"]:
        target = html / spec["subdir"]
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out / "_build" / edition / "_build" / "html", target)
        # A chapter's download button gives the edition's own notebook (book/zh_CN/).
        for notebook in sorted((ROOT / "book" / spec["subdir"]).glob("*.ipynb")):
            shutil.copyfile(notebook, target / "_sources" / "book" / notebook.name)
    return proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT)
    parser.add_argument("--edition", choices=[*EDITIONS, "all"], default="all")
    args = parser.parse_args(argv)
    # English first: the Chinese edition is copied into the English site's directory.
    editions = list(EDITIONS) if args.edition == "all" else [args.edition]
    for edition in editions:
        proc = build(edition, args.out.resolve(), env=dict(os.environ))
        if proc.returncode != 0:
            print(f"build_editions: the {edition} edition failed (exit {proc.returncode})",
                  file=sys.stderr)
            return proc.returncode
    html = args.out.resolve() / "_build" / "html"
    print(f"The book is at: {html / 'index.html'}")
    if "zh_CN" in editions:
        print(f"中文版: {html / 'zh_CN' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
