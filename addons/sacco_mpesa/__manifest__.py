# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO M-Pesa",
    "summary": "Safaricom Daraja: STK Push, C2B paybill, routing to savings and loans, suspense",
    "version": "18.0.1.0.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["sacco_loans"],
    "external_dependencies": {"python": ["sacco_core", "requests", "cryptography"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_mpesa_security.xml",
        "data/ir_cron_data.xml",
        "data/sacco_sms_template_data.xml",
        "wizards/sacco_mpesa_transaction_allocate_views.xml",
        "wizards/sacco_mpesa_request_stk_views.xml",
        "views/sacco_mpesa_config_views.xml",
        "views/sacco_mpesa_callback_views.xml",
        "views/sacco_mpesa_transaction_views.xml",
        "views/sacco_mpesa_request_views.xml",
        "views/sacco_mpesa_statement_views.xml",
        "views/sacco_member_views.xml",
        "views/sacco_mpesa_menus.xml",
    ],
    "demo": ["demo/sacco_mpesa_demo.xml"],
    "assets": {
        "web.assets_tests": ["sacco_mpesa/static/src/tours/*.js"],
    },
}
