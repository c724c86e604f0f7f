from odoo import models

from sacco_core.mpesa import parse_result, parse_timeout


class SaccoMpesaCallback(models.Model):
    _inherit = "sacco.mpesa.callback"

    def _dispatch(self):
        if self.kind == "reversal_result":
            result = parse_result(self._json())
            request = self._request_for(result.originator_conversation_id, "reversal")
            request._apply_reversal_result(result)
            self.write(
                {"state": "done", "request_id": request.id, "receipt": result.transaction_id}
            )
            return None
        if self.kind == "reversal_timeout":
            request = self._request_for(parse_timeout(self._json()), "reversal")
            request._apply_reversal_timeout()
            self.write({"state": "done", "request_id": request.id})
            return None
        return super()._dispatch()
