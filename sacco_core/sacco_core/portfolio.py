"""Loan portfolio rules of the nightly close of business (framework-free).

SASRA classification by days past due and the provision it requires, penalty
anniversaries, caps and the in-duplum rule, and when arrears reminders are sent. The
Odoo close of business runs the same rules in set-based SQL; its tests compare both.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sacco_core.exceptions import SaccoRuleError

CLASSES = ("performing", "watch", "substandard", "doubtful", "loss")
NON_PERFORMING = frozenset(("substandard", "doubtful", "loss"))
CENT = Decimal("0.01")


def round_half_up(amount: Decimal) -> Decimal:
    """Cents, half away from zero for positive amounts (PostgreSQL's ROUND on numeric)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bands:
    """Upper bounds (days past due, inclusive) of the Watch, Substandard and Doubtful
    classes; Performing is 0 days, Loss is beyond ``doubtful``."""

    watch: int = 30
    substandard: int = 180
    doubtful: int = 360

    def __post_init__(self):
        if not 1 <= self.watch < self.substandard < self.doubtful:
            raise SaccoRuleError(
                "SASRA bands must rise: 1 <= watch < substandard < doubtful days past due."
            )


@dataclass(frozen=True)
class Rates:
    """Provision required per class, in percent of the principal outstanding."""

    performing: Decimal = Decimal(1)
    watch: Decimal = Decimal(5)
    substandard: Decimal = Decimal(25)
    doubtful: Decimal = Decimal(50)
    loss: Decimal = Decimal(100)

    def __post_init__(self):
        if any(not 0 <= Decimal(self.rate(name)) <= 100 for name in CLASSES):
            raise SaccoRuleError("Provision rates are percentages between 0 and 100.")

    def rate(self, sasra_class: str) -> Decimal:
        return Decimal(getattr(self, sasra_class))


def classify(days_past_due: int, bands: Bands = Bands()) -> str:
    """The SASRA class of a loan ``days_past_due`` days in arrears."""
    if days_past_due < 0:
        raise SaccoRuleError("Days past due cannot be negative.")
    if days_past_due == 0:
        return "performing"
    if days_past_due <= bands.watch:
        return "watch"
    if days_past_due <= bands.substandard:
        return "substandard"
    if days_past_due <= bands.doubtful:
        return "doubtful"
    return "loss"


def provision(principal_outstanding: Decimal, sasra_class: str, rates: Rates = Rates()) -> Decimal:
    """The provision required on a loan: its class's rate of the principal outstanding."""
    return round_half_up(Decimal(principal_outstanding) * rates.rate(sasra_class) / 100)


def days_past_due(oldest_unpaid_due: date | None, as_of: date) -> int:
    """Days since the oldest unpaid installment fell due (0 when none is due by ``as_of``)."""
    if oldest_unpaid_due is None or oldest_unpaid_due > as_of:
        return 0
    return (as_of - oldest_unpaid_due).days


def add_months(anchor: date, months: int) -> date:
    """``anchor`` plus whole months, clamped to the month's end (PostgreSQL's interval)."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, monthrange(year, month)[1]))


def penalty_period(due_on: date, grace_days: int, as_of: date) -> int | None:
    """Which monthly penalty falls on ``as_of`` for an installment due on ``due_on``: the
    k-th full month overdue after the grace days ends on ``due_on + grace + k months``
    (k >= 1, end-of-month clamped); None when ``as_of`` is no such anniversary."""
    start = due_on + timedelta(days=grace_days)
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    if months >= 1 and add_months(start, months) == as_of:
        return months
    return None


def penalty_charge(
    overdue: Decimal,
    rate: Decimal,
    installment_total: Decimal,
    charged: Decimal,
    cap_percent: Decimal = Decimal(0),
) -> Decimal:
    """One month's penalty: ``rate`` % of the overdue amount, limited so the installment's
    penalties stay within ``cap_percent`` % of its total (0: no cap)."""
    amount = round_half_up(Decimal(overdue) * Decimal(rate) / 100)
    if Decimal(cap_percent) > 0:
        cap = round_half_up(Decimal(installment_total) * Decimal(cap_percent) / 100)
        amount = min(amount, cap - Decimal(charged))
    return max(amount, Decimal(0))


def in_duplum_room(
    principal_outstanding: Decimal, unpaid_interest: Decimal, unpaid_penalty: Decimal
) -> Decimal:
    """What may still be charged on a non-performing loan: unpaid interest and penalties
    never exceed the principal outstanding (SASRA in-duplum rule)."""
    return max(Decimal(principal_outstanding) - unpaid_interest - unpaid_penalty, Decimal(0))


def cap_charges(charges: list[Decimal], room: Decimal) -> list[Decimal]:
    """The charges of one loan, in installment order, cut so their sum stays within ``room``."""
    capped, left = [], Decimal(room)
    for charge in charges:
        amount = max(min(Decimal(charge), left), Decimal(0))
        capped.append(amount)
        left -= amount
    return capped


def arrears_reminder_due(days_past_due: int) -> bool:
    """An arrears SMS goes on the first day in arrears and every 30 days after."""
    return days_past_due == 1 or (days_past_due > 0 and days_past_due % 30 == 0)
