"""One HTTP client for Daraja: timeouts, retries with back-off, bearer token refresh.

Framework-free apart from ``requests``; the Odoo side gives it a token provider (the token
cached per consumer key in the database) and reads the parsed answers.
"""

import logging
import time

import requests

from sacco_core.mpesa import PATHS, MpesaFormatError, SyncAnswer, Token, parse_sync_answer
from sacco_core.mpesa import parse_token as parse_token_body

_logger = logging.getLogger(__name__)

TIMEOUT = (5, 30)  # connect, read (seconds)


class DarajaError(Exception):
    """Daraja could not be reached or answered something we cannot read."""


class DarajaOutcomeUnknown(DarajaError):
    """The request may have reached M-Pesa (read timeout): query, never resend blindly."""


def fetch_token(base_url, consumer_key, consumer_secret, timeout=TIMEOUT):
    """``GET /oauth/v1/generate`` with HTTP Basic auth (the only GET of Daraja)."""
    try:
        response = requests.get(
            base_url.rstrip("/") + PATHS["oauth"],
            auth=(consumer_key or "", consumer_secret or ""),
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise DarajaError(f"M-Pesa could not be reached for a token: {error}") from None
    try:
        return parse_token_body(response.json())
    except (ValueError, MpesaFormatError):
        raise DarajaError(
            f"M-Pesa refused the credentials (HTTP {response.status_code}): {response.text[:200]}"
        ) from None


class DarajaClient:
    """POSTs Daraja's JSON; ``token_provider(force)`` returns a bearer token (``force``
    asks for a new one after Daraja called ours invalid)."""

    def __init__(self, base_url, token_provider, retries=3, backoff=0.5, timeout=TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token_provider = token_provider
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout

    def call(self, api, payload, **path_values):
        """The parsed synchronous answer of ``api`` (a key of ``sacco_core.mpesa.PATHS``).

        Connection failures and 5xx answers that are not Daraja error envelopes are retried
        with exponential back-off (nothing reached M-Pesa); a read timeout is not retried and
        raises ``DarajaOutcomeUnknown``. An "invalid access token" answer refreshes the
        token once and retries."""
        url = self.base_url + PATHS[api].format(**path_values)
        answer = self._post(url, payload, self.token_provider(False))
        if answer.invalid_token:
            answer = self._post(url, payload, self.token_provider(True))
        return answer

    def _post(self, url, payload, token):
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for attempt in range(self.retries + 1):
            try:
                response = requests.post(url, json=payload, headers=headers, timeout=self.timeout)
            except (requests.ConnectTimeout, requests.ConnectionError) as error:
                failure = error  # nothing reached M-Pesa: safe to retry
            except requests.Timeout as error:
                raise DarajaOutcomeUnknown(f"M-Pesa did not answer in time: {error}") from None
            else:
                answer = self._read(response)
                if answer is not None:
                    return answer
                failure = f"HTTP {response.status_code}"
            if attempt < self.retries:
                _logger.info("Daraja %s failed (%s); retrying", url, failure)
                time.sleep(self.backoff * 2**attempt)
        raise DarajaError(f"M-Pesa is unavailable ({failure}).")

    @staticmethod
    def _read(response):
        """The Daraja answer, or None for a gateway failure worth retrying."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and ("errorCode" in body or "ResponseCode" in body):
            try:
                return parse_sync_answer(body)
            except MpesaFormatError as error:
                raise DarajaError(str(error)) from None
        if response.status_code >= 500:
            return None
        raise DarajaError(
            f"M-Pesa answered HTTP {response.status_code} without a Daraja message: "
            f"{response.text[:200]}"
        )


__all__ = ["DarajaClient", "DarajaError", "DarajaOutcomeUnknown", "SyncAnswer", "Token"]
