"""Africa's Talking SMS behind one small class, on the official SDK."""

from dataclasses import dataclass

import requests
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService

from sacco_core.africastalking import SendResult, parse_send_response
from sacco_core.exceptions import SaccoRuleError

# (connect, read) seconds: the cron must not hang on a slow gateway.
TIMEOUT = (5, 15)


class SmsGatewayError(Exception):
    """The gateway could not be reached or refused the whole request; worth a retry."""


@dataclass(frozen=True)
class AfricasTalkingConfig:
    username: str
    api_key: str
    sender_id: str | None = None
    base_url: str | None = None  # e.g. a gateway proxy, or the local test server


class AfricasTalkingGateway:
    def __init__(self, config: AfricasTalkingConfig):
        self._sender_id = config.sender_id or None
        self._service = SMSService(config.username, config.api_key)
        if config.base_url:
            # The SDK derives its host from the username (sandbox or live); a proxy overrides it.
            self._service._baseUrl = config.base_url.rstrip("/") + "/version1"

    def send(self, message: str, recipients: list[str]) -> list[SendResult]:
        try:
            body = self._service.send(
                message, recipients, sender_id=self._sender_id, timeout=TIMEOUT
            )
        except (AfricasTalkingException, requests.RequestException, ValueError) as error:
            raise SmsGatewayError(str(error)) from error
        if not isinstance(body, dict):
            raise SmsGatewayError(f"Unexpected gateway answer: {str(body)[:200]}")
        try:
            return parse_send_response(body)
        except SaccoRuleError as error:
            raise SmsGatewayError(str(error)) from error
