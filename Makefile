# Two commands: `make run` and `make test`. Everything is installed into .venv from PyPI.
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: install install-server run ingest test eval lint bench bench-load bench-deploy corpus clean

$(BIN)/python:
	python3 -m venv $(VENV)

# torch first, pinned: an unpinned torch pulls several GB of CUDA packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The browser tests drive Debian's chromium: Playwright's own browser download does not work here.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	apt-get install -y --no-install-recommends chromium || \
		(apt-get update && apt-get install -y --no-install-recommends chromium)

# The question store's tests run a real PostgreSQL (tests/store/conftest.py): Debian's server,
# whichever major version the release ships (/usr/lib/postgresql/<version>/bin).
POSTGRES_STAMP := $(VENV)/.postgresql

$(POSTGRES_STAMP): | $(BIN)/python
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		apt-get install -y --no-install-recommends postgresql || \
		(apt-get update && apt-get install -y --no-install-recommends postgresql)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null
	touch $@

# tests/deploy/ run Debian's nginx with the examples of deploy/nginx/ in front of two servers.
NGINX := /usr/sbin/nginx

$(NGINX):
	apt-get install -y --no-install-recommends nginx || \
		(apt-get update && apt-get install -y --no-install-recommends nginx)

install: $(VENV)/.installed $(CHROMIUM) $(POSTGRES_STAMP) $(NGINX)

# A server (docs/deploy.md): the package and its models in .venv, nothing for tests (no browser,
# no PostgreSQL server, no nginx: those are the system's). Editable, as prompts/ is read from here.
install-server: | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .

ingest: install
	$(BIN)/plan-assistant ingest

run: ingest
	$(BIN)/plan-assistant serve --host $(HOST) --port $(PORT)

test: lint
	$(BIN)/python -m pytest -q
	$(BIN)/plan-assistant eval

eval: install
	$(BIN)/plan-assistant eval

lint: install
	$(BIN)/ruff check assistant ingest evals learn tests bench scripts
	$(BIN)/ruff format --check assistant ingest evals learn tests bench scripts
	$(BIN)/mypy assistant ingest evals learn

bench: ingest
	$(BIN)/python bench/bench_ask.py

# The corpus PDFs embed Liberation Sans (Helvetica's widths), from Debian.
LIBERATION := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf

$(LIBERATION):
	apt-get install -y --no-install-recommends fonts-liberation || \
		(apt-get update && apt-get install -y --no-install-recommends fonts-liberation)
# /api/ask at 1-64 concurrent clients and beside 48 hostile PDF uploads, on the index in .data.
bench-load: ingest
	$(BIN)/python bench/bench_load.py --data .data

# The deployment of docs/deploy.md on this machine: first ingest, start time, memory per process,
# answers per second through nginx with one process and with two.
bench-deploy: install
	$(BIN)/python bench/bench_deploy.py

# Rebuild corpus/ from ../shared/source-documents (the output is committed).
corpus: install $(LIBERATION)
	$(BIN)/python scripts/build_corpus.py

clean:
	rm -rf .data evals/out bench/out
