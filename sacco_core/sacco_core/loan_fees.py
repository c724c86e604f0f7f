"""Loan fees collected with the installments instead of at disbursement."""

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import CENT

_ZERO = Decimal("0.00")


def spread_evenly(total: Decimal, count: int) -> list[Decimal]:
    """``total`` over ``count`` installments in equal cents, the last taking the remainder,
    so the parts add up to ``total`` exactly."""
    if count < 1:
        raise SaccoRuleError("Fees are spread over at least one installment.")
    if total < 0:
        raise SaccoRuleError("A fee cannot be negative.")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [share] * (count - 1) + [total - share * (count - 1)]


def split_proportionally(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split in the proportions of ``weights`` (e.g. the processing fee, the
    insurance and the excise duty of a loan), in cents. Parts are differences of rounded
    cumulative shares, so none is negative and they add up to ``amount`` exactly. All to the
    first part when the weights are 0."""
    if not weights:
        raise SaccoRuleError("Split a fee into at least one part.")
    if amount < 0 or any(weight < 0 for weight in weights):
        raise SaccoRuleError("Fee amounts cannot be negative.")
    whole = sum(weights, _ZERO)
    if whole == 0:
        return [amount] + [_ZERO] * (len(weights) - 1)
    parts, cumulative, previous = [], _ZERO, _ZERO
    for weight in weights:
        cumulative += weight
        boundary = (amount * cumulative / whole).quantize(CENT)
        parts.append(boundary - previous)
        previous = boundary
    return parts
