import importlib.util
import itertools
from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.tests import TransactionCase, new_test_user
from odoo.tools.misc import file_path

_serial = itertools.count(1)

TELLER = "sacco_base.sacco_base_group_teller"
MANAGER = "sacco_base.sacco_base_group_manager"
ACCOUNTANT = "sacco_base.sacco_base_group_accountant"
AUDITOR = "sacco_base.sacco_base_group_auditor"


def member_identity():
    """Distinct, valid identity values for one test member."""
    n = next(_serial)
    return {
        "id_number": f"2{n:07d}",
        "kra_pin": f"A{n:09d}Z",
        "phone": f"0712{n:06d}",
    }


def run_post_migration(env, module, version, from_version):
    """Run ``module``'s post-migrate script of ``version`` in this transaction, as the
    upgrade from ``from_version`` would, then drop the ORM cache it made stale."""
    path = file_path(f"{module}/migrations/{version}/post-migrate.py")
    spec = importlib.util.spec_from_file_location(f"{module}_post_migrate", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.migrate(env.cr, from_version)
    env.invalidate_all()


class SaccoBaseCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Test users have no time zone (UTC); the superuser's demo one (Europe/Brussels) would
        # give a member created here a join date a day after the officer's "today" late at night.
        cls.env.user.tz = "UTC"
        cls.company = cls.env.company
        cls.company._sacco_setup_accounts()
        cls.doc_id = cls.env.ref("sacco_base.sacco_document_type_national_id")
        cls.doc_kra = cls.env.ref("sacco_base.sacco_document_type_kra_pin")
        cls.doc_form = cls.env.ref("sacco_base.sacco_document_type_application_form")
        cls.company.sacco_required_document_type_ids = cls.doc_id | cls.doc_kra | cls.doc_form
        cls.branch_a = cls.env["sacco.branch"].create(
            {"name": "Test Alpha", "code": "TA", "member_number_prefix": "TA-"}
        )
        cls.branch_b = cls.env["sacco.branch"].create(
            {"name": "Test Beta", "code": "TB", "member_number_prefix": "TB-"}
        )
        cls.teller_a = new_test_user(
            cls.env,
            "sacco.teller.a",
            groups=TELLER,
            sacco_branch_ids=[Command.set(cls.branch_a.ids)],
        )
        cls.teller_b = new_test_user(
            cls.env,
            "sacco.teller.b",
            groups=TELLER,
            sacco_branch_ids=[Command.set(cls.branch_b.ids)],
        )
        cls.manager = new_test_user(cls.env, "sacco.manager", groups=MANAGER)
        cls.accountant = new_test_user(cls.env, "sacco.accountant", groups=ACCOUNTANT)
        cls.auditor = new_test_user(cls.env, "sacco.auditor", groups=AUDITOR)

    @contextmanager
    def assertRefused(self, exception, pattern):
        """Like assertRaisesRegex, and everything the refused call wrote is rolled back."""
        with self.assertRaisesRegex(exception, pattern), self.env.cr.savepoint():
            yield

    @classmethod
    def _applicant_vals(cls, **overrides):
        vals = {
            "name": "Wanjiku Kamau",
            "branch_id": cls.branch_a.id,
            "date_of_birth": date(1990, 5, 17),
            "gender": "female",
            **member_identity(),
        }
        vals.update(overrides)
        return vals

    @classmethod
    def _create_applicant(cls, user=None, kin=True, documents="verified", **overrides):
        """An applicant with one next of kin (100 %) and the required documents."""
        env = cls.env(user=user) if user else cls.env
        vals = cls._applicant_vals(**overrides)
        if kin:
            vals["kin_ids"] = [
                Command.create(
                    {"name": "Kamau Njoroge", "relationship": "spouse", "phone": "0722000111"}
                )
            ]
        if documents:
            vals["document_ids"] = [
                Command.create({"document_type_id": doc.id, "reference": "REF"})
                for doc in (cls.doc_id, cls.doc_kra, cls.doc_form)
            ]
        member = env["sacco.member"].create(vals)
        if documents == "verified":
            member.document_ids.action_verify()
        return member

    @classmethod
    def _create_member(cls, **overrides):
        member = cls._create_applicant(**overrides)
        member.with_user(cls.manager).action_approve()
        return member
