"""Benchmark: the members' API over HTTP against a running Odoo with 2 workers, beside
``/web/health`` in the same run.

    BENCH_CONNECTIONS=2 python3 bench/bench_mobile_api.py -n 1000

Signs a member in through ``POST /auth/login``, then sends ``n`` requests over
``BENCH_CONNECTIONS`` keep-alive connections to each of ``GET /web/health``,
``GET /api/mobile/accounts`` and ``GET /api/mobile/accounts/{id}/mini-statement``, and
prints p50/p90 latency, requests per second and the p90 ratio to ``/web/health``
(target: at most 3x at 2 connections). Every API request is authenticated (JWT checked,
session looked up), rate-limited and written to the audit trail, as in production.
"""

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from bench_mpesa import free_port, start_server
from bench_savings import setup_members
from common import environment, parse_args, registry_for

PIN, DEVICE = "2580", "bench-device-0001"


def prepare(env):
    """One member with app credentials on a trusted device and a few transactions."""
    fosa_accounts, _employer = setup_members(env, 5)
    account = fosa_accounts[0]
    cash = env["account.journal"].search(
        [("type", "=", "cash"), ("company_id", "=", env.company.id)], limit=1
    )
    for amount in (1500, 2500, 700, 1200, 900, 3000):
        account.deposit(amount, journal=cash)
    member = account.member_id
    api = env["sacco.mobile.api"]
    api._credential(member)._set_pin(PIN)
    api._device(member, DEVICE)._trust()
    params = env["ir.config_parameter"]
    params.set_param("sacco_mobile_api.rate_per_minute", 10**9)
    params.set_param("sacco_mobile_api.access_ttl_minutes", 15)
    env.ref("sacco_mobile_api.fastapi_endpoint_mobile")._handle_registry_sync()
    return member.phone, account.id


def measure(url, n, connections, headers=None):
    local = threading.local()

    def get(_index):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        start = time.perf_counter()
        response = local.session.get(url, headers=headers, timeout=30)
        response.raise_for_status()
        return time.perf_counter() - start

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(get, range(min(n // 10, 50))))  # warm-up: workers, caches, connections
        start = time.perf_counter()
        latencies = list(pool.map(get, range(n)))
        elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"p50": q[49] * 1000, "p90": q[89] * 1000, "rps": n / elapsed}


def main():
    args = parse_args("The members' API over HTTP beside /web/health", 1000)
    connections = int(os.environ.get("BENCH_CONNECTIONS", "2"))
    args.modules = "sacco_mobile_api"
    registry = registry_for(args)
    with environment(registry) as env:
        phone, account_id = prepare(env)
    port = free_port()
    server = start_server(args, port)
    base = f"http://127.0.0.1:{port}"
    try:
        login = requests.post(
            f"{base}/api/mobile/auth/login",
            json={"phone": phone, "pin": PIN, "device_id": DEVICE},
            timeout=30,
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        results = {
            "GET /web/health": measure(f"{base}/web/health", args.n, connections),
            "GET /api/mobile/accounts": measure(
                f"{base}/api/mobile/accounts", args.n, connections, auth
            ),
            "GET /api/mobile/accounts/{id}/mini-statement": measure(
                f"{base}/api/mobile/accounts/{account_id}/mini-statement",
                args.n,
                connections,
                auth,
            ),
        }
    finally:
        server.terminate()
        server.wait(60)
    health = results["GET /web/health"]["p90"]
    print(f"{args.n} requests per endpoint over {connections} connections, 2 workers")
    for name, r in results.items():
        print(
            f"{name}: p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, {r['rps']:.0f} req/s, "
            f"p90 / health p90 = {r['p90'] / health:.2f}"
        )


if __name__ == "__main__":
    main()
