"""Fuzz the members' API against its own OpenAPI document with schemathesis.

    python3 bench/fuzz_mobile_api.py --base-url http://127.0.0.1:8069 -n 50

Against a running Odoo with the demo data (member 01 uses the app with PIN 2580 on device
``demo-pixel-7-0001``): signs in through ``POST /auth/login`` and runs schemathesis on
every operation of ``/api/mobile/openapi.json`` but sign-in's with that bearer token,
checking that no response is a 5xx and that every response (errors included) matches the
document. Random PINs lock the member after three wrong ones (as they should), so the
operations that take a PIN run in a second pass; unlock the member afterwards (member
form, *Unlock App*). Raise ``sacco_mobile_api.rate_per_minute`` and
``auth_rate_per_minute`` for the run, or many answers are 429s (declared, so they pass).
Exits non-zero when schemathesis found a failure.
"""

import argparse
import subprocess
import sys

import requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8069")
    parser.add_argument("--phone", default="+254717621970", help="the demo member 01")
    parser.add_argument("--pin", default="2580")
    parser.add_argument("--device", default="demo-pixel-7-0001")
    parser.add_argument("-n", "--max-examples", type=int, default=50)
    args = parser.parse_args()
    api = f"{args.base_url}/api/mobile"
    # The operations that take a PIN run last, each pass with a fresh token.
    passes = [
        ["--exclude-path-regex", f"{SIGN_IN}|{STEP_UP}"],
        ["--include-path-regex", STEP_UP],
    ]
    status = 0
    for selection in passes:
        status |= subprocess.call(schemathesis(api, sign_in(api, args), args, selection))
    sys.exit(status)


# The sign-in routes would lock the member with random PINs and end the session.
SIGN_IN = "^/auth/(login|logout|change-pin|reset-pin|verify-otp)$"
STEP_UP = (
    "^/(accounts/transfer|accounts/[^/]+/withdraw|loans/apply|loans/[^/]+/top-up"
    "|loans/guarantee-requests/.*)$"
)


def sign_in(api, args):
    login = requests.post(
        f"{api}/auth/login",
        json={"phone": args.phone, "pin": args.pin, "device_id": args.device},
        timeout=30,
    )
    if login.status_code != 200:
        sys.exit(f"Sign-in failed ({login.status_code}): {login.text}")
    return login.json()["access_token"]


def schemathesis(api, token, args, selection):
    return [
        "schemathesis",
        "run",
        f"{api}/openapi.json",
        "--url",
        api,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--max-examples",
        str(args.max_examples),
        "--request-timeout",
        "30",
        *selection,
    ]


if __name__ == "__main__":
    main()
