from odoo.tests import HttpCase, tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestTellerTour(HttpCase, SaccoSavingsCommon):
    def test_teller_deposits_withdraws_and_prints(self):
        member = self._create_member(name="Tour Member")
        fosa = self._account(member, self.fosa)
        self.start_tour("/odoo", "sacco_teller_deposit_withdraw", login=self.teller_a.login)
        # 2,500 in; 1,000 out with its 50 charge and 10 excise.
        self.assertEqual(fosa.balance, 2500 - 1000 - 50 - 10)
        self.assertEqual(fosa.transaction_ids.user_id, self.teller_a)
        self.assertLedgerMatches()
