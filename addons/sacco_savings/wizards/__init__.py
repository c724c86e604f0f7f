from . import sacco_savings_teller
