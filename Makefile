# Odoo SACCO developer commands. Run from the repository root.
PYTHON ?= python3
# Extra arguments for the test runner, e.g. make test ARGS="--no-install --modules sacco_base"
ARGS ?=

.PHONY: test lint pylint install

## test: the project's test command (pytest for sacco_core + tests/, then the Odoo suite)
test:
	$(PYTHON) tools/run_tests.py $(ARGS)

## lint: ruff (lint + format check) and XML well-formedness of the add-ons
lint:
	ruff check .
	ruff format --check .
	find addons -name '*.xml' -print0 | xargs -0 -r $(PYTHON) tools/check_xml.py

## pylint: OCA pylint-odoo checks of the add-ons (see .pylintrc)
pylint:
	pylint --rcfile=.pylintrc addons

## install: the add-ons' extra Python dependencies and the test/lint tools
install:
	$(PYTHON) -m pip install -r requirements.txt -r test-requirements.txt
