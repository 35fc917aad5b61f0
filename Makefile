# Two commands do everything on a fresh machine (see README):
#   make run    install, index corpus/ on the embedded store, serve the web UI (waitress, `kennisbank serve`)
#   make test   install (with test tools and Chromium), run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
DATA ?= data
export HF_HUB_OFFLINE := 1
export HAYSTACK_TELEMETRY_ENABLED := False

.PHONY: run test install system-test-deps

run: install
	$(VENV)/bin/kennisbank --data-dir $(DATA) ingest corpus/
	$(VENV)/bin/kennisbank --data-dir $(DATA) serve --host $(HOST) --port $(PORT)

test: install system-test-deps
	$(VENV)/bin/lint-imports --no-cache
	@set +e; $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

install: $(VENV)/.installed

# torch first, pinned to the CPU build on this disk; otherwise a dependency pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# Headless Chromium (browser test) and a Unicode TTF font (generated Dutch PDFs), from Debian.
system-test-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi
