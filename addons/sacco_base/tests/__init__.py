from . import (
    test_member_lifecycle,
    test_member_registration,
    test_registration_fee,
    test_security,
    test_sms,
    test_tours,
)
