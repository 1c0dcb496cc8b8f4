# The two commands a newcomer needs: `make run` and `make test`.
# PYTHON and PORT set empty or blank (an env file, or `make run PORT=`) count as unset.
override PYTHON := $(or $(strip $(PYTHON)),python3)
override PORT := $(or $(strip $(PORT)),8000)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SERVE_STAMP := $(VENV)/.serve-stamp
LINT_DB := build/lint.sqlite3
# Scratch databases under build/ are catalog changes too: with no README path they leave the
# site's README file (README_EXPORT_PATH, var/README.md by default) alone.
LINT_ENV := README_EXPORT_PATH= DATABASE_URL=sqlite:///$(abspath $(LINT_DB))

.PHONY: install run test lint lint-md export fixture migrate serve bench bytecode backup restore clean help

help:
	@echo "make run      install, migrate, load the seed catalog, serve on 127.0.0.1:$(PORT)"
	@echo "make test     install and run the whole test suite"
	@echo "make install  only the .venv with test dependencies"
	@echo "make lint     ruff, Django checks, migrations check, markdownlint of the export"
	@echo "make export   write the README export to build/README.md"
	@echo "make fixture  rebuild fixtures/catalog.json from the seed README"
	@echo "make backup   dump the data to BACKUP (default backup.json); make restore loads it"
	@echo "make migrate  install the application without test tools, then migrate (a deploy)"
	@echo "make serve    collectstatic, then gunicorn with production settings on PORT"
	@echo "make bytecode compile the application's bytecode (make migrate and serve do)"
	@echo "make bench    the benchmarks (slow); writes bench/RESULTS.md"
	@echo "make lint-md  markdownlint of the seed's export (needs Node.js and npm)"
	@echo "make clean    remove .venv, build/, node_modules/ and staticfiles/"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# What a production host needs: the application without the test tools.
$(SERVE_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_catalog
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) lint-md

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

# The export of the seed catalog must pass markdownlint (config: .markdownlint-cli2.jsonc).
lint-md: install node_modules/.package-lock.json
	mkdir -p build/lint && rm -f $(LINT_DB)
	$(LINT_ENV) $(PY) manage.py migrate --noinput -v0
	$(LINT_ENV) $(PY) manage.py loaddata catalog -v0
	$(LINT_ENV) $(PY) manage.py export_readme --output build/lint/README.md
	npx --no-install markdownlint-cli2 build/lint/README.md

export: install
	mkdir -p build
	$(PY) manage.py export_readme --output build/README.md

SEED ?= $(firstword $(wildcard ../shared/seed/README.md) fixtures/seed/README.md)
FIXTURE_DB ?= build/fixture.sqlite3
FIXTURE_OUTPUT ?= fixtures/catalog.json
FIXTURE_ENV := README_EXPORT_PATH= DATABASE_URL=sqlite:///$(abspath $(FIXTURE_DB))
# Keep the timestamp in step with FIXTURE_TIMESTAMP in tests/test_readme_import.py.
FIXTURE_TIMESTAMP := 2024-09-04T00:00:00Z

# Rebuild fixtures/catalog.json from the seed README (a test proves the two agree).
fixture: install
	mkdir -p $(dir $(FIXTURE_DB)) && rm -f $(FIXTURE_DB)
	$(FIXTURE_ENV) $(PY) manage.py migrate --noinput -v0
	$(FIXTURE_ENV) $(PY) manage.py import_readme $(SEED) --timestamp $(FIXTURE_TIMESTAMP)
	$(FIXTURE_ENV) $(PY) manage.py dumpdata catalog --indent 2 --output $(FIXTURE_OUTPUT)

# The application's bytecode, compiled once at deploy: every process (gunicorn workers, the
# export from cron) then loads it instead of compiling each module it imports, which it does
# on every start where PYTHONDONTWRITEBYTECODE is set. Where the code is not writable by the
# deploy's user, nothing is written and the deploy goes on (processes compile as before); a
# module that does not compile stops it.
bytecode:
	@out=$$($(PY) -m compileall -q manage.py config catalog curation quality 2>&1) || { \
		if printf '%s\n' "$$out" | grep -qE '^(SyntaxError|IndentationError|TabError|ValueError)'; \
		then printf '%s\n' "$$out" >&2; exit 1; fi; \
		echo "make bytecode: not all bytecode written (is the code read-only?); going on"; }

# A deploy's migrations, on one host (the settings come from DJANGO_SETTINGS_MODULE).
migrate: $(SERVE_STAMP) bytecode
	$(PY) manage.py migrate --noinput

# Production settings for collectstatic too: they select the hashed, compressed storage.
serve: $(SERVE_STAMP) bytecode
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.production $(VENV)/bin/gunicorn config.wsgi \
		--bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile - \
		--logger-class config.redaction.RedactingGunicornLogger

# Benchmarks (slow, never in CI): generated catalogs of 10,000 and 100,000 papers, gunicorn and
# wrk on 127.0.0.1; adds the run to bench/RESULTS.md. BENCH_ARGS="--databases sqlite,postgresql" etc.
bench: install bytecode
	$(PY) -m bench.run $(BENCH_ARGS)

# Backup and restore of everything people entered: the catalog, submissions with their
# history, users and groups, the admin history (and the venue vocabulary). BACKUP is a path;
# DATABASE_URL picks the database. Restore migrates first, so it works on an empty database.
# No `install` dependency: they run against an existing installation.
BACKUP ?= backup.json
BACKUP_APPS := auth admin.logentry catalog quality curation

# Written to a temporary file, renamed when complete: a dump that fails (a database never
# migrated, a lost connection) leaves no half file, and an older backup at BACKUP as it was.
backup:
	mkdir -p $(dir $(BACKUP))
	$(PY) manage.py dumpdata $(BACKUP_APPS) --natural-foreign --natural-primary --indent 1 \
		--output $(BACKUP).partial || { rm -f $(BACKUP).partial; exit 1; }
	mv $(BACKUP).partial $(BACKUP)

restore:
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py restore_backup $(BACKUP)

clean:
	rm -rf $(VENV) build node_modules staticfiles
