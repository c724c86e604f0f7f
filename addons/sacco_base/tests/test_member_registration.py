from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaccoBaseCommon, member_identity


@tagged("post_install", "-at_install")
class TestMemberRegistration(SaccoBaseCommon):
    def _assert_refused(self, vals, message_part):
        """Creating ``vals`` fails with a clear message and writes nothing."""
        Member = self.env["sacco.member"]
        members_before = Member.search_count([])
        partners_before = self.env["res.partner"].search_count([])
        with self.assertRefused(ValidationError, message_part):
            Member.create(vals)
        self.assertEqual(Member.search_count([]), members_before)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_member_is_a_partner_with_the_journal_identity(self):
        member = self._create_applicant(name="Otieno Odhiambo")
        self.assertEqual(member.partner_id.name, "Otieno Odhiambo")
        self.assertEqual(member.partner_id.sacco_member_ids, member)
        self.assertEqual(member.state, "applicant")
        self.assertFalse(member.member_number)

    def test_phone_forms_normalise_to_e164(self):
        for raw in ("0712 345 678", "+254712345678", "254712345678", "0712-345-678"):
            with self.subTest(raw=raw):
                member = self._create_applicant(phone=raw)
                self.assertEqual(member.phone, "+254712345678")
                member.unlink()
        member = self._create_applicant(phone="0110 123 456")
        self.assertEqual(member.phone, "+254110123456")

    def test_invalid_phone_refused(self):
        for raw in ("0712", "12345", "+254 20 2222222", "0202222222", "07I2345678"):
            with self.subTest(raw=raw):
                self._assert_refused(self._applicant_vals(phone=raw), "not a valid")

    def test_invalid_phone_on_write_refused(self):
        member = self._create_applicant()
        with self.assertRefused(ValidationError, "not a valid"):
            member.write({"phone": "0712"})

    def test_id_and_kra_pin_validated_and_normalised(self):
        member = self._create_applicant(id_number=" 2345 6789 ", kra_pin="a123456789b")
        self.assertEqual(member.id_number, "23456789")
        self.assertEqual(member.kra_pin, "A123456789B")
        self._assert_refused(self._applicant_vals(id_number="12AB"), "national ID")
        self._assert_refused(self._applicant_vals(kra_pin="B12345"), "KRA PIN")

    def test_duplicate_id_number_refused(self):
        first = self._create_applicant()
        self._assert_refused(
            self._applicant_vals(id_number=first.id_number), "ID Number .* already registered"
        )

    def test_duplicate_phone_refused_in_any_form(self):
        first = self._create_applicant(phone="0712999001")
        self.assertEqual(first.phone, "+254712999001")
        self._assert_refused(self._applicant_vals(phone="+254 712 999 001"), "already registered")

    def test_duplicate_kra_pin_refused(self):
        first = self._create_applicant()
        self._assert_refused(self._applicant_vals(kra_pin=first.kra_pin), "KRA PIN .* already")

    def test_duplicate_in_another_branch_is_still_refused(self):
        first = self._create_applicant(user=self.teller_a)
        vals = self._applicant_vals(id_number=first.id_number, branch_id=self.branch_b.id)
        with self.assertRefused(ValidationError, "already registered"):
            self.env(user=self.teller_b)["sacco.member"].create(vals)

    def test_under_age_refused_unless_junior(self):
        minor = date.today() - relativedelta(years=17)
        self._assert_refused(self._applicant_vals(date_of_birth=minor), "at least 18")
        junior = self._create_applicant(date_of_birth=minor, membership_type="junior")
        self.assertEqual(junior.age, 17)

    def test_minimum_age_is_a_setting(self):
        self.company.sacco_minimum_age = 21
        twenty = date.today() - relativedelta(years=20)
        self._assert_refused(self._applicant_vals(date_of_birth=twenty), "at least 21")

    def test_group_member_needs_no_birth_date(self):
        group = self._create_applicant(
            name="Umoja Women Group",
            membership_type="group",
            id_type="registration",
            id_number="DSD/GRP/T0001",
            date_of_birth=False,
            gender=False,
        )
        self.assertTrue(group.partner_id.is_company)

    def test_kin_allocation_must_total_100(self):
        vals = self._applicant_vals(
            kin_ids=[
                Command.create({"name": "A", "relationship": "child", "allocation_percent": 50}),
                Command.create({"name": "B", "relationship": "child", "allocation_percent": 40}),
            ]
        )
        self._assert_refused(vals, "add up to 90.0 %")
        self.assertFalse(self.env["sacco.member.kin"].search([("name", "in", ("A", "B"))]))

    def test_kin_allocation_split_and_edit(self):
        member = self._create_applicant(kin=False)
        member.write(
            {
                "kin_ids": [
                    Command.create(
                        {"name": "A", "relationship": "child", "allocation_percent": 60}
                    ),
                    Command.create(
                        {"name": "B", "relationship": "child", "allocation_percent": 40}
                    ),
                ]
            }
        )
        self.assertEqual(sum(member.kin_ids.mapped("allocation_percent")), 100)
        with self.assertRefused(ValidationError, "must total 100"):
            member.kin_ids[0].allocation_percent = 70
        with self.assertRefused(ValidationError, "must total 100"):
            member.write({"kin_ids": [Command.unlink(member.kin_ids[1].id)]})

    def test_kin_phone_normalised_and_validated(self):
        member = self._create_applicant()
        self.assertEqual(member.kin_ids.phone, "+254722000111")
        with self.assertRefused(ValidationError, "Next of kin"):
            member.kin_ids.phone = "0722"

    def test_payroll_number_unique_per_employer(self):
        employer = self.env["res.partner"].create(
            {"name": "Teachers Service Commission", "is_company": True, "sacco_is_employer": True}
        )
        self._create_applicant(employer_id=employer.id, payroll_number="TSC/1")
        self._assert_refused(
            self._applicant_vals(employer_id=employer.id, payroll_number="TSC/1"),
            "Payroll number TSC/1 is already used",
        )

    def test_name_search_by_number_id_and_phone(self):
        member = self._create_member(phone="0712888001")
        Member = self.env["sacco.member"]
        for term in (member.member_number, member.id_number, "+254712888001"):
            with self.subTest(term=term):
                self.assertIn(member, Member.search([("display_name", "ilike", term)]))

    def test_unique_values_generated_by_factory_are_valid(self):
        # Guards the factory itself: every generated identity passes the real validators.
        for _ in range(3):
            self._create_applicant(**member_identity())
