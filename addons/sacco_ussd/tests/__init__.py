from . import test_tours, test_ussd_gateway
