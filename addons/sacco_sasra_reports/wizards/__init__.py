from . import sacco_sasra_return_compute, sacco_statement_reconcile
