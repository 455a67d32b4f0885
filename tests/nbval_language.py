"""A pytest plugin (``-p nbval_language`` in ``pyproject.toml``): nbval on a Chinese
notebook (``book/zh_CN``) runs a kernel that speaks Chinese.

nbval starts a notebook's kernel when the notebook's first cell is set up, and the kernel
inherits this process's environment. ``BPLIB_LANG`` (:mod:`bplib.language`) is set only
while that happens, so that nothing else this pytest worker runs speaks Chinese. (A plugin,
not ``tests/conftest.py``: a conftest's hooks reach only the tests under its directory,
and the notebooks are in ``book/``.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The edition directories of ``book/`` and the language their notebooks speak.
EDITIONS = {"zh_CN": "zh_CN"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    path = Path(str(getattr(item, "fspath", "")))
    lang = EDITIONS.get(path.parent.name) if path.suffix == ".ipynb" else None
    before = os.environ.get("BPLIB_LANG")
    if lang:
        os.environ["BPLIB_LANG"] = lang
    try:
        yield
    finally:
        if lang:
            if before is None:
                os.environ.pop("BPLIB_LANG", None)
            else:
                os.environ["BPLIB_LANG"] = before
