from . import models, routers
from .hooks import post_init_hook
