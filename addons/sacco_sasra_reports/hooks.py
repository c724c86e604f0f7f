def post_init_hook(env):
    """Map the accounts of every company with a chart to the SASRA return lines."""
    env["res.company"].search([]).filtered("chart_template")._sacco_sasra_map_accounts()
