from . import (
    test_audit_trail,
    test_callback_token,
    test_integrity,
    test_member_change,
    test_member_lifecycle,
    test_member_otp,
    test_member_registration,
    test_registration_fee,
    test_security,
    test_sms,
    test_statement_reconcile,
    test_tours,
)
