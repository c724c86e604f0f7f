from . import (
    account_account,
    account_bank_statement_line,
    res_company,
    res_config_settings,
    sacco_loan_cob_run,
    sacco_member,
    sacco_sasra_loan_snapshot,
    sacco_sasra_return,
    sacco_sasra_return_check,
    sacco_sasra_return_insider_loan,
    sacco_sasra_return_line,
    sacco_sasra_return_ratio,
)
