# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO USSD",
    "summary": "USSD banking over Africa's Talking and aggregator gateways, with a simulator",
    "version": "18.0.1.0.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["sacco_mpesa", "sacco_loans", "web"],
    "external_dependencies": {"python": ["sacco_core", "passlib"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_ussd_security.xml",
        "data/sacco_sms_template_data.xml",
        "views/sacco_ussd_channel_views.xml",
        "views/sacco_ussd_session_views.xml",
        "views/sacco_member_views.xml",
        "views/sacco_ussd_menus.xml",
    ],
    "demo": ["demo/sacco_ussd_demo.xml"],
    "assets": {
        "web.assets_backend": ["sacco_ussd/static/src/simulator/*"],
        "web.assets_tests": ["sacco_ussd/static/src/tours/*.js"],
    },
}
