# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.10 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
MODEL := models/current.tar.gz
# pytest-xdist workers for `make test` (tests/conftest.py keeps a module, and the shared stack, on one).
PYTEST_WORKERS ?= 2
# The web chat widget (rasa-webchat, pinned in package-lock.json), served by the coordination service,
# and axe-core for the browser tests' accessibility gate: `npm ci` installs both (docs/testing.md).
WIDGET := node_modules/.package-lock.json
SPACY_DA := models/spacy-da/meta.json
TRAINING := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test test-fast test-clock lint venv model spacy-da migrate lock clean webchat screenshots

run: $(STAMP) $(MODEL) $(WIDGET) migrate
	$(BIN)/python -m bot.demo
	$(BIN)/python -m bot.devserver

test: $(STAMP) $(MODEL) $(WIDGET) lint
	$(BIN)/rasa data validate --domain domain.yml --data data --config config.yml
	$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25 tests
	$(MAKE) test-clock

# The edit-test loop: no Rasa processes, no browser (docs/testing.md).
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -m "not e2e and not browser" tests

# ruff (lint + import order) and the import contracts of docs/architecture.md (.importlinter).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The time-sensitive tests again with the real clock moved to the hours and days where a wall-clock
# dependency would show (night, the edges of the quiet hours, both DST changes): docs/testing.md.
# Debian's libfaketime; one shared stack per run.
# The modules whose outcome turns on the time of day or the date: the planning, quiet-hour,
# escalation, open check-in and DST tests in-process, at every time; and the scheduler's delivery,
# the nudge and close of an open check-in, reminders and missed meetings end to end, at night, in
# the evening and across the autumn DST change. The other e2e modules meet time only through the
# stack's stated clock, and tests/unit/test_no_wall_clock.py keeps the code off the wall clock.
CLOCK_TESTS := tests/db/test_scheduling.py tests/db/test_meeting_jobs.py tests/db/test_notifications.py \
	tests/db/test_open_checkins.py tests/db/test_duty_contact.py tests/db/test_outcomes.py tests/db/test_course_end.py \
	tests/db/test_goal_progress.py
CLOCK_E2E_TESTS := tests/e2e/test_scheduler_delivery.py tests/e2e/test_e2e_open_checkin.py tests/e2e/test_e2e_appointments.py
test-clock: $(STAMP) $(MODEL) $(WIDGET)
	tests/at_times.sh $(CLOCK_TESTS) -- $(CLOCK_E2E_TESTS)

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# --no-compile: no .pyc for all 16,000 files of the venv up front (about 25 s on CI's cores);
	# Python compiles the modules a process imports, once, as it imports them.
	$(BIN)/pip install --quiet --no-compile -r requirements.txt
	$(BIN)/pip check
	@rm -f $(VENV)/.installed-*
	@touch $@

# Retrains only when config, domain or training data changed (make compares timestamps).
model: $(MODEL)
$(MODEL): $(STAMP) $(TRAINING)
	$(BIN)/rasa train --fixed-model-name current --out models

webchat: $(WIDGET)
$(WIDGET): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# Re-takes the committed screenshots in docs/screenshots (the browser tests write to results/ otherwise).
screenshots: $(STAMP) $(MODEL) $(WIDGET)
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q -m browser tests
# spaCy's Danish tokenizer + lookup lemmatizer, built locally (nothing downloaded; never committed).
spacy-da: $(SPACY_DA)
$(SPACY_DA): $(STAMP) bot/core/spacy_da.py
	$(BIN)/python -m bot.core.spacy_da models/spacy-da

migrate: $(STAMP)
	$(BIN)/python -m bot.db.migrate

# Re-resolve all pins in one pass (never add a package alone: see docs/dependencies.md).
lock:
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet --upgrade pip
	/tmp/lock-venv/bin/pip install --quiet -r requirements.in
	/tmp/lock-venv/bin/pip check
	/tmp/lock-venv/bin/pip freeze --all --exclude-editable | grep -v '^pip==' > requirements.txt

clean:
	rm -rf results .pytest_cache $(MODEL) models/spacy-da
