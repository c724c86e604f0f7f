from . import controllers  # noqa: F401 (registers the routes)
