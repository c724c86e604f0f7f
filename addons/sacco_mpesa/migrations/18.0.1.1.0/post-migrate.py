from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Shortcodes configured before the per-shortcode "M-Pesa Outstanding Receipts and
    Payments" account (1056<shortcode>) get theirs; new M-Pesa entries post to it."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sacco.mpesa.config"]._setup_missing_outstanding_accounts()
    # The processing job's regular run, now every minute (its record is noupdate): it bounds
    # how long a callback waits when its wake-up was lost. A changed interval is kept.
    cron = env.ref("sacco_mpesa.ir_cron_sacco_mpesa_process", raise_if_not_found=False)
    if cron and (cron.interval_number, cron.interval_type) == (5, "minutes"):
        cron.interval_number = 1
