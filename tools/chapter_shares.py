"""How much of each teaching chapter audits a source, and how much of its visible code verifies.

Usage::

    python tools/chapter_shares.py                # a table, one row per teaching chapter
    python tools/chapter_shares.py --json         # the same numbers as JSON
    python tools/chapter_shares.py book/xor.ipynb # only these notebooks (any path, e.g. an old copy)

Issue 24 sets two goals for every *teaching chapter* (a notebook of a numbered part of
``_toc.yml``; the unnumbered part "The sources, reproduced and audited" holds the audit
pages, which are all audit and are not measured):

* **audit share** at most 10 %: the share of the chapter's lines, prose and code, that sit
  in cells tagged ``audit``.  A chapter tags ``audit`` every cell that still talks about a
  source's mistakes or reproduces a source's code or output (the boxes that point to the
  audit pages, for instance).
* **visible verification share** at most 25 %: of the code lines a reader sees, the share in
  cells that verify, i.e. whose source has an ``assert`` statement or calls the exercise
  checker (``check.``).

What is counted:

* a *line* is a non-blank source line of a non-empty cell, markdown or code (outputs are not
  counted);
* left out of both shares: the install cell (id ``install-bplib``, which the book removes)
  and the exercises' solutions (every cell from a ``{solution-start}`` to its
  ``{solution-end}``, and code cells that start with ``%%solution`` or the solution
  marker): the book folds them into dropdowns that a reader opens only after trying;
* a code cell is *visible* unless it is tagged ``hide-input``, ``hide-cell``,
  ``remove-input`` or ``remove-cell`` (the book then folds or drops its code).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # beside this script, however it is loaded
from book_site import toc_parts  # tools/book_site.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
#: The goals of issue 24, as fractions.
AUDIT_GOAL = 0.10
VERIFY_GOAL = 0.25
AUDIT_TAG = "audit"
HIDDEN_CODE_TAGS = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
INSTALL_CELL_ID = "install-bplib"
SOLUTION_PREFIXES = ("%%solution", "# The book's solution")
VERIFIES = re.compile(r"^\s*assert\b|\bcheck\.\w+\s*\(", re.M)


@dataclass
class Shares:
    """The counts of one chapter and the two shares they give."""

    chapter: str
    lines: int            # counted lines, prose and code
    audit_lines: int      # of them, in cells tagged "audit"
    visible_code: int     # code lines in visible code cells
    verifying_code: int   # of them, in cells that assert or call check.

    @property
    def audit_share(self) -> float:
        return self.audit_lines / self.lines if self.lines else 0.0

    @property
    def verify_share(self) -> float:
        return self.verifying_code / self.visible_code if self.visible_code else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "audit_share": round(self.audit_share, 4),
                "verify_share": round(self.verify_share, 4)}


def teaching_chapters(toc_path: Path = ROOT / "_toc.yml") -> list[Path]:
    """The notebooks of the numbered parts of ``_toc.yml``, in reading order."""
    _, parts = toc_parts(toc_path)
    paths = [toc_path.parent / f"{name}.ipynb" for part in parts if part["numbered"]
             for name in part["docnames"]]
    return [path for path in paths if path.is_file()]


def _lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip())


def measure(path: Path, name: str | None = None) -> Shares:
    """Count the lines of the notebook at ``path`` (nbformat 4 JSON)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    shares = Shares(name or Path(path).stem, 0, 0, 0, 0)
    in_solution = False
    for cell in cells:
        source = "".join(cell.get("source", []))
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.get("id") == INSTALL_CELL_ID or not source.strip():
            continue
        starts = "{solution-start}" in source
        ends = "{solution-end}" in source
        solution_code = cell["cell_type"] == "code" and source.lstrip().startswith(SOLUTION_PREFIXES)
        skip = in_solution or starts or solution_code
        if starts and not ends:
            in_solution = True
        if ends:
            in_solution = False
            skip = True
        if skip:
            continue
        n = _lines(source)
        shares.lines += n
        if AUDIT_TAG in tags:
            shares.audit_lines += n
        if cell["cell_type"] == "code" and not tags & HIDDEN_CODE_TAGS:
            shares.visible_code += n
            if VERIFIES.search(source):
                shares.verifying_code += n
    return shares


def table(rows: list[Shares]) -> str:
    """The shares as a text table, with a mark where a goal is not met."""
    out = [f"{'chapter':18s} {'lines':>6s} {'audit':>6s} {'audit %':>8s}   "
           f"{'visible code':>12s} {'verifying':>9s} {'verify %':>9s}"]
    for r in rows:
        a_mark = " " if r.audit_share <= AUDIT_GOAL else "!"
        v_mark = " " if r.verify_share <= VERIFY_GOAL else "!"
        out.append(f"{r.chapter:18s} {r.lines:6d} {r.audit_lines:6d} {100 * r.audit_share:7.1f}%{a_mark}  "
                   f"{r.visible_code:12d} {r.verifying_code:9d} {100 * r.verify_share:8.1f}%{v_mark}")
    out.append(f"goals: audit <= {100 * AUDIT_GOAL:.0f}%, visible verification <= "
               f"{100 * VERIFY_GOAL:.0f}% ('!' marks a chapter above a goal)")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: the teaching chapters of _toc.yml)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    paths = args.notebooks or teaching_chapters()
    rows = [measure(p) for p in paths]
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
