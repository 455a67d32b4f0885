"""Load a script of ``tools/`` as a module, for the tests that share its code.

``tools/`` is not a package (its scripts run as ``python tools/name.py``); a helper
module here, so that no test module imports another.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load_tool(name: str) -> ModuleType:
    """``tools/<name>.py`` as a module (loaded once; later calls return the same module)."""
    key = f"_tools_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def load_extension(name: str) -> ModuleType:
    """``_ext/<name>.py`` (one of the book's Sphinx extensions) as a module."""
    key = f"_ext_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, TOOLS.parent / "_ext" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
