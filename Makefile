# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint format check messages bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "Shimteo is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Demo logins are listed above. Stop with Ctrl-C."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# One pytest worker per core, each with its own test database (pytest-xdist; PYTEST_WORKERS=0 for one
# process, e.g. to step through a test with pdb). loadgroup: a module that builds its data once runs
# on one worker, largest first; every other test goes to whichever worker is free (tests/conftest.py).
# Bytecode is written to var/pycache even where the environment sets PYTHONDONTWRITEBYTECODE (this
# machine's does): otherwise each of the suite's processes (the workers, their Celery workers, every
# manage.py a test starts) compiles the project's and the tests' modules from source again, ~3 s of CPU.
PYTEST_WORKERS ?= auto
test: install
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/var/pycache \
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Benchmarks, on demand and never in CI: against a seeded PostgreSQL database (see benchmarks/README.md).
bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Extract every marked string into locale/ko and locale/zh_Hans, then compile; translate in between.
messages: install
	$(BIN)/python manage.py makemessages -l ko -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=benchmarks
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) db.sqlite3 var .pytest_cache .ruff_cache .hypothesis
