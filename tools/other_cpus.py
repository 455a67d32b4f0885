"""Run strict nbval again as other CPUs would compute: `make test`'s second half.

The chapters' stored outputs were made on one machine; a reader's machine may
compute ``exp``/``log`` and matrix products with other kernels whose last bits
differ.  Two extra passes of strict nbval over every chapter check that no
printed digit depends on those bits:

1. **Without AVX-512.** On a machine whose NumPy finds AVX-512 code paths
   (see ``numpy.show_runtime()``), nbval runs with those paths switched off by
   ``NPY_DISABLE_CPU_FEATURES``, which prints what an AVX2 machine prints.
   Elsewhere the pass is skipped, with the reason.  (``OPENBLAS_CORETYPE`` is
   never set: on some processors it makes OpenBLAS compute wrong results.)
2. **Last-bit noise, on every machine.** The kernel starts with
   ``tests/cpu_noise/ulp_noise.py``, which moves NumPy's ``exp``, ``log``,
   ``tanh`` ... results by one unit in the last place for three inputs in four,
   deterministically, as a different CPU's kernels would.

Both passes print strictly (``BPLIB_STRICT_PRINT=1``, as ``make test`` does): an
array element near a rounding boundary fails the chapter.

Usage: ``python tools/other_cpus.py [book/chapter.ipynb ...] [extra pytest arguments]``
(every chapter when no notebook is named).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBVAL = [
    "--nbval", "--nbval-current-env",
    "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"),
    "--nbval-cell-timeout=1800",
    "-p", "no:cacheprovider",
]


def avx512_features() -> list[str]:
    """The AVX-512 code paths this NumPy found on this CPU (empty if none)."""
    from numpy._core import _multiarray_umath as umath

    found = umath.__cpu_features__
    dispatch = getattr(umath, "__cpu_dispatch__", list(found))
    return [name for name in dispatch
            if found.get(name) and (name.startswith("AVX512") or name == "X86_V4")]


#: The kernels check every printed array (bplib.display.set_printoptions), as in `make test`.
STRICT_PRINT = {"BPLIB_STRICT_PRINT": "1"}


def nbval(env: dict[str, str], extra: list[str]) -> int:
    env = {**env, **STRICT_PRINT}
    # The English chapters: the Chinese notebooks (book/zh_CN) run the same code cells, and
    # `make test`'s first pass compares their outputs.
    targets = [a for a in extra if a.endswith(".ipynb")] or sorted(str(p) for p in (ROOT / "book").glob("*.ipynb"))
    options = [a for a in extra if not a.endswith(".ipynb")]
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-q",
               *NBVAL, *options, *targets]
    return subprocess.call(command, cwd=ROOT, env=env)


def main(extra: list[str]) -> int:
    status = 0
    features = avx512_features()
    if features:
        disabled = " ".join(features)
        print(f"== strict nbval with NumPy's AVX-512 paths disabled: NPY_DISABLE_CPU_FEATURES='{disabled}'",
              flush=True)
        status |= nbval({**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}, extra)
    else:
        print("== skipping the pass without AVX-512: NumPy finds no AVX-512 code paths on this CPU, "
              "so the main pass already ran without them", flush=True)

    print("== strict nbval with last-bit noise in exp, log, tanh, ... (tests/cpu_noise/ulp_noise.py)",
          flush=True)
    ipython_dir = Path(tempfile.mkdtemp(prefix="bplib-ulp-noise-"))
    try:
        startup = ipython_dir / "profile_default" / "startup"
        startup.mkdir(parents=True)
        noise = ROOT / "tests" / "cpu_noise" / "ulp_noise.py"
        (startup / "00-ulp-noise.py").write_text(f"exec(open({str(noise)!r}).read())\n")
        status |= nbval({**os.environ, "IPYTHONDIR": str(ipython_dir)}, extra)
    finally:
        shutil.rmtree(ipython_dir, ignore_errors=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
