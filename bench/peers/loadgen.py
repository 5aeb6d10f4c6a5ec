#!/usr/bin/env python3
"""One load driver for Sanad and for Request Tracker 5, so their figures are comparable.

Run by hand (not in CI); only the Python standard library is used.

    # Sanad: a running `sanad serve` and an API token for an organization.
    python3 bench/peers/loadgen.py sanad --base http://127.0.0.1:8080 --token "$TOKEN" \
        --requests 1000 --concurrency 1 8 64

    # Request Tracker 5: REST2, as root, with the session cookie of one web login
    # (bench/peers/rt5.sh installs and starts RT and runs this).
    python3 bench/peers/loadgen.py rt --base http://127.0.0.1:8085 --user root \
        --password bench-password-1 --requests 1000 --concurrency 1 8 64

What it measures, per concurrency level: `--requests` ticket creates (Sanad: `POST
/api/v1/tickets` with the same Arabic complaint body `sanad bench api` sends; RT: `POST
/REST/2.0/ticket` into the General queue with the same subject and text), then as many reads of
the tickets just created (Sanad: `GET /api/v1/tickets/{number}`; RT: `GET /REST/2.0/ticket/{id}`).
Each worker is a thread holding one keep-alive connection (reopened if the server closes it).
Before each level, 4 requests per worker warm the connections and are not counted. Throughput is
successful requests divided by the wall-clock time of the level; p50/p99 are client-side latencies
of the successful requests. A request counts as failed on any status other than 201 (create) or
200 (read), or on a connection error; failures are reported, not hidden.

The client is Python threads: it costs CPU on the same machine as the server, and past a few
thousand requests per second it, not the server, is the limit. That is far above what RT reaches,
and for Sanad the Rust driver in `sanad bench api` gives the uncapped figure; docs/performance.md
shows both.
"""

import argparse
import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse

BODY_TEXT = (
    "حاولت الدخول إلى المحاضرة المباشرة في موعدها ولكن الرابط يظهر رسالة خطأ. "
    "أرجو المساعدة في أقرب وقت."
)


def subject(sequence):
    return f"تعذر الدخول إلى المحاضرة المباشرة رقم {sequence}"


class Target:
    """How to create and read one ticket on a given system."""

    def __init__(self, args):
        self.url = urllib.parse.urlsplit(args.base)
        # RT is usually mounted under a web path such as /rt; every request path gets it.
        self.prefix = self.url.path.rstrip("/")
        self.args = args

    def connection(self):
        return http.client.HTTPConnection(self.url.hostname, self.url.port or 80, timeout=120)


class Sanad(Target):
    name = "Sanad"

    def headers(self):
        return {
            "Authorization": f"Bearer {self.args.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def create(self, sequence):
        body = {
            "kind": "complaint",
            "channel": "web_form",
            "subject": subject(sequence),
            "body": BODY_TEXT,
            "category": "live-session-attendance",
            "requester": {
                "name": "متدرب تجريبي",
                "email": f"bench-{sequence % 500}@example.sa",
                "type": "trainee",
            },
        }
        return "POST", "/api/v1/tickets", json.dumps(body).encode(), 201

    def created_id(self, payload):
        return json.loads(payload)["number"]

    def read(self, ticket):
        return "GET", f"/api/v1/tickets/{ticket}", None, 200


class RequestTracker(Target):
    name = "RT5"

    def headers(self):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.args.auth == "basic":
            # RT checks the password with bcrypt (cost 12 by default) on every request, which
            # costs about half a second of CPU; API tokens are bcrypt-hashed the same way.
            credentials = f"{self.args.user}:{self.args.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        else:
            # One web login, then its session cookie on every request: the cheapest way RT
            # authenticates REST2 calls. RT refuses cookie-authenticated writes without an
            # Origin it trusts (its CSRF check), so the request names RT's own origin.
            headers["Cookie"] = self.session_cookie()
            headers["Origin"] = f"{self.url.scheme}://{self.url.netloc}"
        return headers

    def session_cookie(self):
        connection = self.connection()
        form = urllib.parse.urlencode({"user": self.args.user, "pass": self.args.password})
        connection.request(
            "POST",
            self.prefix + "/NoAuth/Login.html?next=bench",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("RT_SID_"):
                connection.close()
                return value.split(";", 1)[0]
        raise SystemExit(f"RT login failed: HTTP {response.status}, no RT_SID cookie")

    def create(self, sequence):
        body = {
            "Queue": self.args.queue,
            "Subject": subject(sequence),
            "Requestor": f"bench-{sequence % 500}@example.sa",
            "Content": BODY_TEXT,
            "ContentType": "text/plain",
        }
        return "POST", "/REST/2.0/ticket", json.dumps(body).encode(), 201

    def created_id(self, payload):
        return str(json.loads(payload)["id"])

    def read(self, ticket):
        return "GET", f"/REST/2.0/ticket/{ticket}", None, 200


def percentile(sorted_values, quantile):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(quantile * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def run_level(target, operation, items, concurrency):
    """Sends one request per item with `concurrency` workers; returns timings and results."""
    lock = threading.Lock()
    position = [0]
    latencies = []
    results = []
    failures = []
    headers = target.headers()

    def worker():
        connection = target.connection()
        while True:
            with lock:
                if position[0] >= len(items):
                    break
                item = items[position[0]]
                position[0] += 1
            method, path, body, expected = operation(item)
            started = time.perf_counter()
            try:
                connection.request(method, target.prefix + path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
                if response.will_close:
                    connection.close()
                    connection = target.connection()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = target.connection()
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
                continue
            elapsed = time.perf_counter() - started
            with lock:
                if status == expected:
                    latencies.append(elapsed)
                    results.append(payload)
                else:
                    failures.append(f"HTTP {status}: {payload[:200]!r}")
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return seconds, latencies, results, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("system", choices=["sanad", "rt"])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", help="Sanad API token")
    parser.add_argument("--user", default="root", help="RT user for basic auth")
    parser.add_argument("--password", help="RT password for basic auth")
    parser.add_argument("--queue", default="General", help="RT queue for new tickets")
    parser.add_argument(
        "--auth",
        choices=["session", "basic"],
        default="session",
        help="RT authentication: a session cookie from one login, or basic auth per request",
    )
    parser.add_argument("--requests", type=int, default=1000, help="creates per level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    args = parser.parse_args()
    if args.system == "sanad" and not args.token:
        parser.error("sanad needs --token")
    if args.system == "rt" and not args.password:
        parser.error("rt needs --password")
    target = Sanad(args) if args.system == "sanad" else RequestTracker(args)

    print(f"| system | operation | concurrency | requests | req/s | p50 ms | p99 ms | failed |")
    print("|---|---|---|---|---|---|---|---|")
    sequence = 0
    any_failed = False
    for concurrency in args.concurrency:
        # Warm-up: opens the connections and fills caches; not counted.
        warm = list(range(10_000_000 + sequence, 10_000_000 + sequence + 4 * concurrency))
        run_level(target, target.create, warm, concurrency)
        items = list(range(sequence, sequence + args.requests))
        sequence += args.requests
        seconds, latencies, payloads, failures = run_level(target, target.create, items, concurrency)
        created = [target.created_id(payload) for payload in payloads]
        report(target.name, "create", concurrency, args.requests, seconds, latencies, failures)
        seconds, latencies, _, read_failures = run_level(target, target.read, created, concurrency)
        report(target.name, "read", concurrency, len(created), seconds, latencies, read_failures)
        any_failed = any_failed or bool(failures or read_failures)
        sys.stdout.flush()
    return 1 if any_failed else 0


def report(name, operation, concurrency, requests, seconds, latencies, failures):
    rate = len(latencies) / seconds if seconds > 0 else 0.0
    print(
        f"| {name} | {operation} | {concurrency} | {requests} | {rate:.0f} "
        f"| {percentile(latencies, 0.50) * 1000:.2f} | {percentile(latencies, 0.99) * 1000:.2f} "
        f"| {len(failures)} |"
    )
    if failures:
        print(f"  first failure: {failures[0]}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
