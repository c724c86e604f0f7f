#!/usr/bin/env python3
"""Check that every XML file given on the command line is well-formed.

Usage: python3 tools/check_xml.py FILE.xml [FILE.xml ...]

Prints ``path:line:column: message`` for each file that does not parse and exits 1;
exits 0 when all files parse (or none were given). Uses lxml when available (it is an
Odoo dependency), else the standard library's xml.etree.
"""

from __future__ import annotations

import sys

try:
    from lxml import etree as _lxml
except ImportError:  # pragma: no cover - lxml ships with Odoo
    _lxml = None
import xml.etree.ElementTree as _stdlib


def check(path: str) -> str | None:
    """Return an error line for ``path``, or None if it is well-formed."""
    try:
        if _lxml is not None:
            # resolve_entities=False, no_network=True: parse only, never fetch anything.
            parser = _lxml.XMLParser(resolve_entities=False, no_network=True)
            _lxml.parse(path, parser)
        else:
            _stdlib.parse(path)
    except OSError as exc:
        return f"{path}:0:0: cannot read: {exc}"
    except Exception as exc:  # lxml.etree.XMLSyntaxError / xml.etree.ParseError
        line, col = getattr(exc, "position", None) or (getattr(exc, "lineno", 0), 0)
        if _lxml is not None and isinstance(exc, _lxml.XMLSyntaxError):
            line, col = exc.lineno or 0, (exc.offset or 0)
            msg = exc.msg
        else:
            msg = str(exc)
        return f"{path}:{line}:{col}: {msg}"
    return None


def main(argv: list[str]) -> int:
    errors = [err for err in map(check, argv) if err]
    for err in errors:
        print(err)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
