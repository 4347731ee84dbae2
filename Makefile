# newsflow: two commands matter, `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# requirements-cluster.lock: the same pins plus Ray (the tag stage's `executor: ray` and its tests).
CLUSTER_STAMP := $(VENV)/.installed-cluster
# dvc.yaml's commands call `python`: the project's own.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup setup-cluster run test lint lock bench bench-clean train-clean bench-segment bench-tag bench-aggregate clean-data \
	report-check bench-quotes bench-dates bench-ner bench-provenance gate bench-scale bench-templates

# Create .venv and install exactly what requirements.lock pins (hash-checked), once per lock change.
$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@touch $(STAMP)

$(CLUSTER_STAMP): requirements-cluster.lock $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-cluster.lock
	@touch $(CLUSTER_STAMP)

setup: $(STAMP)

## Also install Ray, for running the tag stage on a Ray cluster (tag.executor: ray).
setup-cluster: $(CLUSTER_STAMP)

## Set up if needed, check params.yaml and the input folder, then build every stage with DVC.
run: $(STAMP)
	@$(BIN)/python -m stages.check
	$(BIN)/dvc repro

## Set up if needed (Ray included: the Ray executor is tested too), then run the whole test suite.
test: $(CLUSTER_STAMP)
	$(BIN)/python -m pytest -q

## ruff (errors and likely bugs) and radon (functions over complexity 20 in stages/); both must be clean.
lint: $(STAMP)
	$(BIN)/ruff check stages schemas tests bench
	@out=$$($(BIN)/radon cc -s -n D stages schemas); if [ -n "$$out" ]; then echo "$$out"; \
	  echo "radon: the functions above have cyclomatic complexity over 20"; exit 1; fi; \
	  echo "radon: no function in stages/ or schemas/ over complexity 20"

## Re-pin requirements.lock from pyproject.toml (needs network to PyPI).
lock:
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra cluster --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -c requirements.lock -o requirements-cluster.lock

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

bench-clean: $(STAMP)
	$(BIN)/python bench/clean.py

## Train clean's two small LightGBM models (hard-wrap joins, body blocks), cross-validated by site.
train-clean: $(STAMP)
	$(BIN)/python bench/train_clean.py

bench-segment: $(STAMP)
	$(BIN)/python bench/segment.py

bench-tag: $(STAMP)
	$(BIN)/python bench/tag.py

bench-aggregate: $(STAMP)
	$(BIN)/python bench/aggregate.py

## The tag stage: local executor vs Ray on one node vs two nodes on loopback (wall time, memory, hashes).
bench-scale: $(CLUSTER_STAMP)
	$(BIN)/python bench/scale.py

## The whole pipeline on template-like short documents (5,000 and 20,000): time and memory growth per stage.
bench-templates: $(STAMP)
	$(BIN)/python bench/templates.py

## Quality harnesses: the whole pipeline on a ../shared dev benchmark, scored (JSON in bench/results/).
bench-quotes: $(STAMP)
	$(BIN)/python bench/quotes.py

bench-dates: $(STAMP)
	$(BIN)/python bench/dates.py

bench-ner: $(STAMP)
	$(BIN)/python bench/ner_conll.py

bench-provenance: $(STAMP)
	$(BIN)/python bench/provenance.py
	$(BIN)/python bench/provenance.py --mixed

## The fast quality gates (small subsets against bench/quality_floors.yaml).
gate: $(STAMP)
	$(BIN)/python -m pytest -q -m gate tests/test_quality_gates.py

report-check: $(STAMP)
	$(BIN)/python bench/report_check.py
