"""bplib — the tested NumPy library of *Backprop, Tested*.

Two conventions, as in the sources the course follows:

* :class:`Network` (``bplib.network``) uses Nielsen's columns: ``x`` has shape
  ``(features, samples)``.
* the layers (``bplib.layers``) and :class:`TwoLayerNet` (``bplib.models``)
  use *Deep Learning from Scratch*'s rows: ``x`` has shape ``(batch, features)``.

Submodules: ``activations``, ``losses``, ``layers``, ``network``, ``models``,
``gradcheck``, ``data``.  (``bplib.autodiff``, ``bplib.plotting``,
``bplib.symbolic`` and ``bplib.exercises`` are imported on their own.)
"""

from . import activations, data, gradcheck, layers, losses, models, network
from .models import TwoLayerNet
from .network import Network

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "activations",
    "data",
    "gradcheck",
    "layers",
    "losses",
    "models",
    "network",
    "Network",
    "TwoLayerNet",
]
