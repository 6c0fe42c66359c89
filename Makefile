# journeymap: `make demo` runs the main job on the bundled sample log; `make test` runs
# the tests. Both set everything up first (system packages, .venv, the package).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: setup system-deps test-deps demo test test-slow lint typecheck pytest samples bench clean

setup: system-deps $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) ./scripts/system-deps.sh

# What only the tests need: Chromium for the report's browser tests, PostgreSQL, which
# the database tests start themselves on 127.0.0.1, and Java 17 for the Spark tests
# (PySpark is in the test extras).
test-deps:
	@PYTHON=$(PYTHON) ./scripts/system-deps.sh --browser --services

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: setup
	$(BIN)/journeymap inspect sample_logs/service_desk.csv
	$(BIN)/journeymap mine sample_logs/service_desk.csv --config sample_logs/service_desk.toml --templates sample_logs/service_desk_templates.toml -o $(DEMO_OUT) --format svg,png
	@echo "Report: $(DEMO_OUT)/report.html; journey map: $(DEMO_OUT)/journey.svg (and .png); tables: $(DEMO_OUT)/tables/; charts: $(DEMO_OUT)/charts/"

test: setup test-deps lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/lint_imports.py

typecheck: $(STAMP)
	$(BIN)/mypy

# The default run leaves out the tests marked slow (each more than about 20 s: a million
# rows streamed from PostgreSQL, a scaled-down incident log, the sample mined on Spark,
# a small log mined on a standalone Spark cluster); `make test-slow` runs them.
# The tests run on one process per core, at most four (TEST_PROCESSES=0 runs them all in
# pytest's own process); those that share a service (Spark, PostgreSQL) stay in one process.
TEST_PROCESSES ?= auto
PARALLEL := -n $(TEST_PROCESSES) --maxprocesses=4 --dist loadgroup

pytest: $(STAMP)
	$(BIN)/pytest -m "not slow" $(PARALLEL)

test-slow: setup test-deps
	$(BIN)/pytest -m slow $(PARALLEL)

samples: $(STAMP)
	$(BIN)/python sample_logs/make_samples.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) test-artifacts .pytest_cache .mypy_cache .ruff_cache *.egg-info
