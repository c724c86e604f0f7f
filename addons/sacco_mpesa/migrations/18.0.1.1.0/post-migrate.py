from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Shortcodes configured before the per-shortcode "M-Pesa Outstanding Receipts and
    Payments" account (1056<shortcode>) get theirs; new M-Pesa entries post to it."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sacco.mpesa.config"]._setup_missing_outstanding_accounts()
