"""Benchmark: N C2B confirmations posted over HTTP by concurrent clients to a running Odoo
with 2 workers (and its cron worker); the callbacks are acknowledged at once and posted in
batches by the background job.

    BENCH_CLIENTS=20 python3 bench/bench_mpesa.py -n 10000

Prints the acknowledgement latency (p50/p90/p99, after the first 200, which wait while
each worker loads the database's registry) beside that of Odoo's own /web/health
(no database, the floor of an HTTP request to these workers) under the same clients, the
end-to-end posted payments per second, how far the posting lagged behind the last
acknowledgement, and the exactly-once counts: every 50th receipt is delivered twice and
every 20th goes to an unknown account (suspense); received receipts = transactions,
0 doubled. The server serves one database (``-d``, no database list), as in production.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from bench_savings import setup_members
from common import REPO, environment, odoo_options, parse_args, registry_for

MEMBERS = 200
# The first acknowledgements wait while each worker loads the database's registry (a worker
# does that once, when it first serves the database): reported apart from the percentiles.
WARMUP = 200
SHORTCODE = "600100"


def confirmation(index, bill_ref):
    return {
        "TransactionType": "Pay Bill",
        "TransID": f"BN{index:08d}",
        "TransTime": "20261203121325",
        "TransAmount": f"{100 + index % 900}.00",
        "BusinessShortCode": SHORTCODE,
        "BillRefNumber": bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": "",
        "ThirdPartyTransID": "",
        "MSISDN": "2547 ***** 126",
        "FirstName": "BENCH",
        "MiddleName": "",
        "LastName": "",
    }


def deliveries(n, accounts, first=0):
    """Bodies of receipts ``first`` to ``first + n``: each 20th to an unknown account,
    each 50th sent twice."""
    out = []
    for index in range(first, first + n):
        bill_ref = "UNKNOWN-REF" if index % 20 == 19 else accounts[index % len(accounts)]
        body = json.dumps(confirmation(index, bill_ref))
        out.append(body)
        if index % 50 == 49:
            out.append(body)
    return out


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args, port, extra_options=()):
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, "sacco_core"), *sys.path])
    )
    # The console script, not ``-m odoo``: prefork re-runs sys.argv for its gevent process.
    launcher = os.path.join(os.path.dirname(sys.executable), "odoo")
    server = subprocess.Popen(
        [
            launcher,
            "-d",
            args.db,
            f"--http-port={port}",
            f"--gevent-port={free_port()}",
            "--workers=2",
            "--max-cron-threads=1",
            *odoo_options(args),
            *extra_options,
        ],
        env=env,
    )
    for _attempt in range(120):
        try:
            requests.get(f"http://127.0.0.1:{port}/web/login", timeout=2)
            return server
        except requests.RequestException:
            time.sleep(1)
    server.terminate()
    raise SystemExit("Odoo did not start")


def post_all(url, bodies, clients, method="post"):
    local = threading.local()

    def post(body):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        session = local.session
        start = time.perf_counter()
        response = session.request(
            method, url, data=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        response.raise_for_status()
        return time.perf_counter() - start

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(post, bodies))


def percentiles(seconds):
    q = statistics.quantiles(seconds, n=100)
    return f"p50 {q[49] * 1000:.1f} ms, p90 {q[89] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms"


def load():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def backlog(registry, url, bodies, clients):
    """Acknowledge ``bodies`` while the background job is held off (the bench holds the
    lock the job holds while draining, so the acknowledgements wake nothing), then wake
    the job as an acknowledgement would and time it until every payment is posted."""
    from odoo.addons.sacco_mpesa.models.sacco_mpesa_callback import (  # noqa: PLC0415
        DRAINING_LOCK,
        PROCESS_CRON,
    )

    with environment(registry) as env:
        env.cr.execute("SELECT pg_advisory_lock(%s)", [DRAINING_LOCK])
        env.cr.commit()
        latencies = post_all(url, bodies, clients)
        env.cr.execute("SELECT count(*) FROM sacco_mpesa_callback")
        total = env.cr.fetchone()[0]
        env.cr.execute("SELECT pg_advisory_unlock(%s)", [DRAINING_LOCK])
        start = time.perf_counter()
        env.ref(PROCESS_CRON)._trigger()
        env.cr.commit()
        wait_until_processed(env, total)
        return latencies, time.perf_counter() - start


def batch_sizes(env):
    """How the job posted: its batches (one commit each, so one write date each)."""
    env.cr.execute(
        "SELECT count(*), min(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n), max(n) "
        "FROM (SELECT count(*) AS n FROM sacco_mpesa_callback GROUP BY write_date) b"
    )
    count, smallest, median, largest = env.cr.fetchone()
    return f"{count} batches of {smallest} to {largest} callbacks (median {median})"


def wait_until_processed(env, total, timeout=3600):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        env.cr.execute("SELECT count(*) FROM sacco_mpesa_callback WHERE state <> 'pending'")
        if env.cr.fetchone()[0] >= total:
            return
        env.cr.rollback()
        time.sleep(0.1)
    raise SystemExit("The callbacks were not processed in time")


def main():
    args = parse_args("M-Pesa C2B confirmations over HTTP", 10000)
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    args.modules = "sacco_mpesa"
    registry = registry_for(args)
    with environment(registry) as env:
        fosa_accounts, _employer = setup_members(env, MEMBERS)
        config = env["sacco.mpesa.config"].create({"name": "Bench", "shortcode": SHORTCODE})
        token, accounts = config.callback_token, fosa_accounts.mapped("name")
        journal_account = config.journal_id._sacco_money_account("inbound").id
    bodies = deliveries(args.n, accounts)
    port = free_port()
    server = start_server(args, port)
    try:
        base = f"http://127.0.0.1:{port}"
        health = post_all(f"{base}/web/health", [None] * len(bodies), clients, "get")
        url = f"{base}/sacco/mpesa/{token}/c2b/confirmation"
        print(f"load average before posting: {load()}", flush=True)
        start = time.perf_counter()
        latencies = post_all(url, bodies, clients)
        acked = time.perf_counter() - start
        print(f"load average after posting: {load()}", flush=True)
        with environment(registry) as env:
            wait_until_processed(env, len(bodies))
            posted = time.perf_counter() - start
            batches = batch_sizes(env)
        held_acks, drained = backlog(registry, url, deliveries(args.n, accounts, args.n), clients)
        print(f"load average after the backlog: {load()}", flush=True)
        with environment(registry) as env:
            env.cr.execute(
                "SELECT count(*), count(DISTINCT name), sum(amount) FROM sacco_mpesa_transaction"
            )
            transactions, distinct, amount = env.cr.fetchone()
            env.cr.execute("SELECT count(*) FROM sacco_mpesa_callback WHERE duplicate")
            duplicates = env.cr.fetchone()[0]
            env.cr.execute(
                "SELECT coalesce(sum(balance), 0) FROM account_move_line "
                "WHERE account_id = %s AND parent_state = 'posted'",
                [journal_account],
            )
            gl = env.cr.fetchone()[0]
    finally:
        server.terminate()
        server.wait(60)
    print(
        f"deliveries: {len(bodies)} ({args.n} receipts, {len(bodies) - args.n} repeated), "
        f"{clients} concurrent clients"
    )
    print(
        f"ack latency after the first {WARMUP} (while each worker loads the database's "
        f"registry; slowest {max(latencies[:WARMUP]) * 1000:.0f} ms): "
        f"{percentiles(latencies[WARMUP:])}; all acknowledged in {acked:.1f} s"
    )
    print(f"/web/health latency, same clients and count: {percentiles(health)}")
    print(
        f"posted end to end: {args.n} payments in {posted:.1f} s = {args.n / posted:.0f}/s; "
        f"the last posted {posted - acked:.1f} s after the last acknowledgement"
    )
    print(f"the job's batches meanwhile: {batches}")
    print(
        f"the job alone, on a backlog of {args.n} more payments acknowledged while it was held "
        f"off (ack {percentiles(held_acks)}): posted in {drained:.1f} s = "
        f"{args.n / drained:.0f}/s"
    )
    print(
        f"exactly once: received {2 * args.n}, transactions {transactions} ({distinct} distinct), "
        f"duplicates recognised {duplicates}, M-Pesa GL {gl:,.2f} = receipts {amount:,.2f}"
    )


if __name__ == "__main__":
    main()
