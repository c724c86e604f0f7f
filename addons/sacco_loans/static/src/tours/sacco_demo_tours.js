/** @odoo-module */

import { registry } from "@web/core/registry";

// The demo SACCO as its administrator first sees it (sacco_loans/tests/test_demo_sacco.py).

registry.category("web_tour.tours").add("sacco_demo_members", {
    steps: () => [
        { trigger: '.o_data_row td.o_data_cell:contains("Wanjiku Kamau")', run: "click" },
        { trigger: '.o_form_view div[name="member_number"]:contains("NRB-")' },
        { trigger: 'a.nav-link:contains("Savings")', run: "click" },
        { trigger: '.o_form_view .o_data_row:contains("Member Deposits (BOSA)")' },
    ],
});

registry.category("web_tour.tours").add("sacco_demo_loan_in_arrears", {
    steps: () => [
        { trigger: '.o_form_view div[name="sasra_class"]:contains("Substandard")' },
        { trigger: 'a.nav-link:contains("Schedule")', run: "click" },
        { trigger: 'div[name="installment_ids"] .o_data_row' },
        { trigger: 'a.nav-link:contains("Guarantors")', run: "click" },
        { trigger: 'div[name="guarantor_ids"] .o_data_row' },
    ],
});

registry.category("web_tour.tours").add("sacco_demo_aging_by_class", {
    steps: () =>
        ["Performing", "Watch", "Substandard", "Doubtful", "Loss"].map((label) => ({
            trigger: `.o_pivot th:contains("${label}")`,
        })),
});

registry.category("web_tour.tours").add("sacco_demo_par_by_product", {
    steps: () =>
        ["Development Loan", "Emergency Loan", "Asset Financing Loan"].map((label) => ({
            trigger: `.o_pivot th:contains("${label}")`,
        })),
});

registry.category("web_tour.tours").add("sacco_demo_list_has_rows", {
    steps: () => [{ trigger: ".o_list_view .o_data_row" }],
});

registry.category("web_tour.tours").add("sacco_demo_account_statement", {
    steps: () => [
        { trigger: 'a.nav-link:contains("Transactions")', run: "click" },
        { trigger: 'div[name="transaction_ids"] .o_data_row:contains("Deposit")' },
    ],
});
