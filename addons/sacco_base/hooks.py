from .models.sacco_callback_token_mixin import new_callback_token


def post_init_hook(env):
    """SACCO GL accounts for companies with a chart, and a delivery-report token per company."""
    companies = env["res.company"].search([])
    companies.filtered("chart_template")._sacco_setup_accounts()
    for company in companies:
        company.sacco_sms_callback_token = new_callback_token()
