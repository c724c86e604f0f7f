"""Exceptions raised when input breaks a SACCO rule.

Messages are complete English sentences meant to be shown to the user as-is.
All are ``ValueError`` subclasses, so generic validation code can catch them.
"""


class SaccoRuleError(ValueError):
    """Base class: the input breaks a SACCO business rule."""


class InvalidPhoneNumber(SaccoRuleError):
    """The phone number is not a valid (mobile) number."""


class InvalidIdentity(SaccoRuleError):
    """An identity document number, KRA PIN or date of birth is not acceptable."""


class InvalidTemplate(SaccoRuleError):
    """A member number or SMS template is malformed or uses unknown placeholders."""
