from . import test_auth, test_money, test_ownership, test_security
