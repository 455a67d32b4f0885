# Backprop, Tested — the two commands a reader needs: `make book` and `make test`.
# Each creates (or reuses) the virtual environment .venv and installs what it needs.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HTML   := _build/html

# Strict nbval: stored outputs must match exactly (sanitised only for memory addresses).
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=1800

.PHONY: help install book test test-fast lab notebooks catalogs bench clean pdf download

help:
	@echo "make book       build the HTML book, both editions: English in $(HTML), Chinese in $(HTML)/zh_CN (warnings are errors)"
	@echo "make test       run every test: bplib unit tests, strict nbval on every notebook (also as other CPUs compute), book build, browser check"
	@echo "make lab        open JupyterLab on book/ with bplib importable"
	@echo "make notebooks  re-execute every chapter and store its outputs (after editing a chapter), English and Chinese"
	@echo "make catalogs   after changing English text: update the Chinese catalogs (locale/zh_CN)"
	@echo "make bench      run the speed benchmarks (not part of the tests)"
	@echo "make pdf        print the whole book to one PDF, both editions: $(HTML)/backprop-tested.pdf and $(HTML)/zh_CN/backprop-tested.pdf (needs /usr/bin/chromium)"
	@echo "make download   the course to take home, both editions: $(HTML)/backprop-tested-course.zip and $(HTML)/zh_CN/backprop-tested-course.zip: chapters, bplib's wheel, requirements, PDF"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# Both editions: English at the site's root, Chinese under $(HTML)/zh_CN (tools/build_editions.py).
book: $(STAMP)
	$(PY) tools/build_editions.py

# Where the book's outputs are compared (test) or stored (notebooks), the chapters' NumPy
# printing is checked: an array element near a rounding boundary raises UnstableRounding
# (bplib.display.set_printoptions). Without this variable, as in a reader's `make lab`, it
# prints the same digits unchecked.
test notebooks: export BPLIB_STRICT_PRINT = 1

# Then strict nbval again as other CPUs compute (tools/other_cpus.py): without AVX-512 where
# NumPy finds it, and with last-bit noise in exp/log/tanh on every machine.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(NBVAL) tests book
	$(PY) tools/other_cpus.py

# Unit tests only (no notebooks, no book): quick feedback while editing bplib.
test-fast: $(STAMP)
	$(PY) -m pytest -n 2 tests -m "not book and not browser"

# jupyterlab-myst (requirements.txt) renders the chapters' MyST; as root (a container)
# JupyterLab refuses to start without --allow-root.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=book $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: $(STAMP)
	$(PY) tools/reader_notebooks.py book/*.ipynb
	$(PY) tools/execute_notebook.py book/*.ipynb
	$(PY) tools/i18n.py notebooks
	$(PY) tools/execute_notebook.py book/zh_CN/*.ipynb

# After changing English text: extract it and update the Chinese catalogs (new messages
# empty, changed ones fuzzy), then translate what `python tools/i18n.py check` lists.
catalogs: $(STAMP)
	$(PY) tools/i18n.py update
	$(PY) tools/i18n.py status

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build .pytest_cache .hypothesis

# The whole book as one PDF, written into the built site (after `make book`, or alone):
# a single-page HTML build printed by headless Chromium (tools/make_pdf.py). English, then
# the Chinese edition into its directory of the site.
pdf: $(STAMP)
	$(PY) tools/make_pdf.py --out $(HTML)/backprop-tested.pdf
	$(PY) tools/make_pdf.py --edition zh_CN --out $(HTML)/zh_CN/backprop-tested.pdf

# The course to take home, written into the built site (the intro page links it): the
# chapters, a wheel of bplib, the readers' pinned requirements, the PDF and a README
# (tools/make_download.py). It prints the PDF first when that is missing or stale.
# English, then the Chinese edition (its notebooks, pages, README and PDF) into zh_CN/.
download: $(STAMP)
	$(PY) tools/make_download.py --out $(HTML)/backprop-tested-course.zip
	$(PY) tools/make_download.py --edition zh_CN --out $(HTML)/zh_CN/backprop-tested-course.zip
