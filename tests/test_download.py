"""The course to take home (``make download``, ``tools/make_download.py``).

* The archive holds one folder with a README, the readers' pinned requirements (what the
  chapters need, pinned as in requirements.txt, none of the build and test tools), a wheel
  of bplib with every module of the checkout, the book's PDF, every chapter (the book's
  notebook, its install cell pointing at the wheel beside it) and the pages they link to.
* Unpacked into an empty folder outside the repository, with a fresh virtual environment
  where pip installs the readers' requirements from the index as a reader's pip would and
  bplib only from the archive (through a chapter's install cell), every chapter runs top
  to bottom, install cell included, printing strictly (``BPLIB_STRICT_PRINT=1``).  This
  is the suite's one run of the chapters outside the repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[1]
md = load_tool("make_download")
rn = load_tool("reader_notebooks")

#: Every test here needs the book's PDF (tests/conftest.py: book_pdf, course_download).
pytestmark = pytest.mark.book

CHAPTERS, PAGES = md.chapters_and_pages()
#: The build and test tools, which a reader does not need.
TOOLS = ["jupyter-book", "nbval", "pytest", "pytest-xdist", "hypothesis",
         "playwright", "pypdf", "nbclient", "django-static-mathjax", "myst-nb"]


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", line.strip())
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


@pytest.fixture(scope="module")
def archive(course_download) -> zipfile.ZipFile:
    with zipfile.ZipFile(course_download) as z:
        yield z


def _files_and_wheel(archive: zipfile.ZipFile) -> tuple[set[str], list[str]]:
    """The archive's files under its one folder, and its one wheel of bplib."""
    names = archive.namelist()
    assert {n.split("/")[0] for n in names} == {md.FOLDER}
    files = {n.split("/", 1)[1] for n in names}
    wheels = [f for f in files if f.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].startswith("backprop_tested-"), wheels
    return files, wheels


def test_the_archive_holds_one_folder_with_everything(archive, book_pdf):
    files, wheels = _files_and_wheel(archive)
    expected = {"README.md", "requirements.txt", "backprop-tested.pdf", wheels[0],
                *(c.name for c in CHAPTERS), *(p.name for p in PAGES)}
    assert files == expected
    assert len(CHAPTERS) >= 7 and {"errata.md", "notation.md"} <= {p.name for p in PAGES}
    assert archive.read(f"{md.FOLDER}/backprop-tested.pdf") == book_pdf.read_bytes()


def test_the_chapters_are_the_books_with_an_install_cell_for_the_wheel(archive):
    wheel = next(n for n in archive.namelist() if n.endswith(".whl")).split("/")[1]
    for chapter in CHAPTERS:
        packed = nbformat.reads(archive.read(f"{md.FOLDER}/{chapter.name}").decode(), as_version=4)
        book = nbformat.read(chapter, as_version=4)
        assert packed.cells[1:] == book.cells[1:], f"{chapter.name} differs from the book's"
        install = packed.cells[0].source
        assert install != book.cells[0].source and rn.is_install_cell(packed.cells[0])
        assert f'wheel = Path("{wheel}")' in install and "wheel.is_file()" in install
        assert "pip install bplib" not in install
    for page in PAGES:
        assert archive.read(f"{md.FOLDER}/{page.name}") == page.read_bytes()


def test_the_readers_requirements_are_pinned_as_the_repository_and_hold_no_tools(archive):
    readers = _pins(archive.read(f"{md.FOLDER}/requirements.txt").decode())
    repository = _pins((ROOT / "requirements.txt").read_text())
    for name in ("numpy", "sympy", "matplotlib", "scikit-learn", "ipykernel",
                 "jupyterlab", "jupyterlab-myst"):
        assert readers.get(name) == repository[name], name
    assert not set(readers) & set(TOOLS), set(readers) & set(TOOLS)
    assert "bplib" not in readers and "backprop-tested" not in readers


def test_the_wheel_holds_every_module_of_bplib(archive):
    import io

    wheel = next(n for n in archive.namelist() if n.endswith(".whl"))
    with zipfile.ZipFile(io.BytesIO(archive.read(wheel))) as w:
        packed = set(w.namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "bplib").rglob("*.py")}
    assert modules <= packed, sorted(modules - packed)
    assert any(n.startswith("bplib/benchmark_results/") and n.endswith(".json") for n in packed)


def test_the_readme_says_how_to_install_and_start(archive):
    text = archive.read(f"{md.FOLDER}/README.md").decode()
    wheel = next(n for n in archive.namelist() if n.endswith(".whl")).split("/")[1]
    commands = [line.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
                for line in block.splitlines()]
    assert "python3 -m venv .venv" in commands
    assert f"pip install {wheel} -r requirements.txt" in commands
    assert "jupyter lab" in commands
    assert not [c for c in commands if re.search(r"pip install .*\bbplib\b", c)]  # another project
    assert "Do not\n`pip install bplib`" in text
    # the numbered chapters first, in order; then the sources' audit pages (issue 24)
    teaching = [c for c in CHAPTERS if not c.stem.startswith("article_")]
    for i, chapter in enumerate(teaching, 1):
        assert f"{i}. `{chapter.name}`" in text
    for chapter in CHAPTERS:
        assert f"`{chapter.name}`: " in text, chapter.name


# --- the Chinese edition's archive (make download: --edition zh_CN) ------------------------

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def archive_zh(course_download_zh) -> zipfile.ZipFile:
    with zipfile.ZipFile(course_download_zh) as z:
        yield z


def _prose(markdown: str) -> str:
    """A markdown cell's words a reader reads: without code, math, directives' fences,
    roles, links' targets and HTML comments."""
    text = re.sub(r"```.*?```|~~~.*?~~~|\$\$.*?\$\$|<!--.*?-->", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)|^\s*:::.*$|\{[\w:-]+\}", " ", text, flags=re.M)
    return text


def test_the_chinese_archive_holds_what_the_english_one_holds(archive_zh, book_pdf_zh):
    """The same folder and file names as the English archive; its PDF is the Chinese one."""
    files, wheels = _files_and_wheel(archive_zh)
    assert files == {"README.md", "requirements.txt", "backprop-tested.pdf", wheels[0],
                     *(c.name for c in CHAPTERS), *(p.name for p in PAGES)}
    assert archive_zh.read(f"{md.FOLDER}/backprop-tested.pdf") == book_pdf_zh.read_bytes()


def test_the_chinese_chapters_have_the_english_code_and_chinese_markdown(archive_zh):
    """Each packed chapter is the Chinese notebook: its code cells are the English chapter's
    (the install cell installs the wheel beside it), and its markdown is Chinese: every
    markdown cell whose English has a sentence of prose reads in Chinese, in cells that are
    the Chinese notebook's (book/zh_CN)."""
    wheel = next(n for n in archive_zh.namelist() if n.endswith(".whl")).split("/")[1]
    untranslated = []
    for chapter in CHAPTERS:
        packed = nbformat.reads(archive_zh.read(f"{md.FOLDER}/{chapter.name}").decode(), as_version=4)
        english = nbformat.read(chapter, as_version=4)
        assert [c.cell_type for c in packed.cells] == [c.cell_type for c in english.cells], chapter.name
        code = [(p.source, e.source) for p, e in zip(packed.cells[1:], english.cells[1:]) if p.cell_type == "code"]
        assert all(p == e for p, e in code), f"{chapter.name}: code cells differ from the English chapter's"
        assert rn.is_install_cell(packed.cells[0]) and f'wheel = Path("{wheel}")' in packed.cells[0].source
        zh = nbformat.read(chapter.parent / "zh_CN" / chapter.name, as_version=4)
        for i, (p, e) in enumerate(zip(packed.cells, english.cells)):
            if p.cell_type != "markdown":
                continue
            assert p.source == zh.cells[i].source, f"{chapter.name}: cell {i} is not book/zh_CN's"
            if re.search(r"[A-Za-z]+(?:[ ,;:]+[A-Za-z]+){5,}", _prose(e.source)) and not CJK.search(p.source):
                untranslated.append(f"{chapter.name} cell {i}: {e.source[:60]!r}")
        title = next(re.search(r"^#\s+(.+)$", c.source, re.M) for c in packed.cells
                     if c.cell_type == "markdown" and re.search(r"^#\s+", c.source, re.M))
        assert CJK.search(title.group(1)), f"{chapter.name}: title {title.group(1)!r} is not Chinese"
    assert not untranslated, f"{len(untranslated)} English markdown cells: {untranslated[:5]}"


def _code_blocks(markdown: str) -> list[str]:
    """A page's fenced code blocks and display math; not its directives (``{index}``,
    ``{list-table}``, ...), whose text is translated."""
    blocks, lines, i = [], markdown.split("\n"), 0
    while i < len(lines):
        fence = re.match(r"^\s*(`{3,}|~{3,})\s*([^\s{]*)\s*$", lines[i])
        if fence and fence.group(2):  # ```python: code to its closing fence
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == fence.group(1))
            blocks.append("\n".join(lines[i:end + 1]))
            i = end
        i += 1
    return blocks + re.findall(r"\$\$.*?\$\$", markdown, re.S)


def test_the_chinese_pages_are_translated(archive_zh):
    """Each .md page is the page translated: a Chinese title, Chinese prose, the same
    code blocks and math as the English page."""
    for page in PAGES:
        text = archive_zh.read(f"{md.FOLDER}/{page.name}").decode()
        english = page.read_text(encoding="utf-8")
        title = re.search(r"^#\s+(.+)$", text, re.M).group(1)
        assert CJK.search(title), f"{page.name}: title {title!r}"
        assert len(CJK.findall(_prose(text))) > 40, f"{page.name} is not Chinese"
        assert _code_blocks(text) == _code_blocks(english), page.name


def test_the_chinese_readme_says_in_chinese_how_to_install_and_start(archive_zh):
    text = archive_zh.read(f"{md.FOLDER}/README.md").decode()
    wheel = next(n for n in archive_zh.namelist() if n.endswith(".whl")).split("/")[1]
    commands = [line.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
                for line in block.splitlines()]
    assert "python3 -m venv .venv" in commands
    assert f"pip install {wheel} -r requirements.txt" in commands
    assert "jupyter lab" in commands
    assert not [c for c in commands if re.search(r"pip install .*\bbplib\b", c)]
    assert "不要 `pip install bplib`" in text
    assert re.match(r"# .*[\u4e00-\u9fff]", text), text[:80]
    assert len(CJK.findall(_prose(text))) > 200
    assert "Install" not in text and "Open the chapters" not in text
    teaching = [c for c in CHAPTERS if not c.stem.startswith("article_")]
    for i, chapter in enumerate(teaching, 1):
        m = re.search(rf"^{i}\. `{re.escape(chapter.name)}`：(.+)$", text, re.M)
        assert m and CJK.search(m.group(1)), f"{chapter.name} not listed as chapter {i} with its Chinese title"
    for item in [*CHAPTERS, *PAGES]:
        assert f"`{item.name}`" in text, item.name


def test_the_chinese_archive_has_the_same_wheel_and_requirements(archive_zh):
    """bplib's wheel with every module, and the readers' pinned requirements."""
    import io

    wheel = next(n for n in archive_zh.namelist() if n.endswith(".whl"))
    with zipfile.ZipFile(io.BytesIO(archive_zh.read(wheel))) as w:
        packed = set(w.namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "bplib").rglob("*.py")}
    assert modules <= packed, sorted(modules - packed)
    readers = _pins(archive_zh.read(f"{md.FOLDER}/requirements.txt").decode())
    assert readers == {re.sub(r"[-_.]+", "-", p.split("==")[0]).lower(): p.split("==")[1]
                       for p in md.pinned_requirements()}


# --- every chapter, from the unpacked archive, in a fresh virtual environment -------------


@pytest.fixture(scope="module")
def home(course_download, tmp_path_factory):
    """The archive unpacked into an empty folder outside the repository, and a fresh virtual
    environment with the readers' requirements installed from the index (no bplib)."""
    root = tmp_path_factory.mktemp("home")
    assert not root.is_relative_to(ROOT)
    unpacked = root / "unpacked"
    unpacked.mkdir()
    assert list(unpacked.iterdir()) == []
    with zipfile.ZipFile(course_download) as z:
        z.extractall(unpacked)
    folder = unpacked / md.FOLDER
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "BPLIB_SOURCE", "VIRTUAL_ENV", "PYTHONHOME")}
    pip = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                         cwd=folder, env=clean, capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stderr[-4000:]
    probe = subprocess.run([python, "-c", "import bplib"], cwd=folder, env=clean, capture_output=True)
    assert probe.returncode != 0, "bplib is importable before any install cell ran"
    kernels = root / "kernels"
    (kernels / "home").mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "home", "language": "python"}
    (kernels / "home" / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    wheel = next(folder.glob("backprop_tested-*.whl"))
    return {"folder": folder, "env": env_dir, "site": site, "kernels": kernels,
            "wheel": wheel, "environ": clean}


@pytest.mark.parametrize("chapter", [c.name for c in CHAPTERS])
def test_every_chapter_runs_from_the_download(chapter, home, monkeypatch):
    """The chapter runs top to bottom in the unpacked folder, install cell included: the
    first chapter to run installs bplib from the archive's wheel (nothing else provides
    it), the later ones find it there, as a reader's second chapter would."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    for key in ("PYTHONPATH", "BPLIB_SOURCE", "VIRTUAL_ENV"):
        monkeypatch.delenv(key, raising=False)
    specs = KernelSpecManager(kernel_dirs=[str(home["kernels"])])
    km = KernelManager(kernel_name="home", kernel_spec_manager=specs)
    nb = nbformat.read(home["folder"] / chapter, as_version=4)
    assert rn.is_install_cell(nb.cells[0])
    nb.cells.append(nbformat.v4.new_code_cell(
        "import bplib, os, sys, importlib.metadata as m\n"
        "print(bplib.__file__)\nprint(sys.prefix)\n"
        "print(m.distribution('backprop-tested').read_text('direct_url.json'))\n"
        "print(os.environ.get('BPLIB_STRICT_PRINT'))"))
    client = NotebookClient(nb, km=km, timeout=900, resources={"metadata": {"path": str(home["folder"])}})
    client.execute(env={**home["environ"], "BPLIB_STRICT_PRINT": "1"})
    where, prefix, direct_url, strict = "".join(o.get("text", "") for o in nb.cells[-1].outputs).split("\n")[:4]
    assert Path(prefix) == home["env"]
    assert Path(where).is_relative_to(home["site"]), f"bplib came from {where}"
    assert json.loads(direct_url)["url"] == home["wheel"].resolve().as_uri(), direct_url
    assert strict == "1"
