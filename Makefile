# Two commands on a fresh machine (Python 3.11):
#   make run   installs the app and starts it on SQLite with demo data (http://127.0.0.1:5000)
#   make test  installs what the tests need and runs the whole suite (on SQLite, then on PostgreSQL)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.app-deps
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app seed-demo
	JURES_PARTAGES=1 $(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (nothing downloads a browser), and the PDF tests read
# the PDFs as a printer would with poppler's pdftotext: install them when missing.
CHROMIUM = /usr/bin/chromium
PDFTOTEXT = /usr/bin/pdftotext
$(CHROMIUM) $(PDFTOTEXT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core poppler-utils

# The HTML tests run the Nu HTML Checker (npm's vnu-jar, pinned in tests/tools/) with Java.
JAVA = /usr/bin/java
VNU = tests/tools/node_modules/vnu-jar/build/dist/vnu.jar
$(JAVA):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless
$(VNU): tests/tools/package.json tests/tools/package-lock.json
	npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
	touch $@

# The whole suite twice: on SQLite, then on a throwaway PostgreSQL server started for it; each pass
# spread over the machine's cores (pytest-xdist: the tests share no file nor database).
PYTEST = $(BIN)/python -m pytest -n auto
test: $(VENV)/.test-deps $(CHROMIUM) $(PDFTOTEXT) $(JAVA) $(VNU)
	$(PYTEST)
	scripts/with-postgres.sh $(PYTEST)
