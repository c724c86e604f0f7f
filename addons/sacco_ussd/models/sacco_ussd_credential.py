from passlib.context import CryptContext

from odoo import fields, models

from sacco_core.mobile_auth import PIN_LOCKED, pin_attempt

# A 4-digit PIN has 10,000 values: the lock after 3 wrong tries protects it, the hash only
# keeps it out of sight; pbkdf2 at passlib's default rounds answers well within USSD time.
PIN_CONTEXT = CryptContext(schemes=["pbkdf2_sha256"])


class SaccoUssdCredential(models.Model):
    """A member's USSD PIN (hashed), its failed tries and lock, and the menu language.
    Kept apart from the member so that PIN writes stay out of its chatter and audit log;
    only the USSD service (sudo) reads it."""

    _name = "sacco.ussd.credential"
    _description = "USSD Credential"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    pin_hash = fields.Char(copy=False)
    staged_pin_hash = fields.Char(copy=False, help="A new PIN typed once, awaiting its repeat.")
    failed_attempts = fields.Integer(copy=False)
    locked = fields.Boolean(copy=False)
    locked_at = fields.Datetime(copy=False)
    language = fields.Char(copy=False)

    _sql_constraints = [
        ("member_uniq", "unique(member_id)", "A member has one USSD credential."),
    ]

    def _check_pin(self, pin):
        """Apply one PIN try (``mobile_auth.pin_attempt``); the third wrong PIN in a row
        locks and alerts the member by SMS. Returns the ``PinCheck``."""
        self.ensure_one()
        matches = bool(self.pin_hash) and PIN_CONTEXT.verify(pin, self.pin_hash)
        check = pin_attempt(matches, self.failed_attempts, self.locked)
        if check.outcome == PIN_LOCKED and not self.locked:
            now = fields.Datetime.now()
            self.write({"failed_attempts": check.failures, "locked": True, "locked_at": now})
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_ussd.sacco_sms_template_ussd_locked", self.member_id
            )
        elif check.failures != self.failed_attempts:
            self.failed_attempts = check.failures
        return check

    def _stage_pin(self, pin):
        self.staged_pin_hash = PIN_CONTEXT.hash(pin)

    def _commit_pin(self, pin):
        """Make the staged PIN the PIN (unlocking); False when ``pin`` is not it."""
        self.ensure_one()
        if not self.staged_pin_hash or not PIN_CONTEXT.verify(pin, self.staged_pin_hash):
            return False
        self.write(
            {
                "pin_hash": self.staged_pin_hash,
                "staged_pin_hash": False,
                "failed_attempts": 0,
                "locked": False,
                "locked_at": False,
            }
        )
        return True
