from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Bank journals' outstanding receipts/payments accounts, which SACCO money now waits
    on until the bank statement, feed cash at bank in the returns."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([])._sacco_sasra_remap_outstanding_accounts()
