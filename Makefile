# Two commands on a fresh machine:  `make run`  (the bot, on SQLite)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SOAK_RUNS ?= 10

.PHONY: install run console test lint typecheck check soak bench bench-content bench-quiz bench-interactions bench-dispatch bench-due bench-stats bench-memory migrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Run the bot (needs DISCORD_TOKEN in the environment or .env; without one it offers the offline console).
run: $(STAMP)
	$(PY) -m bot run

## Try the bot offline against a local Discord-compatible server.
console: $(STAMP)
	$(PY) -m bot console

migrate: $(STAMP)
	$(PY) -m bot migrate

## Run the whole test suite (PostgreSQL tests run when TEST_DATABASE_URL is set).
test: $(STAMP)
	$(PY) -m bot content check
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint Dockerfile

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: test lint typecheck

## Everything at once, SOAK_RUNS times (default 10): SQLite in one process, then PostgreSQL with
## two processes when TEST_DATABASE_URL is set. Prints each run's verdict; not part of `make test`.
soak: $(STAMP)
	$(PY) -m bench.soak --runs $(SOAK_RUNS)

## Benchmarks: each prints the load average at its start, its figures, CPU beside wall time,
## and a JSON line at the end. Options: `python -m bench.dispatch --pg | --unlimited`,
## `python -m bench.interactions --pg` (PostgreSQL from TEST_DATABASE_URL).
bench: bench-content bench-due bench-interactions bench-stats bench-memory bench-dispatch bench-quiz bench-refit

bench-content: $(STAMP)
	$(PY) -m bench.content_load

bench-interactions: $(STAMP)
	$(PY) -m bench.interactions

bench-quiz: $(STAMP)
	$(PY) -m bench.srs_simulation

bench-refit: $(STAMP)
	$(PY) -m bench.refit_lag

bench-memory: $(STAMP)
	$(PY) -m bench.memory

bench-stats: $(STAMP)
	$(PY) -m bench.stats_render

bench-dispatch: $(STAMP)
	$(PY) -m bench.dispatch

# The claim batch as a tick runs it; the PostgreSQL part runs when TEST_DATABASE_URL is set.
bench-due: $(STAMP)
	$(PY) -m bench.due_query

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
