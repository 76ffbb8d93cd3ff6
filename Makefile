# Two set-up commands: `make run` (whole pipeline on the default data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUTPUT ?= runs/default
# the hand-annotated evaluation set scored beside the held-out split
export AMER_GOLD_FILE ?= tests/fixtures/gold/clinical_gold.jsonl
STAMP := $(VENV)/.installed

.PHONY: run test install bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ui,postgres]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/amer pipeline run --output $(OUTPUT)

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/model_speed.py --model $(OUTPUT)/model --write docs/benchmarks.md

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) runs .amer test-artifacts
