from . import test_tours, test_ussd_gateway, test_ussd_money, test_ussd_security
