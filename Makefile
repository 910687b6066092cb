# CHIDI — `make dev` runs the product on its embedded defaults; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

PYTHON ?= python3.11
UV := .tools/bin/uv
VENV := .venv/bin
PG_PORT ?= 55432
REDIS_PORT ?= 56379
INFRA := $(VENV)/python scripts/localinfra.py --pg-port $(PG_PORT) --redis-port $(REDIS_PORT)
# make dev runs on the local services unless DATABASE_URL / REDIS_URL are in the environment.
export DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:$(PG_PORT)/chidi
export REDIS_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0
# make eval seeds its suites' businesses into a database of its own.
EVAL_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:$(PG_PORT)/chidi_eval
EVAL_ARGS ?=
TEST_ENV := ENVIRONMENT=test \
	DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$(PG_PORT)/chidi_test \
	REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/1

.PHONY: help install infra migrate seed dev test eval lint format stop clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(UV) ## Install the locked dependencies into .venv
	$(UV) sync --frozen --python $(PYTHON) --quiet

infra: install ## Start local Postgres (+pgvector) and Redis (idempotent)
	$(INFRA) up --databases chidi chidi_test

migrate: infra ## Apply database migrations
	$(VENV)/alembic upgrade head

seed: migrate ## Load the demo owner, business, catalog and connection
	$(VENV)/python -m scripts.seed_demo

dev: seed ## Set up everything and run API + worker on http://127.0.0.1:8000 (Ctrl-C stops)
	$(VENV)/python scripts/dev.py --pg-port $(PG_PORT) --redis-port $(REDIS_PORT)

test: infra ## Set up what tests need and run the whole suite
	scripts/ensure_browser.sh
	$(TEST_ENV) $(VENV)/pytest

eval: install ## Run the golden-conversation suites (local brain) and print the report
	$(INFRA) up --databases chidi_eval
	DATABASE_URL=$(EVAL_DATABASE_URL) $(VENV)/alembic upgrade head
	DATABASE_URL=$(EVAL_DATABASE_URL) $(VENV)/python -m evals run evals/suites --brain local $(EVAL_ARGS)

lint: install ## ruff and mypy
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .

format: install ## Format the code
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

stop: ## Stop local Postgres and Redis
	$(INFRA) down

clean: stop ## Stop services and delete local data
	rm -rf .local
