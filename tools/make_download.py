"""Pack the course for taking home: ``make download``.

Writes one zip archive, ``_build/html/backprop-tested-course.zip`` by default (the site
links it from its intro page, like the PDF), whose single folder
``backprop-tested-course/`` holds

* ``README.md``: how to install and start (a virtual environment, ``pip install``, ``jupyter lab``);
* the chapters, every ``.ipynb`` of ``_toc.yml`` with its stored outputs, and the ``.md``
  pages they link to (``{doc}`` roles and Markdown links), in the book's reading order;
* a wheel of ``bplib`` (the distribution ``backprop-tested``; ``bplib`` on PyPI is
  another project), built from this checkout by ``pip wheel --no-deps``; each chapter's
  install cell (``tools/reader_notebooks.py``) installs that wheel, from beside the
  chapter, when ``import bplib`` fails;
* ``requirements.txt``: what a reader needs to run the chapters in JupyterLab, pinned to
  the versions of the repository's ``requirements.txt`` (not the build and test tools);
* ``backprop-tested.pdf``, the whole book (``tools/make_pdf.py``): the one given with
  ``--pdf``, else ``_build/html/backprop-tested.pdf``, printed first when it is missing or
  older than the book's sources.

``--edition zh_CN`` packs the Chinese edition, by default into
``_build/html/zh_CN/backprop-tested-course.zip``: the same files under the same names, with
the Chinese notebooks (``book/zh_CN/<chapter>.ipynb``, ``tools/i18n.py notebooks``: the
English code cells, Chinese markdown), the ``.md`` pages translated from their catalogs
(``locale/zh_CN/LC_MESSAGES/book/<page>.po``, as ``tools/i18n.py`` translates a notebook's
markdown cells), the Chinese PDF (``make_pdf.py --edition zh_CN``,
``_build/html/zh_CN/backprop-tested.pdf``) and a README in Chinese; the wheel and the
requirements are the English edition's.

Usage: ``python tools/make_download.py [--edition en|zh_CN] [--out PATH.zip] [--pdf PATH.pdf]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # beside this script, however it is loaded
from book_site import toc_parts  # tools/book_site.py, beside this script
from build_editions import EDITIONS
from reader_notebooks import install_cell, is_install_cell, needs_book_extra, repository_url

ROOT = Path(__file__).resolve().parents[1]
FOLDER = "backprop-tested-course"
ARCHIVE_NAME = f"{FOLDER}.zip"
PDF_NAME = "backprop-tested.pdf"
DEFAULT_OUT = ROOT / "_build" / "html" / ARCHIVE_NAME
DEFAULT_PDF = ROOT / "_build" / "html" / PDF_NAME


def default_out(edition: str = "en") -> Path:
    """Where ``make download`` puts an edition's archive: in that edition's directory of the site."""
    return ROOT / "_build" / "html" / EDITIONS[edition]["subdir"] / ARCHIVE_NAME


def default_pdf(edition: str = "en") -> Path:
    """Where ``make pdf`` puts an edition's PDF (``tools/make_pdf.py``)."""
    return ROOT / "_build" / "html" / EDITIONS[edition]["subdir"] / PDF_NAME

#: What the chapters need in Jupyter, by their names in requirements.txt: the package's
#: dependencies, scikit-learn (the digits, bplib's [book] extra), the kernel, and JupyterLab
#: with jupyterlab-myst, which renders the chapters' MyST Markdown.  Not the tools that
#: build and test the book (jupyter-book, nbval, pytest, hypothesis, playwright, pypdf...).
READER_PACKAGES = ["numpy", "sympy", "matplotlib", "scikit-learn", "ipykernel",
                   "jupyterlab", "jupyterlab-myst"]

#: A page a chapter links to: {doc}`errata`, {doc}`the notation <notation>`, [text](notation.md).
_DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+?)>?`")
_MD_LINK = re.compile(r"\]\(([\w./-]+\.md)(?:#[^)]*)?\)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(requirements: Path = ROOT / "requirements.txt",
                        packages: list[str] = READER_PACKAGES) -> list[str]:
    """``name==version`` for each of ``packages``, as pinned in ``requirements``."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[_normalise(m.group(1))] = f"{m.group(1)}=={m.group(2)}"
    missing = [name for name in packages if _normalise(name) not in pins]
    if missing:
        raise ValueError(f"{requirements} pins no version of {', '.join(missing)}")
    return [pins[_normalise(name)] for name in packages]


def chapters_and_pages(book: Path = ROOT) -> tuple[list[Path], list[Path]]:
    """The chapters and the ``.md`` pages to pack, each in the book's reading order.

    Chapters: every ``.ipynb`` of ``_toc.yml``.  Pages: the ``.md`` chapters of its numbered
    parts (a chapter written as a page, such as the one on PyTorch) and the ``.md`` pages
    the chapters link to.
    """
    docnames = [name for part in toc_parts(book / "_toc.yml")[1] for name in part["docnames"]]
    chapters = [book / f"{name}.ipynb" for name in docnames if (book / f"{name}.ipynb").is_file()]
    linked: set[Path] = {(book / f"{name}.md").resolve() for name in numbered_docnames(book)}
    for chapter in chapters:
        nb = nbformat.read(chapter, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for target in _DOC_ROLE.findall(cell.source):
                linked.add((chapter.parent / f"{target.strip()}.md").resolve())
            for target in _MD_LINK.findall(cell.source):
                linked.add((chapter.parent / target).resolve())
    pages = [book / f"{name}.md" for name in docnames
             if (book / f"{name}.md").is_file() and (book / f"{name}.md").resolve() in linked]
    return chapters, pages


def numbered_docnames(book: Path = ROOT) -> list[str]:
    """The pages of ``_toc.yml``'s numbered parts (the chapters), in order, as ``book/xor``."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    return [str(Path(entry["file"]).with_suffix("")) if Path(entry["file"]).suffix in (".md", ".ipynb")
            else entry["file"]
            for part in toc.get("parts", []) if part.get("numbered")
            for entry in part.get("chapters", [])]


def build_wheel(out_dir: Path) -> Path:
    """A wheel of this checkout's bplib, built in a copy (the checkout gets no build/ folder)."""
    with tempfile.TemporaryDirectory(prefix="bplib-wheel-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, source / name)
        shutil.copytree(ROOT / "bplib", source / "bplib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.tmp"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--wheel-dir", str(out_dir), str(source)], check=True)
    wheels = sorted(out_dir.glob("backprop_tested-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel of backprop-tested in {out_dir}, found {wheels}")
    return wheels[0]


def reader_chapter(chapter: Path, wheel: str, url: str) -> nbformat.NotebookNode:
    """The chapter as in the archive: its install cell installs ``wheel`` from beside it."""
    nb = nbformat.read(chapter, as_version=4)
    for i, cell in enumerate(nb.cells):
        if is_install_cell(cell):
            nb.cells[i] = install_cell(url, needs_book_extra(nb), cell, wheel=wheel)
            break
    else:
        raise ValueError(f"{chapter} has no install cell: run tools/reader_notebooks.py on it")
    return nb


def edition_notebook(chapter: Path, edition: str = "en") -> Path:
    """The notebook of ``chapter`` (``book/xor.ipynb``) in ``edition``: the chapter itself,
    or the edition's own, ``book/<edition>/xor.ipynb`` (``tools/i18n.py notebooks``)."""
    if EDITIONS[edition]["language"] == "en":
        return chapter
    path = chapter.parent / edition / chapter.name
    if not path.is_file():
        raise FileNotFoundError(f"no {edition} notebook {path.relative_to(ROOT)}: run `make notebooks` "
                                "(tools/i18n.py notebooks writes it from the catalogs)")
    return path


def edition_page(page: Path, edition: str = "en") -> str:
    """The text of the ``.md`` page ``page`` in ``edition``: the page itself, or its
    markdown with every message of its catalog translated (``tools/i18n.py``'s translation
    of a notebook's markdown cells, applied to the whole page).

    Raises
    ------
    ValueError
        If a translated message is found nowhere in the page (the catalog is older than the
        page: ``make catalogs``). Index entries are exempt: they are the index's, not the text's.
    """
    text = page.read_text(encoding="utf-8")
    language = EDITIONS[edition]["language"]
    if language == "en":
        return text
    import i18n  # tools/i18n.py, beside this script
    import polib
    from collections import Counter

    catalog = ROOT / "locale" / language / "LC_MESSAGES" / page.relative_to(ROOT).with_suffix(".po")
    table = {e.msgid: e.msgstr for e in polib.pofile(str(catalog))
             if not e.obsolete and e.msgstr and "fuzzy" not in e.flags}
    translations = sorted(((k, v) for k, v in table.items() if k != v), key=lambda kv: -len(kv[0]))
    used: Counter = Counter()
    translated = i18n.translate_portable(text, translations, used)
    index = i18n.index_terms(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)]))
    missing = [k for k, _ in translations if not used[k] and k not in index]
    if missing:
        raise ValueError(f"{page.name}: {len(missing)} translated messages of {catalog.name} are not in the "
                         "page (run `make catalogs`): " + "; ".join(repr(m[:70]) for m in missing[:5]))
    return translated


#: The archive's README, per edition: its words around the list of chapters.
README = {
    "en": {
        "page_note": " (a page to read, not a notebook)",
        "item": "{i}. `{name}`: {title}{note}",
        "text": """# Backprop, Tested: the course to take home

This folder holds the course's chapters as Jupyter notebooks (with the outputs the book
shows), the course's NumPy package `bplib` as a wheel, and the whole book as one PDF
(`{pdf}`, the exercises' solutions included).

## Install (once)

You need Python 3.11 or newer. In a terminal, in this folder:

```bash
python3 -m venv .venv
source .venv/bin/activate      # on Windows: .venv\\Scripts\\activate
pip install {wheel} -r requirements.txt
```

The wheel is `bplib` (the distribution is called `backprop-tested`). Do not
`pip install bplib`: that name on PyPI is an unrelated project. `requirements.txt` pins
what the chapters use: {versions}.

## Run

```bash
source .venv/bin/activate      # on Windows: .venv\\Scripts\\activate
jupyter lab
```

Open the chapters in order:

{listing}

Each chapter's first cell installs `bplib` from the wheel in this folder if the kernel
does not find it (for example when you open a chapter in another environment). Each
chapter ends with exercises: write your answer in the cell below an exercise, run the
checker under it, and open the folded solution only when you want to. Pages the chapters
refer to are here as Markdown: {page_list}. The `article_NNN.ipynb` notebooks after the
chapters are the sources' audit pages: each source article's code run as published, next to
the corrected run, with the cells that prove its errata (no exercises there).
""",
    },
    "zh_CN": {
        "page_note": "（供阅读的页面，不是笔记本）",
        "item": "{i}. `{name}`：{title}{note}",
        # One line a paragraph: Markdown joins the lines of a paragraph with a space, which
        # Chinese text does not have.
        "text": """# 反向传播，步步检验：带回家的课程

这个文件夹里有本课程的各章（Jupyter 笔记本，带着书中展示的输出）、本课程的 NumPy 包 `bplib`（一个 wheel 安装包），以及整本书的 PDF（`{pdf}`，含练习的解答）。这是中文版：笔记本和页面的文字是中文，代码与英文版完全相同。

## 安装（只需一次）

你需要 Python 3.11 或更新的版本。打开终端，在这个文件夹中运行：

```bash
python3 -m venv .venv
source .venv/bin/activate      # Windows 上：.venv\\Scripts\\activate
pip install {wheel} -r requirements.txt
```

这个 wheel 就是 `bplib`（它的发行包名叫 `backprop-tested`）。不要 `pip install bplib`：PyPI 上这个名字属于一个不相干的项目。`requirements.txt` 固定了各章用到的包的版本：{versions}。

## 运行

```bash
source .venv/bin/activate      # Windows 上：.venv\\Scripts\\activate
jupyter lab
```

按顺序打开各章：

{listing}

如果内核找不到 `bplib`（例如你在另一个环境里打开某一章），每章的第一个单元格会从这个文件夹里的 wheel 安装它。每章末尾都有练习：在练习下面的单元格里写下你的答案，运行它下面的检查器，想看解答时再展开折叠的解答。各章引用的页面以 Markdown 文件的形式放在这里：{page_list}。各章之后的 `article_NNN.ipynb` 笔记本是原文的核查页：每篇原文的代码按发表时的原样运行，与更正后的运行并列，并附有证明其勘误的单元格（那里没有练习）。
""",
    },
}


def readme(chapters: list[Path], pages: list[Path], wheel: str, pins: list[str],
           edition: str = "en") -> str:
    """The archive's README.md, in ``edition``'s language; each chapter and page listed
    with its title in that edition."""
    words = README[edition]
    packed = {path.resolve().with_suffix(""): path for path in [*chapters, *pages]}
    order = [packed[key] for key in ((ROOT / name).resolve() for name in numbered_docnames())
             if key in packed]
    # then the notebooks of the unnumbered parts (the sources' audit pages), in toc order
    order += [path for path in chapters if path not in order]
    lines = []
    for i, path in enumerate(order, 1):
        note = "" if path.suffix == ".ipynb" else words["page_note"]
        lines.append(words["item"].format(i=i, name=path.name, title=_title(path, edition), note=note))
    listing = "\n".join(lines)
    separator = ", " if EDITIONS[edition]["language"] == "en" else "、"
    page_list = separator.join(f"`{p.name}`" for p in pages if p not in order)
    versions = separator.join(pins)
    return words["text"].format(pdf=PDF_NAME, wheel=wheel, versions=versions, listing=listing,
                                page_list=page_list)


def _title(path: Path, edition: str = "en") -> str:
    """The first level-1 heading of a chapter or page (in ``edition``)."""
    if path.suffix == ".ipynb":
        texts = [c.source for c in nbformat.read(edition_notebook(path, edition), as_version=4).cells
                 if c.cell_type == "markdown"]
    else:
        texts = [edition_page(path, edition)]
    for text in texts:
        m = re.search(r"^#\s+(.+)$", text, flags=re.M)
        if m:
            return m.group(1).strip()
    return path.stem


def fresh_pdf(pdf: Path, edition: str = "en") -> Path:
    """``pdf``, printed first by tools/make_pdf.py if missing or older than the book's sources
    (for a translated edition, its catalogs too)."""
    sources = [ROOT / "_toc.yml", ROOT / "_config.yml", *(ROOT / "book").rglob("*")]
    command = [sys.executable, str(ROOT / "tools" / "make_pdf.py"), "--out", str(pdf)]
    language = EDITIONS[edition]["language"]
    if language != "en":
        sources += (ROOT / "locale" / language).rglob("*.po")
        command += ["--edition", edition]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not pdf.is_file() or pdf.stat().st_mtime < newest:
        print(f"printing the book to {pdf} (tools/make_pdf.py) ...", flush=True)
        subprocess.run(command, check=True)
    return pdf


def make_archive(out: Path, pdf: Path, edition: str = "en") -> Path:
    """Write the archive of ``edition`` to ``out`` (see the module's docstring); return ``out``."""
    if not pdf.is_file():
        raise FileNotFoundError(f"no PDF of the book at {pdf}")
    url = repository_url(ROOT / "_config.yml")
    chapters, pages = chapters_and_pages()
    pins = pinned_requirements()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bplib-download-") as tmp:
        wheel = build_wheel(Path(tmp) / "wheel")
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            def add_text(name: str, text: str) -> None:
                archive.writestr(f"{FOLDER}/{name}", text)

            add_text("README.md", readme(chapters, pages, wheel.name, pins, edition))
            add_text("requirements.txt",
                     "# What the chapters need (the course's bplib is the wheel beside this file).\n"
                     + "\n".join(pins) + "\n")
            for chapter in chapters:
                notebook = reader_chapter(edition_notebook(chapter, edition), wheel.name, url)
                add_text(chapter.name, nbformat.writes(notebook) + "\n")
            for page in pages:
                if EDITIONS[edition]["language"] == "en":
                    archive.write(page, f"{FOLDER}/{page.name}")
                else:
                    add_text(page.name, edition_page(page, edition))
            archive.write(wheel, f"{FOLDER}/{wheel.name}")
            archive.write(pdf, f"{FOLDER}/{PDF_NAME}")
        partial.replace(out)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", choices=list(EDITIONS), default="en",
                        help="the edition to pack (default: en)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"default: {DEFAULT_OUT}, for zh_CN {default_out('zh_CN')}")
    parser.add_argument("--pdf", type=Path, default=None,
                        help="the book's PDF, used as it is (default: make or reuse "
                             f"{DEFAULT_PDF}, for zh_CN {default_pdf('zh_CN')})")
    args = parser.parse_args(argv)
    pdf = args.pdf if args.pdf is not None else fresh_pdf(default_pdf(args.edition), args.edition)
    out = make_archive((args.out or default_out(args.edition)).resolve(), pdf, args.edition)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    print(f"{out}: {len(names)} files, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
