"""Every sentence the exercise checkers print, in one table.

A checker prints one line: ``Correct: <what was checked>`` or ``Not yet: <what is
wrong and why>``, followed where it helps by the hidden case that shows it ("on the
XOR batch", "for sizes [2, 3, 2] and 5 samples").  The line says what the reader's
code got, never the expected value: the checkers do not print the solution.  A
mistake the course has seen learners make is named by its cause (``sigma'`` taken
on the weighted input, the mean's ``1/N`` missing, ...), not by its symptom.

The checkers never hold their sentences themselves: they call :func:`msg` with an
id of :data:`MESSAGES` and the fields of the template.  A translation replaces the
templates (same ids, same fields); ``tests/test_exercises_core.py`` checks that
every id a checker uses is in the table and every entry of the table is used, and
``tests/test_i18n_bplib.py`` that each translation has every id with the same fields.

The Chinese edition's sentences are :data:`TRANSLATIONS` ``["zh_CN"]``
(:mod:`bplib.exercises.messages_zh_CN`); :func:`msg` and :func:`prefix` speak the
language in use (:mod:`bplib.language`).
"""

from __future__ import annotations

from typing import Any

from bplib.language import get_language

__all__ = ["MESSAGES", "PREFIXES", "TRANSLATIONS", "msg", "prefix"]

#: The words that start a verdict, by outcome.
PREFIXES: dict[bool, str] = {True: "Correct: ", False: "Not yet: "}

#: Message templates by id (``<chapter module>.<what>``), filled by :func:`msg`.
MESSAGES: dict[str, str] = {
    # ------------------------------------------------------------ shared (_core)
    "core.floating_point": (
        "{what} {problem} (NumPy: {numpy}); rewrite it in a numerically stable form, "
        "e.g. with bplib.activations.sigmoid or sigmoid_prime"
    ),
    "core.floating_point_note": "{what} {problem} inside NumPy ({numpy})",
    "core.fp.overflow": "overflowed",
    "core.fp.divide": "divided by zero",
    "core.fp.invalid": "produced an invalid value (inf - inf or 0/0)",
    "core.fp.other": "hit a floating-point error",
    "core.raised": "{what} raised {error}: {text}",
    "core.returned_none": "{name}{at} is None: did you forget to `return` it?",
    "core.not_a_number": "{name}{at} is a {type}, not a number or array",
    "core.wrong_shape": "{name}{at} has shape {got}, expected {expected}",
    "core.not_finite": "{name}{at} contains NaN or inf (an overflow?)",
    "core.wrong_value": "{name}{at} is wrong{position}: got {got}, which is not the expected value",
    "core.wrong_sign": "{name} has the wrong sign{suffix}",
    "core.constant_factor": "{name} is off by a constant factor of {factor}{suffix}",
    "core.mutated": "{what} changed its argument #{number} in place; work on a copy",
    "core.every_case": " on every hidden case",
    "core.every_point": " on every hidden point",
    "core.overflow_note": (
        " (A note, not a mistake: on a hidden case {problem}; the result was right anyway, "
        "but NumPy prints a warning there.)"
    ),
    "core.at_index": " at index {index}",
    "core.and": " and ",
    # ----------------------------- the hidden cases, as a line names them ("where")
    "case.at_z": "at z = {z}",
    "case.vector": "on a vector",
    "case.vectors": "on vectors",
    "case.array": "on a {shape} array",
    "case.matrix": "on a {shape} matrix",
    "case.matrices": "on {shape} matrices",
    "case.large_z": "at large |z| (z = {z})",
    "case.vector_with_zeros": "on a vector with zeros",
    "case.chapter_example": "on the chapter's example",
    "case.article_example": "on the article's example",
    "case.hidden_random": "on hidden random case {k}",
    "case.saturated": "at large weights (saturated sigmoids)",
    "case.xor_batch": "on the XOR batch",
    "case.hidden_batch": "on a hidden random batch of N = {n} rows",
    "case.bp2_square": "with a square W_next {shape} and {m} samples",
    "case.bp2": "with W_next {shape} and {m} samples",
    "case.bp2_one": "with W_next {shape} and one sample",
    "case.bp2_large_z": "at z = 0 and large |z| (±50, ±1e4)",
    "case.sizes": "for sizes {sizes} and {m} samples",
    "case.sizes_one": "for sizes {sizes} and one sample",
    "case.sizes_no_hidden": "for sizes {sizes} (no hidden layer) and {m} samples",
    "case.x_and_W": "for x of shape {x} and W of shape {W}",
    "case.count": "for sizes={sizes}, batch={batch}",
    "case.folded": "for delta of shape {delta} and a_prev of shape {a_prev}",
    "case.div_at": "at a = {a}, b = {b}, out_grad = {g}",
    "case.at_v": "at v.data = {v:.4g}",
    "case.at_x": "at x = {x:.4g}",
    "case.graph_poly": "y = x*x + 3x",
    "case.graph_equal": "(a + b) * (a * b) with a = b = 1.5",
    "case.graph_tanh": "tanh(x) built as (e - 1)/(e + 1) with e = exp(2x)",
    "case.graph_batch": "a 2-2-1 sigmoid network on a batch of three samples",
    "case.softmax_batch": "on a batch of {n} samples and {k} classes",
    "case.large_logits": "at large logits ({z})",
    "case.rows_apart": "on two rows 800 apart",
    # ------------------------------------------------------ chapter 1: chain rule
    "chain_rule.sigmoid_prime.correct": (
        "sigmoid_prime matches σ(z)(1 − σ(z)) on every hidden case, large |z| included."
    ),
    "chain_rule.sigmoid_prime.on_z": (
        "sigmoid_prime(z) returns z (1 - z): the helper a (1 - a) gives sigma'(z) only when "
        "it is fed the activation a = sigma(z), not the weighted input z that sigmoid_prime "
        "receives"
    ),
    "chain_rule.sigmoid_prime.of_activation": (
        "sigmoid_prime(z) returns sigma'(sigma(z)): sigma is applied twice; sigma'(z) is "
        "s (1 - s) with s = sigma(z) itself"
    ),
    "chain_rule.sigmoid_prime.sigma": (
        "sigmoid_prime(z) returns sigma(z), the function itself, not its derivative"
    ),
    "chain_rule.tanh_prime.correct": "tanh_prime matches 1 − tanh(z)² on every hidden case.",
    "chain_rule.tanh_prime.unsquared": (
        "tanh_prime(z) returns 1 - tanh(z): the derivative is 1 - tanh(z)^2, the square is "
        "missing (the two agree only at z = 0)"
    ),
    "chain_rule.tanh_prime.on_z": (
        "tanh_prime(z) returns 1 - z^2: the form 1 - a^2 gives tanh'(z) only when it is fed "
        "the activation a = tanh(z), not the weighted input z that tanh_prime receives"
    ),
    "chain_rule.tanh_prime.tanh": (
        "tanh_prime(z) returns tanh(z), the function itself, not its derivative"
    ),
    "chain_rule.softplus_prime.correct": (
        "softplus_prime matches the derivative of log(1 + e^z) on every hidden case."
    ),
    "chain_rule.softplus_prime.softplus": (
        "softplus_prime(z) returns log(1 + e^z), softplus itself, not its derivative"
    ),
    "chain_rule.softplus_prime.sigma_prime": (
        "softplus_prime(z) returns sigma'(z) = sigma(z) (1 - sigma(z)), one derivative too "
        "many: the derivative of log(1 + e^z) is sigma(z) itself"
    ),
    "chain_rule.softplus_prime.sign": (
        "softplus_prime(z) returns sigma(-z) = 1 / (1 + e^z): a sign slip; the derivative "
        "of log(1 + e^z) is e^z / (1 + e^z) = sigma(z)"
    ),
    "chain_rule.two_paths.correct": "dC_dw adds the products along both paths, on every hidden case.",
    "chain_rule.two_paths.path1": (
        "you followed only the path through z_1; w also reaches C through z_2, "
        "and the chain rule ADDS one product per path"
    ),
    "chain_rule.two_paths.path2": (
        "you followed only the path through z_2; w also reaches C through z_1, "
        "and the chain rule ADDS one product per path"
    ),
    "chain_rule.two_paths.product": "you multiplied the two path products; the chain rule adds them",
    "chain_rule.two_paths.on_z": (
        "sigma'(z) computed as z (1 - z) on the weighted input z; the form "
        "a (1 - a) needs the activation a = sigma(z)"
    ),
    "chain_rule.two_paths.no_prime": "the factor sigma'(z_j) = a_j (1 - a_j) of each sigmoid is missing",
    # ------------------------------------------------- chapter 2: worked example
    "worked_example.correct": (
        "backward_2_2_1 matches the true gradients on the article's example and on every "
        "hidden case."
    ),
    "worked_example.returned_none": (
        "backward_2_2_1 returned None: did you forget to `return dW0, dW1`?"
    ),
    "worked_example.not_a_pair": "backward_2_2_1 must return a pair (dW0, dW1), got {type}",
    "worked_example.transposed": (
        "dW0 is transposed: entry [j, n] must be dC/dW_jn, the weight from x_n to hidden "
        "unit j (z1 = W0 @ x), i.e. delta1[j] * x[n]"
    ),
    "worked_example.loss_not_derivative": (
        "you used the loss 1/2 (y - y_hat)^2 where its derivative dC/dy_hat belongs"
    ),
    "worked_example.no_output_prime": (
        "the factor sigma'(z2) = y_hat (1 - y_hat) of the output unit is missing"
    ),
    "worked_example.no_hidden_prime": (
        "dW1 is right but dW0 misses the factor sigma'(z1_j) = a1_j (1 - a1_j) of the hidden units"
    ),
    "worked_example.prime_on_z_both": (
        "sigma' computed as t (1 - t) on the weighted inputs t = z1 and t = z2; the form "
        "a (1 - a) needs the activations a = sigma(t) (a1_j and y_hat)"
    ),
    "worked_example.prime_on_z_hidden": (
        "dW1 is right, but dW0 takes the hidden units' sigma' as z1 (1 - z1) on their weighted "
        "inputs z1 = W0 @ x; the form a (1 - a) needs the activations a1 = sigma(z1) (as you did "
        "for the output unit with y_hat)"
    ),
    "worked_example.prime_on_z_output": (
        "the output unit's sigma' is computed as z2 (1 - z2) on its weighted input "
        "z2 = W1 @ a1; the form a (1 - a) needs its activation: y_hat (1 - y_hat) "
        "(as you did for the hidden units); dW1 and dW0 both carry this factor"
    ),
    "worked_example.no_W1": (
        "dW1 is right, but the hidden errors miss the weights W1: delta1[j] = delta2 * "
        "W1[0, j] * sigma'(z1_j), since z1_j reaches the output only through the weight W1[0, j]"
    ),
    "worked_example.article_script": (
        "this is (minus) the change article 003's script makes: its W0 update "
        "`l0.T.dot(l1_delta)` is not the gradient (see the chapter)"
    ),
    # ------------------------------------------------------------ chapter 3: XOR
    "xor.correct": (
        "xor_bias_backward matches the gradient of the mean cross-entropy on the XOR batch "
        "and on every hidden batch."
    ),
    "xor.returned_none": (
        "xor_bias_backward returned None: did you forget to `return dW1, db1, dW2, db2`?"
    ),
    "xor.not_four": "xor_bias_backward must return four arrays (dW1, db1, dW2, db2), got {type}",
    "xor.bias_per_sample": (
        "db1 and db2 have one row per sample: the sum over the batch is missing (a bias is "
        "shared by every sample, so its gradient is delta summed over the rows, "
        "delta.sum(axis=0, keepdims=True))"
    ),
    "xor.transposed": (
        "dW1 is transposed: with H = sigmoid(X @ W1 + b1), entry [i, j] joins input i to "
        "hidden unit j, so dW1 = X.T @ delta1"
    ),
    "xor.output_prime": (
        "the output delta keeps the factor y_hat (1 - y_hat): with the cross-entropy it "
        "cancels, dC/dz2 = (y_hat - y) / N"
    ),
    "xor.mse_delta": (
        "this is the gradient of the MSE, not of the cross-entropy: you kept the first "
        "network's output delta 2/N (y_hat - y) y_hat (1 - y_hat); for the cross-entropy the "
        "factor y_hat (1 - y_hat) cancels and there is no 2: dC/dz2 = (y_hat - y) / N"
    ),
    "xor.prime_on_z": (
        "you applied the helper a (1 - a) to the pre-activations z; it gives sigma'(z) only "
        "when it is fed the activation a = sigmoid(z)"
    ),
    "xor.bias_mean": (
        "the bias gradients are 1/N of the right ones: delta already carries the 1/N of the "
        "mean cost, so the bias gradient is the SUM of delta over the batch, not its mean"
    ),
    "xor.no_mean": (
        "the 1/N of the mean over the N samples is missing: every gradient is N times too "
        "large on every batch (N = {sizes}); C is the MEAN cross-entropy, so "
        "dC/dz2 = (y_hat - y) / N"
    ),
    "xor.no_W2": (
        "dW2 and db2 are right, but delta1 misses the weights W2: the error of hidden unit j "
        "reaches it through W2[j], delta1 = (delta2 @ W2.T) * H (1 - H)"
    ),
    # ------------------------------------------------- chapter 4: four equations
    "four_equations.bp2.correct": (
        "backprop_error gives (W_next.T @ delta_next) * sigma'(z), one column per sample, "
        "on every hidden case."
    ),
    "four_equations.bp2.no_transpose": "used W_next where BP2 needs its transpose W_next.T",
    "four_equations.bp2.no_prime": (
        "forgot the factor sigma'(z) (BP2 multiplies elementwise by the activation's derivative)"
    ),
    "four_equations.bp2.sigma": "multiplied by sigma(z) instead of its derivative sigma'(z)",
    "four_equations.bp2.on_z": (
        "computed sigma' as a(1 - a) on z: a(1 - a) needs the activation a = sigma(z), "
        "not the weighted input z (or call sigmoid_prime(z))"
    ),
    "four_equations.bp2.of_activation": (
        "applied sigma' to the activation sigma(z): sigmoid_prime takes the weighted "
        "input z (a(1 - a) is the form that takes the activation)"
    ),
    "four_equations.bp2.named": "backprop_error {where} {mistake}",
    "four_equations.bp2.summed": (
        "backprop_error {where} summed over the samples: BP2 keeps one column per sample, "
        "shape {expected}, not {got}"
    ),
    "four_equations.bp2.shape": (
        "the result of backprop_error {where} has shape {got}, expected {expected} (n, m): "
        "one row per unit of this layer, one column per sample"
    ),
    "four_equations.bp2.not_finite": "the result of backprop_error {where} contains NaN or inf",
    "four_equations.bp2.result": "backprop_error's result",
    "four_equations.bp2.wrong_value": (
        "the result of backprop_error {where} is wrong at index {index}: got {got}, which is "
        "not the expected value"
    ),
    "four_equations.batch.correct": (
        "batch_backprop matches Network.backprop (sums over the samples) on every hidden case."
    ),
    "four_equations.batch.returned_none": (
        "batch_backprop returned None: did you forget to `return nabla_b, nabla_w`?"
    ),
    "four_equations.batch.not_a_pair": (
        "batch_backprop must return a pair (nabla_b, nabla_w), got {type}"
    ),
    "four_equations.batch.not_a_list": (
        "{name} must be a list with one array per weight matrix ({layers}), got {got}"
    ),
    "four_equations.batch.mutated": (
        "batch_backprop changed the weights or biases in place; work on copies"
    ),
    "four_equations.batch.bias_columns": (
        "{name} {where} has one column per sample, shape {got}: sum BP3 over the samples to "
        "get shape {expected}"
    ),
    "four_equations.batch.mean": (
        "{name} {where} is the mean over the {m} samples; return the sum "
        "(the update step divides by the batch size)"
    ),
    "four_equations.batch.bp1_summed": (
        "BP1 was summed over the samples: the output error delta^L must keep one column per "
        "sample, (a^L - y) * sigma'(z^L) of shape (n_L, m), because BP2 multiplies each "
        "sample's column by that sample's sigma'(z); only BP3 and BP4 sum over the samples "
        "(on every hidden batch of more than one sample, e.g. {where})"
    ),
    "four_equations.batch.matmul_hint": (
        " (shapes: delta^l keeps one column per sample, (n_l, m), from BP1 on, so that "
        "nabla_w = delta^l @ a^(l-1).T fits; was BP1 summed over the samples?)"
    ),
    "four_equations.batch.gradients": "batch_backprop's gradients",
    "four_equations.batch.wrong_value": (
        "{what} is wrong at index {index}: got {got}, which is not the expected value"
    ),
    # ---------------------------------------------------------- chapter 5: layers
    "layers.no_method": "{cls} has no method {method!r}{hint}",
    "layers.forword": " (it has 'forword': the article's misspelling)",
    "layers.in_place": (
        "{what} changed its argument {name} in place (the caller's array); work on a copy"
    ),
    "layers.attribute_none": "{name} {where} is None: did backward set it (self.{name} = ...)?",
    "layers.creating": "creating your layer",
    "layers.your_layer": "your layer",
    "layers.your_relu": "your Relu",
    "layers.stale_x_hint": " (does forward store what backward needs, e.g. self.x = x?)",
    "layers.affine.correct": (
        "forward, dx, dW and db agree with central differences on every hidden shape, "
        "and no argument is changed in place."
    ),
    "layers.affine.dW_transposed": "dW {where} has shape {got}, the transpose of W's: use x.T @ dout",
    "layers.affine.stale_x": (
        "dW was computed from the x of an earlier forward call: "
        "forward must store the current x (self.x = x) every time"
    ),
    "layers.affine.db_rows": (
        "db {where} has shape {got}, one row per sample: sum dout over the batch axis (axis=0)"
    ),
    "layers.affine.db_axis": "db {where} has shape {got}: you summed over the wrong axis (use axis=0)",
    "layers.affine.db_mean": (
        "db is the mean of dout over the batch; it must be the sum "
        "(the loss layer has already divided by the batch size)"
    ),
    "layers.relu.correct": (
        "forward is max(x, 0), backward masks x <= 0 (including x == 0) for the latest x, "
        "and neither changes its argument."
    ),
    "layers.relu.through_zero": (
        "backward {where} passes the gradient through where x == 0 (derivative 1 at 0); the "
        "formula says relu'(x) = 0 for x <= 0, so mask the entries with x <= 0"
    ),
    "layers.dense.correct": (
        "forward is sigmoid(x @ W + b), and dx, dW and db follow the chain rule "
        "on every hidden shape."
    ),
    "layers.dense.matmul_hint": (
        " (the shapes: dout and delta are (batch, n_out), W is (n_in, n_out), "
        "x is (batch, n_in); which product has the shape you need?)"
    ),
    "layers.dense.dx_name": "dx (what backward returns)",
    "layers.dense.on_z": (
        "sigma' was computed as a * (1 - a) on z = x @ W + b, the weighted input; "
        "the identity sigma'(z) = a * (1 - a) needs the activation a = sigmoid(z), "
        "the output of forward ({where})"
    ),
    "layers.dense.of_activation": (
        "sigma' was applied to the activation: you computed sigmoid(a) * (1 - sigmoid(a)) "
        "with a = sigmoid(z); sigma'(z) is a * (1 - a) itself ({where})"
    ),
    "layers.dense.no_prime": (
        "the sigmoid's local derivative is missing: dout reaches W, b and x unchanged; "
        "multiply it by a * (1 - a) first (the chain rule through the sigmoid) ({where})"
    ),
    "layers.dense.dx_transposed": (
        "dx {where} has shape {got}, the transpose of x's {expected}: "
        "put delta first, dx = delta @ W.T"
    ),
    "layers.dense.dx_no_transpose": (
        "dx {where} uses W where the chain rule needs its transpose: "
        "dx = delta @ W.T (each input feeds every output through one row of W)"
    ),
    "layers.dense.dW_transposed": (
        "dW {where} is the transpose of the gradient (shape {got}); "
        "dW must have W's shape: dW = x.T @ delta"
    ),
    "layers.dense.db_rows": (
        "db {where} has shape {got}, one row per sample: the sum over the batch is missing "
        "(b is added to every row, so db = delta.sum(axis=0))"
    ),
    "layers.dense.db_mean": (
        "db is the mean of delta over the batch; it must be the sum "
        "(b is added to every row, and dout already carries the loss's 1/batch)"
    ),
    "layers.dense.all_grads": "dx, dW and db",
    # ------------------------------------------------------- chapter 6: autodiff
    "autodiff.div.correct": (
        "backward_div returns out_grad / b and -out_grad * a / b**2 on every hidden case."
    ),
    "autodiff.div.returned_none": (
        "backward_div returned None: did you forget to `return grad_a, grad_b`?"
    ),
    "autodiff.div.not_a_pair": "backward_div must return a pair (grad_a, grad_b), got {type}",
    "autodiff.div.no_upstream": (
        "{name} ignores out_grad: multiply the local derivative by the upstream gradient "
        "(chain rule)"
    ),
    "autodiff.sin.correct": (
        "value_sin gives sin(v) and, through backward(), the gradient cos(v), "
        "also inside larger expressions."
    ),
    "autodiff.sin.local_sin": (
        "the local derivative is sin(v), the function itself; the derivative of sin is "
        "cos, evaluated at the input: _local_grads=(math.cos(v.data),)"
    ),
    "autodiff.sin.local_cos_of_output": (
        "the local derivative is cos taken at the output sin(v); take it at the input: "
        "math.cos(v.data)"
    ),
    "autodiff.sin.local_minus_sin": (
        "the local derivative is -sin(v), the derivative of cos; the derivative of sin is cos(v)"
    ),
    "autodiff.sin.local_one": (
        "the local derivative is 1, as for an addition, so backward() passes the gradient "
        "through unchanged; for sin it is cos(v.data)"
    ),
    "autodiff.sin.not_a_value": (
        "value_sin {where} returned a {type}, not a Value: build the node with "
        "Value(..., _children=(v,), _op='sin', _local_grads=(...,))"
    ),
    "autodiff.sin.changed_v": (
        "value_sin changed v.data {where} or returned v itself; create a new Value instead"
    ),
    "autodiff.sin.data": "the data of value_sin(v)",
    "autodiff.sin.no_children": (
        "the new node does not remember its input: pass _children=(v,), otherwise "
        "backward() never reaches v"
    ),
    "autodiff.sin.gradient": "d sin(v)/dv from backward()",
    "autodiff.sin.composite": "dy/dx for y = sin(x*x) * x",
    "autodiff.topo.correct": (
        "my_topological_order lists every node once, after all of its inputs, on every hidden "
        "graph, and a backward pass along it gives Value.backward()'s gradients."
    ),
    "autodiff.topo.returned_none": (
        "my_topological_order returned None: did you forget to `return order`?"
    ),
    "autodiff.topo.not_a_list": "my_topological_order must return a list of nodes, got {type}",
    "autodiff.topo.not_values": (
        "the list holds a {type}, not a Value: list the nodes themselves (not their data or "
        "labels)"
    ),
    "autodiff.topo.twice": (
        "on the graph {where}, {node} is listed {count} times: a node used by several others "
        "must appear once; remember the nodes already visited (in a set: nodes hash by "
        "identity)"
    ),
    "autodiff.topo.missing": (
        "on the graph {where}, the list misses {missing} of its {total} nodes, e.g. {node}.{hint}"
    ),
    "autodiff.topo.lookalike_hint": (
        " A node was skipped because another one holds the same number: `node in a_list` "
        "compares with ==, which compares data for a Value; keep a set of visited nodes "
        "(they hash by identity) or compare with `is`."
    ),
    "autodiff.topo.visit_hint": " Visit the children of every node, down to the leaves.",
    "autodiff.topo.extra_one": "on the graph {where}, the list has 1 node that is not part of the graph",
    "autodiff.topo.extra_many": (
        "on the graph {where}, the list has {count} nodes that are not part of the graph"
    ),
    "autodiff.topo.output_first": (
        "on the graph {where}, the output comes first: that is the order backward() walks, "
        "reversed(topological order); the topological order itself lists every node after "
        "its inputs, the output last"
    ),
    "autodiff.topo.before_input": (
        "on the graph {where}, {node} comes before its input {child}: every node must come "
        "after all of its inputs.{why}"
    ),
    "autodiff.topo.bfs_hint": (
        " This is breadth-first order from the output, reversed: it puts a node after all its "
        "inputs only when all paths from the output have the same length. Visit depth-first: "
        "list a node after visiting all of its children."
    ),
    "autodiff.topo.gradient": "the gradient of {label} along your order",
    "autodiff.topo.on_graph": "on the graph {where}",
    "autodiff.topo.leaf": "the {op} node holding {data:g}",
    # ----------------------------------------------------------- chapter 7: speed
    "speed.count.correct": (
        "count_flops gives the forward and backward multiply-adds of every hidden case."
    ),
    "speed.count.not_a_pair": (
        "count_flops {where} returned {type} {got!r}; return a pair (forward, backward)"
    ),
    "speed.count.not_numbers": "count_flops {where} did not return two numbers",
    "speed.count.no_batch": "the {which} count {where} is missing the factor batch",
    "speed.count.twice_forward": (
        "the forward count {where} is twice too large: count a multiply-add "
        "(one multiplication and one addition) once"
    ),
    "speed.count.twice_backward": (
        "the backward count {where} is twice too large: count a multiply-add once"
    ),
    "speed.count.wrong": "the {which} count {where} is wrong: got {got}",
    "speed.count.input_bp2": (
        "the backward count {where} includes BP2 for the input layer; "
        "backprop needs no delta for the inputs"
    ),
    "speed.count.bp4_only": (
        "the backward count {where} counts BP4 only (one product delta^l (a^(l-1))^T per "
        "layer, as many multiply-adds as the forward pass): BP2 is missing, the product "
        "(W^(l+1))^T delta^(l+1) that carries delta back into every layer but the input"
    ),
    "speed.count.bp2_only": (
        "the backward count {where} counts BP2 only (delta carried back through each W^T); "
        "BP4, the products delta^l (a^(l-1))^T that give the weight gradients, is missing"
    ),
    "speed.folded.correct": (
        "folded_gradient returns [BP4 | BP3] summed over the batch, in one product."
    ),
    "speed.folded.no_bias": (
        "the result {where} has shape {got}: the bias column is missing (append a row of ones "
        "to a_prev)"
    ),
    "speed.folded.bias_first": (
        "the bias column {where} comes first; put the row of ones last, so the bias gradient "
        "is the last column"
    ),
    "speed.folded.mean": (
        "the result {where} is the mean over the samples; BP3 and BP4 here are sums "
        "(the step divides by m later)"
    ),
    "speed.folded.result": "the result",
    # ------------------------------------------ chapter 8: softmax with cross-entropy
    "softmax.vjp.correct": (
        "softmax_backward returns a ⊙ (dout − dout·a) row by row, the Jacobian's product with "
        "dout, on every hidden batch."
    ),
    "softmax.vjp.result": "the gradient dC/dz",
    "softmax.vjp.jacobian_returned": (
        "softmax_backward {where} returned an array of shape {got}: that is the Jacobian "
        "itself; backward returns its product with dout, one row per sample, shaped like a"
    ),
    "softmax.vjp.diagonal": (
        "the gradient {where} is dout * a (1 - a): only the Jacobian's diagonal; softmax is "
        "not elementwise, every output depends on every logit (the off-diagonal -a_i a_j)"
    ),
    "softmax.vjp.no_outer": (
        "the gradient {where} is dout * a: the product with diag(a) alone; the Jacobian is "
        "diag(a) - a a^T, and the - a a^T part is missing"
    ),
    "softmax.vjp.plus_outer": (
        "the gradient {where} adds a a^T's part; the Jacobian is diag(a) MINUS a a^T (a nudge "
        "of one logit lowers every other probability)"
    ),
    "softmax.vjp.unweighted": (
        "the gradient {where} subtracts the plain sum of dout; a a^T weights each dout_j by "
        "a_j: subtract sum(dout * a) of the row"
    ),
    "softmax.vjp.not_times_a": (
        "the gradient {where} is dout - sum(dout * a): the whole bracket must be multiplied "
        "by a, elementwise"
    ),
    "softmax.vjp.whole_batch": (
        "the gradient {where} subtracts one sum over the whole batch; each sample has its own "
        "Jacobian: sum dout * a over each row (axis=1, keepdims=True)"
    ),
    "softmax.vjp.axis0": (
        "the gradient {where} sums dout * a over the batch axis (axis=0); the sum runs over "
        "each row's classes (axis=1, keepdims=True)"
    ),
    "softmax.vjp.no_keepdims": (
        "the gradient {where} subtracts the rows' sums laid out as a row, so sample i gets the "
        "sum of sample j: keep them as a column (keepdims=True)"
    ),
    "softmax.vjp.batch_mean": (
        "the gradient {where} is divided by the batch size; the softmax has no mean in it: "
        "the 1/m belongs to the loss's gradient, which arrives in dout"
    ),
    "softmax.ce.correct": (
        "softmax_cross_entropy_backward returns (softmax(z) − t)/m on every hidden batch, "
        "logits of 1000 included."
    ),
    "softmax.ce.result": "the gradient dC/dz",
    "softmax.ce.overflow": (
        "the gradient {where} contains NaN or inf: exp(z) overflows beyond z = 709.78, so "
        "inf/inf gives NaN; subtract each row's maximum from z before exp"
    ),
    "softmax.ce.global_max": (
        "the gradient {where} contains NaN or inf: one maximum for the whole batch leaves a "
        "row far below it with every exponential 0, and 0/0 is NaN; subtract each row's own "
        "maximum (axis=1, keepdims=True)"
    ),
    "softmax.ce.logits": (
        "the gradient {where} is (z - t)/m: it uses the logits z where the probabilities "
        "a = softmax(z) belong"
    ),
    "softmax.ce.no_batch": (
        "the gradient {where} is {n} times too large: the loss is the mean over the m = {n} "
        "samples, so its gradient is (a - t)/m; the division by the batch size is missing"
    ),
    "softmax.ce.twice": (
        "the gradient {where} is divided by m = {n} twice: (a - t)/m already is the gradient "
        "of the mean"
    ),
    "softmax.ce.all_elements": (
        "the gradient {where} is divided by m K = {n} x {k}, the number of elements; the mean "
        "is over the m = {n} samples only (the classes of a sample are summed)"
    ),
    "softmax.ce.axis0": (
        "the gradient {where} uses a softmax normalised over the batch (axis=0); each sample's "
        "probabilities are normalised over its own classes (axis=1)"
    ),
    "softmax.ce.diagonal": (
        "the gradient {where} is -t (1 - a)/m: cross-entropy's -t/a chained through the "
        "softmax's diagonal a (1 - a) only; with the whole Jacobian diag(a) - a a^T it is "
        "(a - t)/m"
    ),
    "softmax.ce.diagonal_no_batch": (
        "the gradient {where} is -t (1 - a): the softmax's diagonal only, and without the "
        "division by m = {n}; with the whole Jacobian and the mean it is (a - t)/m"
    ),
    "softmax.lse.correct": (
        "logsumexp matches log Σ exp(z) row by row, exactly where the naive form overflows."
    ),
    "softmax.lse.result": "logsumexp(z)",
    "softmax.lse.overflow": (
        "logsumexp(z) {where} is not finite: the naive log(sum(exp(z))) overflows once a "
        "logit passes 709.78 (and gives log 0 once all are below -745); write it as "
        "M + log(sum(exp(z - M))) with M each row's maximum"
    ),
    "softmax.lse.global_max": (
        "logsumexp(z) {where} is not finite for a row far below the others: one maximum for "
        "the whole batch leaves that row's exponentials at 0; take each row's own maximum "
        "(axis=-1, keepdims=True)"
    ),
    "softmax.lse.not_added_back": (
        "logsumexp(z) {where} is short by each row's maximum M: you subtracted M inside the "
        "exp, so add it back outside the log"
    ),
    "softmax.lse.max_only": (
        "logsumexp(z) {where} is each row's maximum M alone: add log(sum(exp(z - M)))"
    ),
    "softmax.lse.column": (
        "logsumexp(z) {where} has shape {got}, a column; return one value per row, shape "
        "{expected} (keepdims only for the shift inside)"
    ),
    # ------------------------------------------------ chapter 9: batch normalization
    "case.batchnorm_batch": "on a batch of {n} samples and {c} features",
    "case.batchnorm_images": "on a batch of images of shape {shape}",
    "batchnorm.backward.correct": (
        "batchnorm_backward returns dx = gamma/(m sqrt(var + eps)) (m dout − Σdout − x̂ Σdout·x̂), "
        "dgamma = Σ dout·x̂ and dbeta = Σ dout on every hidden batch, with random upstream "
        "gradients."
    ),
    "batchnorm.backward2d.correct": (
        "batchnorm2d_backward normalizes per channel (statistics over the batch, height and "
        "width) and returns dx, dgamma and dbeta on every hidden batch of images, with random "
        "upstream gradients."
    ),
    "batchnorm.not_three": (
        "{what} {where} returned {got}; return the three gradients as a tuple (dx, dgamma, dbeta)"
    ),
    "batchnorm.dx.no_1_over_m": (
        "dx {where} is m = {n} times too large: the batch division is missing (the mean and the "
        "variance are averages over m values, so the sum of the three paths carries a 1/m)"
    ),
    "batchnorm.dx.sums_not_divided": (
        "dx {where} subtracts Σdout and x̂ Σ(dout·x̂) without dividing them by m = {n}: the paths "
        "through the mean and the variance each carry the batch division 1/m"
    ),
    "batchnorm.dx.no_mean_path": (
        "dx {where} forgets the path through the mean: every x_i moves mu, and mu moves every "
        "x̂_j, which contributes −Σdout (times gamma/(m sqrt(var + eps)))"
    ),
    "batchnorm.dx.no_variance_path": (
        "dx {where} forgets the path through the variance: every x_i moves var, and var "
        "rescales every x̂_j, which contributes −x̂ Σ(dout·x̂) (times gamma/(m sqrt(var + eps)))"
    ),
    "batchnorm.dx.no_statistics_paths": (
        "dx {where} is gamma dout / sqrt(var + eps), as if the mean and the variance were "
        "constants: in training mode they are computed from the batch, so the paths through "
        "both are missing (that dx is the right one only in inference mode)"
    ),
    "batchnorm.dx.no_gamma": (
        "dx {where} is missing the factor gamma: y = gamma x̂ + beta, so the gradient reaching "
        "x̂ is gamma dout"
    ),
    "batchnorm.dx.whole_batch": (
        "dx {where} takes Σdout and Σ(dout·x̂) over the whole array; each feature has its own "
        "mean and variance, so sum over the batch axis only (axis=0), one sum per feature"
    ),
    "batchnorm.dx.axis1": (
        "dx {where} sums over the features (axis=1); the statistics are per feature, over the "
        "batch, so the sums in the backward pass run over the batch axis (axis=0)"
    ),
    "batchnorm.dx.axis1_stats": (
        "dx {where} is the backward pass of a normalization over each sample's features "
        "(axis=1, layer normalization); batch normalization takes the statistics over the "
        "batch axis (axis=0)"
    ),
    "batchnorm.dx.unbiased": (
        "dx {where} uses the unbiased variance (divided by m − 1); the normalization divides by "
        "m (np.var's default): the unbiased one is only for the running variance"
    ),
    "batchnorm.swapped": "dgamma and dbeta {where} are swapped",
    "batchnorm.dgamma_without_xhat": (
        "dgamma {where} is Σdout, without x̂: gamma multiplies x̂, so dgamma = Σ dout·x̂ "
        "(Σdout is dbeta)"
    ),
    "batchnorm.params_axis1": (
        "dgamma or dbeta {where} is summed over the features (axis=1); each feature's gamma "
        "and beta collect their gradient over the batch (axis=0)"
    ),
    "batchnorm.param_shape": (
        "{name} {where} has shape {got}; it has one entry per feature or channel, shape "
        "{expected} (drop the kept dimensions)"
    ),
    "batchnorm.per_pixel": (
        "dx {where} normalizes each of the C·H·W values of an image as a feature of its own "
        "(x.reshape(N, -1), as DLfS does); BatchNorm2d's statistics are per channel, over the "
        "batch, height and width"
    ),
    "batchnorm.per_pixel_params": (
        "dgamma {where} has shape {got}, one entry per value of an image (DLfS's reshape to "
        "(N, −1)); per channel it has one per channel, {c}"
    ),
    "batchnorm.mixed_channels": (
        "dx {where} comes from x.reshape(−1, C) without moving the channel axis last first: "
        "the rows of that reshape mix the channels; transpose to (N, H, W, C) before reshaping "
        "(and back after)"
    ),
    "batchnorm.running.new_mean": "the new running mean",
    "batchnorm.running.new_var": "the new running variance",
    "batchnorm.running.correct": (
        "update_running returns (1 − momentum) old + momentum · batch statistic, with the "
        "batch's unbiased variance, on every hidden batch (PyTorch's convention)."
    ),
    "batchnorm.running.not_two": (
        "update_running {where} returned a {got}; return the pair (new_mean, new_var)"
    ),
    "batchnorm.running.biased": (
        "the new running variance {where} uses the biased batch variance (divided by m); "
        "PyTorch updates it with the unbiased one, divided by m − 1 = {n} − 1 (ddof=1)"
    ),
    "batchnorm.running.dlfs_momentum": (
        "the update {where} weights the old value by momentum (DLfS's convention, momentum=0.9); "
        "in PyTorch's, momentum = 0.1 weights the batch: (1 − momentum) old + momentum new"
    ),
    "batchnorm.running.std": (
        "the new running variance {where} is updated with the batch's standard deviation; it "
        "takes the variance (the square)"
    ),
    "batchnorm.running.biased_std": (
        "the new running variance {where} is updated with the batch's biased standard "
        "deviation; it takes the unbiased variance (ddof=1)"
    ),
    "batchnorm.running.axis1": (
        "the new running mean {where} averages over the features (axis=1); each feature's "
        "mean is over the batch (axis=0)"
    ),
    "batchnorm.running.whole_batch": (
        "the new running mean {where} is one mean of the whole batch; each feature has its "
        "own, over the batch axis (axis=0)"
    ),
    # ------------------------------------------------------------ chapter 12: attention
    "case.attention": "for Q ({n_q}, {d}), K ({n_k}, {d}), V ({n_k}, {d_v}){causal}{batch}",
    "case.causal": " with the causal mask",
    "case.attention_batch": " in a batch of {m} sequences",
    "case.causal_scores": "on {n} x {n} scores with the causal mask",
    "case.mask_scores": "on {shape} scores with a random mask",
    "case.large_scores": "at scores of 800 and 900",
    "case.empty_row": "when the mask leaves query 1 no key",
    "case.self_attention": (
        "for x ({batch}, {n}, {d_model}), Wq and Wk ({d_model}, {d}), Wv ({d_model}, {d_v})"
    ),
    "attention.bwd.correct": (
        "attention_backward returns dQ = dS K/√d, dK = dSᵀ Q/√d and dV = Aᵀ dO, with dS the "
        "softmax's product A ⊙ (dA − rowsum(dA ⊙ A)), on every hidden case."
    ),
    "attention.bwd.not_three": (
        "attention_backward {where} returned a {got}; return the three gradients as a tuple "
        "(dQ, dK, dV)"
    ),
    "attention.bwd.dV_no_transpose": (
        "dV {where} is A dO: value row j is used by every query i with weight A[i, j], so its "
        "gradient sums over the queries, dV = Aᵀ dO"
    ),
    "attention.bwd.diagonal": (
        "{which} {where} uses dS = dA ⊙ A (1 − A): only the diagonal of each row's softmax "
        "Jacobian; every weight of a row depends on every score of that row, so "
        "dS = A ⊙ (dA − rowsum(dA ⊙ A))"
    ),
    "attention.bwd.diagonal_no_scale": (
        "{which} {where} uses the softmax's diagonal dA ⊙ A (1 − A) alone, and the 1/√d is "
        "missing too"
    ),
    "attention.bwd.no_softmax": (
        "{which} {where} uses dS = dA: the softmax between the scores and the weights has a "
        "backward pass of its own, dS = A ⊙ (dA − rowsum(dA ⊙ A))"
    ),
    "attention.bwd.no_scale": (
        "{which} {where} is √d = √{d} times too large: the scores are QKᵀ/√d, so the chain "
        "rule brings the 1/√d into dQ and dK"
    ),
    "attention.bwd.over_d": (
        "{which} {where} is divided by d = {d} (1/√d applied twice?); the scores carry 1/√d "
        "once, and so do dQ and dK"
    ),
    "attention.bwd.dQ_transposed": (
        "dQ {where} is dSᵀ K/√d: query i's gradient gathers row i of dS, its own scores: "
        "dQ = dS K/√d (the transpose belongs to dK)"
    ),
    "attention.bwd.dK_no_transpose": (
        "dK {where} is dS Q/√d: key j's gradient gathers column j of dS, the scores of every "
        "query with that key: dK = dSᵀ Q/√d"
    ),
    "attention.mask.correct": (
        "masked_attention_weights sets the forbidden scores to −∞ before the softmax: those "
        "weights are 0, every row sums to 1, and a query with no key raises a ValueError."
    ),
    "attention.mask.result": "the weights A",
    "attention.mask.after_softmax": (
        "the weights {where} are the softmax with the mask applied afterwards: the forbidden "
        "weights are 0, but each row no longer sums to 1; set the forbidden scores to −∞ "
        "BEFORE the softmax"
    ),
    "attention.mask.zero_score": (
        "the weights {where} give the forbidden keys a score of 0, and e⁰ = 1 is not 0: a "
        "forbidden score must be −∞ (np.where(allowed, S, -np.inf)), so that its weight is 0"
    ),
    "attention.mask.inverted": (
        "the weights {where} are nonzero exactly where the mask is False: allowed is True "
        "where a query MAY attend (PyTorch's convention)"
    ),
    "attention.mask.axis0": (
        "the weights {where} are normalised down the columns (axis=0); each query's weights "
        "over the keys sum to 1: the softmax runs along each row (axis=-1)"
    ),
    "attention.mask.overflow": (
        "the weights {where} contain NaN or inf: exp of a score of 800 overflows, or every "
        "allowed term underflows to 0 when the shift is a forbidden score far above them; set "
        "the forbidden scores to −∞, then subtract each row's largest allowed score before exp"
    ),
    "attention.mask.raised_on_valid": (
        "masked_attention_weights {where} raised a ValueError although every query there may "
        "attend to some key: is the mask read the wrong way round? allowed is True where a "
        "query MAY attend (PyTorch's convention)"
    ),
    "attention.mask.nan_row": (
        "masked_attention_weights {where} returned NaN in that row (0/0: a softmax over no "
        "key); a query with nothing to attend to is a mistake in the mask: raise a ValueError "
        "that says so"
    ),
    "attention.mask.zero_row": (
        "masked_attention_weights {where} returned a row of zeros, which sums to 0, not 1 "
        "(PyTorch's scaled_dot_product_attention does this; this exercise asks for the "
        "error): raise a ValueError naming the query"
    ),
    "attention.mask.no_error": (
        "masked_attention_weights {where} returned weights for a query that may attend to "
        "nothing; raise a ValueError instead"
    ),
    "attention.mask.wrong_error": (
        "masked_attention_weights {where} raised {error}; a bad mask is a bad value: raise "
        "a ValueError"
    ),
    "attention.dx.correct": (
        "self_attention_input_gradient sums the three paths, dQ Wqᵀ + dK Wkᵀ + dV Wvᵀ, on "
        "every hidden case."
    ),
    "attention.dx.only_one": (
        "dx {where} is the {kept} path alone; x feeds Q, K and V, and the gradient of a "
        "variable used three times is the sum of the three: the {missing} paths are missing"
    ),
    "attention.dx.one_missing": (
        "dx {where} sums the {kept} paths; x also feeds the {missing} projection, whose path "
        "dx gets too"
    ),
    "attention.dx.mean": (
        "dx {where} is the mean of the three paths; the chain rule adds them (no 1/3)"
    ),
    "attention.dx.no_transpose": (
        "dx {where} multiplies by Wq, Wk, Wv instead of their transposes: Q = x Wq gives "
        "dx = dQ Wqᵀ (as dx = dout Wᵀ for Affine)"
    ),
    # ------------------------------------------ chapter 10: convolution and pooling
    "convolution.case.conv": "for x of shape {x}, W of shape {W}, stride {stride} and pad {pad}",
    "convolution.case.col2im": (
        "for images of shape {x}, {fh} x {fw} windows, stride {stride} and pad {pad}"
    ),
    "convolution.case.pool": "for x of shape {x}, {pool} x {pool} windows and stride {stride}",
    "convolution.case.pool_ties": (
        "for x of shape {x} with tied maxima, {pool} x {pool} windows and stride {stride}"
    ),
    "convolution.backward.correct": (
        "conv_backward returns dx, dW and db on every hidden batch: strides that do and do "
        "not divide, padding, several channels and filters."
    ),
    "convolution.backward.not_three": (
        "conv_backward {where} returned a {got}; return the three gradients as a tuple "
        "(dx, dW, db)"
    ),
    "convolution.backward.dx": "dx",
    "convolution.backward.dW": "dW",
    "convolution.backward.db": "db",
    "convolution.backward.not_rotated": (
        "dx {where} is a correlation of dout with the kernel as it is: the kernel is not "
        "rotated. Each window's gradient is dout times W[f] placed where the window was; as "
        "one formula that is the full cross-correlation of dout with the kernel rotated "
        "180 degrees (W[f, c, ::-1, ::-1])"
    ),
    "convolution.backward.no_dilation": (
        "dx {where} puts the windows one pixel apart: the stride's dilation is forgotten. "
        "Output pixel (i, j) came from the window at (i * {stride}, j * {stride}), so its "
        "gradient goes back there (in the formula: dout dilated, stride - 1 = "
        "{stride_minus_one} zero(s) between its entries)"
    ),
    "convolution.backward.not_cropped": (
        "dx {where} has shape {got}, the padded input's: the padding is not cropped. The "
        "pad = {pad} rows and columns added on each side are not part of x; return "
        "dxpad[:, :, pad:-pad, pad:-pad]"
    ),
    "convolution.backward.cropped_one_side": (
        "dx {where} is the padded gradient cropped at the end only; the padding was added on "
        "both sides, so crop pad = {pad} row(s) and column(s) at the start too"
    ),
    "convolution.backward.dW_swapped": (
        "dW {where} has shape {got}: filters and channels are swapped; dW has W's shape "
        "(FN, C, FH, FW)"
    ),
    "convolution.backward.dW_rotated": (
        "dW {where} is rotated 180 degrees: dW[f, c] is the cross-correlation of the padded "
        "input with dout (each window times its gradient), not a convolution with a "
        "flipped kernel"
    ),
    "convolution.backward.dW_no_stride": (
        "dW {where} takes the input's windows one pixel apart: the stride is forgotten; the "
        "window of output pixel (i, j) starts at (i * stride, j * stride)"
    ),
    "convolution.backward.dW_one_sample": (
        "dW {where} is the first sample's gradient only: the filters are shared by every "
        "sample, so dW sums over the batch too"
    ),
    "convolution.backward.dW_mean": (
        "dW {where} is divided by the batch size N = {n}; a layer's backward sums over the "
        "batch (the loss's 1/N arrives in dout)"
    ),
    "convolution.backward.db_positions": (
        "db {where} has shape {got}: it misses the sum over positions. One bias is added at "
        "every output pixel, so db[f] sums dout[:, f] over the batch and over all OH x OW "
        "positions (axis=(0, 2, 3))"
    ),
    "convolution.backward.db_batch": (
        "db {where} has shape {got}: it misses the sum over the batch; sum dout over axis "
        "(0, 2, 3)"
    ),
    "convolution.backward.db_scalar": (
        "db {where} is one number: it sums over the filters too; each filter has its own "
        "bias, so sum dout over axis (0, 2, 3) and keep the filters"
    ),
    "convolution.backward.db_first_position": (
        "db {where} uses the first output pixel only; the bias is added at every position, "
        "so db sums over all of them"
    ),
    "convolution.backward.db_mean": (
        "db {where} is divided by the batch size N = {n}; a layer's backward sums (the "
        "loss's 1/N arrives in dout)"
    ),
    "convolution.col2im.correct": (
        "col2im adds every row back where its window was, on every hidden case: "
        "overlapping windows, strides and padding."
    ),
    "convolution.col2im.result": "the gradient dx",
    "convolution.col2im.assigned": (
        "the result {where} keeps, at each entry, only the last kernel offset's gradient: "
        "img[..., y:y_max:stride, x:x_max:stride] = ... overwrites what the other offsets "
        "wrote; use += (each entry of x sits in several windows, and its gradient is the sum)"
    ),
    "convolution.col2im.assigned_by_window": (
        "the result {where} keeps only the last window's gradient where windows overlap: "
        "use += (each entry of x sits in several windows, and its gradient is the sum)"
    ),
    "convolution.col2im.transposed": (
        "the result {where} reads dcol transposed: its rows are the windows (n, i, j) and "
        "its columns the entries (c, p, q) of a window, shape (N*OH*OW, C*fh*fw)"
    ),
    "convolution.col2im.no_transpose": (
        "the result {where} reshapes dcol straight to (N, C, fh, fw, OH, OW): the wrong "
        "reshape order. Reshape to (N, OH, OW, C, fh, fw), im2col's order, then transpose"
    ),
    "convolution.col2im.channels_last": (
        "the result {where} reads each row as (row, column, channel); im2col flattens a "
        "window channel first, (c, p, q), as W[f].ravel()"
    ),
    "convolution.col2im.window_transposed": (
        "the result {where} swaps the rows and columns of each window: a row of dcol is a "
        "window flattened row by row, (c, p, q) with p its row"
    ),
    "convolution.col2im.no_stride": (
        "the result {where} puts the windows one pixel apart: the stride {stride} is "
        "forgotten; window (i, j) starts at (i * stride, j * stride) in the padded image"
    ),
    "convolution.col2im.not_cropped": (
        "the result {where} has shape {got}, the padded image's: crop the pad = {pad} "
        "row(s) and column(s) of padding on each side"
    ),
    "convolution.pool.correct": (
        "max_pool_backward routes each window's gradient to its winner on every hidden "
        "case: overlapping windows and ties included."
    ),
    "convolution.pool.result": "the gradient dx",
    "convolution.pool.spread": (
        "the gradient {where} is spread evenly over each window: that is average pooling's "
        "backward. The max is a max gate: its output is one input, the winner, and only the "
        "winner gets the window's gradient"
    ),
    "convolution.pool.copied": (
        "the gradient {where} is copied to every entry of each window; the max depends on "
        "its winner alone, so the others get 0"
    ),
    "convolution.pool.value": (
        "the winners {where} receive the maximum's value; they receive the upstream gradient "
        "dout of their window"
    ),
    "convolution.pool.assigned": (
        "the gradient {where} keeps one window's gradient where a winner won two "
        "overlapping windows: add them (+=)"
    ),
    "convolution.pool.all_ties": (
        "the gradient {where} goes to every tied maximum of a window, so it is counted "
        "twice; route it to one winner (the first, as np.argmax and PyTorch do)"
    ),
    "convolution.pool.last_tie": (
        "the gradient {where} goes to the last of tied maxima; the forward pass's winner is "
        "the first in row-major order (np.argmax), so route it there"
    ),
    # ------------------------------------------ chapter 11: backpropagation through time
    "case.rnn": "for m = {m} sequences of T = {T} steps, n_in = {n_in}, n_h = {n_h}",
    "case.rnn_truncated": "for m = {m} sequences of T = {T} steps, n_h = {n_h}, k = {k}",
    "rnn.bptt.correct": (
        "rnn_backward sums one term per time step and carries delta_t Wh^T back through the "
        "states, on every hidden case."
    ),
    "rnn.bptt.not_triple": (
        "rnn_backward {where} must return three arrays, (dWx, dWh, db)"
    ),
    "rnn.bptt.last_only": (
        "the gradients {where} hold only the last step's term: the same weights act at every "
        "step, so their gradient is a sum over all the steps (loop over t and add each term)"
    ),
    "rnn.bptt.tanh_of_h": (
        "the gradients {where} use 1 - tanh(a)^2 with a state a from hs: that formula takes "
        "the weighted input z, and hs already holds a = tanh(z); the tanh's derivative is 1 - a^2"
    ),
    "rnn.bptt.no_square": (
        "the gradients {where} use 1 - a as the tanh's derivative; it is 1 - a^2 (the square "
        "is missing)"
    ),
    "rnn.bptt.transposed": (
        "the gradients {where} send delta_t Wh back to a_(t-1): the Jacobian is transposed; "
        "in the row convention z_t holds a_(t-1) Wh, so the gradient goes back as delta_t Wh^T"
    ),
    "rnn.bptt.no_carry": (
        "the gradients {where} use only each step's own dout: the gradient does not flow back "
        "through the states; step t must also receive delta_(t+1) Wh^T from the step after it"
    ),
    "rnn.trunc.correct": (
        "truncated_dWh keeps exactly the last k terms of the sum over time, for every k."
    ),
    "rnn.trunc.result": "dC/dWh truncated",
    "rnn.trunc.no_truncation": (
        "the gradient {where} has every one of the T = {T} terms: nothing is truncated; keep "
        "only the terms of the last k = {k} steps"
    ),
    "rnn.trunc.one_more": (
        "the gradient {where} keeps k + 1 = {k} + 1 terms, one step too many: steps T, T - 1, "
        "..., T - k + 1 are k steps"
    ),
    "rnn.trunc.one_fewer": (
        "the gradient {where} keeps k - 1 = {k} - 1 terms, one step too few: steps T, T - 1, "
        "..., T - k + 1 are k steps"
    ),
}


def msg(message_id: str, **fields: Any) -> str:
    """The sentence ``message_id`` of :data:`MESSAGES`, its ``{fields}`` filled in.

    Parameters
    ----------
    message_id : str
        A key of :data:`MESSAGES`, e.g. ``"xor.no_mean"``.
    **fields
        The values of the template's placeholders.

    Returns
    -------
    str
        The filled-in sentence.

    Raises
    ------
    KeyError
        If ``message_id`` is not in the table, or a placeholder has no field.
    """
    if not isinstance(message_id, str):
        raise TypeError(f"message_id must be a str, but got {type(message_id).__name__}")
    if message_id not in MESSAGES:
        raise KeyError(f"no checker message with id {message_id!r}")
    lang = get_language()
    template = MESSAGES[message_id] if lang == "en" else TRANSLATIONS[lang][0][message_id]
    return template.format(**fields)


def prefix(ok: bool) -> str:
    """The words that start a verdict (``"Correct: "`` / ``"Not yet: "``), in the language
    in use."""
    lang = get_language()
    return PREFIXES[bool(ok)] if lang == "en" else TRANSLATIONS[lang][1][bool(ok)]


from bplib.exercises import messages_zh_CN as _zh_CN  # noqa: E402  (it needs nothing above)

#: The translations, by language: (the templates by id, the verdict prefixes).
TRANSLATIONS: dict[str, tuple[dict[str, str], dict[bool, str]]] = {
    "zh_CN": (_zh_CN.MESSAGES, _zh_CN.PREFIXES),
}
