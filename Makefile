# Bastion: `make run` to try it, `make test` to check it. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SERVE_STAMP := $(VENV)/.installed-serve
HOST ?= 127.0.0.1
PORT ?= 8000
# Two sync workers per core: a check-in's time goes to Python, and threads left a core idle.
WORKERS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) )))
BACKUP_DIR ?= backups

.PHONY: install run serve test bench bench-city load backup restore lint typecheck format messages check-messages clean help

help:
	@echo "make run    - install, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   - install and run the whole test suite"
	@echo "make install - .venv with the runtime dependencies only (what a server needs)"
	@echo "make serve  - production serving: migrate, collect static files, gunicorn on $(HOST):$(PORT)"
	@echo "make bench  - the gate benchmark on the configured database (DATABASE_URL)"
	@echo "make bench-city - the dashboards and the gate on a 300-compound city (PostgreSQL)"
	@echo "make load   - drive the running server (make serve) on loopback, then check the database"
	@echo "make backup - a consistent copy of the database into $(BACKUP_DIR)/"
	@echo "make restore FILE=… - replace the database with a backup (stop the server first)"
	@echo "make lint   - ruff check and format check"
	@echo "make typecheck - mypy with the Django and DRF plugins (config in pyproject.toml)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP) $(SERVE_STAMP)

# A server needs the runtime dependencies only (no test, lint or browser tools: 443 MB
# with them on a fresh Debian 12). A checkout that has the dev ones has these too.
$(SERVE_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(SERVE_STAMP)

install: $(SERVE_STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Bastion is at http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/docs/)"
	@echo "  Demo logins, all with password bastion-demo:"
	@echo "    office      community officer over every compound of the demo community"
	@echo "    secretary   branch secretary of 绿景水岸 (the large compound)"
	@echo "    volunteer   volunteer of 绿景水岸"
	@echo "    volunteer2  volunteer of 南嘉商业城 (the small compound)"
	@echo ""
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# Production serving in one command. Settings come from the environment or .env (README,
# "Deployment"): DEBUG stays off, SECRET_KEY is required, SECURE=1 behind HTTPS.
serve: $(SERVE_STAMP)
	$(PY) manage.py migrate --noinput
	MANIFEST_STATIC=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	MANIFEST_STATIC=1 exec $(VENV)/bin/gunicorn bastion.wsgi \
		--workers $(WORKERS) --bind $(HOST):$(PORT) \
		--max-requests 2000 --max-requests-jitter 200 --timeout 30 --graceful-timeout 20 \
		--access-logfile - --log-level $${GUNICORN_LOG_LEVEL:-info} $(GUNICORN_ARGS)

test: $(STAMP)
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM" ]; then \
		echo "Browser tests: running in $${CHROMIUM:-/usr/bin/chromium}"; \
	else \
		echo "Browser tests: SKIPPED - no Chromium at /usr/bin/chromium (apt-get install chromium)"; \
	fi
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) manage.py bench $(BENCH_ARGS)

# The dashboards and the gate on a whole city (bastion/city.py): 300 compounds, ~9 M
# passages, loaded once with COPY and reused while its seed stamp matches (REBUILD=1
# builds it again). PostgreSQL (DATABASE_URL); migrates an empty database first.
bench-city: $(STAMP)
	REBUILD=$${REBUILD:-0} $(PY) manage.py bench --only city $(BENCH_ARGS)

# Against the server that `make serve` runs (same DATABASE_URL), on loopback only.
load: $(SERVE_STAMP)
	$(PY) manage.py load --url http://$(HOST):$(PORT) $(LOAD_ARGS)

backup: $(SERVE_STAMP)
	$(PY) manage.py backup --dir $(BACKUP_DIR)

restore: $(SERVE_STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/bastion-….dump" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext) only here, never to run the app: the .mo files are committed.
# No djangojs domain: the gate page's strings come translated from the server (views_gate._strings).
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "staticfiles/*"
	$(PY) scripts/compile_messages.py

# CI: extract the strings as they are in the code now, then fail on any untranslated one
# and on a committed .mo that does not hold what the .po says.
check-messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "staticfiles/*"
	$(PY) scripts/compile_messages.py --check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
