# Arvo: `make demo` runs a full steering cycle on the synthetic region; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean lock

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arvo demo

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/arvo bench

lock:
	rm -rf /tmp/arvo-lock && $(PYTHON) -m venv /tmp/arvo-lock
	/tmp/arvo-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/arvo-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf var dbt_project/target dbt_project/logs
