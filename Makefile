# The two commands of the README: `make demo` and `make test`. Both build .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest-xdist workers: one per core and one more (the suite waits on sockets, sleeps and subprocesses a good part
# of its time). 4 workers on 2 cores finished the parallel part in 131 s against 167 s with 3, but beside the lint
# on a clean clone three CI runs in a row each failed a different timing-bound test (a keep-alive race in
# test_cluster, a Confirm card after say's quiet window, an approval not through in 15 s): 3 it is.
WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")

.PHONY: demo test lint install clean bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/hostbot demo

lint: $(STAMP)
	$(BIN)/ruff check bot handlers tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# pytest exits 5 when it collects no tests; that is not a failure of the suite. -n $(WORKERS): a worker per core and one more
# (pytest-xdist; each worker has its own session fixtures: PostgreSQL server, ...), then the tests marked
# `serial` (they time things in milliseconds) with nothing beside them. The lint runs beside the parallel part
# (most of those tests wait on processes and sockets, and mypy without its cache takes ~40 s of one core);
# its output is shown when it is done, and either failing fails `make test`. The serial part collects only the files
# that mark a test `serial` (collecting all of tests/ took 4 of its 16 s; tests/conftest.py stops the run if a
# test is marked serial in a file without the words `mark.serial`, which this grep would miss).
test: $(STAMP)
	@lintlog=$$(mktemp); $(MAKE) --no-print-directory lint >$$lintlog 2>&1 & lint=$$!; \
	$(BIN)/python -m pytest -n $(WORKERS) -m "not serial"; rc=$$?; [ $$rc -eq 5 ] && rc=0; \
	wait $$lint; lrc=$$?; cat $$lintlog; rm -f $$lintlog; \
	$(BIN)/python -m pytest -m serial $$(grep -rl --include='test_*.py' 'mark\.serial' tests); rc2=$$?; \
	[ $$rc2 -eq 5 ] && rc2=0; \
	if [ $$lrc -ne 0 ]; then echo "make lint failed" >&2; exit $$lrc; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; exit $$rc2

# Benchmarks, not part of `make test`: real processes on 127.0.0.1. `make bench` prints hostbot beside the
# bare Bolt peer in one table (bench/versus.py; BENCH_BASE=/other/checkout adds that code's figures) and
# appends the row to bench/RESULTS.md. `python -m bench ack|overhead|limits|replicas|all` runs the others
# (replicas needs PostgreSQL's server binaries, as the tests do).
bench: $(STAMP)
	@$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
