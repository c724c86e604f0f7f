/** @odoo-module */

import { rpcBus } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The web client's requests in flight, counted from the page's start: a tour that ends
// while one still runs leaves it to reach the server after the test, which refuses it and
// logs an error.
const pendingRequests = new Set();
rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => pendingRequests.add(detail.data.id));
rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => pendingRequests.delete(detail.data.id));

/** Resolves once no request is pending and every image has loaded, for 300 ms. */
async function screenSettled() {
    for (let quiet = 0; quiet < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const busy = pendingRequests.size || [...document.images].some((img) => !img.complete);
        quiet = busy ? 0 : quiet + 1;
    }
}

function editField(name, value) {
    return { trigger: `.o_form_view div[name="${name}"] input`, run: `edit ${value}` };
}

function pickMany2one(selector, value) {
    return [
        { trigger: `${selector} input`, run: `edit ${value}` },
        { trigger: `.o-autocomplete--dropdown-item a:contains("${value}")`, run: "click" },
    ];
}

function addGuarantor(name, amount) {
    const row = 'div[name="guarantor_ids"] .o_selected_row';
    return [
        { trigger: 'div[name="guarantor_ids"] .o_field_x2many_list_row_add a', run: "click" },
        ...pickMany2one(`${row} div[name="member_id"]`, name),
        { trigger: `${row} div[name="amount"] input`, run: `edit ${amount}` },
    ];
}

function statusIs(label) {
    return { trigger: `.o_statusbar_status button[aria-checked="true"]:contains("${label}")` };
}

registry.category("web_tour.tours").add("sacco_loan_officer_application", {
    url: "/odoo/action-sacco_loans.sacco_loan_application_action",
    steps: () => [
        { trigger: ".o_list_button_add", run: "click" },
        ...pickMany2one('.o_form_view div[name="member_id"]', "Njeri Mwangi"),
        ...pickMany2one('.o_form_view div[name="product_id"]', "Test Development Loan"),
        editField("amount", "110000"),
        editField("term", "12"),
        editField("purpose", "Dairy unit"),
        editField("basic_pay", "100000"),
        editField("total_deductions", "20000"),
        ...addGuarantor("Otieno Odhiambo", "55000"),
        ...addGuarantor("Achieng Atieno", "55000"),
        ...stepUtils.saveForm(),
        { trigger: 'button[name="action_submit"]', run: "click" },
        statusIs("Submitted"),
        { trigger: 'button[name="action_appraise"]', run: "click" },
        statusIs("Appraised"),
        { trigger: 'div[name="eligible_amount"]:contains("120,000")' },
    ],
});

registry.category("web_tour.tours").add("sacco_loan_committee_approval", {
    steps: () => [
        statusIs("Appraised"),
        { trigger: 'button[name="action_approve"]', run: "click" },
        statusIs("Approved"),
    ],
});

registry.category("web_tour.tours").add("sacco_loan_officer_disbursement", {
    steps: () => [
        statusIs("Approved"),
        { trigger: 'button[name="action_disburse"]', run: "click" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        // The new loan opens.
        { trigger: '.o_form_view div[name="principal"]:contains("110,000")' },
        statusIs("Active"),
        { trigger: ".o_breadcrumb .o_back_button a", run: "click" },
        statusIs("Disbursed"),
    ],
});

registry.category("web_tour.tours").add("sacco_loan_teller_repayment", {
    steps: () => [
        statusIs("Active"),
        { trigger: '.o_statusbar_buttons button:contains("Receive Payment")', run: "click" },
        { trigger: '.modal div[name="amount"] input', run: "edit 5000" },
        { trigger: '.modal button[name="action_post"]', run: "click" },
        { trigger: "body:not(:has(.modal))" },
    ],
});

// Opens on the action and view the test puts in the URL; the web client fails the tour on
// any error while loading, rendering or fetching the view's data. It ends once the screen
// has settled (its data and the systray's loaded), so no request outlives the test.
registry.category("web_tour.tours").add("sacco_loans_view_renders", {
    steps: () => [{ trigger: ".o_view_controller", run: screenSettled }],
});
