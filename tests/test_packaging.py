"""The distribution has a name of its own and declares what the chapters need."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_distribution_name_and_extras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "backprop-tested"  # "bplib" on PyPI is someone else's
    extras = project["optional-dependencies"]
    assert any(req.startswith("scikit-learn") for req in extras["book"])
    assert not any(req.startswith("scikit-learn") for req in project["dependencies"])
