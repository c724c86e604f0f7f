from . import (
    test_bank_statement_import,
    test_sasra_returns,
    test_statement_reconcile,
    test_tours,
    test_upgrade,
)
