from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The app's route now spans any path (newlines included): serve it under its new
    routing rule at once."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.ref("sacco_mobile_api.fastapi_endpoint_mobile").action_sync_registry()
