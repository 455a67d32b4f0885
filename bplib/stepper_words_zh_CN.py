"""The steppers' words in Simplified Chinese: ``WORDS["zh_CN"]`` of
:mod:`bplib.stepper_words`, with the same groups, keys and ``{fields}`` as English.
"""

from __future__ import annotations

__all__ = ["WORDS"]

WORDS: dict[str, dict[str, str]] = {
}
