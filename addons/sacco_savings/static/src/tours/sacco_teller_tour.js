/** @odoo-module */

import { registry } from "@web/core/registry";

function openTeller() {
    return [
        { trigger: '.o_menu_sections .dropdown-toggle:contains("Savings")', run: "click" },
        { trigger: '.dropdown-item:contains("Teller")', run: "click" },
        { trigger: '.modal div[name="member_id"] input', run: "edit Tour Member" },
        { trigger: '.o-autocomplete--dropdown-item a:contains("Tour Member")', run: "click" },
        { trigger: '.modal div[name="account_id"] input:value("TFS")' },
    ];
}

registry.category("web_tour.tours").add("sacco_teller_deposit_withdraw", {
    url: "/odoo/action-sacco_base.sacco_member_action",
    steps: () => [
        ...openTeller(),
        { trigger: '.modal div[name="amount"] input', run: "edit 2500" },
        { trigger: '.modal button[name="action_post"]', run: "click" },
        { trigger: "body:not(:has(.modal))" },
        { trigger: ".o_report_iframe, .o_notification" },
        ...openTeller(),
        { trigger: '.modal div[name="operation"] input[data-value="withdrawal"]', run: "click" },
        { trigger: '.modal div[name="balance"]:contains("2,500")' },
        { trigger: '.modal div[name="amount"] input', run: "edit 1000" },
        { trigger: '.modal button[name="action_post"]', run: "click" },
        { trigger: "body:not(:has(.modal))" },
        { trigger: ".o_report_iframe, .o_notification" },
    ],
});
