"""The Chinese edition's catalogs: update them from the English, check them, report.

The translations live in ``locale/zh_CN/LC_MESSAGES/book/<page>.po``, one gettext catalog
per page, whose messages are the paragraphs, headings, list items, table cells, captions
and alt texts of the English page as Sphinx extracts them. ``locale/zh_CN/translated.txt``
lists the pages whose catalogs are complete; ``tests/test_i18n.py`` holds each of them to
:func:`problems`.

Usage::

    python tools/i18n.py update          # extract the English, merge into the catalogs
    python tools/i18n.py check [PAGE..]  # the problems of these pages (default: the list)
    python tools/i18n.py status          # translated / total messages per page
    python tools/i18n.py notebooks [PAGE..]  # write book/zh_CN/<page>.ipynb from the catalogs
    python tools/i18n.py export PAGE FILE [--all]  # a page's messages as numbered lines
    python tools/i18n.py import PAGE FILE          # the translated lines back in

``export`` writes each message that needs a translation (``--all``: every message) as two
lines, ``[n] EN: <English>`` and ``[n] ZH: <Chinese, or empty>``; fill in the ZH lines and
``import`` them (a line ``[n] NOTE: english-ok: <why>`` lets message n keep English
prose, e.g. an error message it quotes; the EN lines must be left as they are: they tell ``import`` that the
catalog has not changed in between). Messages without prose (a display formula, a code
span, a number) are their own translation: ``update`` fills them in.

``update`` is ``make catalogs``: after changing English text, run it, translate the
messages it leaves empty or fuzzy (a changed paragraph keeps its old translation marked
fuzzy, which the build does not use), and commit the catalogs with the English.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANG = "zh_CN"
CATALOGS = LOCALE / LANG / "LC_MESSAGES" / "book"
TRANSLATED = LOCALE / LANG / "translated.txt"
TERMS = LOCALE / LANG / "terms.yml"

#: A translator's comment (``# english-ok: why``) that allows English prose in one message,
#: e.g. a quoted English sentence that the page discusses.
ENGLISH_OK = "english-ok"

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Inline markup that a translation keeps exactly (its multiset must be unchanged).
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$")
TEX_TEXT = re.compile(r"\\text\{[^{}]*\}")
ROLE = re.compile(r"\{([\w:+-]+)\}`([^`]*)`")
CODE = re.compile(r"(?<![`}])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
LINK = re.compile(r"\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
URL = re.compile(r"<?https?://[^\s<>()\[\]，。、；：]+[^\s<>()\[\]，。、；：.,;:!?]>?")
#: Roles whose whole text is a name, kept as is: a citation key, an equation label, a file.
VERBATIM_ROLES = {"cite", "cite:p", "cite:t", "eq", "download", "math", "code",
                  "book-pdf", "book-download", "index"}
#: Roles whose shown text is translated but whose target (``<target>``, or the whole text
#: when there is no ``<...>``) is kept: ``{term}`反向传播 <backpropagation>```.
TARGET_ROLES = {"term", "ref", "doc", "numref"}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){5,}")


def pages() -> list[str]:
    """Every page that has a catalog, by name (``chain_rule``, ``intro``, ...)."""
    return sorted(p.stem for p in CATALOGS.glob("*.po"))


def translated_pages() -> list[str]:
    """The pages listed in ``translated.txt`` (comments and blank lines ignored)."""
    if not TRANSLATED.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in TRANSLATED.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def load_terms() -> list[dict]:
    terms = yaml.safe_load(TERMS.read_text(encoding="utf-8"))
    for term in terms:
        term["pattern"] = re.compile(rf"(?<![\w-])(?:{term['en']})(?![\w-])", re.I)
    return terms


def role_target(name: str, text: str) -> str:
    """What a role points at: the ``<target>`` of ``text <target>``, else the text."""
    match = re.search(r"<([^<>]+)>\s*$", text)
    return match.group(1).strip() if match else text.strip()


def markup(text: str) -> Counter:
    """The inline markup a translation must keep: maths, code, role names and targets,
    link targets and URLs."""
    found: Counter = Counter()
    rest = text
    for pattern, kind in ((DISPLAY_MATH, "math"), (INLINE_MATH, "math")):
        # The words of a \text{...} in a formula are prose and may be translated.
        found.update((kind, TEX_TEXT.sub(r"\\text{}", m)) for m in pattern.findall(rest))
        rest = pattern.sub(" ", rest)
    for name, body in ROLE.findall(rest):
        if name in TARGET_ROLES:
            found[(f"{{{name}}}", role_target(name, body))] += 1
        elif name in VERBATIM_ROLES:
            found[(f"{{{name}}}", body)] += 1
        else:
            found[(f"{{{name}}}", "")] += 1
    rest = ROLE.sub(" ", rest)
    found.update(("code", m[1]) for m in CODE.findall(rest))
    rest = CODE.sub(" ", rest)
    found.update(("link", m) for m in LINK.findall(rest))
    rest = LINK.sub("]", rest)
    found.update(("url", m.strip("<>")) for m in URL.findall(rest))
    return found


def prose(text: str) -> str:
    """The text a reader reads as prose: without maths, code, URLs, link targets and the
    targets of roles (their shown text stays)."""
    text = DISPLAY_MATH.sub(" ", text)
    text = INLINE_MATH.sub(" ", text)

    def shown(m: re.Match) -> str:
        name, body = m.group(1), m.group(2)
        if name in VERBATIM_ROLES:
            return " "
        return re.sub(r"<[^<>]+>\s*$", "", body)

    text = ROLE.sub(shown, text)
    text = CODE.sub(" ", text)
    text = LINK.sub("]", text)
    text = URL.sub(" ", text)
    text = re.sub(r"《[^》]*》", " ", text)  # titles of books and articles
    return text


def entry_problems(entry: polib.POEntry, terms: list[dict]) -> list[str]:
    """What is wrong with one catalog entry, as sentences (empty when nothing is)."""
    msgid, msgstr = entry.msgid, entry.msgstr
    short = msgid if len(msgid) <= 70 else msgid[:67] + "..."
    if "fuzzy" in entry.flags:
        return [f"fuzzy (the English changed; check and update the translation): {short!r}"]
    if not msgstr.strip():
        return [f"untranslated: {short!r}"]
    out = []
    english_ok = ENGLISH_OK in (entry.tcomment or "")
    if markup(msgid) != markup(msgstr):
        lost = markup(msgid) - markup(msgstr)
        added = markup(msgstr) - markup(msgid)
        out.append(f"markup changed in {short!r}: lost {sorted(lost.elements())[:4]}, "
                   f"added {sorted(added.elements())[:4]}")
    if needs_no_translation(msgid) and msgstr == msgid:
        return out  # a display formula or code, its own translation
    words_en = re.findall(r"[A-Za-z]{2,}", prose(msgid))
    if len(words_en) >= 3 and not CJK.search(msgstr) and not english_ok:
        out.append(f"not translated into Chinese (no Chinese characters): {short!r}")
    if not english_ok:
        for run in ENGLISH_RUN.findall(prose(msgstr)):
            out.append(f"English sentence in the Chinese of {short!r}: {run[:60]!r}")
    shown_en, shown_zh = prose(msgid), prose(msgstr)
    for term in terms:
        for bad in term.get("avoid") or []:
            if bad in msgstr.replace(term["zh"], "\x00"):  # 时间反向传播 inside 随时间反向传播 is fine
                out.append(f"{bad!r} for {term['zh']!r} (terms.yml) in {short!r}")
        if term["pattern"].search(shown_en) and term["zh"] not in msgstr and CJK.search(msgstr):
            out.append(f"{term['en']!r} is {term['zh']!r} (terms.yml), not found in the "
                       f"translation of {short!r}")
    return out


def problems(page: str) -> list[str]:
    """Every problem of one page's catalog: untranslated or fuzzy messages, changed
    markup, English prose left in the Chinese, terms against ``terms.yml``."""
    path = CATALOGS / f"{page}.po"
    if not path.exists():
        return [f"{page}: no catalog {path.relative_to(ROOT)}"]
    terms = load_terms()
    catalog = polib.pofile(str(path))
    return [f"{page}: {p}" for entry in catalog if not entry.obsolete
            for p in entry_problems(entry, terms)]


def needs_no_translation(msgid: str) -> bool:
    """A message without words to translate: a display formula (Sphinx extracts those with
    their line breaks), or only maths, code, roles' targets and symbols."""
    if msgid.startswith("\n"):
        return True
    return not re.search(r"[A-Za-z]{3,}", prose(msgid))


def prefill(page: str) -> int:
    """Give every message of ``page`` that has nothing to translate its English as its
    translation; returns how many were filled."""
    path = CATALOGS / f"{page}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    filled = 0
    for entry in catalog:
        if not entry.obsolete and not entry.msgstr and needs_no_translation(entry.msgid):
            entry.msgstr = entry.msgid
            filled += 1
    if filled:
        catalog.save(str(path))
    return filled


def entries(page: str) -> tuple[polib.POFile, list[polib.POEntry]]:
    catalog = polib.pofile(str(CATALOGS / f"{page}.po"), wrapwidth=0)
    return catalog, [e for e in catalog if not e.obsolete]


def export(page: str, path: Path, everything: bool = False) -> int:
    """Write the messages of ``page`` that need a translation (or all) as numbered lines."""
    _, todo = entries(page)
    lines = []
    for n, entry in enumerate(todo):
        if everything or not entry.msgstr or "fuzzy" in entry.flags:
            lines += [f"[{n}] EN: {entry.msgid}", f"[{n}] ZH: {entry.msgstr}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(lines) // 3


def import_(page: str, path: Path) -> int:
    """Read the ``[n] ZH:`` lines of ``path`` into the catalog of ``page`` (clearing the
    fuzzy flag of each message it translates); returns how many were set."""
    catalog, todo = entries(page)
    english: dict[int, str] = {}
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\[(\d+)\] (EN|ZH|NOTE): ?(.*)$", line)
        if not match:
            continue
        n, kind, text = int(match.group(1)), match.group(2), match.group(3)
        if kind == "EN":
            english[n] = text
            continue
        if kind == "NOTE":  # a translator's comment, e.g. "english-ok: quotes the error"
            todo[n].tcomment = text.strip()
            continue
        if n >= len(todo) or english.get(n) != todo[n].msgid:
            raise SystemExit(f"{path}: message [{n}] is not the catalog's message [{n}] any more: "
                             f"export the page again")
        if text.strip():
            todo[n].msgstr = text.strip()
            if "fuzzy" in todo[n].flags:
                todo[n].flags.remove("fuzzy")
            count += 1
    catalog.save(str(CATALOGS / f"{page}.po"))
    return count


ZH_NOTEBOOKS = ROOT / "book" / LANG
#: The cell metadata that tells bplib which language to speak (bplib.language).
CELL_LANGUAGE = {"bplib": {"lang": LANG}}
_SEP = r"(?:[ \t]*\n[ \t>]*|[ \t])"


@functools.lru_cache(maxsize=None)
def _message_pattern(msgid: str) -> re.Pattern:
    """Where ``msgid`` stands in markdown: its words as Sphinx joined them, a line break
    (with a list's indentation or a quote's ``>``) wherever it has a space, between
    whitespace, a table's ``|`` or the ends of a line."""
    body = _SEP.join(re.escape(part) for part in msgid.split(" "))
    return re.compile(rf"(?<![^\s|>]){body}(?![^\s|])")


_FENCE_LINE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
#: Fenced directives whose body is not prose: set aside like fenced code.
_CODE_DIRECTIVES = re.compile(r"^\{(code|code-block|code-cell|sourcecode|math|literalinclude)\}")


def _hold_code(text: str, hold) -> str:
    """``text`` with each fenced code block (and math/code directive) replaced by ``hold``'s
    placeholder; the fences of other directives (``{exercise-start}``, ``{note}``) stay,
    and so does their markdown body."""
    lines = text.split("\n")
    out: list[str] = []
    directives: list[str] = []  # the fences of the directives open around this line
    i = 0
    while i < len(lines):
        match = _FENCE_LINE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        fence, info = match["fence"], match["info"].strip()
        if not info and directives and fence[0] == directives[-1][0] and len(fence) >= len(directives[-1]):
            directives.pop()  # the end of a directive
            out.append(lines[i])
            i += 1
            continue
        if info.startswith("{") and not _CODE_DIRECTIVES.match(info):
            directives.append(fence)  # a directive: its body is markdown
            out.append(lines[i])
            i += 1
            continue
        end = i + 1
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        out.append(hold("\n".join(lines[i:end + 1])))
        i = end + 1
    return "\n".join(out)


def translate_markdown(text: str, translations: list[tuple[str, str]], used: Counter) -> str:
    """``text`` (a markdown cell) with every message replaced by its translation.

    Longer messages go first, and what is replaced is set aside until the end, so a short
    message (a table cell, a word) never matches inside a longer one already translated.
    Fenced code is never touched. ``used`` counts the replacements of each message.
    """
    held: list[str] = []

    def hold(piece: str) -> str:
        held.append(piece)
        return f"\x00{len(held) - 1}\x00"

    text = _INDEX.sub(lambda m: hold(_translate_index(m.group(0), dict(translations), used)), text)
    text = _hold_code(text, hold)
    for msgid, msgstr in translations:
        pattern = _message_pattern(msgid)

        def put(m: re.Match, msgid: str = msgid, msgstr: str = msgstr) -> str:
            used[msgid] += 1
            return hold(msgstr)

        text = pattern.sub(put, text)
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: held[int(m.group(1))], text)
    return text


#: How a figure is named in the Chinese notebooks' captions and figure links.
FIGURE_WORD = "图"


def translate_portable(text: str, translations: list[tuple[str, str]], used: Counter) -> str:
    """A markdown cell of a chapter translated, in the chapter's portable markup.

    The chapters cite and name figures in forms JupyterLab renders
    (``_ext/portable_markup.py``), which the book turns into ``{cite}`` and ``{numref}``
    roles before Sphinx extracts the messages: the cell is put in the book's form to be
    translated, and the links are put back after (a figure as 图 7.1).
    """
    if str(ROOT / "_ext") not in sys.path:
        sys.path.insert(0, str(ROOT / "_ext"))
    from portable_markup import CITATION, FIGURE_REF

    links: dict[str, str] = {}

    def cite(m: re.Match) -> str:
        form = f"{{cite}}`{m['key']}`"
        links[form] = m.group(0)
        return form

    def figure(m: re.Match) -> str:
        form = f"{{numref}}`{m['label']}`"
        links[form] = f"[{m['text'].replace('Fig.', FIGURE_WORD)}](#{m['label']})"
        return form

    text = FIGURE_REF.sub(figure, CITATION.sub(cite, text))
    text = translate_markdown(text, translations, used)
    for form, link in links.items():
        text = text.replace(form, link)
    # A figure-caption cell (portable_markup.CAPTION): "**Fig. 7.1** caption".
    return re.sub(r"^(\(fig-[\w-]+\)=\s*\n\*\*)Fig\. ", rf"\g<1>{FIGURE_WORD} ", text)


_INDEX = re.compile(r"```\{index\}(?P<directive>[^\n]*\n(?:(?!```).*\n)*?)```|\{index\}`(?P<role>[^`]*)`")


def _translate_index(text: str, table: dict[str, str], used: Counter) -> str:
    """An ``{index}`` directive or role with each of its entries translated (Sphinx's
    messages for an index are its entries, split at ``;``)."""
    def entry(m: re.Match) -> str:
        part = m.group(0)
        key = part.strip().lstrip("!")
        if key in table:
            used[key] += 1
            return part.replace(key, table[key])
        return part
    head, sep, body = text.partition("}")
    body = re.sub(r"(?<=[:;`])[^:;`\n]+?(?=;|\n|`|$)", entry, body)
    return head + sep + body


def index_terms(notebook) -> set[str]:
    """The index entries of a notebook's ``{index}`` directives and roles, as Sphinx splits
    them into messages: they are in the book's index, not in the notebook's text."""
    terms: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in _INDEX.finditer(cell.source):
            text = match["directive"] or match["role"] or ""
            text = re.sub(r"<[^<>]*>\s*$", "", text)  # {index}`shown <entry>`
            for line in text.splitlines():
                line = re.sub(r"^\s*(single|pair|triple|see|seealso)\s*:", "", line).strip().lstrip("!")
                terms.update(part.strip() for part in line.split(";") if part.strip())
            if match["role"]:
                terms.add(match["role"].strip())
    return terms


def zh_notebook(page: str) -> "nbformat.NotebookNode":
    """The Chinese notebook of ``page``: the English notebook's code cells and outputs as
    they are, every code cell marked to speak Chinese, its markdown and its figures' alt
    texts translated from the page's catalog.

    Raises
    ------
    ValueError
        If a translated message of the catalog is found nowhere in the notebook (the
        catalog is older than the notebook: run ``update``).
    """
    import nbformat

    notebook = nbformat.read(ROOT / "book" / f"{page}.ipynb", as_version=4)
    catalog = polib.pofile(str(CATALOGS / f"{page}.po"))
    table = {e.msgid: e.msgstr for e in catalog
             if not e.obsolete and e.msgstr and "fuzzy" not in e.flags}
    translations = sorted(((k, v) for k, v in table.items() if k != v), key=lambda kv: -len(kv[0]))
    used: Counter = Counter()
    metadata_ids = set()
    index = index_terms(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = translate_portable(cell.source, translations, used)
        elif cell.cell_type == "code":
            mystnb = cell.metadata.get("mystnb") or {}
            image = mystnb.get("image") or {}
            if isinstance(image.get("alt"), str):
                metadata_ids.add(image["alt"])
                image["alt"] = table.get(image["alt"], image["alt"])
            for key in ("code_prompt_show", "code_prompt_hide"):
                if isinstance(mystnb.get(key), str):
                    metadata_ids.add(mystnb[key])
                    mystnb[key] = table.get(mystnb[key], mystnb[key])
            cell.metadata.update(CELL_LANGUAGE)
    notebook.metadata["bplib"] = {"lang": LANG, "source": f"book/{page}.ipynb"}
    missing = [k for k, _ in translations if not used[k] and k not in metadata_ids and k not in index]
    if missing:
        raise ValueError(f"{page}: {len(missing)} translated messages are not in book/{page}.ipynb "
                         f"(run `python tools/i18n.py update`): "
                         + "; ".join(repr(m[:70]) for m in missing[:5]))
    return notebook


def keep_outputs(notebook, before) -> bool:
    """Give ``notebook``'s code cells the outputs of ``before`` (the Chinese notebook as it
    was) when its code cells are the same, so that a change of translation needs no new
    run; returns whether it did."""
    ours = [c for c in notebook.cells if c.cell_type == "code"]
    theirs = [c for c in before.cells if c.cell_type == "code"]
    if [c.source for c in ours] != [c.source for c in theirs]:
        return False
    for cell, old in zip(ours, theirs):
        cell.outputs = old.outputs
        cell.execution_count = old.execution_count
    return True


def notebook_pages() -> list[str]:
    """The pages that are notebooks (the others are ``.md`` pages, read on the site)."""
    return [page for page in pages() if (ROOT / "book" / f"{page}.ipynb").exists()]


def update() -> int:
    """Extract the English messages (Sphinx's gettext builder) and merge them into the
    catalogs (sphinx-intl): new messages empty, changed ones fuzzy, removed ones dropped."""
    bindir = Path(sys.executable).parent
    out = ROOT / "_build" / "i18n"
    shutil.rmtree(out, ignore_errors=True)
    jb = bindir / "jupyter-book"
    subprocess.run([str(jb if jb.exists() else "jupyter-book"), "build", str(ROOT), "--builder",
                    "custom", "--custom-builder", "gettext", "--path-output", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    intl = bindir / "sphinx-intl"
    subprocess.run([str(intl if intl.exists() else "sphinx-intl"), "update", "-p",
                    str(out / "_build" / "gettext"), "-l", LANG, "-d", str(LOCALE), "-w", "0",
                    "--no-obsolete"], check=True)
    for page in pages():
        prefill(page)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update")
    check = sub.add_parser("check")
    check.add_argument("pages", nargs="*")
    sub.add_parser("status")
    nbs = sub.add_parser("notebooks")
    nbs.add_argument("pages", nargs="*")
    for name in ("export", "import"):
        command = sub.add_parser(name)
        command.add_argument("page")
        command.add_argument("file", type=Path)
        if name == "export":
            command.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "notebooks":
        import nbformat

        ZH_NOTEBOOKS.mkdir(exist_ok=True)
        for page in args.pages or notebook_pages():
            path = ZH_NOTEBOOKS / f"{page}.ipynb"
            notebook = zh_notebook(page)
            kept = keep_outputs(notebook, nbformat.read(path, as_version=4)) if path.exists() else False
            nbformat.write(notebook, path)
            note = "its Chinese outputs kept" if kept else "English outputs: execute it (make notebooks)"
            print(f"wrote {path.relative_to(ROOT)} ({note})")
        return 0
    if args.command == "export":
        print(f"{export(args.page, args.file, args.all)} messages written to {args.file}")
        return 0
    if args.command == "import":
        print(f"{import_(args.page, args.file)} translations read into {args.page}.po")
        return 0
    if args.command == "update":
        return update()
    if args.command == "status":
        for page in pages():
            entries = [e for e in polib.pofile(str(CATALOGS / f"{page}.po")) if not e.obsolete]
            done = sum(1 for e in entries if e.msgstr.strip() and "fuzzy" not in e.flags)
            listed = "listed" if page in translated_pages() else ""
            print(f"{page:16s} {done:4d}/{len(entries):4d} {listed}")
        return 0
    found = [p for page in (args.pages or translated_pages()) for p in problems(page)]
    print("\n".join(found) if found else "no problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
