/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function editField(name, value) {
    return { trigger: `.o_form_view div[name="${name}"] input`, run: `edit ${value}` };
}

function pickMany2one(name, value) {
    return [
        { trigger: `div[name="${name}"] input`, run: `edit ${value}` },
        { trigger: `.o-autocomplete--dropdown-item a:contains("${value}")`, run: "click" },
    ];
}

registry.category("web_tour.tours").add("sacco_member_onboarding", {
    url: "/odoo/action-sacco_base.sacco_member_action",
    steps: () => [
        { trigger: ".o_list_button_add", run: "click" },
        editField("name", "Achieng Atieno"),
        editField("id_number", "23456789"),
        editField("kra_pin", "A123456789Z"),
        editField("phone", "0712 555 101"),
        editField("date_of_birth", "05/17/1990"),
        ...pickMany2one("branch_id", "Tour Branch"),
        { trigger: 'a.nav-link:contains("Next of Kin")', run: "click" },
        { trigger: 'div[name="kin_ids"] .o_field_x2many_list_row_add a', run: "click" },
        { trigger: 'div[name="kin_ids"] .o_selected_row div[name="name"] input', run: "edit Otieno Odhiambo" },
        { trigger: 'div[name="kin_ids"] .o_selected_row div[name="phone"] input', run: "edit 0722 000 222" },
        { trigger: 'a.nav-link:contains("KYC Documents")', run: "click" },
        { trigger: 'div[name="document_ids"] .o_field_x2many_list_row_add a', run: "click" },
        {
            trigger: 'div[name="document_ids"] .o_selected_row div[name="document_type_id"] input',
            run: "edit National ID",
        },
        { trigger: '.o-autocomplete--dropdown-item a:contains("National ID")', run: "click" },
        { trigger: 'div[name="document_ids"] .o_selected_row div[name="reference"] input', run: "edit 23456789" },
        ...stepUtils.saveForm(),
        { trigger: 'div[name="document_ids"] .o_data_row button[name="action_verify"]', run: "click" },
        { trigger: 'div[name="document_ids"] .o_data_row:contains("Verified")' },
        { trigger: 'button[name="action_approve"]', run: "click" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        { trigger: '.o_statusbar_status button[aria-checked="true"]:contains("Active")' },
        { trigger: 'div[name="member_number"]:contains("TOUR-00001")' },
    ],
});

registry.category("web_tour.tours").add("sacco_teller_branch_isolation", {
    url: "/odoo/action-sacco_base.sacco_member_action",
    steps: () => [
        { trigger: '.o_list_view .o_data_row:contains("Alpha Member")' },
        { trigger: ".o_list_view:not(:has(.o_data_row:contains('Beta Member')))" },
        { trigger: ".o_searchview_input", run: "edit Beta Member" },
        { trigger: ".o_searchview_input", run: "press Enter" },
        { trigger: ".o_view_nocontent, .o_list_view:not(:has(.o_data_row))" },
    ],
});
