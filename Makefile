# l'Assistant Achats Durables. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
STAMP     := $(VENV)/.installed
MODEL_DIR := models
ASSETS    := bot/web/static/vendor/.built
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install assets run shell train validate lint typecheck unit browser stories nlu-report bench test data migrate purge teams-app clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock
	@PYTHON="$$(scripts/find-python.sh)" && echo "Python : $$PYTHON" && \
	  { [ -x $(PY) ] || "$$PYTHON" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

$(ASSETS): package.json package-lock.json scripts/build-assets.sh
	scripts/build-assets.sh
	@touch $@

install: $(STAMP) $(ASSETS) ## Build .venv with Python 3.10 and the pinned dependencies, and the web assets

assets: $(ASSETS) ## npm ci and copy DSFR and axe-core into bot/web/static/vendor

migrate: install ## Create or upgrade the database named by DATABASE_URL
	$(PY) -m bot db upgrade

train: install ## Train the model (skipped by Rasa when data and config are unchanged)
	$(RASA) train --domain domain --data data --config config.yml --out $(MODEL_DIR) --augmentation 0 --quiet

purge: migrate ## Delete what is past its retention period (docs/privacy.md); cron runs it daily
	$(PY) -m bot privacy purge

run: train migrate ## Start the action server (5055), the Rasa server (5005) and the web app (8000); Ctrl-C stops all
	$(PY) -m bot sessions seed
	$(PY) -m bot privacy purge
	scripts/run-all.sh

shell: train ## Chat with the assistant in the terminal (action server started alongside)
	scripts/run-all.sh --shell

validate: install ## Check the training data and the domain (rasa data validate)
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings --quiet

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install ## mypy (strict) on bot/ and channels/
	$(VENV)/bin/mypy bot channels

unit: install ## Unit tests (no model needed)
	$(PY) -m pytest -m "not model and not browser" -q

browser: train ## Widget in Debian's chromium (Playwright): keyboard journey, axe-core, screenshot
	$(PY) -m pytest -m browser -q

STORIES := $(RASA) test core --model $(MODEL_DIR) --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

stories: train ## Test stories with --fail-on-prediction-errors
	$(STORIES)

nlu-report: train ## Evaluate the model on the held-out French test set (tests/nlu)
	$(PY) scripts/nlu_report.py --model $(MODEL_DIR) --test-dir tests/nlu --out docs/nlu-report.json

bench: train migrate ## Speed figures (training, loading, memory, bookings/s)
	$(PY) scripts/bench.py

data: install ## Re-derive the territory tables from @etalab/decoupage-administratif
	$(PY) scripts/build_territories.py

test: lint typecheck validate unit train ## The whole suite (CI runs this)
	$(PY) -m pytest -m model -q
	$(PY) -m pytest -m browser -q
	$(STORIES)  # not `make stories`: the model is trained once per run

teams-app: install ## Build the Teams app package var/teams-app.zip (TEAMS_* variables, docs/teams.md)
	$(PY) scripts/teams_package.py

clean: ## Remove models, results and the local database
	rm -rf $(MODEL_DIR) results var/*.db
