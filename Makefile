# Kartläggning: `make run` serves the demo, `make test` runs every test. Both start from nothing.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app survey
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Local runs are debug runs: the secret key is generated once and kept in instance/.
LOCAL  := FLASK_DEBUG=1 PUBLIC_URL=http://$(HOST):$(PORT)

.PHONY: run test install install-test translations extract-messages system-test-packages clean

run: install translations
	$(LOCAL) $(FLASK) db upgrade
	$(LOCAL) $(FLASK) demo
	$(LOCAL) $(FLASK) run --host $(HOST) --port $(PORT) --no-debugger

test: install-test translations system-test-packages
	$(VENV)/bin/pytest
	@echo "== The same suite on PostgreSQL =="
	tests/with-postgres.sh $(VENV)/bin/pytest

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

# PostgreSQL's server programs, from Debian's packages when they are missing.
system-test-packages:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing PostgreSQL from Debian packages"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

translations: install
	$(VENV)/bin/pybabel -q compile --use-fuzzy -d survey/translations

# After changing UI text: refresh the catalogue, translate the new entries, commit the .po file.
extract-messages: install
	$(VENV)/bin/pybabel -q extract -F survey/translations/babel.cfg -k _l -o survey/translations/messages.pot survey
	$(VENV)/bin/pybabel -q update -i survey/translations/messages.pot -d survey/translations

clean:
	rm -rf $(VENV) instance/kartlaggning.sqlite* .pytest_cache
