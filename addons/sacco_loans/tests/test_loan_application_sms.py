from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from sacco_core.phones import normalize_msisdn

from .common import SaccoLoansCommon

STEP = "sacco_loans.sacco_sms_template_loan_application_%s"
STEPS = ("submitted", "appraised", "approved", "rejected", "cancelled")


@tagged("post_install", "-at_install")
class TestLoanApplicationSms(SaccoLoansCommon):
    def setUp(self):
        super().setUp()
        self.app = self._application()
        self.first_name = self.member.name.split(" ")[0]
        self.amount = f"{self.app.currency_id.name} 100,000.00"

    def _texts(self):
        """The application SMS queued to the member, oldest first, by step."""
        steps = {self.env.ref(STEP % step): step for step in STEPS}
        messages = self.env["sacco.sms.message"].search(
            [
                ("template_id", "in", [template.id for template in steps]),
                ("company_id", "=", self.company.id),
            ],
            order="id",
        )
        phone = normalize_msisdn(self.member.phone)
        self.assertTrue(all(message.phone == phone for message in messages))
        self.assertLessEqual(messages.member_id, self.member)
        return [(steps[message.template_id], message.body) for message in messages]

    def _chatter(self):
        return self.app.message_ids.mapped("body")

    def _text(self, middle):
        app = f"your loan application {self.app.name} for {self.amount}"
        return f"Dear {self.first_name}, {app} {middle}"

    def test_each_step_queues_one_sms_and_posts_on_the_chatter(self):
        self.app.action_submit()
        received = (
            f"Dear {self.first_name}, we have received your loan application {self.app.name} "
            f"for {self.amount}. We will let you know the outcome."
        )
        self.assertEqual(self._texts(), [("submitted", received)])
        self.app.action_appraise()
        self.app.with_user(self.committee).action_approve()
        self.assertEqual(
            self._texts(),
            [
                ("submitted", received),
                ("appraised", self._text("has passed appraisal and awaits approval.")),
                ("approved", self._text("is approved and will be disbursed shortly.")),
            ],
        )
        chatter = " ".join(self._chatter())
        for note in ("Submitted for appraisal.", "Appraisal passed.", "Approved;"):
            self.assertIn(note, chatter)
        self.app.action_cancel()
        self.assertEqual(self._texts()[-1], ("cancelled", self._text("has been cancelled.")))
        self.assertEqual(len(self._texts()), 4)
        self.assertIn("Cancelled.", " ".join(self._chatter()))

    def test_rejection_texts_the_reason(self):
        self.app.action_submit()
        self.app.action_reject("Deposits below the product minimum")
        self.assertEqual(
            self._texts()[1:],
            [
                (
                    "rejected",
                    self._text("was not approved. Reason: Deposits below the product minimum"),
                )
            ],
        )
        self.assertIn("Rejected: Deposits below the product minimum", " ".join(self._chatter()))

    def test_rejection_without_a_reason_points_to_the_branch(self):
        self.app.action_submit()
        self.app.action_reject()
        self.assertEqual(
            self._texts()[-1],
            ("rejected", self._text("was not approved. Reason: please ask your branch.")),
        )

    def test_refused_transitions_queue_nothing(self):
        with self.assertRefused(UserError, "this step needs it submitted"):
            self.app.action_appraise()
        with self.assertRefused(UserError, "this step needs it appraised"):
            self.app.action_approve()
        with self.assertRefused(UserError, "this step needs it submitted or appraised"):
            self.app.action_reject("No")
        self.app.action_submit()
        with self.assertRefused(UserError, "this step needs it draft"):
            self.app.action_submit()
        self.app.total_deductions = 60000
        with self.assertRefused(UserError, "less than a third"):
            self.app.action_appraise()
        self.app.action_cancel()
        with self.assertRefused(UserError, "this step needs it draft or submitted"):
            self.app.action_cancel()
        self.assertEqual([step for step, _body in self._texts()], ["submitted", "cancelled"])

    def test_archived_template_queues_nothing_but_the_chatter_still_tells(self):
        self.env.ref(STEP % "submitted").active = False
        self.app.action_submit()
        self.assertEqual(self._texts(), [])
        self.assertIn("Submitted for appraisal.", " ".join(self._chatter()))

    def test_loan_placeholders_are_allowed_others_still_refused(self):
        Template = self.env["sacco.sms.template"]
        template = Template.create({"name": "Loan", "body": "{first_name}: {application} {amount}"})
        self.assertEqual(template._render_for(self.member), f"{self.first_name}:")
        with self.assertRefused(ValidationError, "unknown placeholder"):
            Template.create({"name": "Bad", "body": "Hi {nickname}"})
