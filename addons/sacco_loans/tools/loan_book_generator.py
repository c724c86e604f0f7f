"""A synthetic loan book for benchmarks and scale tests: N members with one loan each, in
every state (performing, each SASRA arrears band, closed, written off, rescheduled), written
with set-based SQL.

One member and one loan are created through the ORM as templates; every other row is a copy
of its template's row (so columns other add-ons add keep their defaults) with the varying
columns overridden, N rows per INSERT ... SELECT. Schedules come from sacco_core.loans once
per (product, amount, term) shape and are reused by every loan of that shape; the due dates
of each loan are derived from its disbursement date in SQL, as sacco_core.loans dates them.

A loan's state is chosen from its number (``g % 100``, see CATEGORIES); the disbursement
date is set so that its oldest unpaid installment falls a chosen number of days before the
as-of date (days past due), the installments before it being paid, one in three of those
loans having that installment half paid. Overdue installments carry the penalties their
product would have charged, and those of accrual products their interest receivable.
An opening entry per product (Dr portfolio, interest and penalty receivable / Cr opening
balances) makes the GL match the sub-ledger of the active loans.
"""

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from psycopg2.extras import execute_values

from odoo.tools import SQL

from sacco_core.loan_fees import spread_evenly

from ..models.sacco_loan_cob_run import split_item_columns

# (category, share of the book in %, days past due of the oldest unpaid installment as
# (first, span): first + (pseudo-random % span); None for closed loans).
CATEGORIES = (
    ("performing", 55, (-29, 30)),
    ("watch", 15, (3, 25)),
    ("substandard", 10, (40, 130)),
    ("doubtful", 5, (190, 160)),
    ("loss", 5, (380, 340)),
    ("closed", 6, None),
    ("written_off", 2, (380, 340)),
    ("rescheduled", 2, (-29, 200)),
)

# code: (values, amounts, terms)
PRODUCTS = {
    "BDEV": (
        {
            "name": "Bench Development Loan",
            "method": "annuity",
            "frequency": "monthly",
            "interest_rate": 12.0,
            "accounting_basis": "accrual",
            "penalty_rate": 3.0,
            "penalty_grace_days": 5,
            "penalty_cap_percent": 30.0,
            "processing_fee": 1.0,
            "insurance_rate": 0.5,
        },
        (50000, 150000, 300000, 600000, 1000000),
        (12, 24, 36),
    ),
    "BEMG": (
        {
            "name": "Bench Emergency Loan",
            "method": "flat",
            "frequency": "monthly",
            "interest_rate": 15.0,
            "accounting_basis": "cash",
            "penalty_rate": 5.0,
            "processing_fee": 1.5,
            "insurance_rate": 0.5,
            "fee_collection": "spread",
        },
        (10000, 25000, 50000),
        (3, 6, 12),
    ),
    "BBIA": (
        {
            "name": "Bench Biashara Weekly Loan",
            "method": "equal_principal",
            "frequency": "weekly",
            "interest_rate": 18.0,
            "accounting_basis": "accrual",
            "penalty_rate": 2.0,
            "penalty_grace_days": 3,
            "penalty_cap_percent": 20.0,
        },
        (20000, 50000, 100000),
        (13, 26, 52),
    ),
    "BASS": (
        {
            "name": "Bench Asset Loan",
            "method": "annuity",
            "frequency": "monthly",
            "interest_rate": 14.0,
            "accounting_basis": "cash",
        },
        (200000, 500000),
        (24, 36),
    ),
}

OFFICERS = 4
ID_NUMBER_BASE = 40000000  # national IDs of 8 digits
PHONE_PREFIX = "+25479"  # + 7 digits: valid Kenyan mobile numbers


def generate(env, count, as_of, prefix="BL", opening_entry=True):
    """Write ``count`` members and loans as of ``as_of`` into the current transaction;
    return the number of rows written per table."""
    gen = _Generator(env, count, as_of, prefix)
    gen.setup()
    gen.plan()
    gen.members()
    gen.loans()
    if opening_entry:
        gen.opening_entries()
    return gen.finish()


class _Generator:
    def __init__(self, env, count, as_of, prefix):
        if count < 1:
            raise ValueError("count must be at least 1")
        self.env, self.cr = env, env.cr
        self.count, self.as_of, self.prefix = count, as_of, prefix
        self.company = env.company

    # ------------------------------------------------------------ ORM set-up (small)

    def setup(self):
        env, company = self.env, self.company
        company._sacco_setup_accounts()
        self.branch = env["sacco.branch"].create(
            {
                "name": f"Bench Branch {self.prefix}",
                "code": f"{self.prefix}BR",
                "member_number_prefix": f"{self.prefix}-",
            }
        )
        group = env.ref("sacco_base.sacco_base_group_loan_officer")
        self.officers = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Bench Officer {self.prefix}{i}",
                        "login": f"bench.officer.{self.prefix.lower()}{i}",
                        "groups_id": [(4, group.id)],
                    }
                    for i in range(OFFICERS)
                ]
            )
        )
        self.products = {
            code: env["sacco.loan.product"].create(
                {
                    **values,
                    "code": f"{self.prefix}{code}",
                    "min_amount": min(amounts),
                    "max_amount": max(amounts),
                    "min_term": min(terms),
                    "max_term": max(terms),
                }
            )
            for code, (values, amounts, terms) in PRODUCTS.items()
        }
        quiet = env["sacco.member"].with_context(tracking_disable=True, mail_create_nolog=True)
        self.template_member = quiet.create(
            {
                "name": f"Bench Member {self.prefix} 1",
                "branch_id": self.branch.id,
                "id_number": str(ID_NUMBER_BASE + 1),
                "phone": f"{PHONE_PREFIX}{1:07d}",
                "date_of_birth": date(1985, 1, 1),
                "member_number": f"{self.prefix}-{1:07d}",
                "state": "active",
            }
        )
        product = self.products["BDEV"]
        self.template_loan = (
            env["sacco.loan"]
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create(
                {
                    "name": f"{self.prefix}TEMPLATE",
                    "member_id": self.template_member.id,
                    "company_id": company.id,
                    "product_id": product.id,
                    "principal": 1000.0,
                    "term": 1,
                    "disbursed_on": self.as_of,
                    "installment_ids": [
                        (0, 0, {"number": 1, "due_date": self.as_of, "principal": 1000.0})
                    ],
                }
            )
        )
        env.flush_all()

    # ------------------------------------------------------------ plan

    def plan(self):
        """bench_shape(_row): one schedule per shape; bench_plan: one row per member/loan."""
        shapes, rows = [], []
        for code, (_values, amounts, terms) in PRODUCTS.items():
            product = self.products[code]
            for amount in amounts:
                for term in terms:
                    shapes.append(self._shape(len(shapes), product, amount, term, rows))
        self.cr.execute(
            "CREATE TEMP TABLE bench_shape (shape int PRIMARY KEY, product_id int, "
            "weekly bool, amount numeric, term int, rate numeric, accrual bool, "
            "penalty_rate numeric, penalty_grace int, penalty_cap numeric, processing numeric, "
            "insurance numeric, excise numeric, net numeric)"
        )
        execute_values(self.cr._obj, "INSERT INTO bench_shape VALUES %s", shapes)
        self.cr.execute(
            "CREATE TEMP TABLE bench_shape_row (shape int, number int, principal numeric, "
            "interest numeric, fee numeric, PRIMARY KEY (shape, number))"
        )
        execute_values(self.cr._obj, "INSERT INTO bench_shape_row VALUES %s", rows, page_size=1000)
        self.cr.execute(self._plan_sql())
        self.cr.execute("ANALYZE bench_shape; ANALYZE bench_shape_row; ANALYZE bench_plan")

    def _shape(self, shape, product, amount, term, rows):
        schedule = product._schedule(amount, term, self.as_of)
        processing, insurance, excise = product._disbursement_fees(amount)
        fees = processing + insurance + excise
        spread = product.fee_collection == "spread"
        spread_fees = spread_evenly(fees, term) if spread else [Decimal(0)] * term
        rows.extend(
            (shape, row.number, row.principal, row.interest, fee)
            for row, fee in zip(schedule, spread_fees, strict=True)
        )
        return (
            shape,
            product.id,
            product.frequency == "weekly",
            amount,
            term,
            product.interest_rate,
            product.accounting_basis == "accrual",
            product.penalty_rate,
            product.penalty_grace_days,
            product.penalty_cap_percent,
            processing,
            insurance,
            excise,
            Decimal(amount) - (Decimal(0) if spread else fees),
        )

    def _plan_sql(self):
        category, first, span, start = [], [], [], 0
        for name, share, days in CATEGORIES:
            bound = SQL("mod(g, 100) < %s", start + share)
            category.append(SQL("WHEN %s THEN %s", bound, name))
            if days:
                first.append(SQL("WHEN %s THEN %s", name, days[0]))
                span.append(SQL("WHEN %s THEN %s", name, days[1]))
            start += share
        assert start == 100, "CATEGORIES shares add up to 100"
        return SQL(
            """
            CREATE TEMP TABLE bench_plan AS
            WITH g AS (
                SELECT g, mod(g / 100 * 7919 + g * 613, 1009) AS rnd,
                       mod(g / 100 * 104729 + g * 31, 1013) AS rnd2,
                       nextval('res_partner_id_seq')::int AS partner_id,
                       nextval('sacco_member_id_seq')::int AS member_id,
                       nextval('sacco_loan_id_seq')::int AS loan_id,
                       CASE %(category)s END AS category
                  FROM generate_series(1, %(count)s) g
            ), shaped AS (
                SELECT g.*, s.*,
                       CASE WHEN category = 'closed' THEN s.term + 1
                            ELSE 1 + mod(rnd2, s.term) END AS m,
                       CASE WHEN category = 'closed' THEN NULL
                            ELSE (CASE category %(first)s END)
                                 + mod(rnd, CASE category %(span)s END) END AS dpd
                  FROM g JOIN bench_shape s ON s.shape = mod(g.g * 13, %(shapes)s)
            ), dated AS (
                SELECT shaped.*,
                       CASE WHEN category = 'closed' AND weekly
                                THEN %(as_of)s::date - 7 * (term + 1 + mod(rnd, 12))
                            WHEN category = 'closed'
                                THEN (%(as_of)s::date
                                      - make_interval(months => term + 1 + mod(rnd, 12)))::date
                            WHEN weekly THEN %(as_of)s::date - dpd - 7 * m
                            ELSE (%(as_of)s::date - dpd - make_interval(months => m))::date
                       END AS disbursed_on
                  FROM shaped
            )
            SELECT dated.*,
                   (disbursed_on + INTERVAL '1 month')::date AS first_due,
                   category NOT IN ('closed', 'written_off') AS active,
                   category != 'closed' AND mod(g, 3) = 0 AS partial,
                   (%(officers)s::int[])[1 + mod(g, %(officer_count)s)] AS officer_id
              FROM dated
            """,
            category=SQL(" ").join(category),
            first=SQL(" ").join(first),
            span=SQL(" ").join(span),
            count=self.count,
            shapes=self._count("bench_shape"),
            as_of=self.as_of,
            officers=self.officers.ids,
            officer_count=len(self.officers),
        )

    # ------------------------------------------------------------ members and loans

    def members(self):
        """Member 1 is the template; the others are copies of it."""
        template = self.template_member
        self.cr.execute(
            SQL(
                "UPDATE bench_plan SET partner_id = %s, member_id = %s WHERE g = 1",
                template.partner_id.id,
                template.id,
            )
        )
        name = SQL("%s || g", f"Bench Member {self.prefix} ")
        self._clone(
            "res_partner",
            template.partner_id.id,
            SQL("(SELECT * FROM bench_plan WHERE g > 1) s"),
            id=SQL("s.partner_id"),
            name=name,
            complete_name=name,
            commercial_partner_id=SQL("s.partner_id"),
            phone=SQL("%s || lpad(g::text, 7, '0')", PHONE_PREFIX),
        )
        self._clone(
            "sacco_member",
            template.id,
            SQL("(SELECT * FROM bench_plan WHERE g > 1) s"),
            id=SQL("s.member_id"),
            partner_id=SQL("s.partner_id"),
            member_number=SQL("%s || lpad(g::text, 7, '0')", f"{self.prefix}-"),
            id_number=SQL("(%s + g)::text", ID_NUMBER_BASE),
            join_date=SQL("s.disbursed_on - 365"),
        )

    def loans(self):
        loan = self.template_loan
        self._clone(
            "sacco_loan",
            loan.id,
            SQL("bench_plan s"),
            id=SQL("s.loan_id"),
            name=SQL("%s || lpad(g::text, 7, '0')", self.prefix),
            member_id=SQL("s.member_id"),
            branch_id=SQL("%s", self.branch.id),
            product_id=SQL("s.product_id"),
            principal=SQL("s.amount"),
            interest_rate=SQL("s.rate"),
            term=SQL("s.term"),
            disbursed_on=SQL("s.disbursed_on"),
            disbursement_channel=SQL("'cash'"),
            processing_fee=SQL("s.processing"),
            insurance_fee=SQL("s.insurance"),
            excise_duty=SQL("s.excise"),
            net_disbursed=SQL("s.net"),
            officer_id=SQL("s.officer_id"),
            state=SQL(
                "CASE s.category WHEN 'closed' THEN 'closed' "
                "WHEN 'written_off' THEN 'written_off' ELSE 'active' END"
            ),
            closed_on=SQL(
                "CASE WHEN s.category = 'closed' THEN CASE WHEN s.weekly "
                "THEN s.disbursed_on + 7 * s.term "
                "ELSE (s.first_due + make_interval(months => s.term - 1))::date END END"
            ),
            rescheduled=SQL("s.category = 'rescheduled'"),
        )
        self._clone(
            "sacco_loan_installment",
            loan.installment_ids.id,
            SQL("(%s) s", self._installments_sql()),
            loan_id=SQL("s.loan_id"),
            member_id=SQL("s.member_id"),
            branch_id=SQL("%s", self.branch.id),
            company_id=SQL("%s", self.company.id),
            number=SQL("s.number"),
            due_date=SQL("s.due_date"),
            principal=SQL("s.principal"),
            interest=SQL("s.interest"),
            fee=SQL("s.fee"),
            principal_paid=SQL("s.principal_paid"),
            interest_paid=SQL("s.interest_paid"),
            fee_paid=SQL("s.fee_paid"),
            penalty=SQL("s.penalty"),
            penalty_paid=SQL("0"),
            interest_receivable=SQL("s.interest_receivable"),
            interest_waived=SQL("0"),
            total=SQL("s.principal + s.interest + s.fee"),
            amount_due=SQL("s.due"),
            paid=SQL("s.due = 0"),
        )
        self.cr.execute(
            """
            UPDATE sacco_loan l
               SET principal_outstanding = CASE WHEN l.state = 'written_off' THEN 0
                                                ELSE l.principal - i.principal_paid END,
                   principal_written_off = CASE WHEN l.state = 'written_off'
                                                THEN l.principal - i.principal_paid ELSE 0 END,
                   written_off_on = CASE WHEN l.state = 'written_off' THEN %s::date END,
                   interest_paid = i.interest_paid
              FROM (SELECT i.loan_id, SUM(i.principal_paid) AS principal_paid,
                           SUM(i.interest_paid) AS interest_paid
                      FROM sacco_loan_installment i JOIN bench_plan p ON p.loan_id = i.loan_id
                     GROUP BY i.loan_id) i
             WHERE l.id = i.loan_id
            """,
            [self.as_of],
        )
        self.cr.execute(SQL("DELETE FROM sacco_loan WHERE id = %s", loan.id))
        self.env.invalidate_all()

    def _installments_sql(self):
        """Each loan's installments: paid before the oldest unpaid one (m), m half paid for
        a third of the loans; overdue ones of active loans with their penalties and interest
        receivable (a write-off reversed those of written-off loans)."""
        return SQL(
            """
            WITH base AS (
                SELECT p.loan_id, p.member_id, r.number, r.principal, r.interest, r.fee,
                       CASE WHEN p.weekly THEN p.disbursed_on + 7 * r.number
                            ELSE (p.first_due + make_interval(months => r.number - 1))::date
                       END AS due_date,
                       CASE WHEN r.number < p.m THEN 'full'
                            WHEN r.number = p.m AND p.partial THEN 'half' ELSE 'none'
                       END AS pay,
                       p.active, p.accrual, p.penalty_rate, p.penalty_grace, p.penalty_cap
                  FROM bench_plan p JOIN bench_shape_row r ON r.shape = p.shape
            ), paid AS (
                SELECT base.*,
                       CASE pay WHEN 'full' THEN principal
                                WHEN 'half' THEN ROUND(principal / 2, 2) ELSE 0
                       END AS principal_paid,
                       CASE WHEN pay = 'none' THEN 0 ELSE interest END AS interest_paid,
                       CASE WHEN pay = 'none' THEN 0 ELSE fee END AS fee_paid,
                       GREATEST(%(as_of)s::date - due_date - penalty_grace, 0) / 30 AS months
                  FROM base
            ), charged AS (
                SELECT paid.*,
                       CASE WHEN pay = 'full' OR penalty_rate = 0 OR NOT active THEN 0
                            WHEN penalty_cap > 0
                                THEN LEAST(ROUND((principal + interest + fee - principal_paid
                                                  - interest_paid - fee_paid)
                                                 * penalty_rate / 100, 2) * months,
                                           ROUND((principal + interest + fee) * penalty_cap
                                                 / 100, 2))
                            ELSE ROUND((principal + interest + fee - principal_paid
                                        - interest_paid - fee_paid) * penalty_rate / 100, 2)
                                 * months
                       END AS penalty,
                       CASE WHEN active AND accrual AND due_date < %(as_of)s
                            THEN interest - interest_paid ELSE 0
                       END AS interest_receivable
                  FROM paid
            )
            SELECT charged.*,
                   principal + interest + fee + penalty - principal_paid - interest_paid
                       - fee_paid AS due
              FROM charged
            """,
            as_of=self.as_of,
        )

    # ------------------------------------------------------------ GL

    def opening_entries(self):
        """Per product, one entry bringing the GL to the sub-ledger of its active loans: posted
        with a total per account, then each debit item split into one item per loan (the loan
        and its member on the item), as a migrated book carries them and the close of business
        posts its accruals."""
        self.cr.execute(
            """
            CREATE TEMP TABLE bench_opening AS
            SELECT l.id AS loan_id, l.product_id, m.partner_id, l.name,
                   l.principal_outstanding AS principal, i.interest, i.penalty
              FROM sacco_loan l
              JOIN bench_plan p ON p.loan_id = l.id AND p.active
              JOIN sacco_member m ON m.id = l.member_id
              JOIN LATERAL (SELECT SUM(interest_receivable) AS interest,
                                   SUM(penalty - penalty_paid) AS penalty
                              FROM sacco_loan_installment WHERE loan_id = l.id) i ON TRUE
            """
        )
        self.cr.execute(
            "SELECT product_id, SUM(principal), SUM(interest), SUM(penalty) "
            "FROM bench_opening GROUP BY product_id"
        )
        totals = self.cr.fetchall()
        journal = self.env["account.journal"].create(
            {"name": "Bench Loan Opening Balances", "code": self.prefix[:5], "type": "general"}
        )
        opening = self.company._sacco_account("sacco_account_opening_balance_id")
        nobody, label = self.env["res.partner"], "Loan book opening balance"
        self.opening_moves = self.env["account.move"]
        for product_id, principal, interest, penalty in totals:
            product = self.env["sacco.loan.product"].browse(product_id)
            components = [
                (account, column, amount)
                for account, column, amount in (
                    (product._portfolio_account(), "principal", principal),
                    (product._interest_receivable_account(), "interest", interest),
                    (product._penalty_receivable_account(), "penalty", penalty),
                )
                if amount
            ]
            lines = [
                {"account": account, "partner": nobody, "name": label, "debit": float(amount)}
                for account, _column, amount in components
            ]
            total = float(principal + interest + penalty)
            lines.append({"account": opening, "partner": nobody, "name": label, "credit": total})
            move = (
                self.env["sacco.ledger"]
                .sudo()
                ._post_entry(journal, self.as_of - timedelta(days=1), label, lines)
            )
            for account, column, _amount in components:
                template = move.line_ids.filtered(lambda line, acc=account: line.account_id == acc)
                self._split_per_loan(template, product_id, column)
            self.opening_moves |= move
        self.cr.execute("DROP TABLE bench_opening")
        self.env["account.move.line"].invalidate_model()

    def _split_per_loan(self, template, product_id, column):
        """Replace the debit item ``template`` by one copy per loan of the product, carrying
        the loan's ``column`` of bench_opening (the amounts add up to the item's)."""
        self.env.flush_all()
        copied, scaled = split_item_columns(self.env["account.move.line"])
        self.cr.execute(
            SQL(
                """
                INSERT INTO account_move_line (%(copied)s, partner_id, sacco_loan_id, name,
                                               %(scaled)s)
                SELECT %(from_template)s, o.partner_id, o.loan_id, t.name || ' ' || o.name,
                       %(amounts)s
                  FROM account_move_line t
                  JOIN bench_opening o ON o.product_id = %(product)s AND o.%(column)s <> 0
                 WHERE t.id = %(template)s
                """,
                copied=SQL(", ").join(SQL.identifier(name) for name in copied),
                scaled=SQL(", ").join(SQL.identifier(name) for name in scaled),
                from_template=SQL(", ").join(SQL.identifier("t", name) for name in copied),
                amounts=SQL(", ").join(
                    SQL(
                        "ROUND((%s * o.%s / t.debit)::numeric, 2)",
                        SQL.identifier("t", name),
                        SQL.identifier(column),
                    )
                    for name in scaled
                ),
                product=product_id,
                column=SQL.identifier(column),
                template=template.id,
            )
        )
        self.cr.execute("DELETE FROM account_move_line WHERE id = %s", [template.id])

    def finish(self):
        counts = {
            "res_partner": self.count,
            "sacco_member": self.count,
            "sacco_loan": self.count,
            "sacco_loan_installment": self._count(
                "bench_plan p JOIN bench_shape_row r ON r.shape = p.shape"
            ),
        }
        self.cr.execute("DROP TABLE bench_plan, bench_shape_row, bench_shape")
        return counts

    # ------------------------------------------------------------ helpers

    def _count(self, source):
        self.cr.execute(SQL("SELECT count(*) FROM %s", SQL(source)))
        return self.cr.fetchone()[0]

    @contextmanager
    def _bulk_load(self, table):
        """Drop ``table``'s foreign keys and plain indexes for a bulk insert and restore
        them from their catalog definitions after it: building an index, or checking a
        key, once over all rows is many times faster than row by row."""
        self.cr.execute(
            """
            SELECT format('ALTER TABLE %%I DROP CONSTRAINT %%I', conrelid::regclass, conname),
                   format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', conrelid::regclass, conname,
                          pg_get_constraintdef(oid))
              FROM pg_constraint WHERE conrelid = %(table)s::regclass AND contype = 'f'
             UNION ALL
            SELECT format('DROP INDEX %%I', indexrelid::regclass), pg_get_indexdef(indexrelid)
              FROM pg_index
             WHERE indrelid = %(table)s::regclass AND NOT indisprimary AND NOT indisunique
            """,
            {"table": table},
        )
        statements = self.cr.fetchall()
        for drop, _create in statements:
            self.cr.execute(SQL(drop))
        yield
        for _drop, create in statements:
            self.cr.execute(SQL(create))

    def _clone(self, table, template_id, source, **overrides):
        """Copy row ``template_id`` of ``table`` once per row ``s`` of ``source``, with the
        ``overrides`` (column: SQL expression); ``id`` from its sequence unless overridden."""
        self.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'",
            [table],
        )
        columns = [row[0] for row in self.cr.fetchall()]
        unknown = set(overrides) - set(columns) - {"id"}
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
        if "id" in overrides:
            columns.insert(0, "id")
        values = [overrides.get(name) or SQL("t.%s", SQL.identifier(name)) for name in columns]
        with self._bulk_load(table):
            self.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) SELECT %s FROM %s t CROSS JOIN %s WHERE t.id = %s",
                    SQL.identifier(table),
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL(", ").join(values),
                    SQL.identifier(table),
                    source,
                    template_id,
                )
            )
