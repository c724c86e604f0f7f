# Odoo SACCO developer commands. Run from the repository root.
PYTHON ?= python3
# Extra arguments for the test runner, e.g. make test ARGS="--no-install --modules sacco_base"
ARGS ?=
# Extra arguments for the Odoo server of `make run`, e.g. make run ODOO_ARGS="--dev=xml"
ODOO_ARGS ?=
# Where $(PYTHON) cannot import odoo, `make test` and `make run` first install Odoo 18.0 from
# ODOO_SRC (archive, directory or URL; default: the official nightly source archive) into
# .cache/odoo/venv, once. See tools/bootstrap.py.

.PHONY: test run bootstrap lint pylint install

## test: the project's test command (pytest for sacco_core + tests/, then the Odoo suite)
test:
	$(PYTHON) tools/run_tests.py $(ARGS)

## run: database `sacco` with every sacco_* add-on and demo data, served at http://localhost:8069
run:
	$(PYTHON) tools/bootstrap.py run $(ODOO_ARGS)

## bootstrap: print an interpreter that imports odoo (building .cache/odoo/venv if needed)
bootstrap:
	@$(PYTHON) tools/bootstrap.py python

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
