"""``%%solution`` runs a solution in a copy of the namespace."""

import pytest

from bplib.exercises._magic import run_solution


def test_the_readers_definition_survives_the_solution():
    namespace = {"answer": lambda: "mine", "x": 2}
    scope = run_solution("def answer():\n    return 'book'\nresult = answer() * x", namespace)
    assert namespace["answer"]() == "mine" and "result" not in namespace
    assert scope["result"] == "bookbook"


def test_a_failing_check_in_the_solution_raises():
    with pytest.raises(AssertionError):
        run_solution("assert 1 == 2", {})


def test_source_must_be_text():
    with pytest.raises(TypeError, match="str"):
        run_solution(None, {})
