"""The Chinese edition is never out of step with the English one.

Its translations are gettext catalogs, one per page (``locale/zh_CN/LC_MESSAGES/book``),
managed by ``tools/i18n.py``. These tests fail the moment the two editions part:

* a page of ``_toc.yml`` has no catalog, or is not on ``locale/zh_CN/translated.txt``;
* a listed page's catalog has an untranslated or fuzzy message, changed markup, English
  prose, or a term against ``locale/zh_CN/terms.yml`` (``tools/i18n.py check``);
* the catalogs are not the messages the English pages have now (English was changed
  without ``make catalogs``): the test extracts them again with Sphinx's gettext builder;
* a Chinese notebook (``book/zh_CN``) is not what the catalogs make of the English one
  now, or its code cells are not the English ones (``make notebooks`` writes them).

And the tool's pieces are tested on cases where each check must fire.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import polib
import pytest
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[1]
i18n = load_tool("i18n")


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml``, by name."""
    return [Path(name).name for name in load_tool("book_site").toc_docnames()]


# ------------------------------------------------------------------ the catalogs


def test_every_page_has_a_catalog_and_is_on_the_translated_list():
    pages = toc_pages()
    assert sorted(pages) == i18n.pages(), "a page of _toc.yml without a catalog, or a catalog without a page"
    missing = sorted(set(pages) - set(i18n.translated_pages()))
    assert not missing, f"pages not on locale/zh_CN/translated.txt: {missing}"


@pytest.mark.parametrize("page", i18n.translated_pages())
def test_a_translated_page_has_no_problems(page):
    problems = i18n.problems(page)
    assert not problems, "\n".join(problems[:20]) + "\n(python tools/i18n.py check " + page + ")"


@pytest.mark.book
def test_the_catalogs_hold_the_messages_the_english_pages_have_now(tmp_path):
    """Extract the English again (Sphinx's gettext builder, as ``make catalogs`` does) and
    compare: a changed paragraph whose catalog was not updated fails here, not silently
    in the Chinese site (where it would stay English)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(exe) if exe.exists() else "jupyter-book", "build", str(ROOT), "--builder",
                           "custom", "--custom-builder", "gettext", "--path-output", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    pot_dir = tmp_path / "_build" / "gettext" / "book"
    stale = []
    for page in i18n.pages():
        english = {e.msgid for e in polib.pofile(str(pot_dir / f"{page}.pot")) if e.msgid}
        catalog = {e.msgid for e in polib.pofile(str(i18n.CATALOGS / f"{page}.po")) if not e.obsolete and e.msgid}
        if english != catalog:
            new = sorted(english - catalog)
            gone = sorted(catalog - english)
            stale.append(f"{page}: {len(new)} new or changed English messages "
                         f"{[m[:60] for m in new[:2]]}, {len(gone)} gone {[m[:60] for m in gone[:2]]}")
    assert not stale, ("the catalogs are not the English pages' messages: run `make catalogs`, "
                       "translate what it leaves empty or fuzzy, commit both.\n" + "\n".join(stale))


# ------------------------------------------------------------ the Chinese notebooks


@pytest.mark.parametrize("page", i18n.notebook_pages())
def test_the_chinese_notebook_is_the_english_one_translated(page):
    english = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
    path = i18n.ZH_NOTEBOOKS / f"{page}.ipynb"
    assert path.is_file(), f"no {path.relative_to(ROOT)}: run `make notebooks`"
    chinese = nbformat.read(path, as_version=4)
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]
    ours = [c.source for c in english.cells if c.cell_type == "code"]
    theirs = [c.source for c in chinese.cells if c.cell_type == "code"]
    assert theirs == ours, f"the code cells of {path.name} are not the English ones: run `make notebooks`"
    assert all(c.metadata.get("bplib") == {"lang": "zh_CN"} for c in chinese.cells if c.cell_type == "code")
    expected = i18n.zh_notebook(page)
    stale = [i for i, (got, want) in enumerate(zip(chinese.cells, expected.cells))
             if got.cell_type == "markdown" and got.source != want.source]
    assert not stale, (f"markdown cells {stale[:5]} of {path.name} are not what the catalog makes of the "
                       f"English: run `python tools/i18n.py notebooks {page}`")
    prose = "".join(c.source for c in chinese.cells if c.cell_type == "markdown")
    assert sum(1 for ch in prose if i18n.CJK.match(ch)) > 200, "the notebook's markdown is not Chinese"


# ------------------------------------------------------ the tool's pieces, each firing


def entry(msgid: str, msgstr: str, **kw) -> list[str]:
    return i18n.entry_problems(polib.POEntry(msgid=msgid, msgstr=msgstr, **kw), i18n.load_terms())


def test_check_accepts_a_faithful_translation():
    assert entry("The {term}`chain rule` gives $dC/dw$ in [chapter 1](chain_rule.ipynb) with `sympy.diff`.",
                 "{term}`链式法则 <chain rule>` 在[第 1 章](chain_rule.ipynb)中用 `sympy.diff` 给出 $dC/dw$。") == []


@pytest.mark.parametrize("msgstr, problem", [
    ("", "untranslated"),
    ("{term}`链式法则 <chain rule>` 给出 $dC/dv$，见[第 1 章](chain_rule.ipynb)，用 `sympy.diff`。", "markup changed"),
    ("{term}`链式法则 <chain>` 给出 $dC/dw$，见[第 1 章](chain_rule.ipynb)，用 `sympy.diff`。", "markup changed"),
    ("{term}`链式法则 <chain rule>` 给出 $dC/dw$，见[第 1 章](xor.ipynb)，用 `sympy.diff`。", "markup changed"),
    ("{term}`链式规则 <chain rule>` 给出 $dC/dw$，见[第 1 章](chain_rule.ipynb)，用 `sympy.diff`。", "terms.yml"),
    ("The chain rule gives $dC/dw$ in chapter one with the diff of SymPy, see {term}`x <chain rule>` "
     "[c](chain_rule.ipynb) `sympy.diff`", "not translated into Chinese"),
    ("{term}`链式法则 <chain rule>` 给出 $dC/dw$，见[第 1 章](chain_rule.ipynb)，用 `sympy.diff`。"
     "This sentence was left in English here.", "English sentence"),
])
def test_check_names_each_problem(msgstr, problem):
    found = entry("The {term}`chain rule` gives $dC/dw$ in [chapter 1](chain_rule.ipynb) with `sympy.diff`.", msgstr)
    assert any(problem in p for p in found), found


def test_check_flags_a_fuzzy_message_and_honours_english_ok():
    fuzzy = polib.POEntry(msgid="A weight.", msgstr="一个权重。", flags=["fuzzy"])
    assert "fuzzy" in i18n.entry_problems(fuzzy, i18n.load_terms())[0]
    quoted = "The error says: the shapes do not match at all here."
    assert entry(quoted, quoted + "（报错）")
    assert entry(quoted, quoted + "（报错）", tcomment="english-ok: the error message is quoted") == []


def test_an_avoided_word_inside_the_required_term_is_not_flagged():
    assert entry("Backpropagation through time unrolls the network.", "随时间反向传播把网络按时间展开。") == []
    assert entry("Backpropagation through time unrolls the network.", "通过时间的反向传播把网络展开。")


def test_translate_markdown_replaces_whole_messages_only():
    md = ("## Its gradients are right\n\n| equation | x |\n|---|---|\n| BP1 | y |\n\n"
          "The cell prints those\nlines, read with `inspect`:\n\n```python\nequation = 1\n```\n\n"
          "- The cell prints those lines, read\n  with `inspect`:\n\n> The cell prints those\n> lines, read with `inspect`:\n")
    table = sorted([("Its gradients are right", "它的梯度是对的"), ("equation", "方程"),
                    ("The cell prints those lines, read with `inspect`:", "这个单元格用 `inspect` 打印这些行：")],
                   key=lambda kv: -len(kv[0]))
    used = Counter()
    out = i18n.translate_markdown(md, table, used)
    assert "## 它的梯度是对的" in out and "| 方程 | x |" in out
    assert "equation = 1" in out, "fenced code must not be translated"
    assert out.count("这个单元格用 `inspect` 打印这些行：") == 3 and used["equation"] == 1
    assert "- 这个单元格" in out and "> 这个单元格" in out


def test_translate_markdown_keeps_a_short_message_out_of_a_longer_one():
    table = [("The weight W is updated.", "权重 W 被更新。"), ("W", "W 矩阵")]
    out = i18n.translate_markdown("The weight W is updated.\n\n| W |\n", table, Counter())
    assert out == "权重 W 被更新。\n\n| W 矩阵 |\n"


def test_a_directive_body_is_translated_and_its_fences_kept():
    md = "```{exercise-start}\n:label: ex-1\n```\n\n**Do it.** Now.\n\n```{exercise-end}\n```\n"
    out = i18n.translate_markdown(md, [("**Do it.** Now.", "**做吧。** 现在。")], Counter())
    assert out == md.replace("**Do it.** Now.", "**做吧。** 现在。")


def test_portable_citations_and_figure_links_survive_translation():
    md = "As [\\[Nielsen, 2015\\]](references.md#nielsen2015) shows in [Fig. 4.1](#fig-x), it works."
    table = [("As {cite}`nielsen2015` shows in {numref}`fig-x`, it works.",
              "正如 {cite}`nielsen2015` 在 {numref}`fig-x` 中所示，它有效。")]
    out = i18n.translate_portable(md, table, Counter())
    assert out == "正如 [\\[Nielsen, 2015\\]](references.md#nielsen2015) 在 [图 4.1](#fig-x) 中所示，它有效。"


def test_a_catalog_older_than_its_notebook_is_refused(tmp_path, monkeypatch):
    page = i18n.notebook_pages()[0]
    catalog = polib.pofile(str(i18n.CATALOGS / f"{page}.po"))
    catalog.append(polib.POEntry(msgid="A paragraph the notebook no longer has.", msgstr="笔记本里已经没有的一段。"))
    folder = tmp_path / "catalogs"
    folder.mkdir()
    catalog.save(str(folder / f"{page}.po"))
    monkeypatch.setattr(i18n, "CATALOGS", folder)
    with pytest.raises(ValueError, match="not in book/"):
        i18n.zh_notebook(page)
