from . import (
    test_checkoff,
    test_concurrency,
    test_interest_posting,
    test_member_exit,
    test_savings_rules,
    test_savings_transactions,
    test_scenario_member_year,
    test_standing_orders,
    test_statement,
    test_teller,
    test_tours,
    test_year_end,
)
