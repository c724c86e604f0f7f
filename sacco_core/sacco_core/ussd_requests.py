"""USSD gateway requests: Africa's Talking and aggregator formats, inputs and masking.

Africa's Talking POSTs the form fields ``sessionId``, ``serviceCode``, ``phoneNumber``,
``networkCode`` and ``text``; Kenyan aggregators send the query parameters ``SESSIONID``,
``USSDCODE``, ``MSISDN``, ``INPUT`` (and sometimes ``NETWORK``). In both, the text holds
every input of the session so far joined by ``*`` (empty on the first request); on a shared
code the aggregator's first input is the SACCO's extension. Both become one
``UssdRequest``, whose ``inputs`` go to ``ussd.advance``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sacco_core.exceptions import InvalidPhoneNumber, SaccoRuleError
from sacco_core.phones import normalize_msisdn
from sacco_core.ussd import SECRET_SCREENS

MASK = "****"
MAX_TEXT_LENGTH = 1000  # far above any real session; anything longer is not a handset
# Africa's Talking: a session lasts at most 180 s (help centre, Kenyan telcos).
SESSION_TIMEOUT = timedelta(seconds=180)


class MalformedUssdRequest(SaccoRuleError):
    """A gateway request lacks a field or carries an unusable value."""


@dataclass(frozen=True)
class UssdRequest:
    session_id: str
    service_code: str
    phone: str  # E.164
    network: str
    inputs: tuple[str, ...]
    extension: str | None = None


def split_text(text: str) -> tuple[str, ...]:
    """The inputs in a gateway text: ``""`` -> ``()``, ``"1*2*500"`` -> ``("1", "2", "500")``."""
    if len(text) > MAX_TEXT_LENGTH:
        raise MalformedUssdRequest("The USSD text is too long.")
    return tuple(text.split("*")) if text else ()


def parse_at_request(form: Mapping[str, str]) -> UssdRequest:
    """An Africa's Talking USSD callback (form fields) as a ``UssdRequest``."""
    return UssdRequest(
        session_id=_required(form, "sessionId"),
        service_code=_required(form, "serviceCode"),
        phone=_phone(_required(form, "phoneNumber")),
        network=(form.get("networkCode") or "").strip(),
        inputs=split_text(form.get("text") or ""),
    )


def parse_gateway_request(query: Mapping[str, str], shared_code: bool = False) -> UssdRequest:
    """An aggregator's USSD request (query parameters) as a ``UssdRequest``. With
    ``shared_code`` the first input is the extension: it goes to ``extension`` and the
    menu inputs start after it."""
    inputs = split_text(query.get("INPUT") or "")
    extension = None
    if shared_code:
        if not inputs:
            raise MalformedUssdRequest("A shared-code request must start with the extension.")
        extension, inputs = inputs[0], inputs[1:]
    return UssdRequest(
        session_id=_required(query, "SESSIONID"),
        service_code=_required(query, "USSDCODE"),
        phone=_phone(_required(query, "MSISDN")),
        network=(query.get("NETWORK") or "").strip(),
        inputs=inputs,
        extension=extension,
    )


def session_expired(
    started_at: datetime, now: datetime, timeout: timedelta = SESSION_TIMEOUT
) -> bool:
    """Whether a session that started at ``started_at`` is over at ``now`` (answer with
    ``ussd.final_reply("expired")``)."""
    return now - started_at >= timeout


def mask_inputs(inputs: Sequence[str], trail: Sequence[str]) -> tuple[str, ...]:
    """``inputs`` with every one typed on a secret screen (PIN, code, ID number), and
    every one the engine has not seen yet, replaced by ``MASK``."""
    return tuple(
        value if index < len(trail) and trail[index] not in SECRET_SCREENS else MASK
        for index, value in enumerate(inputs)
    )


def masked_text(inputs: Sequence[str], trail: Sequence[str]) -> str:
    """The session text safe to store or log."""
    return "*".join(mask_inputs(inputs, trail))


def _required(values: Mapping[str, str], name: str) -> str:
    value = (values.get(name) or "").strip()
    if not value:
        raise MalformedUssdRequest(f"The USSD request has no '{name}'.")
    return value


def _phone(raw: str) -> str:
    try:
        return normalize_msisdn(raw)
    except InvalidPhoneNumber as error:
        raise MalformedUssdRequest(str(error)) from None
