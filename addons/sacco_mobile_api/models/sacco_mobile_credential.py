from passlib.context import CryptContext

from odoo import fields, models

from sacco_core.mobile_auth import InvalidPin, MobileApiError, check_pin, pin_attempt

# PBKDF2-SHA256 needs no C extension beyond hashlib. A 4-6 digit PIN is protected by the
# lockout (3 tries), not by the hash's cost; 100,000 rounds keep a sign-in ~50 ms.
PIN_CONTEXT = CryptContext(schemes=["pbkdf2_sha256"], pbkdf2_sha256__rounds=100_000)


class SaccoMobileCredential(models.Model):
    _name = "sacco.mobile.credential"
    _description = "Member App Credential"
    _rec_name = "member_id"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    pin_hash = fields.Char(string="PIN Hash", readonly=True, copy=False, groups="base.group_system")
    pin_set_on = fields.Datetime(string="PIN Set On", readonly=True)
    pin_failures = fields.Integer(string="Wrong PINs in a Row", readonly=True)
    locked = fields.Boolean(readonly=True, help="Three wrong PINs in a row lock the app.")
    locked_on = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("member_uniq", "unique(member_id)", "A member has one app credential."),
    ]

    def _set_pin(self, pin):
        """Store a new PIN (policy checked, bcrypt-hashed) and unlock the app."""
        self.ensure_one()
        birth = self.member_id.date_of_birth
        try:
            check_pin(pin, birth_year=birth.year if birth else None)
        except InvalidPin as error:
            raise MobileApiError("pin_weak", str(error)) from None
        self.sudo().write(
            {
                "pin_hash": PIN_CONTEXT.hash(pin),
                "pin_set_on": fields.Datetime.now(),
                "pin_failures": 0,
                "locked": False,
                "locked_on": False,
            }
        )

    def _attempt(self, pin):
        """Judge one PIN attempt by the lockout rule and store its outcome; the third wrong
        PIN in a row locks the app and alerts the member by SMS."""
        self.ensure_one()
        stored = self.sudo().pin_hash
        matches = bool(stored and pin and PIN_CONTEXT.verify(pin, stored))
        check = pin_attempt(matches, self.pin_failures, self.locked)
        vals = {"pin_failures": check.failures}
        if check.lock_now:
            vals.update(locked=True, locked_on=fields.Datetime.now())
            self.env["sacco.sms.message"]._queue_from_template(
                "sacco_mobile_api.sms_template_app_locked", self.member_id
            )
        if vals["pin_failures"] != self.pin_failures or check.lock_now:
            self.write(vals)
        return check

    def action_unlock(self):
        self.write({"locked": False, "locked_on": False, "pin_failures": 0})
