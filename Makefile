# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint ingest eval bench bench-load bench-tota browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: browser tests are skipped without chromium (sudo apt-get install chromium)"; fi; \
	fi

run: $(STAMP)
	$(PY) app.py

test: $(STAMP) browser
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

ingest: $(STAMP)
	$(PY) ingest.py

eval: $(STAMP)
	$(PY) -m assistant eval

bench: $(STAMP)
	$(PY) benchmarks/bench.py

bench-load: $(STAMP)
	$(PY) benchmarks/load.py --users 30 --questions 5

bench-tota: $(STAMP)
	$(PY) benchmarks/bench_tota.py

clean:
	rm -rf $(VENV) data artifacts
