from . import test_auth, test_journey, test_money, test_ownership, test_security
