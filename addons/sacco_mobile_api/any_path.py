"""Paths that span newlines, for every router in front of the members' API.

werkzeug's ``path`` converter (Odoo's router) and Starlette's ``path`` convertor (the
mount of the endpoint's app, the API's catch-all) are regular expressions whose ``.``
stops at a newline: a path segment holding one would be refused by Odoo with its HTML
page. These match any character, so every path under the API gets the API's JSON answer.
"""

from starlette.convertors import PathConvertor, register_url_convertor
from werkzeug.routing import PathConverter

ANY_PATH = "any_path"


class AnyPathConverter(PathConverter):
    """werkzeug's ``path``, newlines included (Odoo's routing map)."""

    regex = r"[^/](?s:.)*?"


class AnyPathConvertor(PathConvertor):
    """Starlette's ``path``, newlines included."""

    regex = r"(?s:.*)"


register_url_convertor(ANY_PATH, AnyPathConvertor())
