# Kartläggning: `make run` serves the demo, `make test` runs every test. Both start from nothing.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app survey
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Local runs are debug runs: the secret key is generated once and kept in instance/.
LOCAL  := FLASK_DEBUG=1 PUBLIC_URL=http://$(HOST):$(PORT)

.PHONY: run serve bench test lint install install-test translations extract-messages system-packages system-test-packages clean

run: install translations system-packages
	$(LOCAL) $(FLASK) db upgrade
	$(LOCAL) $(FLASK) demo
	@# The background-job worker (survey/jobs/) beside the server, stopped with it.
	$(LOCAL) $(FLASK) jobs work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(LOCAL) $(FLASK) run --host $(HOST) --port $(PORT) --no-debugger

# Production serving: gunicorn with gunicorn.conf.py (workers and threads from the core count; GUNICORN_* override)
# against DATABASE_URL, migrated first. SECRET_KEY must be set, the same on every app server.
serve: install translations system-packages
	$(FLASK) db upgrade
	@# The background-job worker (survey/jobs/) beside gunicorn, stopped with it, as in `make run`.
	$(FLASK) jobs work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

# The load benchmark (benches/bench_load.py) on SQLite and PostgreSQL, then the export benchmark. Defaults: 8, 32
# and 64 users, 30 s each, a 1,000-unit round; about 8 minutes. Shorter: make bench BENCH_ARGS="--seconds 10".
BENCH_ARGS ?=
bench: install-test translations system-packages system-test-packages
	$(PYTHON) benches/bench_load.py --database both $(BENCH_ARGS)
	$(PYTHON) benches/bench_export.py --units 2000 --small 200
	$(PYTHON) benches/bench_jobs.py --database both

test: lint install-test translations system-packages system-test-packages
	REQUIRE_BROWSER=1 REQUIRE_LIBREOFFICE=1 $(VENV)/bin/pytest
	@echo "== The same suite on PostgreSQL =="
	REQUIRE_BROWSER=1 REQUIRE_LIBREOFFICE=1 tests/with-postgres.sh $(VENV)/bin/pytest

# Lint, import order, formatting and types (settings in pyproject.toml); `make test` runs it first.
lint: install-test
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy

$(PYTHON):
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[serve]'
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[serve,test]'
	touch $@ $(VENV)/.installed

# What the app needs from the system at run time: Pango, HarfBuzz and a font for WeasyPrint (the report's PDF).
system-packages:
	@missing=""; \
	for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# PostgreSQL's server programs, Chromium for the browser tests and LibreOffice Calc, from Debian's packages
# when they are missing (Playwright never downloads a browser of its own here).
system-test-packages:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# LibreOffice Calc, headless, to check that every workbook we write opens in it.
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing from Debian packages: libreoffice-calc-nogui"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; }

translations: install
	$(VENV)/bin/pybabel -q compile --use-fuzzy -d survey/translations

# After changing UI text: refresh the catalogue, translate the new entries, commit the .po file.
extract-messages: install
	$(VENV)/bin/pybabel -q extract -F survey/translations/babel.cfg -k _l -o survey/translations/messages.pot survey
	@# Texts no longer in the code are dropped, not kept as #~ lines; a new text gets no fuzzy guess to ship by mistake.
	$(VENV)/bin/pybabel -q update -i survey/translations/messages.pot -d survey/translations --ignore-obsolete --no-fuzzy-matching -w 100

clean:
	rm -rf $(VENV) instance/kartlaggning.sqlite* .pytest_cache
