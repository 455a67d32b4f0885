"""bplib — the tested NumPy library of *Backprop, Tested*.

Two conventions, as in the sources the course follows:

* :class:`Network` (``bplib.network``) uses Nielsen's columns: ``x`` has shape
  ``(features, samples)``.
* the layers (``bplib.layers``) and :class:`TwoLayerNet` (``bplib.models``)
  use *Deep Learning from Scratch*'s rows: ``x`` has shape ``(batch, features)``.

Submodules, from the ground up (each imports only the ones above it):
``_validation``; ``activations``; ``costs``; ``losses``, ``training``;
``layers``, ``fast``, ``gradcheck``; ``network``, ``models``; ``data``.
(``bplib.autodiff``, ``bplib.autodiff_mistakes``, ``bplib.plotting``,
``bplib.symbolic``, ``bplib.exercises``, and the steppers ``bplib.stepper``,
``bplib.stepper_words`` and ``bplib.walkthroughs`` are imported on their own.)

Vocabulary: ``x`` input, ``z`` weighted input (logits), ``a`` activation or
prediction, ``y`` (column convention) or ``t`` (row convention) the target.
"""

from . import activations, costs, data, fast, gradcheck, layers, losses, models, network, training
from .models import TwoLayerNet
from .network import Network

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "activations",
    "costs",
    "fast",
    "training",
    "data",
    "gradcheck",
    "layers",
    "losses",
    "models",
    "network",
    "Network",
    "TwoLayerNet",
]
