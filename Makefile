# Laurel. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := laurel.settings
export PYTHONPATH := $(CURDIR)/src

.PHONY: run test lint bench bench-postgres browsers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: $(BIN)/python requirements/base.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.lock
	touch $@

# The demo's award emails go to files under var/mail rather than flooding the terminal.
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
# Debug (and its published development key) only on this machine.
run: export LAUREL_DEBUG ?= 1
run: $(VENV)/.installed-base
	@mkdir -p "$${LAUREL_VAR_DIR:-var}"
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py collectstatic --no-input -v 0
	@exec $(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not
# used). Installed once, as root, on a machine that lacks it.
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium; \
	}

# The third-party verifier (Digital Bazaar's stack) that the credential tests run.
verifier/node_modules/.installed: verifier/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	cd verifier && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: browsers $(VENV)/.installed-dev verifier/node_modules/.installed
	@mkdir -p "$${LAUREL_VAR_DIR:-var}"
	$(BIN)/ruff check src benchmarks
	$(BIN)/ruff format --check src benchmarks
	LAUREL_DEBUG=1 $(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	LAUREL_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n 2 src

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src benchmarks
	LAUREL_DEBUG=1 $(BIN)/mypy

# The benchmarks build throwaway databases on this machine.
bench bench-postgres: export LAUREL_DEBUG ?= 1

bench: $(VENV)/.installed-dev
	@mkdir -p var
	$(BIN)/python benchmarks/record.py
	$(BIN)/python benchmarks/csv_import.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/public_page.py
	$(BIN)/python benchmarks/credentials.py
	$(BIN)/python benchmarks/emails.py
	$(BIN)/python benchmarks/console.py
	$(BIN)/python benchmarks/track_progress.py
	$(BIN)/python benchmarks/badges.py

bench-postgres: $(VENV)/.installed-dev
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/record.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/csv_import.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/public_page.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/credentials.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/emails.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/console.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/track_progress.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/laurel_bench $(BIN)/python benchmarks/badges.py

clean:
	rm -rf $(VENV) var verifier/node_modules
