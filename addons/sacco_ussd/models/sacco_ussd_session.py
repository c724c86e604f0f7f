import hashlib
import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from sacco_core.ussd import ENDED, UssdState, advance, final_reply
from sacco_core.ussd_requests import UssdRequest, masked_text, session_expired

from ..services.executor import UssdExecutor
from ..services.member_view import LiveMemberView

OUTCOMES = [
    ("open", "Open"),
    ("completed", "Completed"),
    ("locked", "Locked"),
    ("unknown_phone", "Unknown Phone"),
    ("expired", "Expired"),
    ("failed", "Failed"),
]
# What serving a request reads of its session, returned by the upsert that locks it.
SERVED_COLUMNS = (
    "channel_id",
    "session_id",
    "phone",
    "member_id",
    "started_at",
    "request_count",
    "outcome",
    "language",
    "last_reply",
    "last_fingerprint",
    "state_data",
    "actions",
)

# What every request reads of the member's credential (the PIN state and language).
CREDENTIAL_COLUMNS = ("member_id", "pin_hash", "failed_attempts", "locked", "language")


def fingerprint(inputs):
    """What identifies one gateway request within its session: the inputs so far."""
    return hashlib.sha256("*".join(inputs).encode()).hexdigest()


class SaccoUssdSession(models.Model):
    """One USSD session as the gateway numbers it: who dialled, what they saw and did
    (inputs masked), the engine state between requests and the last reply, so that a
    re-delivered request is answered again without acting twice."""

    _name = "sacco.ussd.session"
    _description = "USSD Session"
    _order = "id desc"
    _rec_name = "session_id"

    channel_id = fields.Many2one("sacco.ussd.channel", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    session_id = fields.Char(string="Session ID", required=True, readonly=True)
    phone = fields.Char(required=True, readonly=True, index=True)
    network = fields.Char(readonly=True)
    member_id = fields.Many2one("sacco.member", readonly=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True, index=True)
    started_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    last_request_at = fields.Datetime(readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(12, 1))
    request_count = fields.Integer(string="Requests", readonly=True)
    screens = fields.Char(string="Screens Visited", readonly=True)
    masked_text = fields.Char(string="Inputs (masked)", readonly=True)
    actions = fields.Text(string="Actions", readonly=True)
    outcome = fields.Selection(OUTCOMES, default="open", required=True, readonly=True, index=True)
    language = fields.Char(readonly=True)
    last_reply = fields.Text(readonly=True)
    last_fingerprint = fields.Char(readonly=True)
    state_data = fields.Json(readonly=True, copy=False)

    _sql_constraints = [
        (
            "channel_session_uniq",
            "unique(channel_id, session_id)",
            "A gateway session ID is one session of its channel.",
        ),
    ]

    # ------------------------------------------------------------------ serving a request

    @api.model
    def _serve(self, channel, request):
        """The reply to one gateway request (``ussd_requests.UssdRequest``) on ``channel``."""
        now = fields.Datetime.now()
        session, credential = self._locked_session(channel, request)
        if session.request_count and fingerprint(request.inputs) == session.last_fingerprint:
            return session.last_reply  # the gateway re-sent it: same answer, nothing redone
        language = session.language or channel.default_language
        if request.phone != session.phone:  # another phone cannot continue a session
            return final_reply("failed", language)
        if session.outcome != "open":
            return session.last_reply
        if session_expired(session.started_at, now, self._timeout(channel)):
            return session._finish(request, now, final_reply("expired", language), "expired")
        member = session.member_id or self._member_for(channel, request.phone)
        if not member:
            return session._finish(
                request, now, final_reply("unknown_phone", language), "unknown_phone"
            )
        credential = credential or member._sacco_ussd_credential()
        view = LiveMemberView.load(member, channel, credential)
        state = UssdState.from_dict(session.state_data) if session.state_data else None
        executor = UssdExecutor(session, member, credential)
        result = advance(state, request.inputs, view, executor)
        if result is None:  # fewer inputs than already seen: answer as last time
            return session.last_reply
        return session._finish(
            request,
            now,
            result.reply,
            self._outcome(result, credential),
            result.state.trail,
            durable=executor.acted,
            vals={
                # Written once: rewriting it would re-read the member for the stored branch.
                **({} if session.member_id else {"member_id": member.id}),
                "state_data": result.state.to_dict(),
                "language": result.state.language,
                "screens": " > ".join(result.state.trail + (result.state.screen,)),
                "actions": "\n".join(filter(None, [session.actions, *executor.done])) or False,
            },
        )

    @api.model
    def _locked_session(self, channel, request):
        """The session of ``request`` (created on its first request), row-locked so that a
        re-delivery waits for the first delivery and then finds its answer, and the
        credential of its member (none before the member is known)."""
        # One statement: created on the first request, row-locked by the upsert on later ones,
        # and the columns a request reads, the credential's with them, returned into the
        # ORM cache (as a fetch would).
        served = SQL(", ").join(SQL.identifier(name) for name in SERVED_COLUMNS)
        credential_columns = SQL(", ").join(
            SQL.identifier("c", name) for name in CREDENTIAL_COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """
                WITH s AS (
                    INSERT INTO sacco_ussd_session
                        (channel_id, company_id, session_id, phone, network, started_at,
                         outcome, request_count, create_uid, write_uid, create_date, write_date)
                    VALUES (%(channel)s, %(company)s, %(session)s, %(phone)s, %(network)s,
                            now() at time zone 'utc', 'open', 0, %(uid)s, %(uid)s,
                            now() at time zone 'utc', now() at time zone 'utc')
                    ON CONFLICT (channel_id, session_id)
                        DO UPDATE SET write_date = now() at time zone 'utc'
                    RETURNING id, %(served)s
                )
                SELECT s.*, c.id, %(credential_columns)s
                  FROM s LEFT JOIN sacco_ussd_credential c ON c.member_id = s.member_id
                """,
                channel=channel.id,
                company=channel.company_id.id,
                session=request.session_id,
                phone=request.phone,
                network=request.network or None,
                uid=self.env.uid,
                served=served,
                credential_columns=credential_columns,
            )
        )
        session_id, *values = self.env.cr.fetchone()
        session = self.browse(session_id)
        session_values = values[: len(SERVED_COLUMNS)]
        credential_id, *credential_values = values[len(SERVED_COLUMNS) :]
        self._cache_columns(session, SERVED_COLUMNS, session_values)
        credential = self.env["sacco.ussd.credential"].browse(credential_id or ())
        if credential:
            self._cache_columns(credential, CREDENTIAL_COLUMNS, credential_values)
        return session, credential

    @staticmethod
    def _cache_columns(record, names, values):
        for name, value in zip(names, values, strict=True):
            record.env.cache.insert_missing(record, record._fields[name], [value])

    def _finish(self, request, now, reply, outcome, trail=(), durable=True, vals=None):
        """Write the request's outcome back: one UPDATE, as the upsert that read the row
        (the ORM's write would add a flush, a query for the timestamp and the recompute of
        the branch, which only changes with the member). Not ``durable``: the request only
        moved through screens, so its commit (of this row alone) need not wait for the
        disk; were it lost in a crash, the next request replays those screens from the
        state before, which the commit of any action made durable."""
        self.ensure_one()
        vals = {
            **(vals or {}),
            "last_reply": reply,
            "last_fingerprint": fingerprint(request.inputs),
            "masked_text": masked_text(request.inputs, trail) or None,
            "outcome": outcome,
            "request_count": self.request_count + 1,
            "last_request_at": now,
            "duration": (now - self.started_at).total_seconds(),
            "write_uid": self.env.uid,
        }
        if "state_data" in vals:
            vals["state_data"] = json.dumps(vals["state_data"])
        if vals.get("actions") is False:
            vals["actions"] = None
        assignments = [SQL("%s = %s", SQL.identifier(name), value) for name, value in vals.items()]
        if "member_id" in vals:
            assignments.append(
                SQL(
                    "branch_id = (SELECT branch_id FROM sacco_member WHERE id = %s)",
                    vals["member_id"],
                )
            )
        self.env.cr.execute(
            SQL(
                "%s UPDATE sacco_ussd_session SET %s, write_date = now() at time zone 'utc' "
                "WHERE id = %s",
                SQL("") if durable else SQL("SET LOCAL synchronous_commit TO OFF;"),
                SQL(", ").join(assignments),
                self.id,
            )
        )
        self.invalidate_recordset()
        return reply

    @staticmethod
    def _outcome(result, credential):
        if result.state.screen != ENDED:
            return "open"
        if credential.locked:
            return "locked"
        return "completed"

    @staticmethod
    def _timeout(channel):
        return timedelta(seconds=channel.session_timeout or 180)

    @api.model
    def _member_for(self, channel, phone):
        """The member this phone belongs to, while the channels may trust it."""
        member = (
            self.env["sacco.member"]
            .sudo()
            .search(
                [
                    ("phone", "=", phone),
                    ("company_id", "=", channel.company_id.id),
                    ("state", "in", ("active", "dormant")),
                ],
                limit=1,
            )
        )
        if member and not member._sacco_phone_channel_open():
            return member.browse()
        return member

    # ------------------------------------------------------------------ demo

    @api.model
    def _demo_sessions(self, channel_id, member_ids, pin):
        """Demo data: give the members ``pin`` (other members have none: the simulator
        shows them the first-use screens) and play past sessions through the real path: balances,
        a mini-statement, a change to Kiswahili, three wrong PINs that lock, an unknown
        phone."""
        channel = self.env["sacco.ussd.channel"].browse(channel_id)
        members = self.env["sacco.member"].browse(member_ids)
        for member in members[:3]:
            credential = member._sacco_ussd_credential()
            credential._stage_pin(pin)
            credential._commit_pin(pin)
        plays = [
            (members[0], [pin, "1", "00", "0"]),
            (members[1], [pin, "2", "1", "1"]),
            (members[2], [pin, "8", "2", "2", "0"]),
            (members[1], ["1111", "2222", "3333"]),
        ]
        for number, (member, inputs) in enumerate(plays, start=1):
            self._demo_play(channel, f"DEMO-{number}", member.phone, inputs)
        self._demo_play(channel, "DEMO-UNKNOWN", "+254700000999", [])
        # The locked member is unlocked by staff (the session log keeps the lock).
        members[1]._sacco_ussd_credential().write({"locked": False, "failed_attempts": 0})

    @api.model
    def _demo_play(self, channel, session_id, phone, inputs):
        for count in range(len(inputs) + 1):
            typed = tuple(inputs[:count])
            self._serve(channel, UssdRequest(session_id, channel.service_code, phone, "", typed))
