# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO SASRA Reports",
    "summary": "SASRA returns from the GL and sub-ledgers: prudential ratios, portal "
    "cross-form checks, portal-layout Excel export",
    "version": "18.0.1.0.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "sacco_loans",
        "account_financial_report",
        "mis_builder",
        "mis_template_financial_report",
        "account_statement_import_file",
        "account_statement_import_sheet_file",
        "spreadsheet_dashboard",
    ],
    "external_dependencies": {"python": ["sacco_core", "xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_sasra_reports_security.xml",
        "data/account_statement_import_sheet_mapping_data.xml",
        "data/ir_cron_data.xml",
        "data/mis_report_sasra_data.xml",
        "report/sacco_sasra_return_report.xml",
        "views/account_account_views.xml",
        "views/sacco_member_views.xml",
        "views/sacco_loan_application_views.xml",
        "views/sacco_sasra_return_views.xml",
        "views/sacco_sasra_loan_snapshot_views.xml",
        "views/sacco_sasra_dashboard_views.xml",
        "wizards/sacco_sasra_return_compute_views.xml",
        "views/res_config_settings_views.xml",
        "views/sacco_sasra_reports_menus.xml",
        "data/spreadsheet_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sacco_sasra_reports/static/src/tours/*.js",
        ],
    },
    "demo": ["demo/sacco_sasra_return_demo.xml"],
    "post_init_hook": "post_init_hook",
}
