# Docs are Markdown fragments in readme/ (shared/odoo-conventions.md), not README.rst.
# pylint: disable=missing-readme
{
    "name": "SACCO Mobile API",
    "summary": "The members' app API: phone + PIN + OTP sign-in, JWT with rotating refresh "
    "tokens, accounts, M-Pesa deposits and withdrawals, transfers, loans, guarantees, profile",
    "version": "18.0.1.1.0",
    "category": "SACCO",
    "website": "https://github.com/odoo-sacco/odoo-sacco",
    "author": "Odoo SACCO",
    "maintainers": ["odoo-sacco"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["fastapi", "sacco_mpesa", "sacco_loans"],
    "external_dependencies": {"python": ["sacco_core", "PyJWT", "passlib", "fastapi"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sacco_mobile_api_security.xml",
        "data/sacco_sms_template_data.xml",
        "data/fastapi_endpoint_data.xml",
        "views/sacco_mobile_device_views.xml",
        "views/sacco_mobile_session_views.xml",
        "views/sacco_mobile_audit_views.xml",
        "views/sacco_mobile_notification_views.xml",
        "views/sacco_member_views.xml",
        "views/res_config_settings_views.xml",
        "views/sacco_mobile_api_menus.xml",
    ],
    "demo": ["demo/sacco_mobile_api_demo.xml"],
    "post_init_hook": "post_init_hook",
}
