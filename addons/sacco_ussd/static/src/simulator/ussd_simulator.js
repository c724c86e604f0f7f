/** @odoo-module **/
import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * A phone-shaped USSD simulator: staff pick a channel and a member's phone, dial the
 * service code and walk the real menu through the real gateway route (the same HTTP
 * request a gateway sends), for training, demos and support.
 */
export class UssdSimulator extends Component {
    static template = "sacco_ussd.UssdSimulator";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.state = useState({
            channels: [],
            members: [],
            channelId: false,
            phone: "",
            screen: "",
            inputs: [],
            entry: "",
            sessionId: false,
            open: false,
            busy: false,
        });
        onWillStart(async () => {
            this.state.channels = await this.orm.call("sacco.ussd.channel", "simulator_channels", []);
            this.state.members = await this.orm.searchRead(
                "sacco.member",
                [["state", "=", "active"], ["phone", "!=", false]],
                ["name", "phone", "member_number"],
                { limit: 80, order: "name" }
            );
            this.state.channelId = this.state.channels[0]?.id || false;
            this.state.phone = this.state.members[0]?.phone || "";
        });
    }

    get channel() {
        return this.state.channels.find((c) => c.id === Number(this.state.channelId));
    }

    async dial() {
        this.state.sessionId = `SIM-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
        this.state.inputs = [];
        this.state.open = true;
        await this.request();
    }

    async send() {
        if (!this.state.open || this.state.busy) {
            return;
        }
        this.state.inputs.push(this.state.entry.trim());
        this.state.entry = "";
        await this.request();
    }

    hangUp() {
        this.state.open = false;
        this.state.screen = "";
    }

    async request() {
        const channel = this.channel;
        if (!channel) {
            return;
        }
        this.state.busy = true;
        const text = this.state.inputs.join("*");
        let response;
        if (channel.gateway === "africastalking") {
            const body = new URLSearchParams({
                sessionId: this.state.sessionId,
                serviceCode: channel.service_code,
                phoneNumber: this.state.phone,
                networkCode: "99999",
                text,
            });
            response = await fetch(channel.path, { method: "POST", body });
        } else {
            const input = [channel.extension, text].filter((part) => part !== "").join("*");
            const query = new URLSearchParams({
                SESSIONID: this.state.sessionId,
                USSDCODE: channel.service_code,
                MSISDN: this.state.phone,
                INPUT: input,
            });
            response = await fetch(`${channel.path}?${query}`);
        }
        const reply = await response.text();
        this.state.busy = false;
        this.state.screen = reply.slice(4);
        this.state.open = reply.startsWith("CON ");
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            this.send();
        }
    }
}

registry.category("actions").add("sacco_ussd.simulator", UssdSimulator);
