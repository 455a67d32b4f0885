"""The language bplib speaks to a reader: the exercise checkers' verdicts and the steppers' words.

The course has two editions, English and Chinese, with the same code cells. What bplib
prints in words (a checker's ``Correct: ...`` / ``Not yet: ...``, a stepper's buttons and
captions) comes from tables with one entry per language
(:data:`bplib.exercises.messages.TRANSLATIONS`, :data:`bplib.stepper_words.WORDS`), and
this module says which one is used. In order:

1. :func:`set_language` (or the :func:`speaking` context manager), called by the reader;
2. the cell that runs, when it carries ``"bplib": {"lang": "zh_CN"}`` in its metadata:
   the Chinese edition's notebooks do, and JupyterLab and Notebook 7 send a cell's metadata
   with its execution (``%load_ext bplib.exercises``, the chapters' first cell, reads it);
3. the environment variable ``BPLIB_LANG`` (``make test`` sets it to execute the Chinese
   notebooks, whose runner sends no cell metadata);
4. English.

Numbers, array printouts and the labels inside figures are the same in every language.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional

__all__ = ["LANGUAGES", "get_language", "set_language", "speaking", "resolve"]

#: The languages bplib speaks: English and Simplified Chinese.
LANGUAGES: tuple[str, ...] = ("en", "zh_CN")

_chosen: Optional[str] = None


def _check(lang: object, what: str = "lang") -> str:
    if not isinstance(lang, str):
        raise TypeError(f"{what} must be a str, one of {LANGUAGES}, but got {type(lang).__name__}")
    if lang not in LANGUAGES:
        raise ValueError(f"{what} must be one of {LANGUAGES}, but got {lang!r}")
    return lang


def get_language() -> str:
    """The language in use: the one set with :func:`set_language`, else ``BPLIB_LANG``,
    else ``"en"``.

    Raises
    ------
    ValueError
        If ``BPLIB_LANG`` names a language bplib does not speak.
    """
    if _chosen is not None:
        return _chosen
    env = os.environ.get("BPLIB_LANG", "").strip()
    return _check(env, "the environment variable BPLIB_LANG") if env else "en"


def set_language(lang: Optional[str]) -> None:
    """Speak ``lang`` from now on (``"en"`` or ``"zh_CN"``); ``None`` goes back to
    ``BPLIB_LANG`` or English."""
    global _chosen
    _chosen = None if lang is None else _check(lang)


@contextmanager
def speaking(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside a ``with`` block, and what was spoken before after it."""
    global _chosen
    before = _chosen
    _chosen = _check(lang)
    try:
        yield lang
    finally:
        _chosen = before


def resolve(lang: Optional[str]) -> str:
    """``lang`` itself when given (checked), else the language in use."""
    return get_language() if lang is None else _check(lang)
