"""Execute chapters in place and store their outputs (what nbval later compares).

Usage::

    python tools/execute_notebook.py book/chain_rule.ipynb [more.ipynb ...]

Each notebook runs in a fresh ``python3`` kernel with ``book/`` as its working
directory, exactly as nbval runs it, and prints strictly (``BPLIB_STRICT_PRINT=1``,
as ``make test`` does): an array element the chapter prints near a rounding boundary
raises ``UnstableRounding`` here, before such an output is stored.  Execution stops at
the first error.  A Chinese notebook (``book/zh_CN/``) runs with ``BPLIB_LANG=zh_CN``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# What JupyterLab writes when its ipykernel starts (tools/reader_notebooks.py stores the same),
# so that opening a chapter does not mark it modified.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

#: The kernel checks every printed array (bplib.display.set_printoptions), as in `make test`.
STRICT_PRINT = {"BPLIB_STRICT_PRINT": "1"}


def coalesce_streams(nb: nbformat.NotebookNode) -> None:
    """Join consecutive ``stdout`` (or ``stderr``) outputs of a cell into one.

    (Also drops the execution timestamps an older run stored in a cell's metadata.)

    How a cell's printing is split into stream messages depends on timing (a busy
    machine sends one ``print`` as two messages); joining them keeps the stored
    notebook the same however fast the machine was.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)  # timestamps of an old run with record_timing
        merged: list = []
        for output in cell.outputs:
            if (output.output_type == "stream" and merged
                    and merged[-1].output_type == "stream" and merged[-1].name == output.name):
                merged[-1].text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def execute(path: Path, timeout: int = 1800) -> float:
    """Run the notebook at ``path`` and write it back with fresh outputs.

    Returns the wall-clock seconds it took.
    """
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata.setdefault("language_info", {"name": "python"})
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # keep diffs of stored notebooks free of timestamps
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel's environment. An edition's notebook (book/zh_CN/*.ipynb, whose metadata
    # says its language) speaks that language (bplib.language): nbclient sends no cell
    # metadata, so the kernel is told with BPLIB_LANG.
    lang = (nb.metadata.get("bplib") or {}).get("lang")
    env = {**os.environ, **STRICT_PRINT}
    env.pop("BPLIB_LANG", None)
    if lang:
        env["BPLIB_LANG"] = lang
    client.execute(env=env)
    coalesce_streams(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        seconds = execute(Path(name))
        print(f"executed {name} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
