"""Benchmark: a USSD balance request over HTTP against a running Odoo with 2 workers, beside
``/web/health`` on the same server in the same run, at 2 and 20 concurrent connections.

    python3 bench/bench_ussd.py -n 1000

Each measured request is the balance screen of a session already signed in (the gateway
sends ``<PIN>*1``: the engine replays the stored state and renders the member's accounts
and loans). Prints p50/p90 latency and requests/s of both, and their ratio.

``/web/health`` opens no database. The floor under any database route is measured too,
with two bench-only routes (``bench/addons/sacco_bench_floor``, loaded server-wide with
``--load``, never installed): the same POST answered by an ``auth="public"`` route that
runs no query of its own, and by an ``auth="none"`` route that runs ``SELECT 1``.
"""

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from bench_mpesa import free_port, start_server
from bench_savings import setup_members
from common import environment, odoo_options, parse_args, registry_for

MEMBERS = 50
PIN = "4826"
FLOOR_ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")
FLOOR_ROUTES = {
    "floor auth=public": "/sacco/bench/floor/public",
    "floor auth=none": "/sacco/bench/floor/none",
}


def prepare(env):
    members, _employer = setup_members(env, MEMBERS)
    members = env["sacco.member"].search([("name", "like", "Bench Member")])
    cash = env["account.journal"].search(
        [("type", "=", "cash"), ("company_id", "=", env.company.id)], limit=1
    )
    for member in members:
        fosa = member.savings_account_ids.filtered(lambda a: a.kind == "fosa_savings")
        fosa.deposit(5000, journal=cash)
        credential = member._sacco_ussd_credential()
        credential._stage_pin(PIN)
        credential._commit_pin(PIN)
    channel = env["sacco.ussd.channel"].create(
        {"name": "Bench", "service_code": "*384*1#", "session_timeout": 3600}
    )
    return channel.callback_token, members.mapped("phone")


def run(clients, calls):
    """Run ``calls`` (each returns a latency) on ``clients`` threads; latencies, wall time."""
    local = threading.local()

    def call(fn):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return fn(local.session)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(call, calls))
    return latencies, time.perf_counter() - start


def floor_options(args):
    """The Odoo options that add the bench-only floor routes to the server."""
    addons_path = next(opt for opt in odoo_options(args) if opt.startswith("--addons-path="))
    return [f"{addons_path},{FLOOR_ADDONS}", "--load=base,web,sacco_bench_floor"]


def ussd_post(url, session_id, phone, text):
    def post(http):
        start = time.perf_counter()
        response = http.post(
            url,
            data={
                "sessionId": session_id,
                "serviceCode": "*384*1#",
                "phoneNumber": phone,
                "networkCode": "63902",
                "text": text,
            },
            timeout=30,
        )
        elapsed = time.perf_counter() - start
        if not response.text.startswith("CON "):
            raise SystemExit(f"Unexpected reply: {response.text!r}")
        return elapsed

    return post


def health_get(url):
    def get(http):
        start = time.perf_counter()
        http.get(url, timeout=30).raise_for_status()
        return time.perf_counter() - start

    return get


def summary(latencies, seconds):
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49] * 1000, "p90": q[89] * 1000, "rps": len(latencies) / seconds}


def main():
    args = parse_args("USSD balance requests over HTTP", 1000)
    args.modules = "sacco_ussd"
    registry = registry_for(args)
    with environment(registry) as env:
        token, phones = prepare(env)
    port = free_port()
    server = start_server(args, port, floor_options(args))
    base = f"http://127.0.0.1:{port}"
    ussd_url = f"{base}/sacco/ussd/{token}/at"
    try:
        results = {}
        for clients in (2, 20):
            sessions = [(f"bench-{clients}-{i}", phones[i % len(phones)]) for i in range(args.n)]
            # Not measured: each session dials and signs in (the PIN check is its own cost).
            run(clients, [ussd_post(ussd_url, s, p, "") for s, p in sessions])
            run(clients, [ussd_post(ussd_url, s, p, PIN) for s, p in sessions])
            health = summary(*run(clients, [health_get(f"{base}/web/health")] * args.n))
            floors = {
                label: summary(
                    *run(clients, [ussd_post(f"{base}{path}", s, p, "") for s, p in sessions])
                )
                for label, path in FLOOR_ROUTES.items()
            }
            balance = summary(
                *run(clients, [ussd_post(ussd_url, s, p, f"{PIN}*1") for s, p in sessions])
            )
            results[clients] = (balance, health, floors)
    finally:
        server.terminate()
        server.wait(60)
    print(f"{args.n} requests per series, 2 workers, load average {os.getloadavg()[0]:.1f}")
    print("| connections | request | p50 ms | p90 ms | requests/s |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for clients, (balance, health, floors) in results.items():
        for label, figures in (("USSD balance", balance), ("/web/health", health), *floors.items()):
            print(
                f"| {clients} | {label} | {figures['p50']:.1f} | {figures['p90']:.1f} "
                f"| {figures['rps']:.0f} |"
            )
        for label, base_figures in (("/web/health", health), *floors.items()):
            print(
                f"| {clients} | ratio balance / {label} "
                f"| {balance['p50'] / base_figures['p50']:.1f}x "
                f"| {balance['p90'] / base_figures['p90']:.1f}x "
                f"| {balance['rps'] / base_figures['rps']:.2f} |"
            )


if __name__ == "__main__":
    main()
