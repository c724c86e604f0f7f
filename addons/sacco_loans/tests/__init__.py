from . import test_calculator, test_loan_application, test_loan_repayment, test_loan_scenario
