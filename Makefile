# Two entry points do all the set-up on a fresh machine (Python ≥ 3.11 and make are all they need):
#   make sample   build outputs/2022.docx from inputs/2022.xlsx
#   make test     lint, type-check and run the tests (what CI runs, via .ci/run)
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: sample test lint office browser preview bench fuzz clean bytecode

$(BIN)/genreport: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# genreport's own modules compiled to bytecode, as pip does for an installed package (an editable install leaves it
# to the first import, which an environment with PYTHONDONTWRITEBYTECODE never keeps: every command would compile
# all of genreport again, about a third of a one-report build). Quick when nothing changed.
bytecode: $(BIN)/genreport
	$(BIN)/python -m compileall -q pipeline

sample: bytecode
	$(BIN)/genreport build inputs/2022.xlsx

lint: $(BIN)/genreport
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# LibreOffice for the tests that open the report and workbook in an office suite. Outside CI, a machine where it
# cannot be installed (no root) still runs the rest; those tests then skip.
office:
	bash scripts/install_office.sh || [ -z "$$CI" ]

# Debian's Chromium and chromedriver for the browser test of genreport serve (skipped outside CI without them).
browser:
	bash scripts/install_browser.sh || [ -z "$$CI" ]

test: lint office browser bytecode
	$(BIN)/python -m pytest -q -n auto

# README pictures: PDF pages and the HTML in a browser (LibreOffice, CJK fonts, poppler, Chromium: the script
# installs them through apt-get).
preview: $(BIN)/genreport
	bash scripts/render_preview.sh

# Every measurement of issue 19, paired in one run (bench/run_all.py): BENCH_N sizes every part (default 20;
# part 1's batch BENCH_BATCH_N, default 50 as the issue states it; BENCH_QUICK=1 the smallest run), BENCH_OUT the results folder (default bench-results/<time>/), BENCH_SKIP parts to
# leave out (batch,one,pdf,validate,web,rss); BENCH_WRITE=1 also writes its section of bench/RESULTS.md.
bench: bytecode
	$(BIN)/python bench/run_all.py

# The seeded fuzz test at full size (CI runs 200 cases), and the hostile workbooks at the issue's sizes; FUZZ_SEED
# picks another set of the same mix.
FUZZ_CASES ?= 3000
FUZZ_SEED ?=
fuzz: $(BIN)/genreport
	GENREPORT_FUZZ_CASES=$(FUZZ_CASES) GENREPORT_FUZZ_SEED=$(FUZZ_SEED) GENREPORT_HOSTILE_SCALE=full \
		$(BIN)/python -m pytest -q -n auto -p no:warnings tests/test_fuzz.py tests/test_hostile_workbooks.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
