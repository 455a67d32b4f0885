"""The exercise checkers' sentences in Simplified Chinese: the Chinese edition's
:data:`bplib.exercises.messages.MESSAGES`, with the same ids and the same ``{fields}``.

The terms are those of the Chinese edition's term list (``locale/zh_CN/terms.yml``).
"""

from __future__ import annotations

__all__ = ["MESSAGES", "PREFIXES"]

#: The words that start a verdict, by outcome.
PREFIXES: dict[bool, str] = {True: "正确：", False: "还不对："}

#: Message templates by id, as in :data:`bplib.exercises.messages.MESSAGES`.
MESSAGES: dict[str, str] = {
}
