{  # noqa: B018 (a manifest is a bare dict)
    "name": "SACCO bench: database route floor",
    "summary": "Bench only, loaded with --load, never installed: the cheapest database routes.",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "depends": ["base", "web"],
    "installable": True,
}
