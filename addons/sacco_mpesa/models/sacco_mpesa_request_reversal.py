from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from sacco_core.money import to_money
from sacco_core.mpesa import reversal_payload

# Daraja's "the transaction has already been reversed": a retried reversal that M-Pesa had
# carried out the first time.
ALREADY_REVERSED = "R000001"
OPEN_STATES = ("draft", "submitted", "pending", "unknown")


class SaccoMpesaRequest(models.Model):
    """Reversal requests: M-Pesa gives a wrong payment back to the payer; its result reverses
    our posting of the receipt (never an edit)."""

    _inherit = "sacco.mpesa.request"

    reversal_reason = fields.Char(readonly=True, copy=False)

    @api.model
    def _request_reversal(self, txn, reason):
        """After approval: the receipt waits in "reversal sent" until M-Pesa's result."""
        txn._check_reversible()
        txn.sudo().write({"reversed_from_state": txn.state, "state": "reversing"})
        request = self._create_reversal(txn, reason)
        self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_submit")._trigger()
        return request.sudo(False)

    @api.model
    def _cron_submit(self):
        super()._cron_submit()
        for request in self.search([("state", "=", "draft"), ("kind", "=", "reversal")], limit=200):
            request._submit_reversal()

    @api.model
    def _create_reversal(self, txn, reason):
        return self.sudo().create(
            {
                "kind": "reversal",
                "config_id": txn.config_id.id,
                "member_id": txn.member_id.id,
                "phone": txn.phone,
                "amount": txn.amount,
                "transaction_id": txn.id,
                "reversal_reason": reason,
            }
        )

    def _submit_reversal(self):
        """Send the reversal; one that cannot be sent (credentials, M-Pesa unreachable)
        fails, and the receipt is back as it was."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._send_reversal()
        except UserError as error:
            self.write({"state": "failed", "result_desc": str(error)})
        if self.state == "failed":
            self.transaction_id._reversal_abandoned()

    def _send_reversal(self):
        self._send_initiator_request(
            "reversal",
            lambda request, config: reversal_payload(
                originator_id=request.originator_id,
                initiator=config.initiator_name or "",
                security_credential=config._security_credential(),
                receipt=request.transaction_id.name,
                amount=to_money(request.amount),
                shortcode=config.shortcode,
                result_url=config._callback_url("reversal/result"),
                timeout_url=config._callback_url("reversal/timeout"),
                remarks=request.reversal_reason or "Payment reversal",
            ),
        )

    def _apply_reversal_result(self, result):
        """Success (or "already reversed", for a retry) reverses our posting of the receipt
        once, under a lock on the receipt; a failure puts the receipt back as it was."""
        self.ensure_one()
        if self.state == "done":
            return  # a replayed result
        txn = self.transaction_id.sudo()
        txn._lock_for_reversal()
        vals = {
            "result_code": result.result_code,
            "result_desc": result.result_desc,
            "receipt": result.transaction_id or False,
        }
        if result.success or result.result_code == ALREADY_REVERSED:
            if txn.state == "reversing":
                txn._post_reversal(self.reversal_reason or result.result_desc)
            self.write({**vals, "state": "done", "settle_move_id": txn.reversal_move_id.id})
        else:
            self.write({**vals, "state": "failed"})
            txn._reversal_abandoned()

    def _apply_reversal_timeout(self):
        """Timed out in M-Pesa's queue: unknown until retried (a retry of a reversal M-Pesa
        did carry out answers "already reversed", so retrying cannot pay back twice)."""
        self.filtered(lambda r: r.state in ("submitted", "pending")).write({"state": "unknown"})

    def action_retry_reversal(self):
        if not self.env.user.has_group("sacco_base.sacco_base_group_accountant"):
            raise AccessError(self.env._("Only accountants retry M-Pesa reversals."))
        for request in self.sudo().filtered(
            lambda r: r.kind == "reversal" and r.state == "unknown"
        ):
            txn = request.transaction_id
            if txn.state != "reversing":
                raise UserError(self.env._("%s is no longer waiting for a reversal.", txn.name))
            retry = self._create_reversal(txn, request.reversal_reason)
            request.write(
                {
                    "state": "failed",
                    "result_desc": self.env._("No answer; retried as %s.", retry.name),
                }
            )
            retry._submit_reversal()
        return True
