/** @odoo-module */

import { registry } from "@web/core/registry";

function openReturn(name) {
    return { trigger: `.o_list_view .o_data_row td:contains("${name}")`, run: "click" };
}

registry.category("web_tour.tours").add("sacco_sasra_accountant_month", {
    url: "/odoo/action-sacco_sasra_reports.sacco_sasra_return_action",
    steps: () => [
        {
            trigger: '.o_main_navbar [data-menu-xmlid="sacco_sasra_reports.sacco_sasra_menu"]',
            run: "click",
        },
        {
            trigger:
                '.dropdown-item[data-menu-xmlid="sacco_sasra_reports.sacco_sasra_return_compute_menu"]',
            run: "click",
        },
        { trigger: '.modal button[name="action_compute"]', run: "click" },
        openReturn("Form 4 - Risk Classification"),
        { trigger: '.o_notebook .nav-link:contains("Cross-form Checks")', run: "click" },
        { trigger: '.o_field_widget[name="check_ids"] .o_data_row.text-danger:contains("Loans")' },
        // A return failing a check has no export until a manager overrides (tested in Python).
        { trigger: '.o_form_view:not(:has(button[name="action_override"]))' },
        { trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
        openReturn("Form 7 - Statement of Comprehensive Income"),
        { trigger: 'button[name="action_export_xlsx"]', run: "click" },
        { trigger: '.o_form_view .o_statusbar_status button[aria-checked="true"]:contains("Computed")' },
    ],
});

registry.category("web_tour.tours").add("sacco_sasra_manager_dashboard", {
    url: "/odoo/action-sacco_sasra_reports.sacco_sasra_dashboard_action",
    steps: () => [
        { trigger: ".o_graph_view .o_graph_renderer canvas" },
        { trigger: '.o_switch_view.o_pivot', run: "click" },
        { trigger: '.o_pivot .o_pivot_measure_row:contains("Gross Loan Portfolio")' },
    ],
});

registry.category("web_tour.tours").add("sacco_sasra_manager_spreadsheet_dashboard", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            trigger: '.o_search_panel_category_value[data-name="SACCO Management"]',
            run: "click",
        },
        { trigger: ".o_spreadsheet_dashboard_action .o-figure canvas" },
    ],
});

registry.category("web_tour.tours").add("sacco_statement_reconcile", {
    url: "/odoo/action-sacco_sasra_reports.account_bank_statement_line_action_sacco_reconcile",
    steps: () => [
        {
            trigger:
                '.o_list_view .o_data_row:contains("LN-0042") button[name="action_sacco_open_reconcile"]',
            run: "click",
        },
        { trigger: '.modal .o_field_widget[name="move_line_ids"] .o_data_row:contains("LN-0042")' },
        { trigger: '.modal button[name="action_reconcile"]', run: "click" },
        { trigger: 'body:not(:has(.modal))' },
        { trigger: '.o_list_view:not(:has(.o_data_row:contains("LN-0042")))' },
    ],
});
