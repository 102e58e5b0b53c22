# Two commands on a fresh machine with Python 3.11 and make:
#   make run    create .venv, install, run every asset and check on seeds/, print a summary
#   make test   the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export XXGK_CORPUS  ?= $(CURDIR)/seeds
export XXGK_WAREHOUSE ?= $(CURDIR)/warehouse
# the file dbt's profile opens; dbt re-parses the whole project when it differs
# from the one `make manifest` parsed with, so both must agree
export XXGK_DUCKDB ?= $(XXGK_WAREHOUSE)/xxgk.duckdb
# the venv's tools (dbt for dagster-dbt under `dagster dev`) without activating it
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test ui bench instructions manifest clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# dbt's manifest, which the Dagster definitions load (dagster dev makes it itself).
manifest: install
	cd dbt && ../$(BIN)/dbt parse --profiles-dir . --quiet

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

run: manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m xxgk_dagster.run

test: manifest
	$(BIN)/python -m pytest

ui: manifest $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: manifest
	$(BIN)/xxgk bench

# instructions per report of the Python stages (valgrind): a measure this machine's drift does not move
instructions: install
	$(BIN)/xxgk instructions

clean:
	rm -rf warehouse $(DAGSTER_HOME) dbt/target dbt/logs
