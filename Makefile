# Fengtai benefits checker. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup run test lint unit bench cluster cluster-stop soak babel-extract babel-update babel-compile babel-check clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

# constraints.txt pins every package, dependencies of dependencies included
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) babel-compile ## Create .venv, install pinned dependencies, compile translations

run: setup ## Serve with gunicorn on 127.0.0.1:$(PORT) (PORT overrides; SECRET_KEY made if unset)
	@[ -n "$$SECRET_KEY" ] || echo "make run: SECRET_KEY is not set, so this run uses a random one made now. In production set SECRET_KEY, the same on every instance." >&2
	SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')}" \
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: setup lint babel-check ## Run every test, browser tests included
	scripts/ensure-browser
	scripts/ensure-serving
	$(BIN)/pytest

unit: setup ## Run the tests without the browser
	$(BIN)/pytest -m "not browser"

bench: setup ## Ratios in one run: a check and a batch file vs plain Python, routes vs /healthz under wrk; writes docs/benchmarks.md
	scripts/ensure-serving
	$(BIN)/python scripts/bench.py

cluster: setup ## nginx (127.0.0.1:8080, CLUSTER_PORT overrides) in front of two gunicorn instances; files in .cluster/
	scripts/ensure-serving
	$(BIN)/python scripts/cluster.py start

cluster-stop: ## Stop what make cluster started
	$(BIN)/python scripts/cluster.py stop

# schemathesis and its own dependencies, pinned, apart from the app's .venv
.venv-soak/.installed: scripts/soak-requirements.txt
	$(PYTHON) -m venv .venv-soak
	.venv-soak/bin/pip install --quiet -r scripts/soak-requirements.txt
	touch $@

soak: setup .venv-soak/.installed ## 50,000 mixed checks through nginx with faults, schemathesis, the full engine oracle soak (minutes; not in make test)
	scripts/ensure-serving
	nice -n 10 $(BIN)/python scripts/soak.py
	ENGINE_CHECKS_PER_THREAD=2000 nice -n 10 $(BIN)/pytest tests/test_engine.py -q -k eight_threads

lint: $(STAMP) ## ruff
	$(BIN)/ruff check app tests wsgi.py gunicorn.conf.py gunicorn_hooks.py scripts

babel-extract: $(STAMP) ## Extract translatable text into translations/messages.pot
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -k lazy_gettext -o translations/messages.pot .

babel-update: babel-extract ## Merge new text into the .po files
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

babel-compile: $(STAMP) ## Build the .mo files
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v '^$$' || true
	@test -f translations/zh/LC_MESSAGES/messages.mo

babel-check: $(STAMP) ## Fail if messages.pot is stale or a message lacks a translation
	$(BIN)/python scripts/check_translations.py

clean: ## Remove the virtualenv and build files
	rm -rf $(VENV) .venv-soak .cluster .soak .tmp .pytest_cache translations/*/LC_MESSAGES/*.mo
