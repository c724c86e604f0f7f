from odoo import api, models


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _get_lang_from_accept_language(self, accept_language):
        """A malformed Accept-Language header (a q-value that is no number) means no
        preference, not a server error (OCA fastapi parses it before any app runs)."""
        try:
            return super()._get_lang_from_accept_language(accept_language)
        except ValueError:
            return None
