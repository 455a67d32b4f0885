"""The chain-rule chapter's checkers accept the reference answers and reject typical mistakes."""

import numpy as np
import pytest

from bplib import activations
from bplib.exercises import check

from strategies import assert_rejected


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def test_sigmoid_prime_accepts_reference(capsys):
    assert check.sigmoid_prime(lambda z: _sigmoid(z) * (1 - _sigmoid(z)))
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda z: _sigmoid(z) * (1 + _sigmoid(z)), "wrong"),  # a sign slip inside
        (lambda z: 2 * _sigmoid(z) * (1 - _sigmoid(z)), "off by a constant factor of 2 on every hidden case"),
        # the helper of articles 001 and 003, fed z (exercise 1.4 asks what the checker says):
        (lambda z: z * (1 - z), r"returns z \(1 - z\): the helper a \(1 - a\) gives sigma'\(z\) only "
                                r"when it is fed the activation a = sigma\(z\)"),
        (lambda z: _sigmoid(_sigmoid(z)) * (1 - _sigmoid(_sigmoid(z))), r"sigma is applied twice"),
        (_sigmoid, r"returns sigma\(z\), the function itself"),
        (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "overflowed"),  # overflows at z = -1e4
        (lambda z: None, "did you forget to `return`"),
        (lambda z: np.ravel(_sigmoid(z) * (1 - _sigmoid(z))), "at z = 0 has shape \\(1,\\), expected \\(\\)"),
    ],
)
def test_sigmoid_prime_rejects_typical_mistakes(wrong, message, capsys):
    with np.errstate(all="ignore"):
        result = check.sigmoid_prime(wrong)
    assert_rejected(result, capsys, message)


def _naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize(
    "right",
    [
        lambda z: _naive_sigmoid(z) * (1 - _naive_sigmoid(z)),   # overflows at z = -1e4, returns 0
        lambda z: _naive_sigmoid(z) * _naive_sigmoid(-z),         # sigma(z) sigma(-z): both overflow
        lambda z: 0.25 / np.cosh(z / 2) ** 2,                     # 1 / (4 cosh^2(z/2)): cosh overflows
    ],
)
def test_sigmoid_prime_accepts_a_right_answer_that_overflows_inside_numpy(right, capsys):
    """A right answer is Correct even if NumPy overflowed on the way; the overflow is a note,
    and no NumPy warning escapes the checker."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check.sigmoid_prime(right)
    out = capsys.readouterr().out
    assert result.ok is True and out.startswith("Correct: sigmoid_prime matches"), out
    assert "A note, not a mistake" in out and "overflow encountered" in out and out.count("\n") == 1


def test_a_wrong_answer_that_also_overflows_is_named_by_its_mistake(capsys):
    """The naive sigmoid overflows at z = -1e4, but what is wrong is the sign slip."""
    with np.errstate(all="ignore"):
        result = check.sigmoid_prime(lambda z: _naive_sigmoid(z) * (1 + _naive_sigmoid(z)))
    out = assert_rejected(result, capsys, r"sigmoid_prime\(z\) at z = 0 is wrong")
    assert "overflow" not in out


def test_sigmoid_prime_accepts_a_stable_answer_without_a_note(capsys):
    assert check.sigmoid_prime(lambda z: activations.sigmoid(z) * activations.sigmoid(-z))
    assert "note" not in capsys.readouterr().out


def test_tanh_prime_accepts_reference_and_rejects_mistakes(capsys):
    assert check.tanh_prime(lambda z: 1 - np.tanh(z) ** 2)
    assert capsys.readouterr().out.startswith("Correct:")
    assert not check.tanh_prime(lambda z: 1 - np.tanh(z))
    assert "the square is missing" in capsys.readouterr().out

    def mutating(z):
        z -= 0  # harmless on values, but writes in place:
        z[...] = np.tanh(z)
        return 1 - z**2

    assert not check.tanh_prime(mutating)
    assert "in place" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda z: 1 - np.tanh(z), r"returns 1 - tanh\(z\): the derivative is 1 - tanh\(z\)\^2, the square"),
        # the output form 1 - a^2, fed z (the slip exercise 1.4 asks about, for tanh):
        (lambda z: 1 - z**2, r"returns 1 - z\^2: the form 1 - a\^2 gives tanh'\(z\) only when it is fed "
                             r"the activation a = tanh\(z\)"),
        (np.tanh, r"returns tanh\(z\), the function itself"),
        (lambda z: 1 + np.tanh(z) ** 2, r"tanh_prime\(z\) at z = 1 is wrong"),  # no name: compared
    ],
)
def test_tanh_prime_names_the_mistake(wrong, message, capsys):
    assert_rejected(check.tanh_prime(wrong), capsys, message)


def test_softplus_prime_accepts_sigmoid_and_rejects_mistakes(capsys):
    assert check.softplus_prime(_sigmoid)
    capsys.readouterr()
    with np.errstate(all="ignore"):
        assert not check.softplus_prime(lambda z: np.log1p(np.exp(z)))  # softplus itself
    assert "Not yet:" in capsys.readouterr().out
    with np.errstate(all="ignore"):
        assert not check.softplus_prime(lambda z: np.exp(z) / (1 + np.exp(z)))  # overflows
    assert "overflowed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda z: np.log1p(np.exp(z)), r"returns log\(1 \+ e\^z\), softplus itself"),
        (lambda z: _sigmoid(z) * (1 - _sigmoid(z)), r"one derivative too many"),
        (lambda z: 1 / (1 + np.exp(z)), r"returns sigma\(-z\) = 1 / \(1 \+ e\^z\): a sign slip"),
        (lambda z: 2 * _sigmoid(z), r"constant factor of 2"),  # no name of its own: a factor
    ],
)
def test_softplus_prime_names_the_mistake(wrong, message, capsys):
    with np.errstate(all="ignore"):
        result = check.softplus_prime(wrong)
    assert_rejected(result, capsys, message)


def test_softplus_prime_accepts_the_naive_sigmoid_with_a_note(capsys):
    """1 / (1 + exp(-z)) overflows inside NumPy at z = -1e4 but returns the right 0."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check.softplus_prime(lambda z: 1 / (1 + np.exp(-z)))
    out = capsys.readouterr().out
    assert result.ok is True and out.startswith("Correct:") and "A note, not a mistake" in out, out


# --- two_paths: a weight shared by two sigmoid units --------------------------------


def _paths(w, x, v, y):
    z = w * np.asarray(x)
    a = _sigmoid(z)
    s = float(np.asarray(v) @ a)
    return (s - y) * np.asarray(v) * a * (1 - a) * np.asarray(x), z, a, s


def test_two_paths_accepts_the_sum_of_both_paths(capsys):
    assert check.two_paths(lambda w, x, v, y: _paths(w, x, v, y)[0].sum())
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda w, x, v, y: _paths(w, x, v, y)[0][0], r"only the path through z_1"),
        (lambda w, x, v, y: _paths(w, x, v, y)[0][1], r"only the path through z_2"),
        (lambda w, x, v, y: np.prod(_paths(w, x, v, y)[0]), r"multiplied the two path products"),
        (
            lambda w, x, v, y: float(
                ((_paths(w, x, v, y)[3] - y) * np.asarray(v) * (w * np.asarray(x)) * (1 - w * np.asarray(x))
                 * np.asarray(x)).sum()
            ),
            r"computed as z \(1 - z\) on the weighted input",
        ),
        (
            lambda w, x, v, y: float(((_paths(w, x, v, y)[3] - y) * np.asarray(v) * np.asarray(x)).sum()),
            r"sigma'\(z_j\) = a_j \(1 - a_j\) of each sigmoid is missing",
        ),
        (lambda w, x, v, y: -_paths(w, x, v, y)[0].sum(), r"wrong sign on every hidden case"),
        (lambda w, x, v, y: 2 * _paths(w, x, v, y)[0].sum(), r"constant factor of 2 on every hidden case"),
        (lambda w, x, v, y: None, r"forget to `return`"),
        (lambda w, x, v, y: _paths(w, x, v, y)[0], r"has shape \(2,\), expected \(\)"),
        (lambda w, x, v, y: 0.0, r"is wrong"),
    ],
)
def test_two_paths_names_the_mistake(wrong, message, capsys):
    assert_rejected(check.two_paths(wrong), capsys, message)


def test_two_paths_rejects_a_function_that_changes_x(capsys):
    def mutating(w, x, v, y):
        result = _paths(w, x, v, y)[0].sum()
        x *= 2
        return result

    assert not check.two_paths(mutating)
    assert "in place" in capsys.readouterr().out


def test_overflow_in_the_readers_code_is_reported_not_warned(capsys):
    """An overflow in the reader's function shows as a diagnosis, not as a NumPy warning
    (a warning in a notebook prints a temporary file's path)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not check.softplus_prime(lambda z: np.exp(z) / (1 + np.exp(z)))
        assert not check.sigmoid_prime(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)
        assert not check.two_paths(lambda w, x, v, y: float(np.exp(1e4 * w)))
    out = capsys.readouterr().out
    assert out.count("overflowed (NumPy: overflow encountered") == 3, out
