from . import (
    test_b2c,
    test_batch_processing,
    test_callbacks,
    test_client,
    test_concurrency,
    test_dashboard,
    test_reversal,
    test_routing,
    test_statement,
    test_stk,
    test_tours,
    test_year_end_payout,
)
