from odoo.addons.sacco_mpesa.tests.common import SaccoMpesaCommon

PIN = "4826"


class SaccoUssdCommon(SaccoMpesaCommon):
    """Two channels (Africa's Talking and an aggregator's shared code) in front of the
    test SACCO; requests go over real HTTP to the gateway routes."""

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

    def at(self, session, text="", phone=None, token=None):
        """One Africa's Talking request; returns the reply text (asserting the HTTP shape)."""
        response = self.url_open(
            f"/sacco/ussd/{token or self.at_channel.callback_token}/at",
            data={
                "sessionId": session,
                "serviceCode": "*384*123#",
                "phoneNumber": phone or self.member.phone,
                "networkCode": "63902",
                "text": text,
            },
        )
        return self._reply(response)

    def agg(self, session, text="", phone=None, token=None, extension="45"):
        """One aggregator request (GET, shared code: the extension is the first input)."""
        phone = phone or self.member.phone.lstrip("+")
        inputs = "*".join(part for part in (extension, text) if part)
        response = self.url_open(
            f"/sacco/ussd/{token or self.agg_channel.callback_token}/gateway"
            f"?SESSIONID={session}&USSDCODE=*789%23&MSISDN={phone}&INPUT={inputs}"
        )
        return self._reply(response)

    def _reply(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        reply = response.text
        self.assertTrue(reply.startswith(("CON ", "END ")), reply)
        self.assertLessEqual(len(reply), 182)
        return reply

    def walk(self, send, *inputs, session=None):
        """Dial and type ``inputs`` one request at a time (as a handset does); returns the
        session id and the last reply."""
        session = session or self.new_session()
        reply = send(session, "")
        typed = []
        for entry in inputs:
            typed.append(entry)
            reply = send(session, "*".join(typed))
        return session, reply

    def session_record(self, session_id):
        return self.env["sacco.ussd.session"].search([("session_id", "=", session_id)])
