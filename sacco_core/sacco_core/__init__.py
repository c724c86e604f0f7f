"""Framework-free business rules for a Kenyan SACCO system (never imports Odoo)."""

from sacco_core.exceptions import (
    InvalidIdentity,
    InvalidPhoneNumber,
    InvalidTemplate,
    SaccoRuleError,
)

__all__ = ["InvalidIdentity", "InvalidPhoneNumber", "InvalidTemplate", "SaccoRuleError"]
__version__ = "18.0.1.0.0"
