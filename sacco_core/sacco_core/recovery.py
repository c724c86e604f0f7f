"""Default recovery: how much to take from the borrower's free deposits and from each
guarantor's deposits to cover an amount owed on a loan in default.

Every amount is a ``Decimal`` in cents.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_fees import split_proportionally
from sacco_core.money import require_positive

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class RecoveryPlan:
    """What the borrower's own deposits and each guarantor (in the given order) pay."""

    own: Decimal
    guarantors: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return self.own + sum(self.guarantors, _ZERO)


def guarantor_shares(
    amount: Decimal, pledges: Sequence[Decimal], caps: Sequence[Decimal]
) -> list[Decimal]:
    """``amount`` split over guarantors in proportion to their ``pledges``, none above its
    cap (the pledge still held, or the guarantor's deposits if less). What a capped
    guarantor cannot pay goes to the others, again in proportion to their pledges.

    The parts add up exactly to ``amount``, or to the sum of the caps of the guarantors
    with a pledge when that is less.
    """
    if len(pledges) != len(caps):
        raise SaccoRuleError("Give one cap per guarantor pledge.")
    if amount < 0 or any(value < 0 for value in (*pledges, *caps)):
        raise SaccoRuleError("Recovery amounts cannot be negative.")
    parts = [_ZERO] * len(pledges)
    open_ = [i for i, pledge in enumerate(pledges) if pledge > 0 and caps[i] > 0]
    left = min(amount, sum((caps[i] for i in open_), _ZERO))
    while left > 0 and open_:
        split = split_proportionally(left, [pledges[i] for i in open_])
        capped = [i for i, share in zip(open_, split, strict=True) if share > caps[i]]
        if not capped:
            for i, share in zip(open_, split, strict=True):
                parts[i] = share
            break
        # Fill the capped guarantors and share the rest again among the others.
        for i in capped:
            parts[i] = caps[i]
            left -= caps[i]
        open_ = [i for i in open_ if i not in capped]
    return parts


def recovery_plan(
    amount: Decimal, own_free: Decimal, pledges: Sequence[Decimal], caps: Sequence[Decimal]
) -> RecoveryPlan:
    """The borrower's free deposits first, then the guarantors pro rata
    (``guarantor_shares``); the plan's total falls short of ``amount`` when the deposits
    and pledges do not cover it."""
    require_positive(amount, "The amount to recover")
    if own_free < 0:
        raise SaccoRuleError("Free deposits cannot be negative.")
    own = min(amount, own_free)
    return RecoveryPlan(own, tuple(guarantor_shares(amount - own, pledges, caps)))
