"""A year in the life of the demo SACCO, played through the real engines day by day.

Loaded only with demo data (``demo/sacco_demo_history.xml``). Every amount moves through the
same methods the back office, the check-off import, the standing orders and the nightly
close of business call, dated on the day it happens. Engines that read "today" instead of
taking a date see the simulated day through freezegun's clock, which Odoo itself requires.
"""

import base64
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as day_time

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, api, fields, models

from odoo.addons.sacco_savings.models.sacco_savings_transaction import Movement

from .sacco_checkoff_batch import loan_amount_due

_logger = logging.getLogger(__name__)

COMPANY = "sacco_base.res_company_sacco_demo"
BROUGHT_FORWARD = "Balance brought forward from the previous system"
# Members who guarantee the demo loans (each in the borrower's branch, so the branch's
# teller may release their holds): they hold larger deposits.
GUARANTORS = {4, 7, 8, 15, 16, 17, 18, 20, 27, 34, 39}
PURPOSES = {
    "DEV": "Dairy unit and rental rooms",
    "EMG": "Hospital bill",
    "SCH": "Secondary school fees",
    "ASSET": "Delivery truck",
    "INST": "Stock for the shop",
}


def _member(env, number):
    return env.ref(f"sacco_base.sacco_member_demo_{number:02d}")


class DemoYear:
    """The plan of the demo year: events by date, run in date order by ``play``."""

    def __init__(self, env, today):
        self.env = env
        self.company = env.company
        self.today = today
        # Twelve monthly periods ending with the current month; the balances and the oldest
        # loans of the previous system go back another thirteen months.
        self.periods = [today.replace(day=1) - relativedelta(months=11 - i) for i in range(12)]
        self.opening = self.periods[0] - relativedelta(months=13)
        self.events = defaultdict(list)
        self.users = {
            name: env.ref(f"sacco_base.res_users_sacco_{name}")
            for name in (
                "teller_nairobi",
                "teller_nakuru",
                "loan_officer_nakuru",
                "manager",
                "credit_committee",
                "accountant",
            )
        }
        self.cash = self._journal("cash")
        self.bank = self._journal("bank")
        self.products = {
            code: env["sacco.savings.product"].search(
                [("code", "=", code), ("company_id", "=", self.company.id)]
            )
            for code in ("SHR", "DEP", "FOSA", "FD12", "JNR")
        }
        self.loan_products = {
            code: env["sacco.loan.product"].search(
                [("code", "=", code), ("company_id", "=", self.company.id)]
            )
            for code in ("DEV", "EMG", "SCH", "ASSET", "INST")
        }
        self.loans = {}

    # ---------------------------------------------------------------- helpers

    def _journal(self, journal_type):
        return self.env["account.journal"].search(
            [("type", "=", journal_type), ("company_id", "=", self.company.id)], limit=1
        )

    def at(self, day, action, *args):
        """Plan ``action(day, *args)`` on ``day``; days after today are left out."""
        if day <= self.today:
            self.events[day].append((action, args))

    def day_in(self, period, day):
        """``day`` of the month of ``period`` (clamped to the month's last day)."""
        return min(period + timedelta(days=day - 1), period + relativedelta(day=31))

    def account(self, member, code):
        return member.savings_account_ids.filtered(lambda a: a.product_id.code == code)[:1]

    def teller(self, member):
        nakuru = member.branch_id == self.env.ref("sacco_base.sacco_branch_nakuru")
        return self.users["teller_nakuru" if nakuru else "teller_nairobi"]

    def officer(self, member):
        nakuru = member.branch_id == self.env.ref("sacco_base.sacco_branch_nakuru")
        return self.users["loan_officer_nakuru" if nakuru else "manager"]

    # ---------------------------------------------------------------- counter

    def deposit(self, day, member, code, amount, channel="cash", narration=None):
        account = self.account(member, code).with_user(self.teller(member))
        journal = self.cash if channel == "cash" else self.bank
        account.deposit(amount, channel=channel, journal=journal, date=day, narration=narration)

    def withdraw(self, day, member, code, amount):
        account = self.account(member, code).with_user(self.teller(member))
        account.withdraw(amount, journal=self.cash, date=day)

    def transfer(self, day, member, from_code, to_member, to_code, amount):
        source = self.account(member, from_code)
        source.transfer_to(self.account(to_member, to_code), amount, date=day)

    def open_account(self, day, member, code, amount):
        self.env["sacco.savings.account"].create(
            {"member_id": member.id, "product_id": self.products[code].id}
        )
        self.deposit(day, member, code, amount, channel="bank")

    # ---------------------------------------------------------------- loans

    def apply(self, member, code, amount, term, guarantors=()):
        return (
            self.env["sacco.loan.application"]
            .with_user(self.officer(member))
            .create(
                {
                    "member_id": member.id,
                    "product_id": self.loan_products[code].id,
                    "amount": amount,
                    "term": term,
                    "purpose": PURPOSES[code],
                    "basic_pay": 120000,
                    "total_deductions": 30000,
                    "guarantor_ids": [
                        Command.create({"member_id": g.id, "amount": pledge})
                        for g, pledge in guarantors
                    ],
                }
            )
        )

    def disburse(self, day, key, member, code, amount, term, guarantors=(), pay=None):
        """Apply, appraise, approve and disburse; ``pay`` plans the counter repayments:
        a number of installments repaid on their due dates, or "all"."""
        app = self.apply(member, code, amount, term, guarantors)
        app.action_submit()
        app.action_appraise()
        app.with_user(self.users["credit_committee"]).action_approve()
        loan = app.with_user(self.officer(member))._disburse(date=day)
        self.loans[key] = loan
        lines = loan.installment_ids.sorted("due_date")
        count = len(lines) if pay == "all" else pay or 0
        for line in lines[:count]:
            self.at(line.due_date, self.repay_due, loan)
        return loan

    def repay_due(self, day, loan):
        due = loan_amount_due(loan, day)
        if loan.state == "active" and due > 0:
            loan.with_user(self.teller(loan.member_id)).repay(
                float(due), journal=self.cash, date=day
            )

    # ---------------------------------------------------------------- check-off

    def checkoff(self, day, employer, period, adjust=None, extra_rows=()):
        """The employer's remittance for ``period``: what each member was asked for, with
        ``adjust`` (payroll number -> amount) for what the payroll actually deducted."""
        members = self.env["sacco.member"].search(
            [
                ("employer_id", "=", employer.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "active"),
            ],
            order="payroll_number",
        )
        rows = []
        for member in members:
            expected = sum(e.amount for e in member._checkoff_expectations(period))
            amount = (adjust or {}).get(member.payroll_number, expected)
            rows.append(
                f"{period:%Y-%m},{member.payroll_number},{member.member_number},{amount:.2f}"
            )
        rows += [f"{period:%Y-%m},{payroll},,{amount:.2f}" for payroll, amount in extra_rows]
        content = "\n".join(["Payroll Month,Payroll No,Member No,Amount", *rows]).encode()
        batch = (
            self.env["sacco.checkoff.batch"]
            .with_user(self.users["accountant"])
            .create(
                {
                    "employer_id": employer.id,
                    "period": period,
                    "date": day,
                    "journal_id": self.bank.id,
                    "file": base64.b64encode(content),
                    "file_name": f"{employer.sacco_employer_code}-{period:%Y-%m}.csv",
                }
            )
        )
        batch.action_validate()
        batch.action_post()

    # ---------------------------------------------------------------- nightly

    def nightly(self, day):
        """What the crons do each night of the year."""
        if day.day == 1:
            interest = self.env["sacco.savings.interest.run"]
            interest._cron_post_interest(day)
            interest._cron_mature_fixed_deposits(day)
        self.env["sacco.savings.standing.order"]._cron_run()
        self.env["sacco.loan.cob.run"].run_close_of_business(day, self.company)

    def play(self):
        started = time.process_time()  # freezegun stops the wall clocks
        with freeze_time(datetime.combine(self.opening, day_time(9))) as clock:
            day = self.opening
            while day <= self.today:
                clock.move_to(datetime.combine(day, day_time(9)))
                for action, args in self.events.pop(day, ()):
                    action(day, *args)
                if day >= self.periods[0]:
                    self.nightly(day)
                if day.day == 1:
                    _logger.info("Demo SACCO: %s (%.1f s CPU)", day, time.process_time() - started)
                day += timedelta(days=1)
        _logger.info("Demo SACCO history played in %.1f s CPU", time.process_time() - started)


class SaccoDemoHistory(models.AbstractModel):
    _name = "sacco.demo.history"
    _description = "Demo SACCO History"

    @api.model
    def _play(self):
        company = self.env.ref(COMPANY)
        env = self.with_context(
            allowed_company_ids=company.ids,
            tz="Africa/Nairobi",
            sacco_cob_no_commit=True,
            # A year of entries at once: no field tracking (the engines' own chatter
            # messages are still posted).
            tracking_disable=True,
        ).env
        year = DemoYear(env, fields.Date.context_today(self))
        self._plan_members(year)
        self._plan_savings(year)
        self._plan_checkoff(year)
        self._plan_loans(year)
        self._plan_year_end(year)
        self._plan_applications(year)
        try:
            year.play()
        except Exception:
            # The installation rolls the demo back and goes on without it: none of the
            # history's pending writes may reach the database after that.
            env.clear()
            raise

    # ---------------------------------------------------------------- members and savings

    def _plan_members(self, year):
        """Balances brought forward, new members joining, an exit."""
        env = year.env
        for number in range(1, 46):
            member = _member(env, number)
            if not member.savings_account_ids:
                continue  # suspended before the accounts were opened
            day = max(year.opening, member.join_date)
            year.at(day, self._bring_forward, year, member, number)
        # Three applicants join during the year; two still wait for their papers.
        for index, number in enumerate(range(46, 49)):
            day = year.day_in(year.periods[index + 1], 8)
            year.at(day, self._register_applicant, year, _member(env, number))
        exit_notice = year.day_in(year.periods[5], 9)
        year.at(exit_notice, self._serve_exit_notice, year)

    def _bring_forward(self, day, year, member, number):
        """The member's balances migrated from the previous system: one entry a member."""
        scale = 3 if member.membership_type in ("group", "corporate") else 1
        deposits = (40000 + (number * 7919 % 23) * 10000) * scale
        if number in GUARANTORS:
            deposits += 200000
        balances = {
            "SHR": 2000 + (number % 5) * 2000,
            "DEP": deposits,
            "FOSA": (5000 + (number * 31 % 17) * 2500) * scale,
        }
        account = year.account(member, "DEP")
        year.env["sacco.savings.transaction"]._post_movements(
            [
                Movement(year.account(member, code), "deposit", amount)
                for code, amount in balances.items()
            ],
            [
                account._counter_line(
                    year.bank.default_account_id, BROUGHT_FORWARD, debit=sum(balances.values())
                )
            ],
            year.bank,
            day,
            "bank",
            narration=BROUGHT_FORWARD,
        )

    def _register_applicant(self, day, year, member):
        manager = year.users["manager"]
        member._post_registration_fee(year.cash, year.company.sacco_registration_fee, day)
        missing = member.missing_document_type_ids - member.document_ids.document_type_id
        year.env["sacco.member.document"].create(
            [
                {
                    "member_id": member.id,
                    "document_type_id": doc_type.id,
                    "reference": f"APP/{day.year}/{member.id:04d}",
                }
                for doc_type in missing
            ]
        )
        member.document_ids.filtered(lambda doc: doc.state != "verified").with_user(
            manager
        ).action_verify()
        member.with_user(manager).action_approve()
        year.deposit(day, member, "SHR", 2000)
        year.deposit(day, member, "DEP", 5000)
        year.deposit(day, member, "FOSA", 3000)

    def _serve_exit_notice(self, day, year):
        member = _member(year.env, 35)
        notice = year.env["sacco.member.exit"].create(
            {
                "member_id": member.id,
                "reason": "Relocating to Mombasa; resigned from the society.",
                "notice_date": day,
                "share_transferee_id": _member(year.env, 24).id,
                "journal_id": year.bank.id,
            }
        )
        year.at(notice.exit_date, self._settle_exit, year, notice)

    def _settle_exit(self, day, year, notice):
        notice.with_user(year.users["manager"]).action_settle()

    def _plan_savings(self, year):
        """Counter deposits and withdrawals, share purchases and a share transfer, a junior
        account, a fixed deposit and standing orders."""
        env = year.env
        counter = [
            number
            for number in range(1, 46)
            if not _member(env, number).employer_id and number not in (19, 29)
        ]
        for index, period in enumerate(year.periods):
            # Counter members come in every other month: a deposit contribution, and in
            # turn a FOSA deposit or a withdrawal.
            for number in counter:
                if (index + number) % 2:
                    continue
                member = _member(env, number)
                day = year.day_in(period, 3 + number % 20)
                year.at(day, year.deposit, member, "DEP", 2000 + (number % 4) * 1000)
                if (index + number) % 4 == 0:
                    year.at(day, year.deposit, member, "FOSA", 5000 + (number % 3) * 1000)
                else:
                    year.at(day + timedelta(days=4), year.withdraw, member, "FOSA", 2500)
            if index in (2, 7):
                for number in range(1, 46, 6):
                    member = _member(env, number)
                    day = year.day_in(period, 16)
                    year.at(day, year.transfer, member, "FOSA", member, "SHR", 1000)
            year.at(year.day_in(period, 10), year.deposit, _member(env, 19), "JNR", 500)
        junior = _member(env, 19)
        year.at(year.periods[0], year.open_account, junior, "JNR", 1500)
        year.at(
            year.day_in(year.periods[4], 15),
            year.transfer,
            _member(env, 4),
            "SHR",
            _member(env, 20),
            "SHR",
            2000,
        )
        year.at(
            year.day_in(year.periods[2], 9), year.open_account, _member(env, 38), "FD12", 100000
        )
        year.at(year.periods[0], self._standing_orders, year)

    def _standing_orders(self, day, year):
        orders = [
            {
                "member_id": member.id,
                "source_account_id": year.account(member, "FOSA").id,
                "destination_account_id": year.account(member, "DEP").id,
                "amount": 1000,
                "day_of_month": 28,
                "start_date": day,
            }
            for member in (_member(year.env, n) for n in (1, 17, 20))
        ]
        year.env["sacco.savings.standing.order"].create(orders)

    def _plan_checkoff(self, year):
        """Each employer remits on the 25th; KPLC short-pays one member in the fourth month
        and TSC's file of the sixth carries a payroll number nobody has (suspense)."""
        env = year.env
        employers = {
            code: env.ref(f"sacco_base.res_partner_employer_{code}")
            for code in ("tsc", "kplc", "ncc")
        }
        for index, period in enumerate(year.periods):
            day = year.day_in(period, 25)
            for code, employer in employers.items():
                adjust, extra = {}, ()
                if code == "kplc" and index == 3:
                    adjust = {_member(env, 18).payroll_number: 500.0}
                if code == "tsc" and index == 5:
                    extra = (("TSC/999001", 2500.0),)
                year.at(day, year.checkoff, employer, period, adjust, extra)

    # ---------------------------------------------------------------- loans

    def _plan_loans(self, year):
        """Loans of every product and standing: performing on check-off, at the counter and
        by standing order; repaid early; rescheduled; in arrears of every SASRA class;
        written off and partly recovered; instant mobile loans."""
        env, p, today = year.env, year.periods, year.today
        m = lambda number: _member(env, number)  # noqa: E731
        plan = [
            # Loss: migrated from the previous system, never repaid.
            (year.opening + timedelta(days=14), "loss", m(29), "EMG", 40000, 6, (), 0),
            # Written off after the guarantors' deposits were recovered.
            (
                year.opening + timedelta(days=20),
                "written_off",
                m(14),
                "DEV",
                120000,
                12,
                ((m(17), 40000), (m(20), 40000)),
                3,
            ),
            (
                p[0] + timedelta(days=25),
                "checkoff_dev",
                m(2),
                "DEV",
                300000,
                24,
                ((m(4), 100000), (m(7), 100000)),
                0,
            ),
            (p[0] + timedelta(days=25), "school_fees", m(10), "SCH", 60000, 12, (), 0),
            (
                p[1] + timedelta(days=25),
                "checkoff_kplc",
                m(6),
                "DEV",
                200000,
                24,
                ((m(16), 60000), (m(18), 60000)),
                0,
            ),
            (
                p[1] + timedelta(days=11),
                "repaid_early",
                m(3),
                "DEV",
                150000,
                18,
                ((m(8), 50000), (m(15), 50000)),
                5,
            ),
            (
                p[1] + timedelta(days=15),
                "rescheduled",
                m(15),
                "DEV",
                120000,
                12,
                ((m(34), 40000), (m(39), 40000)),
                3,
            ),
            (p[2] + timedelta(days=11), "counter", m(1), "EMG", 50000, 12, (), "all"),
            (p[3] + timedelta(days=4), "asset", m(33), "ASSET", 400000, 36, ((m(27), 250000),), 0),
            (p[8] + timedelta(days=2), "instant_repaid", m(7), "INST", 5000, 1, (), "all"),
            # Watch, substandard and doubtful: the oldest unpaid installment fell due
            # 10, 100 and 250 days ago.
            (
                today - timedelta(days=10) - relativedelta(months=6),
                "watch",
                m(8),
                "EMG",
                60000,
                12,
                (),
                5,
            ),
            (
                today - timedelta(days=100) - relativedelta(months=4),
                "substandard",
                m(30),
                "DEV",
                100000,
                12,
                ((m(34), 40000), (m(39), 40000)),
                3,
            ),
            (
                today - timedelta(days=250) - relativedelta(months=3),
                "doubtful",
                m(38),
                "EMG",
                30000,
                6,
                (),
                2,
            ),
            (today - timedelta(days=5), "instant", m(41), "INST", 8000, 1, (), 0),
        ]
        for day, key, member, code, amount, term, guarantors, pay in plan:
            year.at(day, year.disburse, key, member, code, amount, term, guarantors, pay)
        year.at(p[3] + timedelta(days=5), self._loan_standing_order, year)
        year.at(p[5] + timedelta(days=3), self._reversed_repayment, year)
        year.at(p[7] + timedelta(days=11), self._settle_early, year)
        year.at(p[6] + timedelta(days=16), self._reschedule, year)
        year.at(p[3] + timedelta(days=10), self._recover_from_deposits, year)
        year.at(p[4] + timedelta(days=10), self._write_off, year)
        year.at(p[8] + timedelta(days=10), self._recovery, year, 15000)
        year.at(p[10] + timedelta(days=10), self._recovery, year, 10000)

    def _loan_standing_order(self, day, year):
        """The agrovet's loan is repaid from its FOSA account, topped up at the counter."""
        loan = year.loans["asset"]
        member = loan.member_id
        year.env["sacco.savings.standing.order"].create(
            {
                "member_id": member.id,
                "source_account_id": year.account(member, "FOSA").id,
                "loan_id": loan.id,
                "amount": loan.installment_ids[:1].total,
                "day_of_month": loan.installment_ids[:1].due_date.day,
                "start_date": day,
            }
        )
        for period in year.periods:
            year.at(year.day_in(period, 2), year.deposit, member, "FOSA", 25000)

    def _reversed_repayment(self, day, year):
        """A payment keyed to the wrong loan at the counter, reversed by the loan officer."""
        loan = year.loans["counter"]
        loan.with_user(year.teller(loan.member_id)).repay(1500, journal=year.cash, date=day)
        loan.repayment_ids[:1].with_user(year.officer(loan.member_id)).action_reverse(
            "Keyed to the wrong loan number at the counter"
        )

    def _settle_early(self, day, year):
        loan = year.loans["repaid_early"]
        loan.with_user(year.teller(loan.member_id)).settle(journal=year.cash, date=day)

    def _reschedule(self, day, year):
        """Two missed installments, then a longer term; repaid on time since."""
        loan = year.loans["rescheduled"].with_user(year.users["credit_committee"])
        loan.reschedule(18, 12.0, "annuity", date=day, reason="Business hit by the long rains")
        for line in loan.installment_ids.filtered(lambda line: not line.paid):
            year.at(line.due_date, year.repay_due, loan)

    def _recover_from_deposits(self, day, year):
        loan = year.loans["written_off"].with_user(year.users["credit_committee"])
        loan.recover_from_deposits(amount=30000, date=day)

    def _write_off(self, day, year):
        loan = year.loans["written_off"].with_user(year.users["credit_committee"])
        loan.write_off(date=day, reason="Member unreachable for six months; legal demand sent")

    def _recovery(self, day, year, amount):
        loan = year.loans["written_off"]
        loan.with_user(year.users["manager"]).receive_recovery(amount, journal=year.cash, date=day)

    def _plan_applications(self, year):
        """Applications waiting at each step of the credit process."""
        today = year.today
        year.at(today - timedelta(days=15), self._application, year, 12, "ASSET", "cancelled")
        year.at(today - timedelta(days=6), self._application, year, 29, "EMG", "rejected")
        year.at(today - timedelta(days=4), self._application, year, 17, "SCH", "appraised")
        year.at(today - timedelta(days=3), self._application, year, 44, "EMG", "submitted")
        year.at(today - timedelta(days=2), self._application, year, 39, "DEV", "draft")
        year.at(today - timedelta(days=1), self._application, year, 20, "DEV", "approved")
        year.at(today - timedelta(days=2), self._instant_by_ussd, year)
        year.at(today, self._guarantees_asked_in_the_app, year)

    def _instant_by_ussd(self, day, year):
        """An instant loan applied for on USSD: approved by the system and paid to FOSA."""
        member = _member(year.env, 25)
        year.env["sacco.loan.application"].sudo()._sacco_channel_apply(
            member, year.loan_products["INST"], 5000, 1, channel="ussd"
        )

    def _guarantees_asked_in_the_app(self, day, year):
        """A development loan applied for in the app: one guarantor accepted on USSD, the
        other has not answered yet (their pending request)."""
        env = year.env
        Application = env["sacco.loan.application"].sudo()
        member, product = _member(env, 3), year.loan_products["DEV"]
        eligible = Application._sacco_channel_eligibility(member, product)["max_amount"]
        amount = min(eligible, 60000) // 1000 * 1000
        accepting, silent = _member(env, 18), _member(env, 16)
        app = Application._sacco_channel_apply(
            member,
            product,
            amount,
            12,
            guarantors=((silent, amount / 2), (accepting, amount / 2)),
            channel="app",
        )
        line = app.guarantor_ids.filtered(lambda g: g.member_id == accepting)
        line.action_accept_guarantee(channel="ussd")

    def _application(self, day, year, number, code, state):
        env = year.env
        member = _member(env, number)
        guarantors = ((_member(env, 4), 50000), (_member(env, 7), 50000)) if code == "DEV" else ()
        app = year.apply(member, code, 60000, 12, guarantors)
        if state == "draft":
            return
        app.action_submit()
        if state == "rejected":
            app.action_reject("A loan is in arrears; clear the arrears and apply again.")
        elif state == "cancelled":
            app.action_cancel()
        elif state != "submitted":
            app.action_appraise()
            if state == "approved":
                app.with_user(year.users["credit_committee"]).action_approve()

    # ---------------------------------------------------------------- year end

    def _plan_year_end(self, year):
        """Last financial year's interest on deposits and dividend on shares: computed and
        posted in January, paid to FOSA after the AGM."""
        today = year.today
        posted = min(fields.Date.to_date(f"{today.year}-01-20"), today)
        paid = min(fields.Date.to_date(f"{today.year}-03-31"), today)
        year.at(posted, self._year_end_post, year)
        year.at(paid, self._year_end_pay, year)

    def _year_end_post(self, day, year):
        year_end = (
            year.env["sacco.savings.year.end"]
            .with_user(year.users["accountant"])
            .create({"year": day.year - 1, "deposit_rate": 8.0, "dividend_rate": 12.0})
        )
        year_end.action_compute()
        year_end.action_post()

    def _year_end_pay(self, day, year):
        year_end = year.env["sacco.savings.year.end"].search(
            [("company_id", "=", year.company.id), ("year", "=", day.year - 1)]
        )
        year_end.with_user(year.users["accountant"]).write({"payment_date": day})
        year_end.with_user(year.users["accountant"]).action_pay()
