"""The USSD menu engine: a pure state machine over plain values.

``step(state, user_input, view)`` takes the session state (``UssdState``, None on the first
request), the member's one new input (None on the first request) and a snapshot of the
member (``MemberView``, None for an unknown phone) and returns a ``Step``: the reply
(``CON ...``/``END ...``), the new state and at most one ``Action`` for the caller to carry
out. The engine reads nothing else and writes nothing, so a caller can store the state
(``UssdState.to_dict``) between requests and replay a session deterministically.

When an action fails (wrong PIN, expired code, balance gone...), the caller passes the step
to ``refuse(step, reason, view, attempts_left)`` for the reply and state to use instead:
``Step.reply``/``Step.state`` are those of success.

Navigation: ``0`` back (exit on the main menu), ``00`` main menu, ``98`` next page of a
list that has more. PINs and one-time codes are never kept in the state (the ID number
only between the ID and code screens); the ``trail`` records the screen each input was
typed on, so that ``ussd_requests.mask_inputs`` hides them before anything is stored or
logged.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.mobile_auth import PIN_LOCKED, PIN_WRONG, pin_problem
from sacco_core.savings import ChargeTier, excise_duty, withdrawal_charge
from sacco_core.ussd_texts import (
    CONTINUE,
    END,
    ENGLISH,
    LANGUAGES,
    SWAHILI,
    USSD_MAX_LENGTH,
    clip,
    money,
    short_date,
    text,
)

# Screens
ENDED = "ended"
PIN = "pin"
LOCKED = "locked"
ID_NUMBER = "id_number"
OTP = "otp"
NEW_PIN = "new_pin"
CONFIRM_PIN = "confirm_pin"
HOME = "home"
BALANCES = "balances"
MINI_ACCOUNT = "mini_account"
MINI_MENU = "mini_menu"
MINI_LAST = "mini_last"
MINI_PERIOD = "mini_period"
DEPOSIT_TARGET = "deposit_target"
DEPOSIT_AMOUNT = "deposit_amount"
WITHDRAW_ACCOUNT = "withdraw_account"
WITHDRAW_AMOUNT = "withdraw_amount"
WITHDRAW_CONFIRM = "withdraw_confirm"
LOANS = "loans"
LOAN_LIST = "loan_list"
LOAN_DETAIL = "loan_detail"
REPAY_LOAN = "repay_loan"
PRODUCTS = "products"
NOT_ELIGIBLE = "not_eligible"
LOAN_AMOUNT = "loan_amount"
LOAN_TERM = "loan_term"
LOAN_CONFIRM = "loan_confirm"
GUARANTEES = "guarantees"
REQUESTS = "requests"
REQUEST = "request"
GUARANTEE_AMOUNT = "guarantee_amount"
GUARANTEE_CONFIRM = "guarantee_confirm"
DECLINE_CONFIRM = "decline_confirm"
EXPOSURE = "exposure"
RATES = "rates"
MY_ACCOUNT = "my_account"
OLD_PIN = "old_pin"
LANGUAGE = "language"

# Inputs typed on these screens are PINs, one-time codes or ID numbers.
SECRET_SCREENS = frozenset(
    {
        PIN,
        ID_NUMBER,
        OTP,
        NEW_PIN,
        CONFIRM_PIN,
        OLD_PIN,
        WITHDRAW_CONFIRM,
        LOAN_CONFIRM,
        GUARANTEE_CONFIRM,
        DECLINE_CONFIRM,
    }
)
# Screens a locked member may use: the PIN reset with ID number and SMS code.
_RESET_SCREENS = frozenset({LOCKED, ID_NUMBER, OTP, NEW_PIN, CONFIRM_PIN})

BACK, HOME_KEY, MORE = "0", "00", "98"
MAX_CHOICES = 97  # list numbers stop below the "98 More" key
STATEMENT_MONTHS = (1, 3, 6, 12)
USSD_PIN_LENGTH = 4

# Reasons an action can be refused with (see ``refuse``); a PIN check's outcome
# (``mobile_auth.pin_attempt``) is one as it is.
WRONG_PIN = PIN_WRONG
ACCESS_LOCKED = PIN_LOCKED
WRONG_OTP = "wrong_otp"
OTP_EXPIRED = "otp_expired"
ID_MISMATCH = "id_mismatch"
PIN_MISMATCH = "pin_mismatch"
OTP_LIMIT = "otp_limit"
INSUFFICIENT = "insufficient"
OVER_LIMIT = "limit"
FAILED = "failed"
_FINAL_REFUSALS = {
    ACCESS_LOCKED: "locked_end",
    OTP_EXPIRED: "otp_expired",
    ID_MISMATCH: "id_mismatch",
    OTP_LIMIT: "otp_limit",
    INSUFFICIENT: "insufficient_end",
    OVER_LIMIT: "limit_end",
}

_ZERO = Decimal(0)
_SHILLING = Decimal(1)
_ID_NUMBER = re.compile(r"[0-9]{6,9}")
_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?")


# The member snapshot the caller fills ------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One transaction: ``amount`` positive for money in, negative for money out."""

    on: date
    description: str
    amount: Decimal


@dataclass(frozen=True)
class AccountView:
    """A savings or share account. ``deposit``: takes M-Pesa deposits; ``withdraw``: a FOSA
    account the member may withdraw from to M-Pesa; ``recent``: its last transactions,
    newest first."""

    ref: object
    name: str
    balance: Decimal
    available: Decimal
    deposit: bool = True
    withdraw: bool = False
    recent: tuple[StatementLine, ...] = ()


@dataclass(frozen=True)
class LoanView:
    """A running loan; ``name`` is what the member recognises (product and number)."""

    ref: object
    name: str
    outstanding: Decimal
    next_amount: Decimal | None = None
    next_date: date | None = None
    arrears: Decimal = _ZERO
    installments_left: int = 0


@dataclass(frozen=True)
class LoanProductView:
    """A loan product open to mobile channels; ``max_amount`` is the member's eligibility
    (below ``min_amount``: not eligible now); ``terms`` in months; ``rate`` in percent per
    ``rate_per`` ("year" or "month")."""

    ref: object
    name: str
    max_amount: Decimal
    min_amount: Decimal
    terms: tuple[int, ...]
    rate: Decimal
    rate_per: str = "year"


@dataclass(frozen=True)
class GuaranteeRequestView:
    """Another member asks this member to guarantee ``amount`` of a ``loan_amount`` loan."""

    ref: object
    borrower: str
    loan_amount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Exposure:
    """The loans this member guarantees, and the deposits still free to pledge."""

    loans: int = 0
    total: Decimal = _ZERO
    free_deposits: Decimal = _ZERO


@dataclass(frozen=True)
class ProductRate:
    """A line of the products-and-rates screen."""

    name: str
    rate: Decimal
    rate_per: str = "year"


@dataclass(frozen=True)
class Limits:
    """Channel limits: M-Pesa deposits, withdrawals (per transaction and per day, with what
    was withdrawn today) and the withdrawal charge tiers plus excise duty (% of the charge)."""

    deposit_min: Decimal = Decimal(10)
    deposit_max: Decimal = Decimal(250_000)
    withdraw_min: Decimal = Decimal(10)
    withdraw_max: Decimal = Decimal(250_000)
    daily_withdraw_max: Decimal = Decimal(500_000)
    withdrawn_today: Decimal = _ZERO
    charge_tiers: tuple[ChargeTier, ...] = ()
    excise_rate: Decimal = _ZERO


@dataclass(frozen=True)
class MemberView:
    """Everything the menu shows or checks about the member dialling in."""

    name: str
    language: str = ENGLISH
    pin_set: bool = True
    locked: bool = False
    birth_year: int | None = None
    accounts: tuple[AccountView, ...] = ()
    loans: tuple[LoanView, ...] = ()
    loan_products: tuple[LoanProductView, ...] = ()
    guarantee_requests: tuple[GuaranteeRequestView, ...] = ()
    exposure: Exposure = Exposure()
    rates: tuple[ProductRate, ...] = ()
    limits: Limits = Limits()


# Actions the caller carries out -------------------------------------------------------


@dataclass(frozen=True)
class SendOtp:
    """Send a one-time code by SMS to the member's registered phone."""


@dataclass(frozen=True)
class VerifyIdAndOtp:
    """Check the ID number and the code; refuse with WRONG_OTP, OTP_EXPIRED, ID_MISMATCH."""

    id_number: str = field(repr=False)
    otp: str = field(repr=False)


@dataclass(frozen=True)
class VerifyPin:
    """Check the PIN (counting failures); refuse with WRONG_PIN or ACCESS_LOCKED."""

    pin: str = field(repr=False)


@dataclass(frozen=True)
class StagePin:
    """Keep the new PIN (hashed) until ``CommitPin``; it passed the PIN policy."""

    pin: str = field(repr=False)


@dataclass(frozen=True)
class CommitPin:
    """Make the staged PIN the member's PIN (and unlock) if this PIN equals it; else
    refuse with PIN_MISMATCH."""

    pin: str = field(repr=False)


@dataclass(frozen=True)
class QueueStkDeposit:
    """Queue an M-Pesa STK push for ``amount`` into an account (``kind`` "account") or as
    a loan repayment (``kind`` "loan")."""

    kind: str
    ref: object
    amount: Decimal


@dataclass(frozen=True)
class RequestWithdrawal:
    """After checking the PIN: withdraw ``amount`` plus ``charge`` from the account to the
    member's own M-Pesa."""

    account: object
    amount: Decimal
    charge: Decimal
    pin: str = field(repr=False)


@dataclass(frozen=True)
class ApplyLoan:
    """After checking the PIN: apply for ``amount`` over ``term_months`` of the product."""

    product: object
    amount: Decimal
    term_months: int
    pin: str = field(repr=False)


@dataclass(frozen=True)
class RespondGuarantee:
    """After checking the PIN: accept (with ``amount``) or decline a guarantee request."""

    request: object
    accept: bool
    amount: Decimal | None
    pin: str = field(repr=False)


@dataclass(frozen=True)
class SendStatementSms:
    """Send the statement of the last ``months`` months of the account by SMS."""

    account: object
    months: int


@dataclass(frozen=True)
class SetLanguage:
    """Remember the member's language ("en" or "sw")."""

    language: str


Action = (
    SendOtp
    | VerifyIdAndOtp
    | VerifyPin
    | StagePin
    | CommitPin
    | QueueStkDeposit
    | RequestWithdrawal
    | ApplyLoan
    | RespondGuarantee
    | SendStatementSms
    | SetLanguage
)


# Session state and engine result ------------------------------------------------------


@dataclass(frozen=True)
class UssdState:
    """Where the session is. ``values`` holds the choices of the current flow (references
    and amounts as strings), ``back`` the screens to return to, ``trail`` the screen each
    input was typed on."""

    screen: str = ""
    language: str = ENGLISH
    authenticated: bool = False
    values: Mapping[str, str] = field(default_factory=dict)
    page: int = 0
    back: tuple[tuple[str, int, Mapping[str, str]], ...] = ()
    trail: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """A JSON-ready dict, read back by ``from_dict``."""
        return {
            "screen": self.screen,
            "language": self.language,
            "authenticated": self.authenticated,
            "values": dict(self.values),
            "page": self.page,
            "back": [[screen, page, dict(values)] for screen, page, values in self.back],
            "trail": list(self.trail),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "UssdState":
        return cls(
            screen=data["screen"],
            language=data["language"],
            authenticated=data["authenticated"],
            values=dict(data["values"]),
            page=data["page"],
            back=tuple((screen, page, dict(values)) for screen, page, values in data["back"]),
            trail=tuple(data["trail"]),
        )


@dataclass(frozen=True)
class Step:
    """The reply and new state if ``action`` (None: nothing to do) succeeds; ``retry`` is
    the state ``refuse`` starts from when it does not."""

    reply: str
    state: UssdState
    action: Action | None = None
    retry: UssdState | None = None


class _Reprompt(Exception):
    """Show the current screen again with a notice (text key and values)."""

    def __init__(self, key: str, **values: object):
        super().__init__(key)
        self.key, self.values = key, values


# Public entry points ------------------------------------------------------------------


def step(state: UssdState | None, user_input: str | None, view: MemberView | None) -> Step:
    """Advance the session by one input; see the module docstring."""
    if state is None or not state.screen:
        return _start(view, state.language if state else ENGLISH)
    state = replace(state, trail=(*state.trail, state.screen))
    if view is None:
        return _end(state, "unknown_phone")
    if state.screen == ENDED:
        return _end(state, "goodbye")
    if state.screen not in _SCREENS:  # a state stored by another version of the menus
        return _end(state, "failed")
    if view.locked and (state.authenticated or state.screen not in _RESET_SCREENS):
        return _end(state, "locked_end")
    entry = (user_input or "").strip()
    try:
        return _navigate(state, entry, view) or _SCREENS[state.screen].handle(state, entry, view)
    except _Reprompt as reprompt:
        notice = text(reprompt.key, state.language, **reprompt.values)
        return _show(state, view, notice)


def refuse(refused: Step, reason: str, view: MemberView, attempts_left: int | None = None) -> Step:
    """The step to answer with when the caller could not carry out ``refused.action``."""
    state = refused.retry or refused.state
    if reason == WRONG_PIN and attempts_left:
        return _show(state, view, text("wrong_pin", state.language, count=attempts_left))
    if reason == WRONG_OTP and attempts_left:
        return _show(state, view, text("wrong_otp", state.language, count=attempts_left))
    if reason == PIN_MISMATCH:
        return _show(state, view, text("pin_mismatch", state.language))
    if reason in (WRONG_PIN, WRONG_OTP):
        reason = ACCESS_LOCKED if reason == WRONG_PIN else OTP_EXPIRED
    return _end(state, _FINAL_REFUSALS.get(reason, "failed"))


@dataclass(frozen=True)
class Refusal:
    """Why the caller could not carry out an action (a reason constant of this module), and
    the PIN or code tries left where that applies."""

    reason: str
    attempts_left: int | None = None


def advance(
    state: UssdState | None,
    inputs: Sequence[str],
    view: MemberView | None,
    execute: Callable[[Action], Refusal | None],
) -> Step | None:
    """Feed the gateway's ``inputs`` (all of the session so far) that ``state`` has not
    seen yet to the engine, one by one, calling ``execute`` for each action (it returns a
    ``Refusal`` when it could not act). None when there is nothing new: the gateway re-sent
    a request already answered, to be answered again with the stored reply."""
    if state is not None and len(inputs) <= len(state.trail):
        return None
    result = step(None, None, view) if state is None else Step("", state)
    for entry in inputs[len(result.state.trail) :]:
        result = step(result.state, entry, view)
        refusal = execute(result.action) if result.action is not None else None
        if refusal is not None:
            result = refuse(result, refusal.reason, view, refusal.attempts_left)
    return result


def render(state: UssdState, view: MemberView, notice: str | None = None) -> str:
    """The ``CON`` reply showing the state's screen, with an optional notice line above it
    (dropped if it does not fit)."""
    return _show(state, view, notice).reply


def final_reply(key: str, language: str = ENGLISH) -> str:
    """An ``END`` reply for the caller's own outcomes: "expired" (session timed out),
    "failed" (anything unexpected), "unknown_phone"."""
    return END + text(key, language)


def paginate(head: str, entries: list[str], tail: list[str], more: str, budget: int) -> list[str]:
    """Split ``entries`` into pages of ``head``, entries, (``more`` if a page follows) and
    ``tail`` lines, each at most ``budget`` characters; an entry too long for a page alone
    is cut (a head and tail too long for the budget are the caller's to avoid)."""
    pages, start = [], 0
    while True:
        rest = entries[start:]
        if not rest or len(_lines(head, rest, tail)) <= budget:
            return [*pages, _lines(head, rest, tail)]
        count = 0
        while start + count < len(entries) and (
            len(_lines(head, entries[start : start + count + 1], [more, *tail])) <= budget
        ):
            count += 1
        if count:
            pages.append(_lines(head, entries[start : start + count], [more, *tail]))
            start += count
            continue
        footer = tail if start + 1 == len(entries) else [more, *tail]
        room = max(budget - len(_lines(head, [], footer)) - 1, 0)
        pages.append(_lines(head, [entries[start][:room]], footer))
        start += 1
        if start == len(entries):
            return pages


# Rendering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Body:
    head: str
    entries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Screen:
    render: Callable[[UssdState, MemberView], _Body]
    handle: Callable[[UssdState, str, MemberView], Step]


def _lines(head: str, entries: list[str], tail: list[str]) -> str:
    return "\n".join(line for line in (head, *entries, *tail) if line)


def _pages(state: UssdState, view: MemberView, notice: str | None = None) -> list[str]:
    body = _SCREENS[state.screen].render(state, view)
    tail = [text("nav", state.language)] if state.back else []
    budget = USSD_MAX_LENGTH - len(CONTINUE) - (len(notice) + 1 if notice else 0)
    return paginate(body.head, body.entries, tail, text("more", state.language), budget)


def _show(state: UssdState, view: MemberView, notice: str | None = None) -> Step:
    pages = _pages(state, view, notice)
    page = min(state.page, len(pages) - 1)
    body = pages[page]
    if notice and len(CONTINUE) + len(notice) + 1 + len(body) <= USSD_MAX_LENGTH:
        body = f"{notice}\n{body}"
    return Step(CONTINUE + body, replace(state, page=page))


def _end(state: UssdState, key: str, **values: object) -> Step:
    reply = END + text(key, state.language, **values)
    return Step(reply, replace(state, screen=ENDED, values={}, back=(), page=0))


# Transitions --------------------------------------------------------------------------


def _start(view: MemberView | None, language: str) -> Step:
    if view is None:
        return _end(UssdState(language=language), "unknown_phone")
    state = UssdState(language=view.language if view.language in LANGUAGES else ENGLISH)
    if view.locked:
        return _show(replace(state, screen=LOCKED), view)
    if not view.pin_set:
        return _show(replace(state, screen=ID_NUMBER), view)
    return _show(replace(state, screen=PIN), view)


def _navigate(state: UssdState, entry: str, view: MemberView) -> Step | None:
    """Back, home and more, where they apply; None when ``entry`` is for the screen."""
    if entry == BACK and state.back:
        screen, page, values = state.back[-1]
        previous = replace(state, screen=screen, page=page, values=values, back=state.back[:-1])
        return _show(previous, view)
    if entry == HOME_KEY and state.authenticated and state.screen != HOME:
        return _home(state, view)
    if entry == MORE and state.page + 1 < len(_pages(state, view)):
        return _show(replace(state, page=state.page + 1), view)
    return None


def _go(state: UssdState, view: MemberView, screen: str, **values: str) -> Step:
    """Open ``screen``, remembering the current one for ``0``."""
    frame = (state.screen, state.page, state.values)
    opened = replace(
        state,
        screen=screen,
        page=0,
        values={**state.values, **values},
        back=(*state.back, frame),
    )
    return _show(opened, view)


def _to(state: UssdState, screen: str, **values: str) -> UssdState:
    """The state on ``screen`` in place of the current one (``0`` skips it)."""
    return replace(state, screen=screen, page=0, values={**state.values, **values})


def _home_state(state: UssdState) -> UssdState:
    return replace(state, screen=HOME, page=0, values={}, back=(), authenticated=True)


def _home(state: UssdState, view: MemberView, notice: str | None = None) -> Step:
    return _show(_home_state(state), view, notice)


def _then(state: UssdState, view: MemberView, action: Action, next_state: UssdState) -> Step:
    """Carry out ``action``, then show ``next_state``; ``state`` again if refused."""
    shown = _show(next_state, view)
    return Step(shown.reply, shown.state, action, retry=state)


def _then_end(state: UssdState, action: Action, key: str, **values: object) -> Step:
    ended = _end(state, key, **values)
    return Step(ended.reply, ended.state, action, retry=state)


# Input checks -------------------------------------------------------------------------


def _choice(entry: str, count: int) -> int:
    """The 1-based number of a listed choice."""
    if not _DIGITS.fullmatch(entry) or len(entry) > 2 or not 1 <= int(entry) <= count:
        raise _Reprompt("invalid_choice")
    return int(entry)


def _amount(entry: str, minimum: Decimal, maximum: Decimal) -> Decimal:
    """A whole-shilling amount from ``minimum`` (at least 1) to ``maximum`` (M-Pesa moves
    whole shillings only)."""
    if not _AMOUNT.fullmatch(entry):
        raise _Reprompt("not_number")
    amount = Decimal(entry)
    if amount != amount.to_integral_value():
        raise _Reprompt("whole_shillings")
    minimum = max(minimum, _SHILLING)
    if amount < minimum:
        raise _Reprompt("too_small", amount=money(minimum))
    if amount > maximum:
        raise _Reprompt("too_large", amount=money(maximum))
    return amount.quantize(Decimal("0.01"))


def _pin_format(entry: str) -> str:
    if not _DIGITS.fullmatch(entry) or len(entry) != USSD_PIN_LENGTH:
        raise _Reprompt("pin_format")
    return entry


def _whole(amount: Decimal, rounding: str) -> Decimal:
    return amount.quantize(_SHILLING, rounding=rounding)


def withdrawal_total_charge(amount: Decimal, limits: Limits) -> Decimal:
    """The tiered withdrawal charge plus excise duty on it."""
    charge = withdrawal_charge(amount, limits.charge_tiers)
    return charge + excise_duty(charge, limits.excise_rate)


# Looking things up in the view --------------------------------------------------------


def _find(items: tuple, ref: str | None):
    for item in items:
        if str(item.ref) == ref:
            return item
    raise _Gone


class _Gone(Exception):
    """The chosen item is no longer in the member's view."""


def _account(state: UssdState, view: MemberView) -> AccountView:
    return _find(view.accounts, state.values.get("account"))


def _loan(state: UssdState, view: MemberView) -> LoanView:
    return _find(view.loans, state.values.get("loan"))


def _product(state: UssdState, view: MemberView) -> LoanProductView:
    return _find(view.loan_products, state.values.get("product"))


def _request(state: UssdState, view: MemberView) -> GuaranteeRequestView:
    return _find(view.guarantee_requests, state.values.get("request"))


def _safe(handler: Callable[[UssdState, str, MemberView], Step]):
    """End the session politely when a chosen item has gone from the view."""

    def handle(state: UssdState, entry: str, view: MemberView) -> Step:
        try:
            return handler(state, entry, view)
        except _Gone:
            return _end(state, "failed")

    return handle


def _safe_render(render: Callable[[UssdState, MemberView], _Body]):
    def rendered(state: UssdState, view: MemberView) -> _Body:
        try:
            return render(state, view)
        except _Gone:
            return _Body(text("failed", state.language))

    return rendered


# Screen builders ----------------------------------------------------------------------


def _static(key: str, **values: Callable[[UssdState, MemberView], object]):
    """A render function showing the text ``key``, its values computed from the view."""

    def render(state: UssdState, view: MemberView) -> _Body:
        filled = {name: compute(state, view) for name, compute in values.items()}
        return _Body(text(key, state.language, **filled))

    return render


def _menu(key: str, options: Mapping[str, Callable[[UssdState, MemberView], Step]], **values):
    """A screen showing text ``key`` (its numbered options included) and acting on them."""

    def handle(state: UssdState, entry: str, view: MemberView) -> Step:
        if entry not in options:
            raise _Reprompt("invalid_choice")
        return options[entry](state, view)

    return _Screen(_safe_render(_static(key, **values)), _safe(handle))


def _info(render: Callable[[UssdState, MemberView], _Body]) -> _Screen:
    """A screen that only shows something; navigation keys are its only inputs."""

    def handle(state: UssdState, entry: str, view: MemberView) -> Step:
        raise _Reprompt("invalid_choice")

    return _Screen(_safe_render(render), handle)


Item = tuple[str, str]  # (reference kept in the state, label)


def _pick(
    title: str,
    items: Callable[[UssdState, MemberView], list[Item]],
    chosen: Callable[[UssdState, MemberView, str], Step],
    empty: str,
) -> _Screen:
    """A numbered list built from the view; choosing calls ``chosen`` with the reference."""

    def render(state: UssdState, view: MemberView) -> _Body:
        listed = items(state, view)[:MAX_CHOICES]
        if not listed:
            return _Body(text(empty, state.language))
        entries = [f"{number} {label}" for number, (_, label) in enumerate(listed, 1)]
        return _Body(text(title, state.language), entries)

    def handle(state: UssdState, entry: str, view: MemberView) -> Step:
        listed = items(state, view)[:MAX_CHOICES]
        return chosen(state, view, listed[_choice(entry, len(listed)) - 1][0])

    return _Screen(_safe_render(render), _safe(handle))


def _prompt(
    key: str,
    accept: Callable[[UssdState, str, MemberView], Step],
    **values: Callable[[UssdState, MemberView], object],
) -> _Screen:
    """A screen asking for a typed value, handed to ``accept``."""
    return _Screen(_safe_render(_static(key, **values)), _safe(accept))


# 0 Dial-in, PIN, first use and PIN changes --------------------------------------------


def _on_pin(state: UssdState, entry: str, view: MemberView) -> Step:
    return _then(state, view, VerifyPin(_pin_format(entry)), _home_state(state))


def _on_id(state: UssdState, entry: str, view: MemberView) -> Step:
    if not _ID_NUMBER.fullmatch(entry):
        raise _Reprompt("id_format")
    # The ID number waits on the code screen, to be checked together with the code.
    return _then(state, view, SendOtp(), _to(state, OTP, id_number=entry))


def _on_otp(state: UssdState, entry: str, view: MemberView) -> Step:
    if not _DIGITS.fullmatch(entry) or len(entry) != 6:
        raise _Reprompt("otp_format")
    values = dict(state.values)
    action = VerifyIdAndOtp(values.pop("id_number", ""), entry)
    return _then(state, view, action, replace(_to(state, NEW_PIN), values=values))


def _on_new_pin(state: UssdState, entry: str, view: MemberView) -> Step:
    problem = pin_problem(entry, USSD_PIN_LENGTH, USSD_PIN_LENGTH, view.birth_year)
    if problem:
        raise _Reprompt("pin_format" if problem == "format" else "pin_weak")
    return _then(state, view, StagePin(entry), _to(state, CONFIRM_PIN))


def _on_confirm_pin(state: UssdState, entry: str, view: MemberView) -> Step:
    pin = _pin_format(entry)
    notice = "pin_changed" if state.authenticated else "pin_set"
    done = _home(state, view, text(notice, state.language))
    return Step(done.reply, done.state, CommitPin(pin), retry=_to(state, NEW_PIN))


def _on_old_pin(state: UssdState, entry: str, view: MemberView) -> Step:
    return _then(state, view, VerifyPin(_pin_format(entry)), _to(state, NEW_PIN))


# Home and the simple screens ----------------------------------------------------------


def _opener(screen: str):
    return lambda state, view: _go(state, view, screen)


def _goodbye(state: UssdState, view: MemberView) -> Step:
    return _end(state, "goodbye")


def _withdraw_opener(state: UssdState, view: MemberView) -> Step:
    if not _withdraw_accounts(state, view):
        return _end(state, "no_withdraw_account")
    return _go(state, view, WITHDRAW_ACCOUNT)


def _account_entry(account: AccountView, language: str) -> str:
    return text(
        "account_entry",
        language,
        name=clip(account.name, 24),
        balance=money(account.balance),
        available=money(account.available),
    )


def _loan_entry(loan: LoanView, language: str) -> str:
    name, outstanding = clip(loan.name, 24), money(loan.outstanding)
    if loan.next_date is None or loan.next_amount is None:
        return text("loan_entry_paid", language, name=name, outstanding=outstanding)
    return text(
        "loan_entry",
        language,
        name=name,
        outstanding=outstanding,
        amount=money(loan.next_amount),
        date=short_date(loan.next_date),
    )


def _balances(state: UssdState, view: MemberView) -> _Body:
    entries = [_account_entry(account, state.language) for account in view.accounts]
    entries += [_loan_entry(loan, state.language) for loan in view.loans]
    if not entries:
        return _Body(text("no_accounts", state.language))
    return _Body(text("balances", state.language), entries)


def _rate_text(rate: Decimal, per: str, language: str) -> str:
    shown = f"{rate:.2f}".rstrip("0").rstrip(".")
    return text("rate_month" if per == "month" else "rate_year", language, rate=shown)


def _rates(state: UssdState, view: MemberView) -> _Body:
    entries = [
        f"{clip(rate.name, 24)} {_rate_text(rate.rate, rate.rate_per, state.language)}"
        for rate in view.rates
    ]
    if not entries:
        return _Body(text("no_rates", state.language))
    return _Body(text("rates", state.language), entries)


# 2 Mini-statement ---------------------------------------------------------------------


def _accounts(state: UssdState, view: MemberView) -> list[Item]:
    return [(str(account.ref), clip(account.name, 24)) for account in view.accounts]


def _mini_last(state: UssdState, view: MemberView) -> _Body:
    lines = [
        f"{line.on:%d/%m} {clip(line.description, 8)} {line.amount:+,.2f}"
        for line in _account(state, view).recent[:5]
    ]
    if not lines:
        return _Body(text("no_transactions", state.language))
    return _Body(text("last_five", state.language), lines)


def _on_period(state: UssdState, entry: str, view: MemberView) -> Step:
    months = STATEMENT_MONTHS[_choice(entry, len(STATEMENT_MONTHS)) - 1]
    account = _account(state, view)
    return _then_end(state, SendStatementSms(account.ref, months), "statement_sent")


# 3 Deposit and repayment by M-Pesa ----------------------------------------------------


def _deposit_targets(state: UssdState, view: MemberView) -> list[Item]:
    accounts = [
        (f"account:{account.ref}", clip(account.name, 24))
        for account in view.accounts
        if account.deposit
    ]
    return accounts + _repayable(state, view, "loan:")


def _repayable(state: UssdState, view: MemberView, prefix: str = "") -> list[Item]:
    return [
        (f"{prefix}{loan.ref}", text("loan_target", state.language, name=clip(loan.name, 24)))
        for loan in view.loans
        if loan.outstanding > 0
    ]


def _target(state: UssdState, view: MemberView) -> tuple[str, AccountView | LoanView]:
    kind, _, ref = state.values.get("target", "").partition(":")
    if kind == "loan":
        return kind, _find(view.loans, ref)
    return kind, _find(view.accounts, ref)


def _deposit_prompt(state: UssdState, view: MemberView) -> _Body:
    kind, target = _target(state, view)
    name = clip(target.name, 24)
    if kind == "loan":
        due = target.next_amount if target.next_amount is not None else target.outstanding
        return _Body(text("repay_amount", state.language, name=name, due=money(due)))
    return _Body(text("enter_amount", state.language, name=name))


def _on_deposit_amount(state: UssdState, entry: str, view: MemberView) -> Step:
    kind, target = _target(state, view)
    maximum = view.limits.deposit_max
    if kind == "loan":
        maximum = min(maximum, _whole(target.outstanding, ROUND_CEILING))
    amount = _amount(entry, view.limits.deposit_min, maximum)
    action = QueueStkDeposit(kind, target.ref, amount)
    return _then_end(state, action, "stk_queued", amount=money(amount), name=clip(target.name, 24))


# 4 Withdraw ---------------------------------------------------------------------------


def _withdraw_accounts(state: UssdState, view: MemberView) -> list[Item]:
    return [(str(a.ref), clip(a.name, 24)) for a in view.accounts if a.withdraw]


def _on_withdraw_amount(state: UssdState, entry: str, view: MemberView) -> Step:
    limits, account = view.limits, _account(state, view)
    amount = _amount(entry, limits.withdraw_min, limits.withdraw_max)
    left_today = max(limits.daily_withdraw_max - limits.withdrawn_today, _ZERO)
    if amount > left_today:
        raise _Reprompt("daily_limit", amount=money(left_today))
    try:
        charge = withdrawal_total_charge(amount, limits)
    except SaccoRuleError:
        raise _Reprompt("too_large", amount=money(limits.charge_tiers[-1].up_to)) from None
    if amount + charge > account.available:
        raise _Reprompt("insufficient", charge=money(charge))
    return _go(state, view, WITHDRAW_CONFIRM, amount=str(amount), charge=str(charge))


def _withdraw_confirm(state: UssdState, view: MemberView) -> _Body:
    amount, charge = Decimal(state.values["amount"]), Decimal(state.values["charge"])
    return _Body(
        text(
            "withdraw_confirm",
            state.language,
            amount=money(amount),
            charge=money(charge),
            total=money(amount + charge),
        )
    )


def _on_withdraw_confirm(state: UssdState, entry: str, view: MemberView) -> Step:
    amount, charge = Decimal(state.values["amount"]), Decimal(state.values["charge"])
    account = _account(state, view)
    action = RequestWithdrawal(account.ref, amount, charge, _pin_format(entry))
    return _then_end(state, action, "withdraw_queued", amount=money(amount))


# 5 Loans ------------------------------------------------------------------------------


def _loans(state: UssdState, view: MemberView) -> list[Item]:
    return [(str(loan.ref), clip(loan.name, 24)) for loan in view.loans]


def _loan_detail(state: UssdState, view: MemberView) -> _Body:
    loan = _loan(state, view)
    return _Body(
        text(
            "loan_detail",
            state.language,
            name=clip(loan.name, 24),
            outstanding=money(loan.outstanding),
            amount=money(loan.next_amount or _ZERO),
            date=short_date(loan.next_date) if loan.next_date else "-",
            arrears=money(loan.arrears),
            left=loan.installments_left,
        )
    )


def _products(state: UssdState, view: MemberView) -> list[Item]:
    return [(str(product.ref), clip(product.name, 24)) for product in view.loan_products]


def _eligible(product: LoanProductView) -> bool:
    return bool(product.terms) and product.max_amount >= max(product.min_amount, _SHILLING)


def _product_chosen(state: UssdState, view: MemberView, ref: str) -> Step:
    product = _find(view.loan_products, ref)
    return _go(state, view, LOAN_AMOUNT if _eligible(product) else NOT_ELIGIBLE, product=ref)


def _loan_amount_prompt(state: UssdState, view: MemberView) -> _Body:
    product = _product(state, view)
    return _Body(
        text(
            "loan_amount",
            state.language,
            name=clip(product.name, 24),
            maximum=money(_whole(product.max_amount, ROUND_FLOOR)),
            minimum=money(_whole(product.min_amount, ROUND_CEILING)),
        )
    )


def _on_loan_amount(state: UssdState, entry: str, view: MemberView) -> Step:
    product = _product(state, view)
    maximum = _whole(product.max_amount, ROUND_FLOOR)
    amount = _amount(entry, _whole(product.min_amount, ROUND_CEILING), maximum)
    if len(product.terms) == 1:
        return _go(state, view, LOAN_CONFIRM, amount=str(amount), term=str(product.terms[0]))
    return _go(state, view, LOAN_TERM, amount=str(amount))


def _term_text(months: int, language: str) -> str:
    return text("one_month", language) if months == 1 else text("months", language, count=months)


def _terms(state: UssdState, view: MemberView) -> list[Item]:
    terms = _product(state, view).terms
    return [(str(months), _term_text(months, state.language)) for months in terms]


def _loan_confirm(state: UssdState, view: MemberView) -> _Body:
    product = _product(state, view)
    return _Body(
        text(
            "loan_confirm",
            state.language,
            amount=money(Decimal(state.values["amount"])),
            name=clip(product.name, 24),
            term=_term_text(int(state.values["term"]), state.language),
            rate=_rate_text(product.rate, product.rate_per, state.language),
        )
    )


def _on_loan_confirm(state: UssdState, entry: str, view: MemberView) -> Step:
    product, amount = _product(state, view), Decimal(state.values["amount"])
    action = ApplyLoan(product.ref, amount, int(state.values["term"]), _pin_format(entry))
    return _then_end(
        state, action, "loan_applied", amount=money(amount), name=clip(product.name, 24)
    )


# 6 Guarantees -------------------------------------------------------------------------


def _requests(state: UssdState, view: MemberView) -> list[Item]:
    return [
        (
            str(request.ref),
            text(
                "request_entry",
                state.language,
                name=clip(request.borrower, 20),
                amount=money(request.amount),
            ),
        )
        for request in view.guarantee_requests
    ]


def _guarantee_max(request: GuaranteeRequestView, view: MemberView) -> Decimal:
    return _whole(min(request.amount, view.exposure.free_deposits), ROUND_FLOOR)


def _accept(state: UssdState, view: MemberView) -> Step:
    if _guarantee_max(_request(state, view), view) < _SHILLING:
        raise _Reprompt("no_free_deposits")
    return _go(state, view, GUARANTEE_AMOUNT)


def _on_guarantee_amount(state: UssdState, entry: str, view: MemberView) -> Step:
    amount = _amount(entry, _SHILLING, _guarantee_max(_request(state, view), view))
    return _go(state, view, GUARANTEE_CONFIRM, amount=str(amount))


def _on_guarantee_confirm(state: UssdState, entry: str, view: MemberView) -> Step:
    request, amount = _request(state, view), Decimal(state.values["amount"])
    action = RespondGuarantee(request.ref, True, amount, _pin_format(entry))
    name = clip(request.borrower, 20)
    return _then_end(state, action, "guarantee_accepted", amount=money(amount), name=name)


def _on_decline_confirm(state: UssdState, entry: str, view: MemberView) -> Step:
    request = _request(state, view)
    action = RespondGuarantee(request.ref, False, None, _pin_format(entry))
    return _then_end(state, action, "guarantee_declined", name=clip(request.borrower, 20))


# 8 My account -------------------------------------------------------------------------


def _set_language(language: str):
    def chosen(state: UssdState, view: MemberView) -> Step:
        home = _home(replace(state, language=language), view, text("language_set", language))
        return Step(home.reply, home.state, SetLanguage(language), retry=state)

    return chosen


def _request_name(state: UssdState, view: MemberView) -> str:
    return clip(_request(state, view).borrower, 20)


_SCREENS: dict[str, _Screen] = {
    PIN: _prompt("enter_pin", _on_pin, name=lambda s, v: clip(v.name, 20)),
    LOCKED: _menu(
        "locked",
        {"1": lambda state, view: _show(_to(state, ID_NUMBER), view), "0": _goodbye},
    ),
    ID_NUMBER: _prompt("enter_id", _on_id, name=lambda s, v: clip(v.name, 20)),
    OTP: _prompt("enter_otp", _on_otp),
    NEW_PIN: _prompt("choose_pin", _on_new_pin),
    CONFIRM_PIN: _prompt("confirm_pin", _on_confirm_pin),
    HOME: _menu(
        "home",
        {
            "1": _opener(BALANCES),
            "2": _opener(MINI_ACCOUNT),
            "3": _opener(DEPOSIT_TARGET),
            "4": _withdraw_opener,
            "5": _opener(LOANS),
            "6": _opener(GUARANTEES),
            "7": _opener(RATES),
            "8": _opener(MY_ACCOUNT),
            "0": _goodbye,
        },
    ),
    BALANCES: _info(_balances),
    MINI_ACCOUNT: _pick(
        "choose_account",
        _accounts,
        lambda state, view, ref: _go(state, view, MINI_MENU, account=ref),
        "no_accounts",
    ),
    MINI_MENU: _menu(
        "statement_menu",
        {"1": _opener(MINI_LAST), "2": _opener(MINI_PERIOD)},
        name=lambda s, v: clip(_account(s, v).name, 24),
    ),
    MINI_LAST: _info(_mini_last),
    MINI_PERIOD: _prompt("statement_period", _on_period),
    DEPOSIT_TARGET: _pick(
        "deposit_to",
        _deposit_targets,
        lambda state, view, ref: _go(state, view, DEPOSIT_AMOUNT, target=ref),
        "no_accounts",
    ),
    DEPOSIT_AMOUNT: _Screen(_safe_render(_deposit_prompt), _safe(_on_deposit_amount)),
    WITHDRAW_ACCOUNT: _pick(
        "withdraw_from",
        _withdraw_accounts,
        lambda state, view, ref: _go(state, view, WITHDRAW_AMOUNT, account=ref),
        "no_withdraw_account",
    ),
    WITHDRAW_AMOUNT: _prompt(
        "withdraw_amount",
        _on_withdraw_amount,
        name=lambda s, v: clip(_account(s, v).name, 24),
        available=lambda s, v: money(_account(s, v).available),
    ),
    WITHDRAW_CONFIRM: _Screen(_safe_render(_withdraw_confirm), _safe(_on_withdraw_confirm)),
    LOANS: _menu(
        "loans_menu",
        {"1": _opener(LOAN_LIST), "2": _opener(REPAY_LOAN), "3": _opener(PRODUCTS)},
    ),
    LOAN_LIST: _pick(
        "choose_loan",
        _loans,
        lambda state, view, ref: _go(state, view, LOAN_DETAIL, loan=ref),
        "no_loans",
    ),
    LOAN_DETAIL: _info(_loan_detail),
    REPAY_LOAN: _pick(
        "choose_loan",
        _repayable,
        lambda state, view, ref: _go(state, view, DEPOSIT_AMOUNT, target=f"loan:{ref}"),
        "no_loans",
    ),
    PRODUCTS: _pick("loan_products", _products, _product_chosen, "no_loan_products"),
    NOT_ELIGIBLE: _info(_static("not_eligible", name=lambda s, v: clip(_product(s, v).name, 24))),
    LOAN_AMOUNT: _Screen(_safe_render(_loan_amount_prompt), _safe(_on_loan_amount)),
    LOAN_TERM: _pick(
        "loan_term",
        _terms,
        lambda state, view, ref: _go(state, view, LOAN_CONFIRM, term=ref),
        "no_loan_products",
    ),
    LOAN_CONFIRM: _Screen(_safe_render(_loan_confirm), _safe(_on_loan_confirm)),
    GUARANTEES: _menu(
        "guarantees_menu",
        {"1": _opener(REQUESTS), "2": _opener(EXPOSURE)},
        count=lambda s, v: len(v.guarantee_requests),
    ),
    REQUESTS: _pick(
        "requests",
        _requests,
        lambda state, view, ref: _go(state, view, REQUEST, request=ref),
        "no_requests",
    ),
    REQUEST: _menu(
        "request_detail",
        {"1": _accept, "2": _opener(DECLINE_CONFIRM)},
        name=_request_name,
        amount=lambda s, v: money(_request(s, v).amount),
        loan=lambda s, v: money(_request(s, v).loan_amount),
    ),
    GUARANTEE_AMOUNT: _prompt(
        "guarantee_amount",
        _on_guarantee_amount,
        maximum=lambda s, v: money(_guarantee_max(_request(s, v), v)),
    ),
    GUARANTEE_CONFIRM: _prompt(
        "guarantee_confirm",
        _on_guarantee_confirm,
        amount=lambda s, v: money(Decimal(s.values["amount"])),
        name=_request_name,
    ),
    DECLINE_CONFIRM: _prompt("decline_confirm", _on_decline_confirm, name=_request_name),
    EXPOSURE: _info(
        _static(
            "exposure",
            count=lambda s, v: v.exposure.loans,
            total=lambda s, v: money(v.exposure.total),
            free=lambda s, v: money(v.exposure.free_deposits),
        )
    ),
    RATES: _info(_rates),
    MY_ACCOUNT: _menu("my_account", {"1": _opener(OLD_PIN), "2": _opener(LANGUAGE)}),
    OLD_PIN: _prompt("old_pin", _on_old_pin),
    LANGUAGE: _menu("language", {"1": _set_language(ENGLISH), "2": _set_language(SWAHILI)}),
}
