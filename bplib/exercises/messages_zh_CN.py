"""The exercise checkers' sentences in Simplified Chinese: the Chinese edition's
:data:`bplib.exercises.messages.MESSAGES`, with the same ids and the same ``{fields}``.

The terms are those of the Chinese edition's term list (``locale/zh_CN/terms.yml``).

How the pieces compose: a hidden case (the ``case.*`` ids) is an adverbial phrase,
"在 z = 0 处", "在 XOR 批量上", "在层大小为 [2, 3, 2]、共 5 个样本时". A template with
``{where}`` puts it first and goes on after a comma ("在……时，dW 的形状为 ……"); the
shared messages of ``_core`` receive it as ``{at}`` (with a leading space, after the
name) and go on after a colon ("dW 在……时：值不对……"). Fragments that English starts
with a space for its word spacing (``core.every_case``, ``core.at_index``, the hints)
start here with the full-width punctuation that joins them to the sentence.
"""

from __future__ import annotations

# No ``__all__``: ``bplib.exercises`` gathers every name in a module's ``__all__`` into
# ``check`` as a checker (only ``messages`` is listed as holding none), and these two
# tables are not checkers. They are read as ``messages_zh_CN.MESSAGES`` / ``.PREFIXES``.

#: The words that start a verdict, by outcome.
PREFIXES: dict[bool, str] = {True: "正确：", False: "还不对："}

#: Message templates by id, as in :data:`bplib.exercises.messages.MESSAGES`.
MESSAGES: dict[str, str] = {
    # ------------------------------------------------------------ shared (_core)
    "core.floating_point": (
        "{what} {problem}（NumPy：{numpy}）；请改写成数值稳定的形式，"
        "例如使用 bplib.activations.sigmoid 或 sigmoid_prime"
    ),
    "core.floating_point_note": "{what} 在 NumPy 内部{problem}（{numpy}）",
    "core.fp.overflow": "发生了溢出",
    "core.fp.divide": "发生了除以零",
    "core.fp.invalid": "产生了无效值（inf - inf 或 0/0）",
    "core.fp.other": "遇到了浮点错误",
    "core.raised": "{what} 抛出了 {error}：{text}",
    "core.returned_none": "{name}{at}：结果是 None，是不是忘了 `return` 它？",
    "core.not_a_number": "{name}{at}：是一个 {type}，不是数或数组",
    "core.wrong_shape": "{name}{at}：形状为 {got}，应为 {expected}",
    "core.not_finite": "{name}{at}：含有 NaN 或 inf（溢出了？）",
    "core.wrong_value": "{name}{at}：值不对{position}，得到的是 {got}，与期望值不符",
    "core.wrong_sign": "{name}：符号反了{suffix}",
    "core.constant_factor": "{name}：与正确结果相差一个常数因子 {factor}{suffix}",
    "core.mutated": "{what} 原地修改了它的第 {number} 个参数；请在副本上计算",
    "core.every_case": "，在每个隐藏用例上都是如此",
    "core.every_point": "，在每个隐藏的点上都是如此",
    "core.overflow_note": (
        "（提醒，不是错误：在一个隐藏用例上，{problem}；结果仍然正确，"
        "但 NumPy 会在那里打印一条警告。）"
    ),
    "core.at_index": "（索引 {index} 处）",
    "core.and": " 和 ",
    # ----------------------------- the hidden cases, as a line names them ("where")
    "case.at_z": "在 z = {z} 处",
    "case.vector": "在一个向量上",
    "case.vectors": "在向量上",
    "case.array": "在形状为 {shape} 的数组上",
    "case.matrix": "在形状为 {shape} 的矩阵上",
    "case.matrices": "在形状为 {shape} 的一组矩阵上",
    "case.large_z": "在 |z| 很大（z = {z}）时",
    "case.vector_with_zeros": "在含有 0 的向量上",
    "case.chapter_example": "在本章的例子上",
    "case.article_example": "在原文的例子上",
    "case.hidden_random": "在第 {k} 个隐藏的随机用例上",
    "case.saturated": "在权重很大（sigmoid 饱和）时",
    "case.xor_batch": "在 XOR 批量上",
    "case.hidden_batch": "在一个 N = {n} 行的隐藏随机批量上",
    "case.bp2_square": "在 W_next 为方阵 {shape}、共 {m} 个样本时",
    "case.bp2": "在 W_next 形状为 {shape}、共 {m} 个样本时",
    "case.bp2_one": "在 W_next 形状为 {shape}、只有一个样本时",
    "case.bp2_large_z": "在 z = 0 和 |z| 很大（±50、±1e4）时",
    "case.sizes": "在层大小为 {sizes}、共 {m} 个样本时",
    "case.sizes_one": "在层大小为 {sizes}、只有一个样本时",
    "case.sizes_no_hidden": "在层大小为 {sizes}（没有隐藏层）、共 {m} 个样本时",
    "case.x_and_W": "在 x 形状为 {x}、W 形状为 {W} 时",
    "case.count": "在 sizes={sizes}、batch={batch} 时",
    "case.folded": "在 delta 形状为 {delta}、a_prev 形状为 {a_prev} 时",
    "case.div_at": "在 a = {a}、b = {b}、out_grad = {g} 时",
    "case.at_v": "在 v.data = {v:.4g} 处",
    "case.at_x": "在 x = {x:.4g} 处",
    "case.graph_poly": "y = x*x + 3x",
    "case.graph_equal": "a = b = 1.5 时的 (a + b) * (a * b)",
    "case.graph_tanh": "按 (e - 1)/(e + 1) 构造的 tanh(x)，其中 e = exp(2x)",
    "case.graph_batch": "2-2-1 sigmoid 网络作用于三个样本的批量",
    "case.softmax_batch": "在 {n} 个样本、{k} 个类别的批量上",
    "case.large_logits": "在 logit 很大（{z}）时",
    "case.rows_apart": "在相差 800 的两行上",
    # ------------------------------------------------------ chapter 1: chain rule
    "chain_rule.sigmoid_prime.correct": (
        "sigmoid_prime 在每个隐藏用例上（包括 |z| 很大时）都与 σ(z)(1 − σ(z)) 一致。"
    ),
    "chain_rule.sigmoid_prime.on_z": (
        "sigmoid_prime(z) 返回的是 z (1 - z)：辅助公式 a (1 - a) 只有在输入激活值 "
        "a = sigma(z) 时才给出 sigma'(z)，而 sigmoid_prime 收到的是加权输入 z"
    ),
    "chain_rule.sigmoid_prime.of_activation": (
        "sigmoid_prime(z) 返回的是 sigma'(sigma(z))：sigma 被用了两次；sigma'(z) 就是 "
        "s (1 - s)，其中 s = sigma(z) 本身"
    ),
    "chain_rule.sigmoid_prime.sigma": (
        "sigmoid_prime(z) 返回的是 sigma(z)，即函数本身，而不是它的导数"
    ),
    "chain_rule.tanh_prime.correct": "tanh_prime 在每个隐藏用例上都与 1 − tanh(z)² 一致。",
    "chain_rule.tanh_prime.unsquared": (
        "tanh_prime(z) 返回的是 1 - tanh(z)：导数是 1 - tanh(z)^2，少了平方"
        "（两者只在 z = 0 处相等）"
    ),
    "chain_rule.tanh_prime.on_z": (
        "tanh_prime(z) 返回的是 1 - z^2：形式 1 - a^2 只有在输入激活值 a = tanh(z) 时"
        "才给出 tanh'(z)，而 tanh_prime 收到的是加权输入 z"
    ),
    "chain_rule.tanh_prime.tanh": (
        "tanh_prime(z) 返回的是 tanh(z)，即函数本身，而不是它的导数"
    ),
    "chain_rule.softplus_prime.correct": (
        "softplus_prime 在每个隐藏用例上都与 log(1 + e^z) 的导数一致。"
    ),
    "chain_rule.softplus_prime.softplus": (
        "softplus_prime(z) 返回的是 log(1 + e^z)，即 softplus 本身，而不是它的导数"
    ),
    "chain_rule.softplus_prime.sigma_prime": (
        "softplus_prime(z) 返回的是 sigma'(z) = sigma(z) (1 - sigma(z))，多求了一次导："
        "log(1 + e^z) 的导数就是 sigma(z) 本身"
    ),
    "chain_rule.softplus_prime.sign": (
        "softplus_prime(z) 返回的是 sigma(-z) = 1 / (1 + e^z)：符号写错了；"
        "log(1 + e^z) 的导数是 e^z / (1 + e^z) = sigma(z)"
    ),
    "chain_rule.two_paths.correct": "dC_dw 把两条路径上的乘积相加，在每个隐藏用例上都对。",
    "chain_rule.two_paths.path1": (
        "你只沿着经过 z_1 的那条路径求导；w 还经过 z_2 影响 C，"
        "而链式法则要把每条路径的乘积“相加”"
    ),
    "chain_rule.two_paths.path2": (
        "你只沿着经过 z_2 的那条路径求导；w 还经过 z_1 影响 C，"
        "而链式法则要把每条路径的乘积“相加”"
    ),
    "chain_rule.two_paths.product": "你把两条路径的乘积相乘了；链式法则是把它们相加",
    "chain_rule.two_paths.on_z": (
        "sigma'(z) 被算成了加权输入 z 上的 z (1 - z)；形式 "
        "a (1 - a) 需要的是激活值 a = sigma(z)"
    ),
    "chain_rule.two_paths.no_prime": "少了每个 sigmoid 的因子 sigma'(z_j) = a_j (1 - a_j)",
    # ------------------------------------------------- chapter 2: worked example
    "worked_example.correct": (
        "backward_2_2_1 在原文的例子和每个隐藏用例上都与真实梯度一致。"
    ),
    "worked_example.returned_none": (
        "backward_2_2_1 返回了 None：是不是忘了 `return dW0, dW1`？"
    ),
    "worked_example.not_a_pair": "backward_2_2_1 必须返回一对 (dW0, dW1)，得到的是 {type}",
    "worked_example.transposed": (
        "dW0 转置了：元素 [j, n] 必须是 dC/dW_jn（W_jn 是从 x_n 到隐藏单元 j 的权重，"
        "z1 = W0 @ x），也就是 delta1[j] * x[n]"
    ),
    "worked_example.loss_not_derivative": (
        "在该用导数 dC/dy_hat 的地方，你用了损失本身 1/2 (y - y_hat)^2"
    ),
    "worked_example.no_output_prime": (
        "少了输出单元的因子 sigma'(z2) = y_hat (1 - y_hat)"
    ),
    "worked_example.no_hidden_prime": (
        "dW1 是对的，但 dW0 少了隐藏单元的因子 sigma'(z1_j) = a1_j (1 - a1_j)"
    ),
    "worked_example.prime_on_z_both": (
        "sigma' 被算成了加权输入 t = z1 和 t = z2 上的 t (1 - t)；形式 "
        "a (1 - a) 需要的是激活值 a = sigma(t)（即 a1_j 和 y_hat）"
    ),
    "worked_example.prime_on_z_hidden": (
        "dW1 是对的，但 dW0 把隐藏单元的 sigma' 算成了它们的加权输入 z1 = W0 @ x 上的 "
        "z1 (1 - z1)；形式 a (1 - a) 需要的是激活值 a1 = sigma(z1)（就像你对输出单元用 "
        "y_hat 那样）"
    ),
    "worked_example.prime_on_z_output": (
        "输出单元的 sigma' 被算成了它的加权输入 z2 = W1 @ a1 上的 z2 (1 - z2)；"
        "形式 a (1 - a) 需要的是它的激活值：y_hat (1 - y_hat)（就像你对隐藏单元做的那样）；"
        "dW1 和 dW0 都带有这个因子"
    ),
    "worked_example.no_W1": (
        "dW1 是对的，但隐藏层的误差项少了权重 W1：delta1[j] = delta2 * "
        "W1[0, j] * sigma'(z1_j)，因为 z1_j 只经过权重 W1[0, j] 到达输出"
    ),
    "worked_example.article_script": (
        "这正是原文 003 的脚本所做改变的相反数：它对 W0 的更新 "
        "`l0.T.dot(l1_delta)` 并不是梯度（见本章）"
    ),
    # ------------------------------------------------------------ chapter 3: XOR
    "xor.correct": (
        "xor_bias_backward 在 XOR 批量和每个隐藏批量上都与平均交叉熵的梯度一致。"
    ),
    "xor.returned_none": (
        "xor_bias_backward 返回了 None：是不是忘了 `return dW1, db1, dW2, db2`？"
    ),
    "xor.not_four": "xor_bias_backward 必须返回四个数组 (dW1, db1, dW2, db2)，得到的是 {type}",
    "xor.bias_per_sample": (
        "db1 和 db2 每个样本占一行：少了对批量的求和（一个偏置由所有样本共享，"
        "所以它的梯度是 delta 对所有行求和，即 delta.sum(axis=0, keepdims=True)）"
    ),
    "xor.transposed": (
        "dW1 转置了：在 H = sigmoid(X @ W1 + b1) 中，元素 [i, j] 连接输入 i 和"
        "隐藏单元 j，所以 dW1 = X.T @ delta1"
    ),
    "xor.output_prime": (
        "输出层的 delta 保留了因子 y_hat (1 - y_hat)：用交叉熵时它会被约掉，"
        "dC/dz2 = (y_hat - y) / N"
    ),
    "xor.mse_delta": (
        "这是均方误差（MSE）的梯度，不是交叉熵的：你沿用了第一个网络的输出层 delta "
        "2/N (y_hat - y) y_hat (1 - y_hat)；对交叉熵来说，因子 y_hat (1 - y_hat) 会被约掉，"
        "也没有 2：dC/dz2 = (y_hat - y) / N"
    ),
    "xor.prime_on_z": (
        "你把辅助公式 a (1 - a) 用在了激活前的值 z 上；只有输入激活值 a = sigmoid(z) 时，"
        "它才给出 sigma'(z)"
    ),
    "xor.bias_mean": (
        "偏置的梯度只有正确值的 1/N：delta 已经带有平均代价的 1/N，"
        "所以偏置的梯度是 delta 在批量上的“和”，而不是均值"
    ),
    "xor.no_mean": (
        "少了对 N 个样本求平均的 1/N：在每个批量上，每个梯度都大了 N 倍"
        "（N = {sizes}）；C 是“平均”交叉熵，所以 "
        "dC/dz2 = (y_hat - y) / N"
    ),
    "xor.no_W2": (
        "dW2 和 db2 是对的，但 delta1 少了权重 W2：隐藏单元 j 的误差经过 W2[j] 传到它，"
        "delta1 = (delta2 @ W2.T) * H (1 - H)"
    ),
    # ------------------------------------------------- chapter 4: four equations
    "four_equations.bp2.correct": (
        "backprop_error 给出 (W_next.T @ delta_next) * sigma'(z)，每个样本一列，"
        "在每个隐藏用例上都对。"
    ),
    "four_equations.bp2.no_transpose": "在 BP2 需要转置 W_next.T 的地方用了 W_next",
    "four_equations.bp2.no_prime": (
        "忘了因子 sigma'(z)（BP2 要逐元素乘以激活函数的导数）"
    ),
    "four_equations.bp2.sigma": "乘的是 sigma(z)，而不是它的导数 sigma'(z)",
    "four_equations.bp2.on_z": (
        "把 sigma' 算成了 z 上的 a(1 - a)：a(1 - a) 需要的是激活值 a = sigma(z)，"
        "而不是加权输入 z（或者直接调用 sigmoid_prime(z)）"
    ),
    "four_equations.bp2.of_activation": (
        "把 sigma' 用在了激活值 sigma(z) 上：sigmoid_prime 接收的是加权输入 z"
        "（接收激活值的是 a(1 - a) 这个形式）"
    ),
    "four_equations.bp2.named": "{where}，backprop_error {mistake}",
    "four_equations.bp2.summed": (
        "{where}，backprop_error 对样本求了和：BP2 为每个样本保留一列，"
        "形状应为 {expected}，而不是 {got}"
    ),
    "four_equations.bp2.shape": (
        "{where}，backprop_error 的结果形状为 {got}，应为 {expected}，即 (n, m)："
        "本层每个单元一行，每个样本一列"
    ),
    "four_equations.bp2.not_finite": "{where}，backprop_error 的结果含有 NaN 或 inf",
    "four_equations.bp2.result": "backprop_error 返回的 delta",
    "four_equations.bp2.wrong_value": (
        "{where}，backprop_error 的结果在索引 {index} 处不对：得到的是 {got}，"
        "与期望值不符"
    ),
    "four_equations.batch.correct": (
        "batch_backprop 在每个隐藏用例上都与 Network.backprop（对样本求和）一致。"
    ),
    "four_equations.batch.returned_none": (
        "batch_backprop 返回了 None：是不是忘了 `return nabla_b, nabla_w`？"
    ),
    "four_equations.batch.not_a_pair": (
        "batch_backprop 必须返回一对 (nabla_b, nabla_w)，得到的是 {type}"
    ),
    "four_equations.batch.not_a_list": (
        "{name} 必须是列表，每个权重矩阵对应一个数组（共 {layers} 个），得到的是 {got}"
    ),
    "four_equations.batch.mutated": (
        "batch_backprop 原地修改了权重或偏置；请在副本上计算"
    ),
    "four_equations.batch.bias_columns": (
        "{where}，{name} 每个样本占一列，形状为 {got}：把 BP3 对样本求和，"
        "得到形状 {expected}"
    ),
    "four_equations.batch.mean": (
        "{where}，{name} 是对 {m} 个样本取的均值；请返回总和"
        "（更新步骤会除以批量大小）"
    ),
    "four_equations.batch.bp1_summed": (
        "BP1 对样本求了和：输出层的误差 delta^L 必须为每个样本保留一列，"
        "即形状为 (n_L, m) 的 (a^L - y) * sigma'(z^L)，因为 BP2 要把每个样本的那一列"
        "乘以该样本自己的 sigma'(z)；只有 BP3 和 BP4 才对样本求和"
        "（在每个多于一个样本的隐藏批量上都如此，例如{where}）"
    ),
    "four_equations.batch.matmul_hint": (
        "（形状提示：从 BP1 起，delta^l 就为每个样本保留一列，形状为 (n_l, m)，"
        "这样 nabla_w = delta^l @ a^(l-1).T 才对得上；是不是对 BP1 的结果按样本求了和？）"
    ),
    "four_equations.batch.gradients": "batch_backprop 返回的梯度",
    "four_equations.batch.wrong_value": (
        "{what}，索引 {index} 处的值不对：得到的是 {got}，与期望值不符"
    ),
    # ---------------------------------------------------------- chapter 5: layers
    "layers.no_method": "{cls}没有方法 {method!r}{hint}",
    "layers.forword": "（它有 'forword'：原文里的拼写错误）",
    "layers.in_place": (
        "{what} 原地修改了它的参数 {name}（调用者的数组）；请在副本上计算"
    ),
    "layers.attribute_none": "{where}，{name} 为 None：backward 设置它了吗（self.{name} = ...）？",
    "layers.creating": "你的层的 __init__",
    "layers.your_layer": "你的层",
    "layers.your_relu": "你的 Relu 层",
    "layers.stale_x_hint": "（forward 有没有保存 backward 需要的东西，例如 self.x = x？）",
    "layers.affine.correct": (
        "forward、dx、dW 和 db 在每个隐藏形状上都与中心差分一致，"
        "并且没有原地修改任何参数。"
    ),
    "layers.affine.dW_transposed": "{where}，dW 的形状为 {got}，是 W 的形状的转置：请用 x.T @ dout",
    "layers.affine.stale_x": (
        "dW 是用之前某次 forward 调用的 x 算出来的："
        "forward 每次都必须保存当前的 x（self.x = x）"
    ),
    "layers.affine.db_rows": (
        "{where}，db 的形状为 {got}，每个样本一行：请沿批量轴（axis=0）对 dout 求和"
    ),
    "layers.affine.db_axis": "{where}，db 的形状为 {got}：求和的轴不对（应为 axis=0）",
    "layers.affine.db_mean": (
        "db 是 dout 在批量上的均值；它必须是总和"
        "（损失层已经除过批量大小了）"
    ),
    "layers.relu.correct": (
        "forward 是 max(x, 0)，backward 按最近一次的 x 屏蔽 x <= 0 的位置（包括 x == 0），"
        "两者都不修改参数。"
    ),
    "layers.relu.through_zero": (
        "{where}，backward 在 x == 0 处让梯度通过了（把 0 处的导数当成 1）；"
        "公式规定 x <= 0 时 relu'(x) = 0，所以要屏蔽 x <= 0 的元素"
    ),
    "layers.dense.correct": (
        "forward 是 sigmoid(x @ W + b)，dx、dW 和 db 在每个隐藏形状上都遵循链式法则。"
    ),
    "layers.dense.matmul_hint": (
        "（形状：dout 和 delta 是 (batch, n_out)，W 是 (n_in, n_out)，"
        "x 是 (batch, n_in)；哪个乘积才有你要的形状？）"
    ),
    "layers.dense.dx_name": "backward 返回的 dx",
    "layers.dense.on_z": (
        "sigma' 被算成了加权输入 z = x @ W + b 上的 a * (1 - a)；"
        "恒等式 sigma'(z) = a * (1 - a) 需要的是激活值 a = sigmoid(z)，"
        "也就是 forward 的输出（{where}）"
    ),
    "layers.dense.of_activation": (
        "sigma' 被用在了激活值上：你算的是 sigmoid(a) * (1 - sigmoid(a))，"
        "其中 a = sigmoid(z)；sigma'(z) 就是 a * (1 - a) 本身（{where}）"
    ),
    "layers.dense.no_prime": (
        "少了 sigmoid 的局部导数：dout 原样传到了 W、b 和 x；"
        "要先乘以 a * (1 - a)（链式法则穿过 sigmoid）（{where}）"
    ),
    "layers.dense.dx_transposed": (
        "{where}，dx 的形状为 {got}，是 x 的形状 {expected} 的转置："
        "把 delta 放在前面，dx = delta @ W.T"
    ),
    "layers.dense.dx_no_transpose": (
        "{where}，dx 在链式法则需要转置的地方用了 W："
        "dx = delta @ W.T（每个输入经过 W 的一行连到每个输出）"
    ),
    "layers.dense.dW_transposed": (
        "{where}，dW 是梯度的转置（形状为 {got}）；"
        "dW 必须与 W 形状相同：dW = x.T @ delta"
    ),
    "layers.dense.db_rows": (
        "{where}，db 的形状为 {got}，每个样本一行：少了对批量的求和"
        "（b 被加到每一行上，所以 db = delta.sum(axis=0)）"
    ),
    "layers.dense.db_mean": (
        "db 是 delta 在批量上的均值；它必须是总和"
        "（b 被加到每一行上，而 dout 已经带有损失的 1/batch）"
    ),
    "layers.dense.all_grads": "dx、dW 和 db",
    # ------------------------------------------------------- chapter 6: autodiff
    "autodiff.div.correct": (
        "backward_div 在每个隐藏用例上都返回 out_grad / b 和 -out_grad * a / b**2。"
    ),
    "autodiff.div.returned_none": (
        "backward_div 返回了 None：是不是忘了 `return grad_a, grad_b`？"
    ),
    "autodiff.div.not_a_pair": "backward_div 必须返回一对 (grad_a, grad_b)，得到的是 {type}",
    "autodiff.div.no_upstream": (
        "{name} 忽略了 out_grad：要把局部导数乘以上游梯度（链式法则）"
    ),
    "autodiff.sin.correct": (
        "value_sin 给出 sin(v)，并通过 backward() 给出梯度 cos(v)，"
        "在更大的表达式里也是如此。"
    ),
    "autodiff.sin.local_sin": (
        "局部导数是 sin(v)，即函数本身；sin 的导数是 cos，"
        "在输入处取值：_local_grads=(math.cos(v.data),)"
    ),
    "autodiff.sin.local_cos_of_output": (
        "局部导数是在输出 sin(v) 处取的 cos；应在输入处取："
        "math.cos(v.data)"
    ),
    "autodiff.sin.local_minus_sin": (
        "局部导数是 -sin(v)，那是 cos 的导数；sin 的导数是 cos(v)"
    ),
    "autodiff.sin.local_one": (
        "局部导数是 1，就像加法那样，于是 backward() 把梯度原样传了过去；"
        "对 sin 来说它是 cos(v.data)"
    ),
    "autodiff.sin.not_a_value": (
        "{where}，value_sin 返回的是 {type}，不是 Value：请用 "
        "Value(..., _children=(v,), _op='sin', _local_grads=(...,)) 构造节点"
    ),
    "autodiff.sin.changed_v": (
        "{where}，value_sin 修改了 v.data，或者直接返回了 v 本身；请新建一个 Value"
    ),
    "autodiff.sin.data": "value_sin(v) 的 data",
    "autodiff.sin.no_children": (
        "新节点没有记住它的输入：请传入 _children=(v,)，否则 "
        "backward() 永远到不了 v"
    ),
    "autodiff.sin.gradient": "backward() 给出的 d sin(v)/dv",
    "autodiff.sin.composite": "y = sin(x*x) * x 的 dy/dx",
    "autodiff.topo.correct": (
        "my_topological_order 在每个隐藏的图上都把每个节点列出一次，且排在它的所有输入之后；"
        "沿这个顺序做的反向传递给出的梯度与 Value.backward() 一致。"
    ),
    "autodiff.topo.returned_none": (
        "my_topological_order 返回了 None：是不是忘了 `return order`？"
    ),
    "autodiff.topo.not_a_list": "my_topological_order 必须返回节点列表，得到的是 {type}",
    "autodiff.topo.not_values": (
        "列表里有一个 {type}，不是 Value：请列出节点本身（而不是它们的 data 或"
        "标签）"
    ),
    "autodiff.topo.twice": (
        "在图“{where}”上，{node} 被列出了 {count} 次：被多个节点使用的节点也只能"
        "出现一次；请记下已经访问过的节点（放进集合：节点按对象身份求哈希，"
        "即 identity）"
    ),
    "autodiff.topo.missing": (
        "在图“{where}”上，列表漏掉了全部 {total} 个节点中的 {missing} 个，例如 {node}。{hint}"
    ),
    "autodiff.topo.lookalike_hint": (
        "有个节点被跳过了，因为另一个节点的数值和它相同：`node in a_list` "
        "用 == 比较，而 Value 的 == 比较的是 data；请用一个集合记录访问过的节点"
        "（它们按身份求哈希），或者用 `is` 比较。"
    ),
    "autodiff.topo.visit_hint": "请访问每个节点的子节点，一直到叶节点。",
    "autodiff.topo.extra_one": "在图“{where}”上，列表里有 1 个不属于这个图的节点",
    "autodiff.topo.extra_many": (
        "在图“{where}”上，列表里有 {count} 个不属于这个图的节点"
    ),
    "autodiff.topo.output_first": (
        "在图“{where}”上，输出排在了最前面：那是 backward() 遍历的顺序，"
        "即 reversed(拓扑序)；拓扑序本身要把每个节点排在它的输入之后，"
        "输出排在最后"
    ),
    "autodiff.topo.before_input": (
        "在图“{where}”上，{node} 排在了它的输入 {child} 之前：每个节点都必须排在"
        "它的所有输入之后。{why}"
    ),
    "autodiff.topo.bfs_hint": (
        "这是从输出出发的广度优先顺序再反转：只有当从输出出发的所有路径长度都相同时，"
        "它才能把每个节点排在它的所有输入之后。请用深度优先："
        "访问完一个节点的所有子节点之后再把它列出。"
    ),
    "autodiff.topo.gradient": "沿你的顺序算出的 {label}.grad",
    "autodiff.topo.on_graph": "在图“{where}”上",
    "autodiff.topo.leaf": "{op} 节点 (data={data:g})",
    # ----------------------------------------------------------- chapter 7: speed
    "speed.count.correct": (
        "count_flops 对每个隐藏用例都给出了前向与反向的乘加次数。"
    ),
    "speed.count.not_a_pair": (
        "{where}，count_flops 返回了 {type} {got!r}；请返回一对 (forward, backward)"
    ),
    "speed.count.not_numbers": "{where}，count_flops 返回的不是两个数",
    "speed.count.no_batch": "{where}，{which} 的计数少了因子 batch",
    "speed.count.twice_forward": (
        "{where}，前向的计数大了一倍：一次乘加"
        "（一次乘法加一次加法）只算一次"
    ),
    "speed.count.twice_backward": (
        "{where}，反向的计数大了一倍：一次乘加只算一次"
    ),
    "speed.count.wrong": "{where}，{which} 的计数不对：得到的是 {got}",
    "speed.count.input_bp2": (
        "{where}，反向的计数包含了输入层的 BP2；"
        "反向传播不需要输入的 delta"
    ),
    "speed.count.bp4_only": (
        "{where}，反向的计数只算了 BP4（每层一个乘积 delta^l (a^(l-1))^T，"
        "乘加次数与前向传播相同）：少了 BP2，即把 delta 传回除输入层外每一层的乘积 "
        "(W^(l+1))^T delta^(l+1)"
    ),
    "speed.count.bp2_only": (
        "{where}，反向的计数只算了 BP2（delta 经过每个 W^T 传回）；"
        "少了 BP4，即给出权重梯度的乘积 delta^l (a^(l-1))^T"
    ),
    "speed.folded.correct": (
        "folded_gradient 用一次乘积返回在批量上求和的 [BP4 | BP3]。"
    ),
    "speed.folded.no_bias": (
        "{where}，结果的形状为 {got}：少了偏置那一列（给 a_prev 追加一行 1）"
    ),
    "speed.folded.bias_first": (
        "{where}，偏置那一列排在了最前面；请把全 1 的那一行放在最后，让偏置的梯度"
        "成为最后一列"
    ),
    "speed.folded.mean": (
        "{where}，结果是对样本取的均值；这里的 BP3 和 BP4 都是求和"
        "（之后的更新步骤才除以 m）"
    ),
    "speed.folded.result": "folded_gradient(delta, a_prev)",
    # ------------------------------------------ chapter 8: softmax with cross-entropy
    "softmax.vjp.correct": (
        "softmax_backward 在每个隐藏批量上都逐行返回 a ⊙ (dout − dout·a)，"
        "即雅可比矩阵与 dout 的乘积。"
    ),
    "softmax.vjp.result": "梯度 dC/dz",
    "softmax.vjp.jacobian_returned": (
        "{where}，softmax_backward 返回了形状为 {got} 的数组：那是雅可比矩阵本身；"
        "反向传递返回的是它与 dout 的乘积，每个样本一行，形状与 a 相同"
    ),
    "softmax.vjp.diagonal": (
        "{where}，梯度是 dout * a (1 - a)：只用了雅可比矩阵的对角线；softmax 不是"
        "逐元素的，每个输出都依赖每个 logit（非对角元 -a_i a_j）"
    ),
    "softmax.vjp.no_outer": (
        "{where}，梯度是 dout * a：只乘了 diag(a)；雅可比矩阵是 "
        "diag(a) - a a^T，少了 - a a^T 这一部分"
    ),
    "softmax.vjp.plus_outer": (
        "{where}，梯度加上了 a a^T 那一部分；雅可比矩阵是 diag(a)“减去”a a^T"
        "（推高一个 logit 会压低其余每个概率）"
    ),
    "softmax.vjp.unweighted": (
        "{where}，梯度减去的是 dout 的简单求和；a a^T 用 a_j 给每个 dout_j 加权："
        "应减去该行的 sum(dout * a)"
    ),
    "softmax.vjp.not_times_a": (
        "{where}，梯度是 dout - sum(dout * a)：整个括号都必须再逐元素"
        "乘以 a"
    ),
    "softmax.vjp.whole_batch": (
        "{where}，梯度减去的是整个批量上的同一个和；每个样本都有自己的"
        "雅可比矩阵：应在每一行上对 dout * a 求和（axis=1, keepdims=True）"
    ),
    "softmax.vjp.axis0": (
        "{where}，梯度沿批量轴（axis=0）对 dout * a 求和；求和应在每一行的"
        "各个类别上进行（axis=1, keepdims=True）"
    ),
    "softmax.vjp.no_keepdims": (
        "{where}，梯度减去的各行之和被排成了一行，于是样本 i 减去的是样本 j 的和："
        "要把它们保持为一列（keepdims=True）"
    ),
    "softmax.vjp.batch_mean": (
        "{where}，梯度除以了批量大小；softmax 里没有求平均："
        "1/m 属于损失的梯度，它已经包含在 dout 里"
    ),
    "softmax.ce.correct": (
        "softmax_cross_entropy_backward 在每个隐藏批量上（包括 logit 为 1000 时）"
        "都返回 (softmax(z) − t)/m。"
    ),
    "softmax.ce.result": "梯度 dC/dz",
    "softmax.ce.overflow": (
        "{where}，梯度含有 NaN 或 inf：z 超过 709.78 时 exp(z) 会溢出，"
        "inf/inf 得到 NaN；在 exp 之前先从 z 中减去每一行的最大值"
    ),
    "softmax.ce.global_max": (
        "{where}，梯度含有 NaN 或 inf：整个批量只用一个最大值，会让远低于它的某一行"
        "的指数全部变成 0，而 0/0 是 NaN；请减去每一行自己的"
        "最大值（axis=1, keepdims=True）"
    ),
    "softmax.ce.logits": (
        "{where}，梯度是 (z - t)/m：在该用概率 a = softmax(z) 的地方"
        "用了 logit z"
    ),
    "softmax.ce.no_batch": (
        "{where}，梯度大了 {n} 倍：损失是 m = {n} 个样本上的均值，"
        "所以它的梯度是 (a - t)/m；少了除以批量大小这一步"
    ),
    "softmax.ce.twice": (
        "{where}，梯度被 m = {n} 除了两次：(a - t)/m 本身就已经是均值的"
        "梯度"
    ),
    "softmax.ce.all_elements": (
        "{where}，梯度除以的是 m K = {n} x {k}，即元素个数；均值只对 m = {n} 个"
        "样本取（一个样本的各个类别是求和的）"
    ),
    "softmax.ce.axis0": (
        "{where}，梯度用的 softmax 是沿批量（axis=0）归一化的；每个样本的"
        "概率应在它自己的各个类别上归一化（axis=1）"
    ),
    "softmax.ce.diagonal": (
        "{where}，梯度是 -t (1 - a)/m：交叉熵的 -t/a 只乘上了 "
        "softmax 雅可比矩阵的对角线 a (1 - a)；用完整的雅可比矩阵 diag(a) - a a^T，"
        "结果是 (a - t)/m"
    ),
    "softmax.ce.diagonal_no_batch": (
        "{where}，梯度是 -t (1 - a)：只用了 softmax 的对角线，而且没有"
        "除以 m = {n}；用完整的雅可比矩阵并取均值，结果是 (a - t)/m"
    ),
    "softmax.lse.correct": (
        "logsumexp 逐行与 log Σ exp(z) 一致，恰恰在朴素写法会溢出的地方也是如此。"
    ),
    "softmax.lse.result": "logsumexp(z)",
    "softmax.lse.overflow": (
        "{where}，logsumexp(z) 不是有限值：一旦某个 logit 超过 709.78，朴素写法 "
        "log(sum(exp(z))) 就会溢出（而所有 logit 都低于 -745 时会得到 log 0）；"
        "请写成 M + log(sum(exp(z - M)))，其中 M 是每一行的最大值"
    ),
    "softmax.lse.global_max": (
        "{where}，对远低于其他行的某一行，logsumexp(z) 不是有限值：整个批量只用一个"
        "最大值，会让那一行的指数全部变成 0；请取每一行自己的最大值"
        "（axis=-1, keepdims=True）"
    ),
    "softmax.lse.not_added_back": (
        "{where}，logsumexp(z) 每一行都少了该行的最大值 M：你在 exp 里减去了 M，"
        "就要在 log 外面把它加回来"
    ),
    "softmax.lse.max_only": (
        "{where}，logsumexp(z) 只是每一行的最大值 M：还要加上 log(sum(exp(z - M)))"
    ),
    "softmax.lse.column": (
        "{where}，logsumexp(z) 的形状为 {got}，是一列；应每行返回一个值，形状为 "
        "{expected}（keepdims 只用于内部的平移）"
    ),
    # ------------------------------------------------ chapter 9: batch normalization
    "case.batchnorm_batch": "在 {n} 个样本、{c} 个特征的批量上",
    "case.batchnorm_images": "在形状为 {shape} 的图像批量上",
    "batchnorm.backward.correct": (
        "batchnorm_backward 在每个隐藏批量上（上游梯度随机）都返回 "
        "dx = gamma/(m sqrt(var + eps)) (m dout − Σdout − x̂ Σdout·x̂)、"
        "dgamma = Σ dout·x̂ 和 dbeta = Σ dout。"
    ),
    "batchnorm.backward2d.correct": (
        "batchnorm2d_backward 按通道归一化（统计量取自批量、高和宽），"
        "并在每个隐藏的图像批量上（上游梯度随机）都返回正确的 dx、dgamma 和 dbeta。"
    ),
    "batchnorm.not_three": (
        "{where}，{what} 返回了 {got}；请把三个梯度作为元组 (dx, dgamma, dbeta) 返回"
    ),
    "batchnorm.dx.no_1_over_m": (
        "{where}，dx 大了 m = {n} 倍：少了除以批量大小（均值和方差都是 m 个值的"
        "平均，所以三条路径的和带有一个 1/m）"
    ),
    "batchnorm.dx.sums_not_divided": (
        "{where}，dx 减去了 Σdout 和 x̂ Σ(dout·x̂)，却没有把它们除以 m = {n}："
        "经过均值和经过方差的两条路径各自带有批量的除数 1/m"
    ),
    "batchnorm.dx.no_mean_path": (
        "{where}，dx 漏掉了经过均值的路径：每个 x_i 都会改变 mu，而 mu 会改变每个 "
        "x̂_j，这条路径贡献 −Σdout（再乘以 gamma/(m sqrt(var + eps))）"
    ),
    "batchnorm.dx.no_variance_path": (
        "{where}，dx 漏掉了经过方差的路径：每个 x_i 都会改变 var，而 var 会"
        "缩放每个 x̂_j，这条路径贡献 −x̂ Σ(dout·x̂)（再乘以 gamma/(m sqrt(var + eps))）"
    ),
    "batchnorm.dx.no_statistics_paths": (
        "{where}，dx 是 gamma dout / sqrt(var + eps)，好像均值和方差都是"
        "常数：在训练模式下它们是从批量算出来的，所以经过两者的路径都漏掉了"
        "（这个 dx 只在推理模式下才对）"
    ),
    "batchnorm.dx.no_gamma": (
        "{where}，dx 少了因子 gamma：y = gamma x̂ + beta，所以到达 x̂ 的梯度"
        "是 gamma dout"
    ),
    "batchnorm.dx.whole_batch": (
        "{where}，dx 在整个数组上求 Σdout 和 Σ(dout·x̂)；每个特征都有自己的"
        "均值和方差，所以只沿批量轴（axis=0）求和，每个特征一个和"
    ),
    "batchnorm.dx.axis1": (
        "{where}，dx 沿特征（axis=1）求和；统计量是按特征、在批量上取的，"
        "所以反向传递里的求和沿批量轴（axis=0）进行"
    ),
    "batchnorm.dx.axis1_stats": (
        "{where}，dx 是对每个样本的各个特征做归一化（axis=1，即层归一化）的"
        "反向传递；批归一化的统计量是沿批量轴（axis=0）取的"
    ),
    "batchnorm.dx.unbiased": (
        "{where}，dx 用了无偏方差（除以 m − 1）；归一化除以的是 "
        "m（np.var 的默认值）：无偏方差只用于滑动方差"
    ),
    "batchnorm.swapped": "{where}，dgamma 和 dbeta 弄反了",
    "batchnorm.dgamma_without_xhat": (
        "{where}，dgamma 是 Σdout，没有乘 x̂：gamma 乘的是 x̂，所以 dgamma = Σ dout·x̂"
        "（Σdout 是 dbeta）"
    ),
    "batchnorm.params_axis1": (
        "{where}，dgamma 或 dbeta 沿特征（axis=1）求和；每个特征的 gamma "
        "和 beta 要在批量上（axis=0）累积梯度"
    ),
    "batchnorm.param_shape": (
        "{where}，{name} 的形状为 {got}；它每个特征或通道一个元素，形状应为 "
        "{expected}（去掉保留的维度）"
    ),
    "batchnorm.per_pixel": (
        "{where}，dx 把一张图像的 C·H·W 个值各自当作一个特征来归一化"
        "（x.reshape(N, -1)，DLfS 的做法）；BatchNorm2d 的统计量是按通道、"
        "在批量、高和宽上取的"
    ),
    "batchnorm.per_pixel_params": (
        "{where}，dgamma 的形状为 {got}，图像的每个值一个元素（DLfS 的 reshape 成 "
        "(N, −1)）；按通道归一化时它每个通道一个元素，共 {c} 个"
    ),
    "batchnorm.mixed_channels": (
        "{where}，dx 来自 x.reshape(−1, C)，却没有先把通道轴移到最后："
        "这样 reshape 出的行混合了各个通道；先转置成 (N, H, W, C) 再 reshape"
        "（之后再转置回来）"
    ),
    "batchnorm.running.new_mean": "新的滑动均值",
    "batchnorm.running.new_var": "新的滑动方差",
    "batchnorm.running.correct": (
        "update_running 在每个隐藏批量上都返回 (1 − momentum) old + momentum · 批量统计量，"
        "方差用批量的无偏方差（PyTorch 的约定）。"
    ),
    "batchnorm.running.not_two": (
        "{where}，update_running 返回了一个 {got}；请返回一对 (new_mean, new_var)"
    ),
    "batchnorm.running.biased": (
        "{where}，新的滑动方差用了批量的有偏方差（除以 m）；"
        "PyTorch 用无偏方差更新它，除以 m − 1 = {n} − 1（ddof=1）"
    ),
    "batchnorm.running.dlfs_momentum": (
        "{where}，更新用 momentum 给旧值加权（DLfS 的约定，momentum=0.9）；"
        "按 PyTorch 的约定，momentum = 0.1 是批量的权重：(1 − momentum) old + momentum new"
    ),
    "batchnorm.running.std": (
        "{where}，新的滑动方差是用批量的标准差更新的；它应该用"
        "方差（标准差的平方）"
    ),
    "batchnorm.running.biased_std": (
        "{where}，新的滑动方差是用批量的有偏标准差更新的；"
        "它应该用无偏方差（ddof=1）"
    ),
    "batchnorm.running.axis1": (
        "{where}，新的滑动均值是沿特征（axis=1）平均的；每个特征的"
        "均值是在批量上（axis=0）取的"
    ),
    "batchnorm.running.whole_batch": (
        "{where}，新的滑动均值是整个批量的一个均值；每个特征都有自己的均值，"
        "沿批量轴（axis=0）计算"
    ),
    # ------------------------------------------------------------ chapter 12: attention
    "case.attention": "在 Q 为 ({n_q}, {d})、K 为 ({n_k}, {d})、V 为 ({n_k}, {d_v}) 的用例上{causal}{batch}",
    "case.causal": "（带因果掩码）",
    "case.attention_batch": "（一批 {m} 个序列）",
    "case.causal_scores": "在带因果掩码的 {n} x {n} 分数上",
    "case.mask_scores": "在带随机掩码的 {shape} 分数上",
    "case.large_scores": "在分数为 800 和 900 时",
    "case.empty_row": "在掩码没给查询 1 留下任何键时",
    "case.self_attention": (
        "在 x 为 ({batch}, {n}, {d_model})、Wq 和 Wk 为 ({d_model}, {d})、Wv 为 ({d_model}, {d_v}) 时"
    ),
    "attention.bwd.correct": (
        "attention_backward 在每个隐藏用例上都返回 dQ = dS K/√d、dK = dSᵀ Q/√d 和 dV = Aᵀ dO，"
        "其中 dS 是 softmax 的乘积 A ⊙ (dA − rowsum(dA ⊙ A))。"
    ),
    "attention.bwd.not_three": (
        "{where}，attention_backward 返回了一个 {got}；请把三个梯度作为元组 "
        "(dQ, dK, dV) 返回"
    ),
    "attention.bwd.dV_no_transpose": (
        "{where}，dV 是 A dO：第 j 行值被每个查询 i 以权重 A[i, j] 使用，所以它的"
        "梯度要对各个查询求和，dV = Aᵀ dO"
    ),
    "attention.bwd.diagonal": (
        "{where}，{which} 用了 dS = dA ⊙ A (1 − A)：只用了每一行 softmax 雅可比矩阵"
        "的对角线；一行中的每个权重都依赖该行的每个分数，所以 "
        "dS = A ⊙ (dA − rowsum(dA ⊙ A))"
    ),
    "attention.bwd.diagonal_no_scale": (
        "{where}，{which} 只用了 softmax 的对角线 dA ⊙ A (1 − A)，而且还少了 1/√d"
    ),
    "attention.bwd.no_softmax": (
        "{where}，{which} 用了 dS = dA：分数和权重之间的 softmax 有它自己的"
        "反向传递，dS = A ⊙ (dA − rowsum(dA ⊙ A))"
    ),
    "attention.bwd.no_scale": (
        "{where}，{which} 大了 √d = √{d} 倍：分数是 QKᵀ/√d，所以链式"
        "法则会把 1/√d 带进 dQ 和 dK"
    ),
    "attention.bwd.over_d": (
        "{where}，{which} 除以了 d = {d}（1/√d 用了两次？）；分数只带一次 1/√d，"
        "dQ 和 dK 也一样"
    ),
    "attention.bwd.dQ_transposed": (
        "{where}，dQ 是 dSᵀ K/√d：查询 i 的梯度汇集的是 dS 的第 i 行，即它自己的分数："
        "dQ = dS K/√d（转置属于 dK）"
    ),
    "attention.bwd.dK_no_transpose": (
        "{where}，dK 是 dS Q/√d：键 j 的梯度汇集的是 dS 的第 j 列，即每个"
        "查询与这个键的分数：dK = dSᵀ Q/√d"
    ),
    "attention.mask.correct": (
        "masked_attention_weights 在 softmax 之前把被禁止的分数设为 −∞：这些"
        "权重为 0，每一行的和为 1，而没有任何键可关注的查询会引发 ValueError。"
    ),
    "attention.mask.result": "权重 A",
    "attention.mask.after_softmax": (
        "{where}，权重是先做 softmax、再应用掩码得到的：被禁止的权重是 0，"
        "但每一行的和不再是 1；应在 softmax “之前”把被禁止的分数设为 −∞"
    ),
    "attention.mask.zero_score": (
        "{where}，权重给被禁止的键的分数是 0，而 e⁰ = 1 不是 0："
        "被禁止的分数必须是 −∞（np.where(allowed, S, -np.inf)），这样它的权重才是 0"
    ),
    "attention.mask.inverted": (
        "{where}，权重恰好在掩码为 False 的地方非零：allowed 为 True 的地方"
        "是查询“可以”关注的地方（PyTorch 的约定）"
    ),
    "attention.mask.axis0": (
        "{where}，权重是沿列（axis=0）归一化的；每个查询在各个键上的权重"
        "之和为 1：softmax 沿每一行（axis=-1）进行"
    ),
    "attention.mask.overflow": (
        "{where}，权重含有 NaN 或 inf：分数 800 的 exp 会溢出；或者平移量是一个远高于"
        "其他分数的被禁止分数，使所有允许的项都下溢为 0；请先把"
        "被禁止的分数设为 −∞，再在 exp 之前减去每一行允许的分数中的最大值"
    ),
    "attention.mask.raised_on_valid": (
        "{where}，masked_attention_weights 引发了 ValueError，可那里的每个查询都"
        "可以关注某个键：是不是把掩码读反了？allowed 为 True 的地方"
        "是查询“可以”关注的地方（PyTorch 的约定）"
    ),
    "attention.mask.nan_row": (
        "{where}，masked_attention_weights 在那一行返回了 NaN（0/0：在空的键集合上"
        "做 softmax）；一个无可关注的查询是掩码的错误：请引发一个说明这一点的 "
        "ValueError"
    ),
    "attention.mask.zero_row": (
        "{where}，masked_attention_weights 返回了全零的一行，其和为 0 而不是 1"
        "（PyTorch 的 scaled_dot_product_attention 就是这样做的；本练习要求的是"
        "报错）：请引发一个指明该查询的 ValueError"
    ),
    "attention.mask.no_error": (
        "{where}，masked_attention_weights 为一个不能关注任何键的查询返回了权重；"
        "应改为引发 ValueError"
    ),
    "attention.mask.wrong_error": (
        "{where}，masked_attention_weights 引发了 {error}；坏掩码是一个坏的值：请引发 "
        "ValueError"
    ),
    "attention.dx.correct": (
        "self_attention_input_gradient 在每个隐藏用例上都把三条路径相加："
        "dQ Wqᵀ + dK Wkᵀ + dV Wvᵀ。"
    ),
    "attention.dx.only_one": (
        "{where}，dx 只有 {kept} 这一条路径；x 同时输入 Q、K 和 V，一个被使用三次的"
        "变量，其梯度是三条路径之和：少了 {missing} 的路径"
    ),
    "attention.dx.one_missing": (
        "{where}，dx 只把 {kept} 的路径相加；x 还输入 {missing} 投影，dx 也要"
        "加上它那条路径"
    ),
    "attention.dx.mean": (
        "{where}，dx 是三条路径的平均；链式法则是把它们相加（没有 1/3）"
    ),
    "attention.dx.no_transpose": (
        "{where}，dx 乘的是 Wq、Wk、Wv，而不是它们的转置：由 Q = x Wq 得 "
        "dx = dQ Wqᵀ（就像 Affine 的 dx = dout Wᵀ）"
    ),
    # ------------------------------------------ chapter 10: convolution and pooling
    "convolution.case.conv": "在 x 形状为 {x}、W 形状为 {W}、步幅 {stride}、填充 {pad} 时",
    "convolution.case.col2im": (
        "在图像形状为 {x}、窗口 {fh} x {fw}、步幅 {stride}、填充 {pad} 时"
    ),
    "convolution.case.pool": "在 x 形状为 {x}、窗口 {pool} x {pool}、步幅 {stride} 时",
    "convolution.case.pool_ties": (
        "在 x 形状为 {x} 且有并列最大值、窗口 {pool} x {pool}、步幅 {stride} 时"
    ),
    "convolution.backward.correct": (
        "conv_backward 在每个隐藏批量上都返回正确的 dx、dW 和 db：包括步幅能整除与"
        "不能整除、有填充、多个通道和多个滤波器的情形。"
    ),
    "convolution.backward.not_three": (
        "{where}，conv_backward 返回了一个 {got}；请把三个梯度作为元组 "
        "(dx, dW, db) 返回"
    ),
    "convolution.backward.dx": "dx",
    "convolution.backward.dW": "dW",
    "convolution.backward.db": "db",
    "convolution.backward.not_rotated": (
        "{where}，dx 是 dout 与原样的卷积核做的互相关：卷积核没有"
        "旋转。每个窗口的梯度是 dout 乘以 W[f]，放回窗口原来的位置；"
        "写成一个公式，就是 dout 与旋转 180 度的卷积核"
        "（W[f, c, ::-1, ::-1]）做完整（full）互相关"
    ),
    "convolution.backward.no_dilation": (
        "{where}，dx 让相邻窗口只相隔一个像素：忘了步幅带来的膨胀。"
        "输出像素 (i, j) 来自位于 (i * {stride}, j * {stride}) 的窗口，所以它的"
        "梯度要回到那里（在公式里：dout 要膨胀，元素之间插入 stride - 1 = "
        "{stride_minus_one} 个零）"
    ),
    "convolution.backward.not_cropped": (
        "{where}，dx 的形状为 {got}，是填充后输入的形状：没有裁掉填充。"
        "每边补上的 pad = {pad} 行和列不属于 x；请返回 "
        "dxpad[:, :, pad:-pad, pad:-pad]"
    ),
    "convolution.backward.cropped_one_side": (
        "{where}，dx 只在末端裁掉了填充；填充是两边都加的，"
        "所以开头也要裁掉 pad = {pad} 行和列"
    ),
    "convolution.backward.dW_swapped": (
        "{where}，dW 的形状为 {got}：滤波器和通道弄反了；dW 的形状与 W 相同，"
        "为 (FN, C, FH, FW)"
    ),
    "convolution.backward.dW_rotated": (
        "{where}，dW 旋转了 180 度：dW[f, c] 是填充后的输入与 dout 的互相关"
        "（每个窗口乘以它的梯度），而不是与翻转后的卷积核做卷积"
    ),
    "convolution.backward.dW_no_stride": (
        "{where}，dW 取的输入窗口彼此只相隔一个像素：忘了步幅；输出像素 (i, j) 的"
        "窗口从 (i * stride, j * stride) 开始"
    ),
    "convolution.backward.dW_one_sample": (
        "{where}，dW 只是第一个样本的梯度：滤波器由所有样本共享，"
        "所以 dW 也要在批量上求和"
    ),
    "convolution.backward.dW_mean": (
        "{where}，dW 除以了批量大小 N = {n}；层的反向传递在批量上求和"
        "（损失的 1/N 已经包含在 dout 里）"
    ),
    "convolution.backward.db_positions": (
        "{where}，db 的形状为 {got}：少了对位置的求和。每个输出像素上都加了一个偏置，"
        "所以 db[f] 要在批量和全部 OH x OW 个位置上对 dout[:, f] 求和"
        "（axis=(0, 2, 3)）"
    ),
    "convolution.backward.db_batch": (
        "{where}，db 的形状为 {got}：少了对批量的求和；请在轴 (0, 2, 3) 上对 dout 求和"
    ),
    "convolution.backward.db_scalar": (
        "{where}，db 是一个数：它把各个滤波器也加在了一起；每个滤波器有自己的"
        "偏置，所以在轴 (0, 2, 3) 上对 dout 求和，保留滤波器这一维"
    ),
    "convolution.backward.db_first_position": (
        "{where}，db 只用了第一个输出像素；偏置在每个位置上都加了，"
        "所以 db 要对所有位置求和"
    ),
    "convolution.backward.db_mean": (
        "{where}，db 除以了批量大小 N = {n}；层的反向传递是求和"
        "（损失的 1/N 已经包含在 dout 里）"
    ),
    "convolution.col2im.correct": (
        "col2im 在每个隐藏用例上都把每一行加回它的窗口原来所在的位置："
        "包括窗口重叠、有步幅和填充的情形。"
    ),
    "convolution.col2im.result": "梯度 dx",
    "convolution.col2im.assigned": (
        "{where}，结果的每个元素只保留了最后一个卷积核偏移的梯度："
        "img[..., y:y_max:stride, x:x_max:stride] = ... 覆盖了其他偏移"
        "写入的值；请用 +=（x 的每个元素位于多个窗口中，它的梯度是这些梯度之和）"
    ),
    "convolution.col2im.assigned_by_window": (
        "{where}，在窗口重叠处，结果只保留了最后一个窗口的梯度："
        "请用 +=（x 的每个元素位于多个窗口中，它的梯度是这些梯度之和）"
    ),
    "convolution.col2im.transposed": (
        "{where}，结果把 dcol 当作转置来读了：dcol 的行是各个窗口 (n, i, j)，"
        "列是一个窗口内的元素 (c, p, q)，形状为 (N*OH*OW, C*fh*fw)"
    ),
    "convolution.col2im.no_transpose": (
        "{where}，结果把 dcol 直接 reshape 成 (N, C, fh, fw, OH, OW)：reshape 的"
        "顺序不对。先 reshape 成 im2col 的顺序 (N, OH, OW, C, fh, fw)，再转置"
    ),
    "convolution.col2im.channels_last": (
        "{where}，结果把每一行按“行、列、通道”的顺序来读；im2col 展平一个"
        "窗口时通道在先，即 (c, p, q)，与 W[f].ravel() 相同"
    ),
    "convolution.col2im.window_transposed": (
        "{where}，结果把每个窗口的行和列对调了：dcol 的一行是逐行展平的一个"
        "窗口，即 (c, p, q)，其中 p 是行"
    ),
    "convolution.col2im.no_stride": (
        "{where}，结果让相邻窗口只相隔一个像素：忘了步幅 {stride}；"
        "在填充后的图像中，窗口 (i, j) 从 (i * stride, j * stride) 开始"
    ),
    "convolution.col2im.not_cropped": (
        "{where}，结果的形状为 {got}，是填充后图像的形状：请裁掉每边 pad = {pad} "
        "行和列的填充"
    ),
    "convolution.pool.correct": (
        "max_pool_backward 在每个隐藏用例上都把每个窗口的梯度送给该窗口的最大值"
        "（胜出者），包括窗口重叠和并列最大值的情形。"
    ),
    "convolution.pool.result": "梯度 dx",
    "convolution.pool.spread": (
        "{where}，梯度被平均分到了每个窗口的各个元素上：那是平均池化的"
        "反向传递。max 是一个取最大值的门：它的输出就是一个输入，即胜出者，只有"
        "胜出者得到窗口的梯度"
    ),
    "convolution.pool.copied": (
        "{where}，梯度被复制到了每个窗口的每个元素上；max 只依赖"
        "它的胜出者，其余元素得到 0"
    ),
    "convolution.pool.value": (
        "{where}，胜出者得到的是最大值本身；它们应得到各自窗口的上游梯度 "
        "dout"
    ),
    "convolution.pool.assigned": (
        "{where}，当一个元素在两个重叠窗口中都胜出时，梯度只保留了一个窗口的："
        "要把它们相加（+=）"
    ),
    "convolution.pool.all_ties": (
        "{where}，梯度给了窗口中每个并列的最大值，于是被重复计算；"
        "只送给一个胜出者（第一个，np.argmax 和 PyTorch 都这样做）"
    ),
    "convolution.pool.last_tie": (
        "{where}，梯度给了并列最大值中的最后一个；前向传播的胜出者是"
        "按行优先顺序的第一个（np.argmax），请把梯度送到那里"
    ),
    # ------------------------------------------ chapter 11: backpropagation through time
    "case.rnn": "在 m = {m} 个序列、每个 T = {T} 步、n_in = {n_in}、n_h = {n_h} 时",
    "case.rnn_truncated": "在 m = {m} 个序列、每个 T = {T} 步、n_h = {n_h}、k = {k} 时",
    "rnn.bptt.correct": (
        "rnn_backward 在每个隐藏用例上都对每个时间步的项求和，并把 delta_t Wh^T 沿"
        "状态往回传。"
    ),
    "rnn.bptt.not_triple": (
        "{where}，rnn_backward 必须返回三个数组 (dWx, dWh, db)"
    ),
    "rnn.bptt.last_only": (
        "{where}，梯度只含最后一步的项：同样的权重在每一步都起作用，"
        "所以它们的梯度是所有步之和（对 t 循环，把每一项加起来）"
    ),
    "rnn.bptt.tanh_of_h": (
        "{where}，梯度对 hs 里的状态 a 用了 1 - tanh(a)^2：这个公式接收的是"
        "加权输入 z，而 hs 里已经是 a = tanh(z)；tanh 的导数是 1 - a^2"
    ),
    "rnn.bptt.no_square": (
        "{where}，梯度把 1 - a 当作 tanh 的导数；应为 1 - a^2（少了"
        "平方）"
    ),
    "rnn.bptt.transposed": (
        "{where}，梯度把 delta_t Wh 传回 a_(t-1)：雅可比矩阵转置了；"
        "按行约定，z_t 含有 a_(t-1) Wh，所以梯度以 delta_t Wh^T 传回"
    ),
    "rnn.bptt.no_carry": (
        "{where}，梯度只用了每一步自己的 dout：梯度没有沿状态往回"
        "流动；第 t 步还必须从它的下一步接收 delta_(t+1) Wh^T"
    ),
    "rnn.trunc.correct": (
        "对每个 k，truncated_dWh 都恰好保留了对时间求和中的最后 k 项。"
    ),
    "rnn.trunc.result": "截断后的 dC/dWh",
    "rnn.trunc.no_truncation": (
        "{where}，梯度含有全部 T = {T} 项：什么也没截断；只保留"
        "最后 k = {k} 步的项"
    ),
    "rnn.trunc.one_more": (
        "{where}，梯度保留了 k + 1 = {k} + 1 项，多了一步：第 T、T - 1、"
        "……、T - k + 1 步一共是 k 步"
    ),
    "rnn.trunc.one_fewer": (
        "{where}，梯度保留了 k - 1 = {k} - 1 项，少了一步：第 T、T - 1、"
        "……、T - k + 1 步一共是 k 步"
    ),
}
