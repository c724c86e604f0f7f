#!/usr/bin/env python3
"""Capture the README screenshots (docs/screenshots/*.png) from a served demo database.

    python3 tools/demo_screenshots.py --url http://localhost:8069 --db sacco

Logs in as admin/admin over JSON-RPC, then drives headless Chromium through the DevTools
protocol (websocket-client, which Odoo requires) with that session: each page is opened,
waited for until the web client has rendered it, and captured at 1440x900.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
WIDTH, HEIGHT = 1440, 900
MEMBER = "sacco_base.sacco_member_demo_01"
# What "rendered" means for each kind of page: JavaScript evaluated until true.
READY = {
    "view": "!!document.querySelector('.o_view_controller') && "
    "!document.querySelector('.o_loading_indicator, .o-loading')",
    "report": "document.readyState === 'complete'",
}


class Odoo:
    def __init__(self, url, db, login, password):
        self.url, self.session = url.rstrip("/"), requests.Session()
        self._rpc("/web/session/authenticate", db=db, login=login, password=password)

    def _rpc(self, path, **params):
        reply = self.session.post(
            self.url + path, json={"jsonrpc": "2.0", "params": params}, timeout=60
        ).json()
        if "error" in reply:
            raise RuntimeError(reply["error"]["data"]["message"])
        return reply["result"]

    def call(self, model, method, *args, **kwargs):
        return self._rpc(
            "/web/dataset/call_kw", model=model, method=method, args=list(args), kwargs=kwargs
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        return rows[0]["res_id"]


class Browser:
    def __init__(self, cookie_url, session_id):
        self.profile = tempfile.mkdtemp(prefix="sacco-shots-")
        port = _free_port()
        self.process = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_socket(port), timeout=60)
        self.counter = 0
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Network.setCookie", name="session_id", value=session_id, url=cookie_url)

    @staticmethod
    def _page_socket(port):
        for _ in range(100):
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                return next(p for p in pages if p["type"] == "page")["webSocketDebuggerUrl"]
            except (requests.RequestException, StopIteration):
                time.sleep(0.2)
        raise RuntimeError("Chromium did not start")

    def send(self, method, **params):
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait(self, expression, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.3)
        raise RuntimeError(f"timed out waiting for {expression}")

    def shoot(self, url, path, ready="view", then=None):
        self.send("Page.navigate", url=url)
        time.sleep(1)
        self.wait(READY[ready])
        if then:
            self.wait(f"!!document.querySelector({json.dumps(then)})")
            self.evaluate(f"document.querySelector({json.dumps(then)}).click()")
            time.sleep(1)
            self.wait(READY[ready])
        time.sleep(1.5)  # fonts and charts settle
        # Notifications (e.g. "the page is out of date" after an assets rebuild) cover data.
        self.evaluate("document.querySelectorAll('.o_notification').forEach(n => n.remove())")
        if then:
            self.evaluate("document.querySelector('.o_notebook')?.scrollIntoView()")
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))
        print(f"wrote {path.relative_to(REPO)}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="sacco")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    odoo = Odoo(args.url, args.db, args.login, args.password)
    member = odoo.ref(MEMBER)
    company = odoo.ref("sacco_base.res_company_sacco_demo")
    loan = odoo.call(
        "sacco.loan",
        "search",
        [("company_id", "=", company), ("sasra_class", "=", "substandard")],
        limit=1,
    )[0]
    deposits = odoo.call(
        "sacco.savings.account",
        "search",
        [("member_id", "=", member), ("kind", "=", "bosa_deposit")],
        limit=1,
    )[0]
    statement = odoo.call(
        "sacco.savings.statement",
        "create",
        {"account_id": deposits, "date_from": "2000-01-01"},
    )
    pages = [
        ("members.png", "/odoo/action-sacco_base.sacco_member_action", "view", None),
        ("member_form.png", f"/odoo/action-sacco_base.sacco_member_action/{member}", "view", None),
        (
            "loan_schedule.png",
            f"/odoo/action-sacco_loans.sacco_loan_action/{loan}",
            "view",
            "a.nav-link[name='schedule']",
        ),
        ("aging.png", "/odoo/action-sacco_loans.sacco_loan_aging_report_action", "view", None),
        ("par.png", "/odoo/action-sacco_loans.sacco_loan_portfolio_report_action", "view", None),
        (
            "statement.png",
            f"/report/html/sacco_savings.sacco_savings_statement_report/{statement}",
            "report",
            None,
        ),
    ]
    browser = Browser(args.url, odoo.session.cookies["session_id"])
    try:
        OUT.mkdir(parents=True, exist_ok=True)
        for name, path, ready, then in pages:
            browser.shoot(args.url + path, OUT / name, ready, then)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
