/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sacco_ussd_simulator_balance", {
    steps: () => [
        { trigger: ".o_sacco_ussd_dial:enabled" },
        { trigger: ".o_sacco_ussd_phone", run: "edit +254712999888" },
        { trigger: ".o_sacco_ussd_dial", run: "click" },
        { trigger: '.o_sacco_ussd_reply:contains("Enter your PIN")' },
        { trigger: ".o_sacco_ussd_entry", run: "edit 4826" },
        { trigger: ".o_sacco_ussd_send", run: "click" },
        { trigger: '.o_sacco_ussd_reply:contains("Main menu")' },
        { trigger: ".o_sacco_ussd_entry", run: "edit 1" },
        { trigger: ".o_sacco_ussd_send", run: "click" },
        { trigger: '.o_sacco_ussd_reply:contains("Balances (KES")' },
        { trigger: '.o_sacco_ussd_reply:contains("Test FOSA")' },
        { trigger: ".o_sacco_ussd_entry", run: "edit 00" },
        { trigger: ".o_sacco_ussd_send", run: "click" },
        { trigger: ".o_sacco_ussd_entry", run: "edit 0" },
        { trigger: ".o_sacco_ussd_send", run: "click" },
        { trigger: '.o_sacco_ussd_reply:contains("Thank you for banking with us")' },
    ],
});
