from . import sacco_checkoff_advice, sacco_savings_statement, sacco_savings_teller
