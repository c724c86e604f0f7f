from urllib.parse import urlencode

from odoo.addons.sacco_mpesa.tests.common import SaccoMpesaCommon

PIN = "4826"
AFRICASTALKING = "africastalking"
AGGREGATOR = "aggregator"


class SaccoUssdCommon(SaccoMpesaCommon):
    """Two channels (Africa's Talking and an aggregator's shared code) in front of the
    test SACCO; requests go over real HTTP to the gateway routes.

    ``dial`` speaks the gateway named by the class attribute ``gateway``: a scenario class
    written with ``dial`` and ``walk`` runs over the aggregator in a subclass that sets
    ``gateway = AGGREGATOR`` (see ``OverAggregator``)."""

    gateway = AFRICASTALKING

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Channel = cls.env["sacco.ussd.channel"]
        cls.at_channel = Channel.create(
            {
                "name": "Test AT",
                "service_code": "*384*123#",
                "gateway": "africastalking",
                "withdraw_max": 5000,
                "daily_withdraw_max": 8000,
                "deposit_max": 100000,
            }
        )
        cls.agg_channel = Channel.create(
            {
                "name": "Test Aggregator",
                "service_code": "*789#",
                "gateway": "aggregator",
                "extension": "45",
                "withdraw_max": 5000,
                "daily_withdraw_max": 8000,
                "deposit_max": 100000,
            }
        )
        cls.member_fosa.deposit(20000, journal=cls.cash)
        cls._set_pin(cls.member, PIN)

    @classmethod
    def _set_pin(cls, member, pin):
        credential = member._sacco_ussd_credential()
        credential._stage_pin(pin)
        credential._commit_pin(pin)
        return credential

    def setUp(self):
        super().setUp()
        self._serial = 0

    def new_session(self):
        self._serial += 1
        return f"ATUid_{self.id().rsplit('.', 1)[-1]}_{self._serial}"

    @property
    def channel(self):
        """The channel of the gateway this class speaks."""
        return self.at_channel if self.gateway == AFRICASTALKING else self.agg_channel

    @property
    def other_channel(self):
        return self.agg_channel if self.gateway == AFRICASTALKING else self.at_channel

    def dial(self, session, text="", phone=None, token=None, gateway=None):
        """One request over ``gateway`` (default: the class's); returns the reply text
        (asserting the HTTP shape)."""
        return self._reply(self.send(session, text, phone=phone, token=token, gateway=gateway))

    def send(self, session, text="", phone=None, token=None, gateway=None):
        """One raw request over ``gateway``; returns the HTTP response."""
        if (gateway or self.gateway) == AFRICASTALKING:
            return self._send_at(session, text, phone, token)
        return self._send_aggregator(session, text, phone, token)

    def _send_at(self, session, text, phone, token, service_code="*384*123#"):
        """Africa's Talking: a form POST, every input so far in ``text``."""
        return self.url_open(
            f"/sacco/ussd/{token or self.at_channel.callback_token}/at",
            data={
                "sessionId": session,
                "serviceCode": service_code,
                "phoneNumber": phone or self.member.phone,
                "networkCode": "63902",
                "text": text,
            },
        )

    def _send_aggregator(self, session, text, phone, token, extension="45"):
        """The aggregator: a GET, the MSISDN without ``+``, and on the shared code the
        extension as the first input before every menu input so far."""
        query = {
            "SESSIONID": session,
            "USSDCODE": "*789#",
            "MSISDN": (phone or self.member.phone).lstrip("+"),
            "INPUT": "*".join(part for part in (extension, text) if part),
        }
        return self.url_open(
            f"/sacco/ussd/{token or self.agg_channel.callback_token}/gateway"
            f"?{urlencode(query, safe='*')}"
        )

    def at(self, session, text="", phone=None, token=None):
        """One Africa's Talking request, whatever the class's gateway."""
        return self.dial(session, text, phone=phone, token=token, gateway=AFRICASTALKING)

    def agg(self, session, text="", phone=None, token=None, extension="45"):
        """One aggregator request, whatever the class's gateway."""
        return self._reply(self._send_aggregator(session, text, phone, token, extension))

    def _reply(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        reply = response.text
        self.assertTrue(reply.startswith(("CON ", "END ")), reply)
        self.assertLessEqual(len(reply), 182)
        return reply

    def walk(self, *inputs, session=None, phone=None):
        """Dial and type ``inputs`` one request at a time (as a handset does) over the
        class's gateway; returns the session id and the last reply."""
        session = session or self.new_session()
        reply = self.dial(session, "", phone=phone)
        typed = []
        for entry in inputs:
            typed.append(entry)
            reply = self.dial(session, "*".join(typed), phone=phone)
        return session, reply

    def session_record(self, session_id):
        return self.env["sacco.ussd.session"].search([("session_id", "=", session_id)])


class OverAggregator:
    """Mixed in before a scenario class: its tests run again over the aggregator."""

    gateway = AGGREGATOR
    allow_inherited_tests_method = True  # Odoo's loader otherwise runs only a class's own tests
