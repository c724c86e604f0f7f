from odoo.tests import tagged

from .common import SaccoUssdCommon


@tagged("post_install", "-at_install")
class TestUssdSimulatorTour(SaccoUssdCommon):
    def test_simulator_walks_the_real_route(self):
        """A teller dials the service code as a member's phone in the simulator, signs in,
        reads the balances and exits; the session is logged like any gateway's."""
        self.member.sudo().with_context(sacco_identity_change_approved=True).phone = "+254712999888"
        self.start_tour(
            "/odoo/action-sacco_ussd.sacco_ussd_simulator_action",
            "sacco_ussd_simulator_balance",
            login=self.teller_a.login,
        )
        session = self.env["sacco.ussd.session"].search([("phone", "=", "+254712999888")], limit=1)
        self.assertEqual(session.member_id, self.member)
        self.assertEqual(session.outcome, "completed")
        self.assertEqual(session.channel_id, self.at_channel)
        self.assertEqual(session.screens, "pin > home > balances > home > ended")
