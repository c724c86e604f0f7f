import pytest

from sacco_core.exceptions import (
    InvalidIdentity,
    InvalidPhoneNumber,
    InvalidTemplate,
    SaccoRuleError,
)


def test_base_is_a_value_error():
    assert issubclass(SaccoRuleError, ValueError)


@pytest.mark.parametrize("error", [InvalidPhoneNumber, InvalidIdentity, InvalidTemplate])
def test_specific_errors_are_rule_errors(error):
    assert issubclass(error, SaccoRuleError)
    with pytest.raises(SaccoRuleError, match="message"):
        raise error("message")
