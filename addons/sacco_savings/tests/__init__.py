from . import test_concurrency, test_savings_rules, test_savings_transactions, test_teller
