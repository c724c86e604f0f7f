from . import callback_route, sacco_base
