from . import (
    account_move_line,
    res_company,
    res_config_settings,
    sacco_member,
    sacco_savings_account,
    sacco_savings_charge_tier,
    sacco_savings_hold,
    sacco_savings_product,
    sacco_savings_transaction,
)
