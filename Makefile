# Arvo: `make demo` runs a full steering cycle on the synthetic region; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: deps demo test test-seeds test-ops serve lint bench bench-scaling nhs clean lock messages page-images

# Debian packages the PDF reports need: Pango and HarfBuzz-Subset for WeasyPrint, and a local
# font (nothing is fetched at run time). apt-get installs the missing ones (with sudo when not
# root); on a machine without dpkg, install Pango >= 1.44 and a sans-serif font yourself.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
deps:
	@command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  echo "installing $$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): requirements.lock pyproject.toml | deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arvo demo --pdf

# Two workers (pytest-xdist): each test file whole on one worker, the files on the session's
# loop region on one (tests/conftest.py). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope -m "not seeds and not ops"

# Operations against real processes: `arvo serve` with a Prefect server, its deployments
# and worker (tests/test_serve.py), and a steering run SIGKILLed in each stage (ingest, dbt,
# obligations, reports) then rerun, which must leave exactly what an uninterrupted run
# leaves (tests/test_kill.py, docs/reruns.md). CI runs it after `make test`.
test-ops: $(STAMP)
	$(BIN)/pytest -q -m ops

# The loop on its schedules: a Prefect server on loopback (history under $(SERVE_HOME)/prefect),
# the work pool, the deployments of prefect.yaml and a worker; the UI's address is printed.
SERVE_HOME ?= var
serve: $(STAMP)
	$(BIN)/arvo serve --home $(SERVE_HOME)

# The planted-truth test of the fair verdicts on five seeds of the default-size demo region
# through the pipeline (tests/test_fair_verdicts.py; about 10 minutes). CI runs it after
# `make test`.
test-seeds: $(STAMP)
	$(BIN)/pytest -q -m seeds

lint: $(STAMP)
	$(BIN)/ruff check .

# The county-scale benchmark (docs/operations.md#benchmark): a region of BENCH_RESIDENTS over
# BENCH_MONTHS, a monthly and a cold steering period, stage by stage; figures appended to
# docs/bench/figures.csv and tabled in docs/operations.md. bench-scaling measures the
# monthly period at three sizes and three history lengths for the exponents.
BENCH_RESIDENTS ?= 500000
BENCH_MONTHS ?= 24
bench: $(STAMP)
	$(BIN)/arvo bench --residents $(BENCH_RESIDENTS) --months $(BENCH_MONTHS)

bench-scaling: $(STAMP)
	$(BIN)/arvo bench --residents 50000,200000,500000 --months 24
	$(BIN)/arvo bench --residents 50000 --months 12,48

# The NHS PROMs 2016-17 pack through the unchanged pipeline, checked against NHS's
# published per-provider figures (docs/nhs-proms.md). NHS_ALL=1 keeps every record.
NHS_PACK ?= ../shared/data/nhs-proms-2016-17
NHS_HOME ?= var/nhs
nhs: $(STAMP)
	rm -rf $(NHS_HOME)
	$(BIN)/arvo import nhs-proms $(NHS_PACK) --out $(NHS_HOME) $(if $(NHS_ALL),,--modelled-only)
	@# the identities in the import are synthetic: a fixed key is enough unless one is set
	ARVO_PSEUDONYM_KEY=$${ARVO_PSEUDONYM_KEY:-nhs-import-demo} $(BIN)/arvo steer \
	  --home $(NHS_HOME) --raw-dir $(NHS_HOME)/raw --definitions-dir $(NHS_HOME)/definitions \
	  --period 2017-09
	$(BIN)/arvo compare nhs-provcomm $(NHS_PACK) --home $(NHS_HOME)
	$(BIN)/arvo compare nhs-adjusted $(NHS_PACK) --home $(NHS_HOME)

# Extract every message template into arvo/locale/arvo.pot and merge it into the fi, sv
# and en catalogues (docs/languages.md); tests/test_messages.py fails until each is translated.
messages: $(STAMP)
	$(BIN)/python -m arvo.translations

# Page 1 of the demo's steering report and of one provider's feedback as PNG for the docs
# (after `make demo`).
PAGE_PERIOD ?= 2025-12
PAGE_PROVIDER ?= 2358253-3
page-images: $(STAMP)
	$(BIN)/arvo page-image var/reports/$(PAGE_PERIOD)/steering_report.pdf docs/images/steering_report_page1.png
	$(BIN)/arvo page-image var/reports/$(PAGE_PERIOD)/providers/$(PAGE_PROVIDER)/feedback.pdf docs/images/provider_feedback_page1.png

lock:
	rm -rf /tmp/arvo-lock && $(PYTHON) -m venv /tmp/arvo-lock
	/tmp/arvo-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/arvo-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf var dbt_project/target dbt_project/logs
