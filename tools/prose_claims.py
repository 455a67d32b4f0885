"""Three checks on what the book's prose says, run by the tests and by hand.

Usage::

    python tools/prose_claims.py                 # every page the checks cover
    python tools/prose_claims.py book/xor.ipynb  # only these pages

Each check returns a list of problems, one line each, naming the page, the cell and the
text at fault.  ``tests/test_prose_claims.py`` and ``tests/test_notation.py`` fail on any.

1. **Claims about other code carry what they were checked against** (issue 25).  A
   paragraph of prose that names another codebase (Deep Learning from Scratch, Nielsen's
   code, micrograd, PyTorch, minitorch, "NumPy's", "SymPy's") *and* talks about its code
   (inline code, or one of the words code, function, class, method, module, repository,
   script, file) must hold, or be followed by, a marker the reader does not see::

       <!-- checked: oreilly-japan/deep-learning-from-scratch@1a2b3c4 ch05/layers.py:Affine -->
       <!-- checked: tests/test_torch_parity.py::test_two_layer_net_matches_torch -->

   Items are separated by `` ; ``: a repository at a commit with a path (and an optional
   ``:symbol``), a test of this repository that exists, or a file of this repository
   (``benchmarks/run.py:torch_trainer``) that exists.
2. **Every measured number in prose is computed by a cell** (issue 25).  A decimal number
   in a notebook's markdown (``0.58``, ``1.11e-16``, ``36.84``, ``$10^{-16}$``) must equal
   a number in the source or the stored output of one of its code cells: asserted in a
   cell, or printed by one.  Figure, section, exercise and equation numbers are not
   measurements and are skipped, and so are versions.
3. **One notation** (issue 24).  In the teaching chapters (not in cells tagged ``audit``,
   which reproduce a source in its own letters), no retired name: a plain $L$ as the loss
   (a superscript $L$ is the last layer and is fine), article 003's $h$, $Z$, $Z_y$ in
   mathematics, or the variables ``h``, ``Z``, ``Z_y``, ``Z1``, ``L``, ``l1_delta``,
   ``l2_delta`` in code.  A paragraph that translates a source's letters says so
   ("the article calls", "article 003 writes", ...), and is let through.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # beside this script, however it is loaded
from book_site import toc_parts  # tools/book_site.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
AUDIT_TAG = "audit"

# --------------------------------------------------------------------------- pages


@dataclass
class Block:
    """A paragraph of prose (a run of lines between blank lines) of one page."""

    page: str
    cell: int          # index of the cell in the notebook (0 for a Markdown page)
    text: str
    tags: frozenset


def _toc_files() -> list[tuple[str, bool]]:
    """Every page of ``_toc.yml`` as (docname, in a numbered part), in reading order."""
    _, parts = toc_parts()
    return [(name, part["numbered"]) for part in parts for name in part["docnames"]]


def _page_path(docname: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        path = ROOT / f"{docname}{suffix}"
        if path.is_file():
            return path
    return None


def all_pages() -> list[Path]:
    """Every page of the book, in reading order."""
    return [p for f, _ in _toc_files() if (p := _page_path(f))]


def teaching_pages() -> list[Path]:
    """The pages of the numbered parts (the chapters and the PyTorch page)."""
    return [p for f, numbered in _toc_files() if numbered and (p := _page_path(f))]


def notebooks() -> list[Path]:
    """Every notebook of the book."""
    return [p for p in all_pages() if p.suffix == ".ipynb"]


def _cells(path: Path) -> list[dict]:
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [{"cell_type": "markdown", "source": path.read_text(encoding="utf-8"), "metadata": {}}]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


_FENCE = re.compile(r"^(```+|~~~+|:::+)(.*)$")


def prose_blocks(path: Path) -> list[Block]:
    """The paragraphs of prose of a page: fenced code and directives are left out.

    A fenced block whose body is prose (a ``{note}``, ``{dropdown}``, ``{exercise}``
    directive, ...) is kept; a code fence, an ``{index}`` entry or a ``{math}`` block is not.
    Display mathematics (``$$ ... $$``) stays with its paragraph.
    """
    blocks: list[Block] = []
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        tags = frozenset(cell.get("metadata", {}).get("tags", []))
        current: list[str] = []
        skipping: str | None = None
        open_directives: list[str] = []  # fences of the prose directives we are inside

        def flush(current=current, i=i, tags=tags):
            if current and any(line.strip() for line in current):
                blocks.append(Block(path.name, i, "\n".join(current), tags))
            current.clear()

        for line in _text(cell["source"]).splitlines():
            fence = _FENCE.match(line.strip())
            if skipping is not None:
                if fence and fence.group(1) == skipping and not fence.group(2).strip():
                    skipping = None
                continue
            if fence:
                info = fence.group(2).strip()
                prose_directive = info.startswith("{") and not re.match(
                    r"\{(index|code-cell|code-block|code|math|bibliography|raw)\}", info)
                if not info and open_directives and open_directives[-1] == fence.group(1):
                    open_directives.pop()           # the end of a prose directive
                    flush()
                    continue
                if info and not prose_directive or not info and fence.group(1).startswith(("`", "~")):
                    flush()
                    skipping = fence.group(1)       # code, an index entry, a formula
                    continue
                if info:
                    open_directives.append(fence.group(1))
                flush()
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                flush()                             # a blank line or a heading
            elif re.match(r"^:\w[\w-]*:", line.strip()):
                continue  # a directive's option line
            else:
                current.append(line)
        flush()
    return blocks


def code_cells(path: Path) -> list[tuple[int, str, frozenset]]:
    """(index, source, tags) of every code cell of a notebook, or the ``python`` fences of
    a Markdown page."""
    if path.suffix == ".ipynb":
        return [(i, _text(c["source"]), frozenset(c.get("metadata", {}).get("tags", [])))
                for i, c in enumerate(_cells(path)) if c["cell_type"] == "code"]
    text = path.read_text(encoding="utf-8")
    return [(0, m.group(1), frozenset())
            for m in re.finditer(r"^```(?:python|\{code-cell\}[^\n]*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def _outputs(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(_text(out.get("text")))
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append(_text(value))
        parts.append(_text(out.get("evalue")))
    return "\n".join(parts)


# --------------------------------------------------------------- 1. claims about code

CODEBASES = re.compile(
    r"Deep Learning from Scratch|\bDLfS\b|\bNielsen\b|\bnetwork2?\.py\b|\bmicrograd\b|"
    r"\bPyTorch\b|\btorch\b|\bminitorch\b|\bNumPy's\b|\bSymPy's\b")
TALKS_ABOUT_CODE = re.compile(
    r"`[^`]+`|\b(?:code|function|functions|class|classes|method|methods|module|modules|"
    r"repository|script|scripts|file|files)\b", re.IGNORECASE)
MARKER = re.compile(r"<!--\s*checked:\s*(.*?)\s*-->", re.DOTALL)
_REPO_ITEM = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{7,40}\s+\S+$")
_TEST_ITEM = re.compile(r"^(tests/[\w/]+\.py)::(\w+)$")
#: A file of this repository (its own code, named without the repository's URL, which a
#: fork's build replaces: see tests/test_repository_url.py).
_LOCAL_ITEM = re.compile(r"^([\w.-]+(?:/[\w.-]+)*\.\w+)(?::[\w.]+)?$")


def marker_problems(items: str, root: Path = ROOT) -> list[str]:
    """What is wrong with the items of one ``checked:`` marker (empty if nothing)."""
    problems = []
    entries = [item.strip() for item in items.split(";")]
    if not any(entries):
        return ["an empty 'checked:' marker"]
    for item in entries:
        if _REPO_ITEM.match(item):
            continue
        test = _TEST_ITEM.match(item)
        if test:
            file = root / test.group(1)
            if not file.is_file():
                problems.append(f"marker names {test.group(1)}, which does not exist")
            elif not re.search(rf"^\s*def {test.group(2)}\b", file.read_text(encoding="utf-8"), re.MULTILINE):
                problems.append(f"marker names {item}, but {test.group(1)} has no test {test.group(2)}")
            continue
        local = _LOCAL_ITEM.match(item)
        if local:
            if not (root / local.group(1)).is_file():
                problems.append(f"marker names {local.group(1)}, which is not a file of this repository")
            continue
        problems.append(f"marker item {item!r} is neither 'owner/repo@commit path[:symbol]', "
                        "'tests/<file>.py::<test>' nor a file of this repository ('path[:symbol]')")
    return problems


#: Pages whose prose only lists works (a bibliography): a title is not a claim.
NOT_CLAIMS = {"references.md"}


def codebase_claim_problems(path: Path) -> list[str]:
    """Paragraphs that talk about another codebase's code without a ``checked:`` marker."""
    if path.name in NOT_CLAIMS:
        return []
    blocks = prose_blocks(path)
    problems = []
    for k, block in enumerate(blocks):
        for m in MARKER.finditer(block.text):
            problems += [f"{block.page} cell {block.cell}: {p}" for p in marker_problems(m.group(1))]
        prose = MARKER.sub("", block.text)
        prose = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", prose)  # a role ({cite}`...`) is not code
        if not prose.strip() or not CODEBASES.search(prose) or not TALKS_ABOUT_CODE.search(prose):
            continue
        following = blocks[k + 1].text if k + 1 < len(blocks) else ""
        if MARKER.search(block.text) or MARKER.match(following.strip()):
            continue
        name = CODEBASES.search(prose).group(0)
        first = " ".join(prose.split())[:110]
        problems.append(f"{block.page} cell {block.cell}: names {name}'s code without a "
                        f"'<!-- checked: ... -->' marker: {first!r}")
    return problems


# -------------------------------------------------------- 2. numbers computed by cells

_NUMBER = r"\d+\.\d+(?:[eE][-+−]?\d+)?|\d+[eE][-+−]?\d+"
_PROSE_NUMBER = re.compile(
    rf"(?:(\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×)\s*)?10\^\{{?([-−]?\d+)\}}?|(?<![\w.])({_NUMBER})(?![\w.]*\d)")
_NOT_A_MEASUREMENT = re.compile(
    r"(?:Fig(?:ure)?s?\.?|§|[Ss]ection|[Cc]hapters?|[Ee]xercises?|[Ee]q(?:uation)?s?\.?|"
    r"[Tt]ables?|[Ee]rratum|[Ee]rrata|[Vv]ersions?|v|Python|NumPy|SymPy|PyTorch|torch|"
    r"jupyter-book|Jupyter Book|Sphinx|sphinx-book-theme|myst-nb|nbval|[Ss]tep|[Pp]art|"
    r"[Ll]ines?|[Ii]ssue|[Pp]\.|[Bb]ox|[Ll]isting|[Aa]lgorithm)\s*[\[(]?$")
_CODE_NUMBER = re.compile(rf"(?<![\w.])(?:{_NUMBER}|\d+)(?![\w]*\d)")


def _value(text: str) -> float:
    return float(text.replace("−", "-"))


def _prose_numbers(text: str):
    """(as written, value) of each decimal in a paragraph, with what is not one dropped."""
    text = re.sub(r"\]\([^)]*\)", "]", text)                      # link targets
    text = re.sub(r"https?://\S+|<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"\(#?[\w-]+\)=", " ", text)                     # labels
    for m in _PROSE_NUMBER.finditer(text):
        before = text[max(0, m.start() - 24):m.start()]
        if _NOT_A_MEASUREMENT.search(before):
            continue
        if m.group(3):
            if re.match(r"\d+\.\d+\.(?:\d|x\b)", text[m.start():]):
                continue                                               # a version, 1.0.4 or 1.0.x
            yield m.group(3), _value(m.group(3))
        else:
            mantissa = float(m.group(1)) if m.group(1) else 1.0
            yield m.group(0), mantissa * 10.0 ** int(m.group(2).replace("−", "-"))


def _code_values(path: Path) -> set[float]:
    values: set[float] = set()
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        for text in (_text(cell["source"]), _outputs(cell)):
            for token in _CODE_NUMBER.findall(text):
                try:
                    values.add(_value(token))
                except ValueError:
                    pass
    return values


def _close(value: float, values: set[float]) -> bool:
    return any(abs(value - v) <= 1e-12 * max(1.0, abs(v)) for v in values)


def unbacked_number_problems(path: Path) -> list[str]:
    """Decimals in a notebook's prose that no code cell computes, asserts or prints."""
    if path.suffix != ".ipynb":
        return []
    values = _code_values(path)
    problems = []
    for block in prose_blocks(path):
        for written, value in _prose_numbers(block.text):
            if not _close(value, values):
                problems.append(f"{block.page} cell {block.cell}: {written} in prose, but no code "
                                f"cell computes, asserts or prints it")
    return problems


# ------------------------------------------------------------------- 3. one notation

RETIRED_CODE_NAMES = {"h", "Z", "Z_y", "Z1", "L", "l1_delta", "l2_delta"}
TRANSLATES = re.compile(
    r"\b(?:the article|article 00\d|the articles?|the sources?|DLfS|Nielsen)\b[^.]{0,40}?"
    r"\b(?:calls?|writes?|names?|uses?|used)\b", re.IGNORECASE)
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)


def _math_letters(math: str) -> str:
    """A formula with commands, \\text{...} and sub/superscripts taken out."""
    math = re.sub(r"\\(?:text|mathrm|operatorname|label)\{[^{}]*\}", " ", math)
    math = re.sub(r"\\[A-Za-z]+", " ", math)
    for _ in range(3):
        math = re.sub(r"[\^_](?:\{[^{}]*\}|\s*\w)", " ", math)
    return math


def retired_math(math: str) -> list[str]:
    """Retired letters in one formula: a plain L (the loss), h, Z (article 003's names)."""
    found = []
    raw = math
    if re.search(r"Z_\{?y\b", raw):
        found.append("Z_y")
    letters = _math_letters(math)
    for name in ("L", "h", "Z"):
        if re.search(rf"(?<![A-Za-z]){name}(?![A-Za-z])", letters):
            found.append(name)
    if re.search(r"\\mathcal\s*\{?L", raw):
        found.append("\\mathcal{L}")
    return found


def _code_names(source: str) -> set[str]:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
              for a in (*n.posonlyargs, *n.args, *n.kwonlyargs)}
    return names


def notation_problems(path: Path) -> list[str]:
    """Retired names in a teaching page's prose mathematics and code (``audit`` cells aside)."""
    problems = []
    for block in prose_blocks(path):
        if AUDIT_TAG in block.tags or TRANSLATES.search(block.text):
            continue
        for m in _MATH.finditer(MARKER.sub("", block.text)):
            math = m.group(1) or m.group(2)
            for name in retired_math(math):
                problems.append(f"{block.page} cell {block.cell}: ${math.strip()[:60]}$ uses "
                                f"the retired {name}")
    for index, source, tags in code_cells(path):
        if AUDIT_TAG in tags:
            continue
        for name in sorted(_code_names(source) & RETIRED_CODE_NAMES):
            problems.append(f"{path.name} cell {index}: the code names a variable {name!r} "
                            "(retired: see notation.md)")
    return problems


# ------------------------------------------------------------------------- command


def main(argv: list[str] | None = None) -> int:
    args = [Path(a).resolve() for a in (sys.argv[1:] if argv is None else argv)]
    pages = args or all_pages()
    teaching = set(teaching_pages())
    problems = []
    for page in pages:
        problems += codebase_claim_problems(page)
        problems += unbacked_number_problems(page)
        if page in teaching:
            problems += notation_problems(page)
    print("\n".join(problems) or "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
