"""The steppers' words in Simplified Chinese: ``WORDS["zh_CN"]`` of
:mod:`bplib.stepper_words`, with the same groups, keys and ``{fields}`` as English.

Mathematical names in Unicode (``z¹₁``, ``δ²``, ``∂C/∂x``) are the same as in English; the
terms are those of the Chinese edition's term list (``locale/zh_CN/terms.yml``).
"""

from __future__ import annotations

__all__ = ["WORDS"]

WORDS: dict[str, dict[str, str]] = {
    # the buttons and the step counter of every stepper
    "controls": {
        "stepper": "分步图",
        "first": "\u00ab",
        "first_label": "第一步",
        "prev": "\u25c0 上一步",
        "prev_label": "上一步",
        "next": "下一步 \u25b6",
        "next_label": "下一步",
        "last": "\u00bb",
        "last_label": "最后一步",
        "step_of": "第 {i} 步，共 {n} 步",
        "hint": "用按钮、方向键或滑动逐步浏览；Home 和 End 键跳到开头和结尾。",
    },
    # chapter 2: article 003's 2-2-1 network, forward then backward, then the update
    "worked_example": {
        "title": "逐步走过前向传播和反向传递",
        "description": "第 2 章的 2-2-1 网络：每一步计算一个值（前向传播）"
                       "或一个梯度（反向传递）。",
        "legend": "节点上方：它的值。下方：\u2202C/\u2202(节点)。"
                  "边上：它的权重，之后是它的梯度。",
        "start": "输入 x\u2081 = {x1} 和 x\u2082 = {x2}，目标 y = {y}，以及边上的"
                 "权重。还什么都没有计算。",
        "z_hidden": "前向：z\u00b9{j} = W{j}\u2081\u00b7x\u2081 + W{j}\u2082\u00b7x\u2082 = "
                    "{w1}\u00b7{x1} + {w2}\u00b7{x2} = {z}",
        "a_hidden": "前向：a\u00b9{j} = \u03c3(z\u00b9{j}) = \u03c3({z}) = {a}",
        "z_out": "前向：z\u00b2 = W\u2095\u2081\u00b7a\u00b9\u2081 + W\u2095\u2082\u00b7a\u00b9\u2082 = "
                 "{w1}\u00b7{a1} + {w2}\u00b7{a2} = {z}",
        "y_hat": "前向：\u0177 = \u03c3(z\u00b2) = \u03c3({z}) = {yhat}",
        "cost": "前向：C = \u00bd(y \u2212 \u0177)\u00b2 = \u00bd({y} \u2212 {yhat})\u00b2 = {C}",
        "seed": "反向传递从代价开始：\u2202C/\u2202C = {one}。",
        "d_yhat": "反向：\u2202C/\u2202\u0177 = \u0177 \u2212 y = {yhat} \u2212 {y} = {g}",
        "delta2": "反向：\u03b4\u00b2 = \u2202C/\u2202z\u00b2 = \u2202C/\u2202\u0177 \u00b7 \u03c3\u2032(z\u00b2) "
                  "= {g} \u00b7 {local} = {delta}（\u03c3\u2032(z\u00b2) = \u0177(1 \u2212 \u0177)）",
        "grad_wh": "反向：\u2202C/\u2202W\u2095{j} = \u03b4\u00b2 \u00b7 a\u00b9{j} = {delta} \u00b7 {a} = {g}",
        "d_a_hidden": "反向：\u2202C/\u2202a\u00b9{j} = \u03b4\u00b2 \u00b7 W\u2095{j} = {delta} \u00b7 {w} = {g}",
        "delta1": "反向：\u03b4\u00b9{j} = \u2202C/\u2202a\u00b9{j} \u00b7 \u03c3\u2032(z\u00b9{j}) = "
                  "{g} \u00b7 {local} = {delta}（\u03c3\u2032 = a(1 \u2212 a)）",
        "grad_w_in": "反向：\u2202C/\u2202W{j}{n} = \u03b4\u00b9{j} \u00b7 x{n} = {delta} \u00b7 {x} = {g}",
        "update": "更新，\u03b1 = {alpha}：每个权重都沿其梯度的反方向移动，"
                  "W\u2032 = W \u2212 \u03b1\u00b7\u2202C/\u2202W。W\u2081\u2081\u2032 = {w} \u2212 {alpha}\u00b7{g} = {new}；"
                  "W\u2095\u2081\u2032 = {wh} \u2212 {alpha}\u00b7{gh} = {newh}。",
    },
    # chapter 1: the two paths from x to C; a nudge of x travels both, and they add at s
    "sum_over_paths": {
        "title": "让 x 的微小变化沿两条路径逐步传播",
        "description": "第 1 章的图，从 x 到代价 C 有两条路径：x 的微小变化沿上方路径和"
                       "下方路径逐条边传播，两者的影响在 s 处相加。",
        "legend": "节点上方：它的值。边上：它的权重，之后是它的局部"
                  "导数。下方：x 变化 \u0394x 时该节点变化多少。",
        "top": "上方",
        "bottom": "下方",
        "start": "输入 x = {x} 送入两个 sigmoid 单元；目标是 y = {y}。边上是"
                 "权重 w\u2081 = {w1}、w\u2082 = {w2}、v\u2081 = {v1} 和 v\u2082 = {v2}。",
        "forward_units": "前向：z\u2081 = w\u2081x = {z1}，a\u2081 = \u03c3(z\u2081) = {a1}；"
                         "z\u2082 = w\u2082x = {z2}，a\u2082 = \u03c3(z\u2082) = {a2}。",
        "forward_out": "前向：s = v\u2081a\u2081 + v\u2082a\u2082 = {s}，代价 "
                       "C = \u00bd(s \u2212 y)\u00b2 = {C}。",
        "nudge": "现在让 x 变化一个很小的 \u0394x。这个变化沿两条路径到达 C；"
                 "先沿上方路径一次走一条边。",
        "edge_w": "{path}路径，x \u2192 z{j}：局部导数是 \u2202z{j}/\u2202x = w{j} "
                  "= {local}，所以 z{j} 变化 {run}\u00b7\u0394x。",
        "edge_sigma": "{path}路径，z{j} \u2192 a{j}：局部导数是 "
                      "\u2202a{j}/\u2202z{j} = \u03c3\u2032(z{j}) = {local}，所以 a{j} 变化 "
                      "{prev} \u00d7 {local} = {run} 倍的 \u0394x。",
        "edge_v": "{path}路径，a{j} \u2192 s：局部导数是 \u2202s/\u2202a{j} = "
                  "v{j} = {local}，所以沿这条路径 s 变化 {prev} \u00d7 {local} = "
                  "{run} 倍的 \u0394x。",
        "add": "两条路径在 s 处汇合，它们的影响相加：s 变化 "
               "{top}\u00b7\u0394x + ({bottom})\u00b7\u0394x = {sum}\u00b7\u0394x。"
               "所以 \u2202s/\u2202x = {sum}。",
        "cost": "最后一条边 s \u2192 C：\u2202C/\u2202s = s \u2212 y = {local}，所以 C 变化 "
                "{local} \u00d7 {ds} = {dC} 倍的 \u0394x：\u2202C/\u2202x = {dC}。",
        "check": "每条路径一个乘积，再求和：上方路径 (s \u2212 y)\u00b7v\u2081\u03c3\u2032(z\u2081)w\u2081 = "
                 "{top}，加上下方路径 (s \u2212 y)\u00b7v\u2082\u03c3\u2032(z\u2082)w\u2082 = "
                 "{bottom}，就是 \u2202C/\u2202x = {dC}。真实的微小变化也"
                 "吻合：把 x 移到 x \u00b1 h，h = {h}，C 的变化率为 {fd}。",
    },
    # chapter 4: BP2 carries the error back through the curve-fit network, one layer a step
    "bp2_layers": {
        "title": "让误差逐层往回传",
        "description": "网络的各层画成一列列单元：前向传播在每个单元上方写下 "
                       "\u03c3\u2032(z)，然后每一步由下一层的误差 \u03b4 算出一层的误差，"
                       "并标出形状。",
        "legend": "一列是一层，一个点是其中的一个单元。单元上方："
                  "\u03c3\u2032(z)；下方：它的误差 \u03b4 = \u2202C/\u2202z。"
                  "圆圈下方：\u03b4 的形状。",
        "forward": "在一个训练样本 x = {x}（目标 y = {y}）上做前向传播，"
                   "保留了每个 z 和 a。每个单元上方：反向传递需要的 \u03c3\u2032(z)。"
                   "输出是 a{L} = {a}，代价 C = {C}。",
        "bp1": "从输出层开始：\u03b4{L} = \u2207\u2090C \u2299 \u03c3\u2032(z{L})。对这个"
               "代价，\u2207\u2090C = {s}(a{L} \u2212 y) = {s}({a} \u2212 {y}) = {g}，所以 "
               "\u03b4{L} = {g} \u00d7 {sp} = {d}，形状为 ({n}, {m})。",
        "bp1_cancel": "从输出层开始：对这个代价，因子 \u03c3\u2032(z{L}) 被约掉了，"
                      "\u03b4{L} = a{L} \u2212 y = {a} \u2212 {y} = {d}，形状为 ({n}, {m})。",
        "bp2": "往回一层：\u03b4{l} = ((W{k})\u1d40 \u03b4{k}) \u2299 \u03c3\u2032(z{l})。"
               "(W{k})\u1d40 是 ({r}, {c})，\u03b4{k} 是 ({c}, {m})，所以它们的乘积是 "
               "({r}, {m})：每个单元对下一层的每个单元各加一项，即从它出发的每条路径"
               "一项。"
               "\u03c3\u2032(z{l}) 也是 ({r}, {m})，\u2299 逐元素相乘："
               "\u03b4{l} 是 ({r}, {m})。",
        "grads": "所有误差都已知，每个权重梯度只差一次乘积，"
                 "\u2202C/\u2202W{l} = \u03b4{l}(a{lm})\u1d40，形状与 W{l} 相同：",
        "grad_shape": "\u2202C/\u2202W{l} 是 ({r}, {m})\u00b7({m}, {c}) \u2192 ({r}, {c})",
        "sep": "；",
        "end": "。（偏置的梯度就是误差本身。）",
    },
    # chapter 11: a scalar RNN unrolled in time; back through the steps, dC/dwₕ summed
    "bptt": {
        "title": "逐步走过随时间反向传播",
        "description": "一个循环单元在各个时间步上展开：同一个权重 "
                       "w\u2095 在每一步都被使用。前向一次走一步；然后"
                       "沿时间步往回走，把每一步的项加到 \u2202C/\u2202w\u2095 上。",
        "legend": "节点上方：它的值。状态下方：\u2202C/\u2202a\u209c；"
                  "w\u2095 下方：到目前为止各项之和。往回走时，边上："
                  "因子 \u2202a\u209c/\u2202a\u209c\u208b\u2081，或这一步在 \u2202C/\u2202w\u2095 中的项。",
        "start": "这个单元在每一步计算 a\u209c = tanh(w\u2093x\u209c + w\u2095a\u209c\u208b\u2081 + b)，"
                 "用的是同样的权重 w\u2093 = {wx}、w\u2095 = {wh} 和"
                 "偏置 b = {b}。它从 a\u2080 = {h0} 开始；代价比较最后的"
                 "状态 a{T} 和目标 y = {y}。",
        "forward_first": "前向，第 {n} 步：a{t} = tanh(w\u2093x{t} + w\u2095a{p} + b) = "
                         "tanh({wx}\u00b7{x} + {wh}\u00b7{h_prev} + {b}) = tanh({z}) = {h}。",
        "forward": "前向，第 {n} 步：还是同样的权重，用上一步留下的"
                   "状态 a{p}：a{t} = tanh({wx}\u00b7{x} + {wh}\u00b7{h_prev} + {b}) = tanh({z}) = {h}。",
        "cost": "最后状态上的代价：C = \u00bd(a{T} \u2212 y)\u00b2 = "
                "\u00bd({h} \u2212 {y})\u00b2 = {C}。",
        "seed": "反向传递从代价开始：\u2202C/\u2202a{T} = a{T} \u2212 y = "
                "{h} \u2212 {y} = {g}。",
        "term_first": "第 {n} 步，往回：穿过 tanh，\u03b4{t} = \u2202C/\u2202a{t} \u00b7 "
                      "(1 \u2212 a{t}\u00b2) = {g} \u00b7 {local} = {d}。第 {n} 步"
                      "把 w\u2095 用在了 a{p} 上，所以它在 \u2202C/\u2202w\u2095 中的项是 \u03b4{t}\u00b7a{p} "
                      "= {d} \u00b7 {h_prev} = {term}：这就是目前的和。",
        "term": "第 {n} 步，往回：\u03b4{t} = \u2202C/\u2202a{t} \u00b7 (1 \u2212 a{t}\u00b2) "
                "= {g} \u00b7 {local} = {d}。同一个 w\u2095 在这里也起了作用：它的项 "
                "\u03b4{t}\u00b7a{p} = {d} \u00b7 {h_prev} = {term} 被加上，"
                "{before} \u2192 {run}。",
        "back": "把梯度交回 a{p}：\u2202a{t}/\u2202a{p} = (1 \u2212 a{t}\u00b2)\u00b7w\u2095 "
                "= {local} \u00b7 {wh} = {J}，所以 \u2202C/\u2202a{p} = {g} \u00b7 {J} = {out}。",
        "back_h0": "回到起点：\u2202a{t}/\u2202a{p} = (1 \u2212 a{t}\u00b2)\u00b7w\u2095 = "
                   "{local} \u00b7 {wh} = {J}，所以 \u2202C/\u2202a{p} = {g} \u00b7 {J} = {out}："
                   "这是初始状态收到的梯度（RNN.backward 的 dh\u2080）。没有剩下的步了。",
        "total_start": "完成：\u2202C/\u2202w\u2095 是每一步一项的和，",
        "plus": " + ",
        "equals": " = ",
        "total_end": "{total}，与 RNN.backward 给出的 dWh 相同。真实的微小变化也吻合："
                     "把 w\u2095 移动 \u00b1\u03b5，\u03b5 = {h}，C 的变化率为 {fd}。",
    },
    # chapter 6: the autodiff engine on y = x·x + 3x, its order, then one edge per step
    "autodiff_order": {
        "title": "逐步走过引擎：先是拓扑序，再一次一条边",
        "description": "第 6 章的一个表达式图：先按拓扑序给它的节点编号，"
                       "并标出每个节点的值；然后反向传递把每条边的贡献，即局部导数乘以"
                       "上游梯度，交给这条边的输入，各个贡献在那里相加。",
        "legend": "节点上方：它在 topological_order({root}) 中的编号和它的值。"
                  "边上：它的局部导数，往回走时再写上“局部 \u00b7 上游 = "
                  "贡献”。节点下方：它的 grad，\u2202{root}/\u2060\u2202节点。",
        "above": "#{k}: {v}",
        "intro": "前向：topological_order({root}) 把每个节点排在它的所有输入之后。",
        "leaf": "#{k}：{name} = {v}，一个叶节点（输入）：不需要等待任何节点。",
        "const": "#{k}：{name} = {v}，一个常数叶节点（代码里的数，被转成了 Value）。",
        "op_infix": "#{k}：{name} = {a}\u00a0{op}\u00a0{b}\u00a0=\u00a0{v}，排在它的输入之后。前向传播"
                    "把它的局部导数 {l1} 和 {l2} 存在它的输入边上。",
        "op_call2": "#{k}：{name} = {op}({a}, {b}) = {v}，排在它的输入之后。前向传播"
                    "把它的局部导数 {l1} 和 {l2} 存在它的输入边上。",
        "op_call1": "#{k}：{name} = {op}({a}) = {v}，排在它的输入之后。前向传播把"
                    "它的局部导数 {l1} 存在它的输入边上。",
        "seed": "反向：Value.backward 按相反的顺序访问节点，从 #{n} 到 "
                "#{first}，并从 {root}.grad = {one} 开始。",
        "skip": "#{k} {name} 是叶节点：没有输入可以传递它的 grad。",
        "nth_0": "第一个",
        "nth_1": "第二个",
        "edge2": "#{k} {parent} 的 grad {up} 已经完整，它把贡献（局部 \u00b7 上游 = {local}\u00a0\u00b7\u00a0{up}\u00a0=\u00a0{c}）"
                 "交给它的{nth}输入 {child}；{child}.grad："
                 "{before}\u00a0\u2192\u00a0{after}。",
        "edge1": "#{k} {parent} 的 grad {up} 已经完整，它把贡献（局部 \u00b7 上游 = {local}\u00a0\u00b7\u00a0{up}\u00a0=\u00a0{c}）"
                 "交给它的输入 {child}；{child}.grad："
                 "{before}\u00a0\u2192\u00a0{after}。",
        "done": "完成：{E} 条边，{E} 次乘法。每个叶节点的 grad 都是它的边交给它的"
                "贡献之和，与 Value.backward 的结果（\u2202{root}/\u2202叶节点）一致：",
        "leaf_sum_start": "{name}.grad = ",
        "leaf_sum_end": " = {g}",
        "leaf_one": "{name}.grad = {g}",
        "sep": "；",
        "end": "。",
    },
}
