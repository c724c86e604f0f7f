/** @odoo-module */

import { registry } from "@web/core/registry";

function statusIs(label) {
    return { trigger: `.o_statusbar_status button[aria-checked="true"]:contains("${label}")` };
}

registry.category("web_tour.tours").add("sacco_mpesa_teller_stk_push", {
    steps: () => [
        { trigger: 'button:contains("Request M-Pesa Payment")', run: "click" },
        { trigger: '.modal div[name="savings_account_id"] input:value("TDP")' },
        { trigger: '.modal div[name="amount"] input', run: "edit 750" },
        { trigger: '.modal button[name="action_request"]', run: "click" },
        statusIs("Pending"),
        { trigger: 'div[name="checkout_request_id"]:contains("ws_CO_")' },
        { trigger: 'button[name="action_refresh"]', run: "click" },
        statusIs("Done"),
    ],
});
