#!/usr/bin/env python3
"""server.py - the reference central service, for tests and trials (issue 6, point 6).

Serves the API of docs/central-api.md and docs/central-api.yaml over HTTPS on 127.0.0.1,
with the test PKI of make_pki.py, and stores everything it receives in SQLite so a test can
prove what arrived and how often. Python 3.11 standard library only, plus the openssl
command-line tool for Ed25519 signatures (Debian 12's Python has no Ed25519).

Design (server.py: storage, documents, start-up; api.py: the operations; control.py: faults,
rates and the control port; schemas.py: the request schemas)
- One process, two listeners on 127.0.0.1:
    the API:     HTTPS, HTTP/1.1 keep-alive, ThreadingHTTPServer (a thread per connection);
    the control: plain HTTP, for the test only (faults, state, documents; see CONTROL below).
  Stdout's first line is `listening 127.0.0.1:<port>`, the second `control 127.0.0.1:<port>`.
- TLS: the server's certificate chains to the test CA (or, with --wrong-ca, to the unrelated
  CA: the "certificate from the wrong CA" fault). The client certificate is asked for and
  verified against the test CA. As the API says, a missing one is answered in HTTP (401
  certificate_missing), not by aborting the handshake; --require-client-cert makes it a TLS
  refusal instead (a proxy that checks certificates). A certificate from another CA cannot be
  verified, so OpenSSL refuses it in the handshake (the kiosk treats that alert as a 401).
  The handshake runs in the connection's thread, so a stuck client cannot block accept().
- The kiosk id is the single SAN URI urn:bianmin:kiosk:<id> of the verified client
  certificate; anything else is 401 certificate_unknown. With --kiosk given, other ids are
  403 kiosk_unknown; --disabled-kiosk ids are 403 kiosk_disabled.
- Storage: one SQLite database (WAL), one connection behind one lock: the test service is
  not meant to be fast, it is meant to be obviously right. Applications are keyed by
  (kiosk, number), as the API says the centre does until numbers are unique.
- Signed documents: the catalog is the file given (served byte for byte); notices and
  settings are made from it unless given. Signatures are made once per (kind, audience,
  body) with `openssl pkeyutl -sign -rawin` and cached.
- Faults (control POST /faults): for the next N requests whose method and path match the
  given regular expressions: an error status (with Retry-After, with or without a problem
  body), a slow answer, a dropped connection (before, during or after the body, or after the
  request was processed), a truncated answer, malformed JSON. Every request the API sees is
  logged (table requests) with the fault applied to it.

CONTROL (plain HTTP on 127.0.0.1, JSON in and out)
  POST   /faults          {"method": "PATCH", "path": "/files/", "count": 1, "kind": ...}
                          kinds and their members:
                            status     status (e.g. 503), code, retry_after (int or HTTP date),
                                       problem (bool, default true; false: an empty body, as
                                       a proxy would send). The request is not processed.
                            slow       delay_s; stage "before" (default: before reading the
                                       request) or "before_answer" (processed, then wait)
                            drop       stage "before_body" (default), "mid_body" (read
                                       after_bytes of the body, commit them if a PATCH, close),
                                       "after_body" (read it all, process nothing, close),
                                       "after_commit" (process it, then close unanswered)
                            truncate   process it, then send the headers and only part of the
                                       body (Content-Length promises all of it; keep_bytes, default
                                       half), wait stall_s (default 0), close
                            malformed  process it, then answer status (default 200) with a
                                       body that is not JSON
                            signature  a document GET's 200 with a bad Bianmin-Signature: mode
                                       "bad" (default: a bit flipped), "missing", "duplicate"
                                       (two headers), "unknown_key", "wrong_kind",
                                       "wrong_audience" (validly signed for something else)
                          count: how many matching requests (default 1; null: all of them).
                          Answers {"id": n}.
  GET    /faults          the faults still armed;  DELETE /faults: disarm all
  GET    /state           counts: applications, submitted, files, complete_files, submissions,
                          ratings, feedback, usage, heartbeats, requests, tls_failures,
                          faults_applied
  GET    /requests?since=ID  the request log after ID
  PUT    /documents/KIND[?kiosk=ID]  publish a new catalog, notices or settings (the body,
                          byte for byte; settings for one kiosk or, without kiosk, for all)
  POST   /applications/KIOSK/NO/state  {"state": ..., "note": {...}}: a case worker's move

RATES: off by default (a test that sends fast must not meet them by accident); with
--rate-limits the API's reference rates per kiosk: 2 requests a second with bursts of 120,
1 heartbeat per 25 s, 30 GETs an hour per document, 60 status GETs a minute; over one,
429 rate_limited with Retry-After.

Usage: server.py --pki DIR --db FILE [--port N] [--control-port N] [--catalog FILE]
                 [--notices FILE] [--settings FILE] [--wrong-ca] [--require-client-cert]
                 [--kiosk ID]... [--disabled-kiosk ID]... [--rate-limits]
                 [--exit-with-stdin] [--verbose]
"""
import argparse
import base64
import hashlib
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from api import Answer, ApiServer  # noqa: E402
from control import ControlServer, Faults, RateLimits  # noqa: E402

SCHEMA_SQL = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, kiosk TEXT, method TEXT NOT NULL,
    path TEXT NOT NULL, status INTEGER, code TEXT, fault TEXT, bytes_in INTEGER);
CREATE TABLE IF NOT EXISTS applications (
    kiosk TEXT NOT NULL, no TEXT NOT NULL, body TEXT NOT NULL, canon TEXT NOT NULL,
    service TEXT NOT NULL, tracking_token TEXT, state TEXT NOT NULL, note TEXT,
    created_at TEXT NOT NULL, received_at TEXT NOT NULL, submitted_at TEXT,
    updated_at TEXT NOT NULL, history TEXT NOT NULL, PRIMARY KEY (kiosk, no));
CREATE TABLE IF NOT EXISTS files (
    kiosk TEXT NOT NULL, no TEXT NOT NULL, file_id TEXT NOT NULL, media_type TEXT NOT NULL,
    size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL DEFAULT x'',
    complete INTEGER NOT NULL DEFAULT 0, declared_at TEXT NOT NULL,
    PRIMARY KEY (kiosk, no, file_id));
-- One row per application the centre acknowledged; a repeated submit adds none.
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, no TEXT NOT NULL, at TEXT NOT NULL,
    UNIQUE (kiosk, no));
CREATE TABLE IF NOT EXISTS idempotency (
    kiosk TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, canon_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL, answer TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (kiosk, scope, key));
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    body TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    body TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS usage (
    id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    body TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeats (
    id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL);
"""


class Signer:
    """Ed25519 signatures by the openssl CLI, cached: the documents rarely change."""

    def __init__(self, key_path, key_id):
        self.key_path, self.key_id = key_path, key_id
        self.cache, self.lock = {}, threading.Lock()

    def header(self, kind, audience, body):
        msg = b"bianmin-signature-v1\n" + kind.encode() + b"\n" + audience.encode() + b"\n" + body
        digest = hashlib.sha256(msg).digest()
        with self.lock:
            if digest not in self.cache:
                # -rawin signs the message itself (pure Ed25519); a file, not stdin, for 3.0.
                with tempfile.NamedTemporaryFile() as f:
                    f.write(msg)
                    f.flush()
                    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                                          self.key_path, "-in", f.name],
                                         check=True, capture_output=True).stdout
                assert len(sig) == 64
                self.cache[digest] = f"v1;key={self.key_id};sig={base64.b64encode(sig).decode()}"
            return self.cache[digest]


class Documents:
    """The three signed documents: bytes and revision per kind (settings per kiosk)."""

    def __init__(self, catalog_path, notices_path, settings_path):
        with open(catalog_path, "rb") as f:
            catalog = f.read()
        c = json.loads(catalog)
        self.lock = threading.Lock()
        self.docs = {"catalog": catalog}
        if notices_path:
            with open(notices_path, "rb") as f:
                self.docs["notices"] = f.read()
        else:
            self.docs["notices"] = json.dumps(
                {"format": "bianmin-notices", "format_version": 1, "revision": c["revision"],
                 "published": c["published"], "notices": c.get("notices", [])},
                ensure_ascii=False, separators=(",", ":")).encode()
        if settings_path:
            with open(settings_path, "rb") as f:
                self.docs["settings"] = f.read()
        else:
            # The centre always has a settings document for a kiosk it knows, maybe empty.
            self.docs["settings"] = json.dumps(
                {"format": "bianmin-settings", "format_version": 1, "revision": c["revision"],
                 "published": c["published"], "settings": {}}, separators=(",", ":")).encode()
        self.per_kiosk = {}  # kiosk id -> settings bytes, published through the control port

    def get(self, kind, kiosk):
        with self.lock:
            if kind == "settings" and kiosk in self.per_kiosk:
                body = self.per_kiosk[kiosk]
            else:
                body = self.docs[kind]
        revision = json.loads(body).get("revision", "")
        return body, revision

    def publish(self, kind, body, kiosk=None):
        json.loads(body)  # must at least be JSON; its rules are the kiosk's to check
        with self.lock:
            if kind == "settings" and kiosk:
                self.per_kiosk[kiosk] = body
            else:
                self.docs[kind] = body


class Store:
    """The SQLite database: one connection, one lock, one transaction per change."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.executescript(SCHEMA_SQL)
        self.lock = threading.RLock()

    def __enter__(self):
        self.lock.acquire()
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        try:
            self.db.execute("ROLLBACK" if exc_type and not issubclass(exc_type, Answer)
                            else "COMMIT")
        finally:
            self.lock.release()

    def query(self, sql, args=()):
        with self.lock:
            return self.db.execute(sql, args).fetchall()


class Centre:
    """What both listeners share."""

    def __init__(self, args):
        self.args = args
        self.store = Store(args.db)
        self.faults = Faults()
        self.docs = Documents(args.catalog, args.notices, args.settings)
        self.signer = Signer(os.path.join(args.pki, "signing.key"), self.key_id(args.pki))
        self.rates = RateLimits() if args.rate_limits else None
        self.in_progress, self.in_progress_lock = set(), threading.Lock()
        self.tls_failures = 0

    @staticmethod
    def key_id(pki):
        with open(os.path.join(pki, "signing.keys"), encoding="ascii") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    return line.split()[0]
        raise SystemExit("server: no key in signing.keys")

    def services(self):
        body, _ = self.docs.get("catalog", None)
        return {s["id"] for s in json.loads(body).get("services", [])}


# ---------------------------------------------------------------------------------- start-up


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    name = "wrong-server" if args.wrong_ca else "server"
    ctx.load_cert_chain(os.path.join(args.pki, name + ".crt"), os.path.join(args.pki, name + ".key"))
    ctx.load_verify_locations(os.path.join(args.pki, "ca.pem"))
    # OPTIONAL: ask for the certificate, verify one that comes, answer a missing one in HTTP.
    ctx.verify_mode = ssl.CERT_REQUIRED if args.require_client_cert else ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="The reference central service (tests and trials).")
    ap.add_argument("--pki", required=True, help="directory made by make_pki.py")
    ap.add_argument("--db", required=True, help="SQLite database (created if missing)")
    ap.add_argument("--port", type=int, default=0, help="API port (0: any free port)")
    ap.add_argument("--control-port", type=int, default=0, help="control port (0: any free port)")
    ap.add_argument("--catalog", default=os.path.join(here, "..", "..", "config", "catalog.json"))
    ap.add_argument("--notices", help="notices document (default: made from the catalog's notices)")
    ap.add_argument("--settings", help="settings document for every kiosk (default: empty settings)")
    ap.add_argument("--wrong-ca", action="store_true",
                    help="present the certificate of the unrelated CA (a fault)")
    ap.add_argument("--require-client-cert", action="store_true",
                    help="refuse a client without a certificate in TLS instead of with a 401")
    ap.add_argument("--kiosk", action="append", default=[],
                    help="kiosk ids the centre knows (default: any with a valid certificate)")
    ap.add_argument("--disabled-kiosk", action="append", default=[], help="403 kiosk_disabled")
    ap.add_argument("--rate-limits", action="store_true",
                    help="enforce the API's per-kiosk rates (429 rate_limited)")
    ap.add_argument("--exit-with-stdin", action="store_true",
                    help="exit when stdin reaches its end (a test's pipe: its death ends us)")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args()

    centre = Centre(args)
    api = ApiServer(("127.0.0.1", args.port), centre, tls_context(args))
    control = ControlServer(("127.0.0.1", args.control_port), centre)
    print(f"listening 127.0.0.1:{api.server_address[1]}", flush=True)
    print(f"control 127.0.0.1:{control.server_address[1]}", flush=True)

    threading.Thread(target=control.serve_forever, daemon=True).start()
    if args.exit_with_stdin:
        # A test killed by CTest's timeout cannot stop us; its end closes our stdin instead.
        def watch_stdin():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    # SIGTERM ends serve_forever from another thread (shutdown() would deadlock in this one).
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=api.shutdown).start())
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass
    control.shutdown()


if __name__ == "__main__":
    main()
