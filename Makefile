# The two commands a newcomer needs: `make demo` and `make test`. Everything runs from a local .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: demo test bench lint i18n screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## start the whole system with SQLite, dev keys and demo data; prints where to click (PORT=8080 to move it)
	$(BIN)/esibook demo --host $(HOST) --port $(PORT)

test: $(STAMP)  ## every test: unit, integration on SQLite and PostgreSQL, browser pages in Chromium
	$(BIN)/pytest

bench: $(STAMP)  ## speed goals; results go to docs/performance.md
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/posting.py
	$(BIN)/python benchmarks/policy.py
	$(BIN)/python benchmarks/jobs.py
	$(BIN)/python benchmarks/log_proofs.py
	$(BIN)/python benchmarks/bulk_issuance.py
	$(BIN)/python benchmarks/verify.py
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/book_reads.py
	$(BIN)/python benchmarks/clinic_search.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

screenshots: $(STAMP)  ## phone screenshots (360 × 740, Vietnamese) of the main pages into docs/screenshots/
	rm -rf var/screenshots-demo
	ESIBOOK_DATA_DIR=var/screenshots-demo $(BIN)/esibook demo --seed-only
	ESIBOOK_DATA_DIR=var/screenshots-demo $(BIN)/python scripts/screenshots.py docs/screenshots

i18n: $(STAMP)  ## extract page texts and merge them into the Vietnamese catalogue
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k N_ --no-location -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d src/esibook/web/locale -l vi --no-fuzzy-matching

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .ruff_cache
