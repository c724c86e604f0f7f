from . import test_auth
