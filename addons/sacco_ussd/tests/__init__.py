from . import test_ussd_gateway
