from . import sacco_sasra_return_compute
