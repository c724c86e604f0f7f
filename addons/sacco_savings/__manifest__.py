# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO Savings",
    "summary": "Share capital, BOSA deposits and FOSA savings on Odoo's ledger",
    "version": "18.0.1.0.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["sacco_base"],
    "external_dependencies": {"python": ["sacco_core"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_savings_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "report/sacco_savings_receipt_report.xml",
        "views/sacco_savings_product_views.xml",
        "views/sacco_savings_transaction_views.xml",
        "views/sacco_savings_account_views.xml",
        "views/sacco_member_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/sacco_savings_teller_views.xml",
        "views/sacco_savings_menus.xml",
    ],
    "demo": [
        "demo/sacco_savings_product_demo.xml",
    ],
}
