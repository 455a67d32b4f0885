"""``%%solution`` runs a solution in a copy of the namespace, silently while the reader
has not opened it in JupyterLab."""

import queue

import pytest

from bplib.exercises._magic import (
    MARKER_PREFIX,
    SOLUTION_MARKER,
    is_collapsed,
    run_solution,
    solution_marker_transformer,
)


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


# --- a collapsed solution runs silently (JupyterLab's Run All) ---------------------------


def test_collapsed_means_the_cells_source_is_hidden():
    assert is_collapsed({"jupyter": {"source_hidden": True, "outputs_hidden": True}, "cellId": "x"})
    assert not is_collapsed({"jupyter": {"outputs_hidden": True}})  # the reader opened it
    assert not is_collapsed({"cellId": "x"}) and not is_collapsed({}) and not is_collapsed(None)
    with pytest.raises(TypeError, match="dict or None"):
        is_collapsed("hidden")


def test_the_marker_line_runs_the_cell_as_a_solution():
    assert SOLUTION_MARKER.startswith(MARKER_PREFIX)
    lines = [SOLUTION_MARKER + "\n", "x = 1\n"]
    assert solution_marker_transformer(lines) == ["%%solution\n", *lines]
    assert solution_marker_transformer(["# my own comment\n", "x = 1\n"]) == ["# my own comment\n", "x = 1\n"]
    assert solution_marker_transformer([]) == []


@pytest.fixture(scope="module")
def kernel():
    """A real ipykernel with the extension loaded, as a chapter's first cell loads it."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        run(kc, "%load_ext bplib.exercises\ndef answer():\n    return 'mine'")
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run(kc, code: str, metadata: dict | None = None) -> list[dict]:
    """Send one execute_request (with the cell metadata JupyterLab would send) and return
    the outputs it produced on IOPub, as (type, text) pairs, consecutive stream
    messages joined as a notebook joins them."""
    msg = kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False,
                                             "stop_on_error": True}, metadata=metadata or {})
    kc.shell_channel.send(msg)
    outputs, last_stream = [], None
    while True:
        try:
            reply = kc.get_iopub_msg(timeout=60)
        except queue.Empty:  # pragma: no cover - a hung kernel
            raise AssertionError(f"no idle status after {code!r}") from None
        if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        kind, content = reply["msg_type"], reply["content"]
        if kind == "status" and content["execution_state"] == "idle":
            return outputs
        if kind == "stream":
            if outputs and outputs[-1][0] == "stream" and last_stream == content["name"]:
                # A print's text and its newline may arrive as two messages on a busy
                # machine; a notebook shows them as one output, and so does this.
                outputs[-1] = ("stream", outputs[-1][1] + content["text"])
            else:
                outputs.append(("stream", content["text"]))
            last_stream = content["name"]
        elif kind in ("display_data", "execute_result"):
            outputs.append((kind, content["data"].get("text/plain", "")))
        elif kind == "error":
            outputs.append(("error", content["ename"]))


SOLUTION = SOLUTION_MARKER + "\ndef answer():\n    return 'book'\n\nprint('Correct:', answer())\n"
#: What JupyterLab sends for a collapsed solution cell (its metadata, plus its own keys).
COLLAPSED = {"jupyter": {"source_hidden": True, "outputs_hidden": True}, "collapsed": True,
             "cellId": "abc", "deletedCells": [], "recordTiming": False, "trusted": False}


def test_a_collapsed_solution_prints_nothing_and_an_opened_one_prints(kernel):
    assert run(kernel, SOLUTION, COLLAPSED) == []
    opened = {key: value for key, value in COLLAPSED.items() if key not in ("jupyter", "collapsed")}
    assert run(kernel, SOLUTION, opened) == [("stream", "Correct: book\n")]
    assert run(kernel, SOLUTION) == [("stream", "Correct: book\n")]  # nbclient, nbval: no metadata
    assert run(kernel, "print(answer())") == [("stream", "mine\n")]  # the reader's answer is kept


def test_a_broken_collapsed_solution_is_not_silent(kernel):
    broken = SOLUTION_MARKER + "\nprint('checked so far')\nassert 1 == 2\n"
    assert run(kernel, broken, COLLAPSED) == [("stream", "checked so far\n"), ("error", "AssertionError")]


def test_a_checkers_verdict_adds_no_result(kernel):
    """check.x(f) as a cell's last line: its printed line and nothing after it."""
    code = "from bplib.exercises import check\ncheck.tanh_prime(lambda z: z)"
    outputs = run(kernel, code)
    assert len(outputs) == 1 and outputs[0][0] == "stream" and outputs[0][1].startswith("Not yet:"), outputs
