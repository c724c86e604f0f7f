from . import controllers, models, services, wizards
