from . import sacco_base
