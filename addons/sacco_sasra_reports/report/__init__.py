from . import sacco_sasra_dashboard
