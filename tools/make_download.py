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

Usage: ``python tools/make_download.py [--out PATH.zip] [--pdf PATH.pdf]``.
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
from reader_notebooks import install_cell, is_install_cell, needs_book_extra, repository_url

ROOT = Path(__file__).resolve().parents[1]
FOLDER = "backprop-tested-course"
ARCHIVE_NAME = f"{FOLDER}.zip"
PDF_NAME = "backprop-tested.pdf"
DEFAULT_OUT = ROOT / "_build" / "html" / ARCHIVE_NAME
DEFAULT_PDF = ROOT / "_build" / "html" / PDF_NAME

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


def readme(chapters: list[Path], pages: list[Path], wheel: str, pins: list[str]) -> str:
    """The archive's README.md."""
    packed = {path.resolve().with_suffix(""): path for path in [*chapters, *pages]}
    order = [packed[key] for key in ((ROOT / name).resolve() for name in numbered_docnames())
             if key in packed]
    # then the notebooks of the unnumbered parts (the sources' audit pages), in toc order
    order += [path for path in chapters if path not in order]
    lines = []
    for i, path in enumerate(order, 1):
        note = "" if path.suffix == ".ipynb" else " (a page to read, not a notebook)"
        lines.append(f"{i}. `{path.name}`: {_title(path)}{note}")
    listing = "\n".join(lines)
    page_list = ", ".join(f"`{p.name}`" for p in pages if p not in order)
    versions = ", ".join(pins)
    return f"""# Backprop, Tested: the course to take home

This folder holds the course's chapters as Jupyter notebooks (with the outputs the book
shows), the course's NumPy package `bplib` as a wheel, and the whole book as one PDF
(`{PDF_NAME}`, the exercises' solutions included).

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
"""


def _title(path: Path) -> str:
    """The first level-1 heading of a chapter or page."""
    if path.suffix == ".ipynb":
        texts = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    for text in texts:
        m = re.search(r"^#\s+(.+)$", text, flags=re.M)
        if m:
            return m.group(1).strip()
    return path.stem


def fresh_pdf(pdf: Path) -> Path:
    """``pdf``, printed first by tools/make_pdf.py if missing or older than the book's sources."""
    sources = [ROOT / "_toc.yml", ROOT / "_config.yml", *(ROOT / "book").rglob("*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not pdf.is_file() or pdf.stat().st_mtime < newest:
        print(f"printing the book to {pdf} (tools/make_pdf.py) ...", flush=True)
        subprocess.run([sys.executable, str(ROOT / "tools" / "make_pdf.py"), "--out", str(pdf)],
                       check=True)
    return pdf


def make_archive(out: Path, pdf: Path) -> Path:
    """Write the archive to ``out`` (see the module's docstring); return ``out``."""
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

            add_text("README.md", readme(chapters, pages, wheel.name, pins))
            add_text("requirements.txt",
                     "# What the chapters need (the course's bplib is the wheel beside this file).\n"
                     + "\n".join(pins) + "\n")
            for chapter in chapters:
                add_text(chapter.name, nbformat.writes(reader_chapter(chapter, wheel.name, url)) + "\n")
            for page in pages:
                archive.write(page, f"{FOLDER}/{page.name}")
            archive.write(wheel, f"{FOLDER}/{wheel.name}")
            archive.write(pdf, f"{FOLDER}/{PDF_NAME}")
        partial.replace(out)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--pdf", type=Path, default=None,
                        help="the book's PDF, used as it is (default: make or reuse "
                             f"{DEFAULT_PDF})")
    args = parser.parse_args(argv)
    pdf = args.pdf if args.pdf is not None else fresh_pdf(DEFAULT_PDF)
    out = make_archive(args.out.resolve(), pdf)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    print(f"{out}: {len(names)} files, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
