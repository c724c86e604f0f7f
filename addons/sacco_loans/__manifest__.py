# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO Loans",
    "summary": "Loan products, applications, appraisal, guarantors, disbursement and repayments",
    "version": "18.0.1.0.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["sacco_savings"],
    "external_dependencies": {"python": ["sacco_core", "xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_loans_security.xml",
        "data/ir_sequence_data.xml",
        "data/sacco_sms_template_data.xml",
        "views/sacco_loan_product_views.xml",
        "views/sacco_loan_application_views.xml",
        "wizards/sacco_loan_repay_views.xml",
        "views/sacco_loan_views.xml",
        "views/res_config_settings_views.xml",
        "report/sacco_loan_calculator_report.xml",
        "wizards/sacco_loan_calculator_views.xml",
        "views/sacco_loans_menus.xml",
    ],
}
