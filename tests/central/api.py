"""api.py - the API side of the reference central service: one handler for every operation.

ApiHandler serves docs/central-api.yaml's operations for one connection (HTTP/1.1
keep-alive, after the TLS handshake ApiServer did in the connection's thread). Each request
goes through dispatch(): the fault armed for it (if any), the kiosk from the certificate,
then the operation, which ends by raising or returning an Answer. Errors are problem+json
with the API's codes. What the centre stores goes through the Centre's Store (server.py).
"""
import base64
import datetime
import gzip
import hashlib
import http.server
import json
import re
import socket
import sqlite3
import ssl
import sys
import time
import urllib.parse
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import schemas  # noqa: E402

KIB, MIB = 1024, 1024 * 1024
JSON_MAX = 256 * KIB
PATCH_MAX = 4 * MIB
FILE_MAX = 10 * MIB
APP_FILES_MAX = 64
APP_BYTES_MAX = 50 * MIB
DISCARD_MAX = 64 * MIB  # a refused body up to this size is read and dropped, not reset
IDEM_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
KIOSK_URI = re.compile(r"^urn:bianmin:kiosk:([A-Za-z0-9_-]{1,32})$")
APP_NO = re.compile(r"^BM([0-9]{6})?[0-9]{14}$")
FILE_ID = re.compile(r"^([a-z][a-z0-9_]{0,31})-([1-9]|1[0-9]|20)$")

TITLES = {
    "bad_request": "Bad request",
    "certificate_missing": "No client certificate",
    "certificate_unknown": "Client certificate not recognised",
    "certificate_expired": "Client certificate expired",
    "certificate_revoked": "Client certificate revoked",
    "kiosk_disabled": "This kiosk is disabled",
    "kiosk_unknown": "Unknown kiosk",
    "not_found": "Not found",
    "application_unknown": "No application under this number",
    "file_unknown": "No such file declared",
    "conflict": "Already exists with a different body",
    "already_submitted": "The application was submitted",
    "offset_mismatch": "Upload-Offset is not the committed offset",
    "upload_incomplete": "A declared file is not complete",
    "idempotency_in_progress": "A request with this Idempotency-Key is in progress",
    "application_purged": "The application was purged",
    "api_retired": "API version retired",
    "too_large": "Over a size limit",
    "application_too_large": "Application over its limits",
    "unsupported_media_type": "Unsupported media type",
    "validation_failed": "The body breaks the schema",
    "files_missing": "The files are not one per page of each material",
    "checksum_mismatch": "SHA-256 of the uploaded file does not match its declaration",
    "idempotency_key_reused": "Idempotency-Key reused with a different body",
    "rate_limited": "Too many requests from this kiosk",
    "internal_error": "Internal error",
    "upstream_unavailable": "Upstream unavailable",
    "maintenance": "Central service under maintenance",
    "overloaded": "Central service overloaded",
    "method_not_allowed": "Method not allowed",
}
DEFAULT_CODE = {400: "bad_request", 401: "certificate_unknown", 403: "kiosk_disabled",
                404: "not_found", 408: "request_timeout", 409: "conflict", 410: "api_retired",
                413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
                429: "rate_limited", 500: "internal_error", 502: "upstream_unavailable",
                503: "maintenance", 504: "upstream_unavailable"}

def now():
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def canon(value):
    """The same JSON value gives the same text: member order and spacing do not matter."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def id_check_digit_ok(number):
    """GB 11643: the 18th character of a resident ID number from the first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(number[:17], weights))
    return "10X98765432"[total % 11] == number[17]


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


class Answer(Exception):
    """An answer to send; raised from deep inside a handler to end it (errors mostly)."""

    def __init__(self, status, body=b"", headers=None, ctype="application/json"):
        super().__init__(status)
        self.status, self.body, self.headers, self.ctype = status, body, dict(headers or {}), ctype


def problem(status, code, detail=None, headers=None, **extra):
    p = {"type": f"urn:bianmin:problem:{code}", "title": TITLES.get(code, code),
         "status": status, "code": code}
    if detail:
        p["detail"] = detail
    p.update(extra)
    return Answer(status, json.dumps(p, ensure_ascii=False).encode(), headers,
                  "application/problem+json")


def json_answer(status, value, headers=None):
    return Answer(status, json.dumps(value, ensure_ascii=False).encode(), headers)


class ApiHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the kiosk reuses one connection
    # Headers and body go out in separate writes; with Nagle on, the second waits for the
    # client's delayed ACK (about 40 ms a request), which would make the centre look slow.
    disable_nagle_algorithm = True
    server_version = "bianmin-reference-central/1"
    timeout = 60  # an idle keep-alive connection is closed after this long

    def log_message(self, fmt, *args):
        if self.server.centre.args.verbose:
            sys.stderr.write("central: " + (fmt % args) + "\n")

    # http.server calls do_<METHOD>; everything goes through one dispatcher.
    def do_GET(self):
        self.dispatch()

    do_HEAD = do_PUT = do_PATCH = do_POST = do_DELETE = do_GET

    def dispatch(self):
        centre = self.server.centre
        self.url_path = urllib.parse.urlsplit(self.path).path
        self.kiosk, self.bytes_in, self.body_read, self.answered_delay = None, 0, False, False
        self.logged = False
        fault = centre.faults.take(self.command, self.url_path)
        self.fault = fault
        status, code = None, None
        try:
            # Who it is, first, so that the log names the kiosk even of a faulted request; a
            # refusal of the certificate waits until the faults had their turn.
            try:
                self.kiosk, refused = self.identify(), None
            except Answer as a:
                refused = a
            if fault and fault["kind"] == "slow" and fault.get("stage", "before") == "before":
                time.sleep(float(fault.get("delay_s", 1)))
            if fault and fault["kind"] == "drop" and fault.get("stage", "before_body") == "before_body":
                return self.drop()
            if fault and fault["kind"] == "drop" and fault.get("stage") == "after_body":
                self.read_body(limit=None, discard=True)
                return self.drop()
            if fault and fault["kind"] == "status":
                self.read_body(limit=None, discard=True)
                raise self.fault_status(fault)
            if refused:
                raise refused
            wait = centre.rates.wait_s(self.kiosk, self.command, self.url_path) if centre.rates else 0
            if wait:
                self.discard_body()
                raise problem(429, "rate_limited", "over this kiosk's rate",
                              {"Retry-After": str(wait)}, retry_after=wait)
            raise self.route()
        except Answer as a:
            if fault and fault["kind"] == "drop" and fault.get("stage") in ("after_commit", "mid_body"):
                return self.drop()
            self.wait_before_answer()
            status, code = a.status, self.code_of(a)
            self.log_request_row(status, code)
            self.send(a)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:  # a bug here must show in the test, as a 500 and a log line
            sys.stderr.write(f"central: {self.command} {self.url_path}: {e!r}\n")
            status, code = 500, "internal_error"
            self.log_request_row(status, code)
            self.send(problem(500, "internal_error", type(e).__name__))
        finally:
            self.log_request_row(status, code)

    def wait_before_answer(self):
        f = self.fault
        if f and f["kind"] == "slow" and f.get("stage") == "before_answer" and not self.answered_delay:
            self.answered_delay = True
            time.sleep(float(f.get("delay_s", 1)))

    @staticmethod
    def code_of(a):
        if a.ctype == "application/problem+json":
            try:
                return json.loads(a.body).get("code")
            except ValueError:
                pass
        return None

    def log_request_row(self, status, code):
        """Logs this request once, before its answer (or its drop) reaches the client: a test
        that reads the log right after its answer must find the row there."""
        if self.logged:
            return
        self.logged = True
        f = self.fault
        fault = None if not f else f["kind"] + (":" + str(f.get("status") or f.get("stage") or "")).rstrip(":")
        try:
            with self.server.centre.store as db:
                db.execute("INSERT INTO requests (at, kiosk, method, path, status, code, fault, bytes_in)"
                           " VALUES (?,?,?,?,?,?,?,?)",
                           (now(), self.kiosk, self.command, self.url_path, status, code, fault,
                            self.bytes_in))
        except sqlite3.Error as e:
            sys.stderr.write(f"central: request log: {e}\n")

    def drop(self):
        """Closes the connection without a byte of answer."""
        self.log_request_row(None, None)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def fault_status(self, f):
        status = f["status"]
        headers = {}
        if f.get("retry_after") is not None:
            headers["Retry-After"] = str(f["retry_after"])
        if not f.get("problem", True):
            return Answer(status, b"", headers, ctype=None)
        code = f.get("code") or DEFAULT_CODE.get(status, "internal_error")
        extra = {}
        if isinstance(f.get("retry_after"), int):
            extra["retry_after"] = f["retry_after"]
        return problem(status, code, f.get("detail", "injected by the test"), headers, **extra)

    # --- sending -------------------------------------------------------------------------

    def send(self, a):
        body, headers = a.body, dict(a.headers)
        f = self.fault
        if f and f["kind"] == "malformed":
            a.status = int(f.get("status", 200))
            body = b'{"state": "received", "application_no": "BM2026'  # cut short: not JSON
            a.ctype = "application/json"
        if (body and self.command != "HEAD" and len(body) >= 1024
                and "gzip" in self.headers.get("Accept-Encoding", "")
                and not (f and f["kind"] == "truncate")):
            body = gzip.compress(body, 6)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.send_response(a.status)
        if a.ctype and (body or self.command == "HEAD") and a.status not in (204, 304):
            self.send_header("Content-Type", a.ctype +
                             ("; charset=utf-8" if a.ctype.endswith("json") else ""))
        for k, v in headers.items():
            for one in v if isinstance(v, list) else [v]:
                self.send_header(k, one)
        if a.status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD" or a.status in (204, 304):
            return
        if f and f["kind"] == "truncate":
            # Content-Length promised all of it; send a part and hang up.
            keep = int(f.get("keep_bytes", len(body) // 2))
            self.wfile.write(body[:keep])
            self.wfile.flush()
            # stall_s: hold the half-sent answer open first (a line that stops moving).
            time.sleep(float(f.get("stall_s", 0)))
            self.drop()
            return
        self.wfile.write(body)

    # --- the request ---------------------------------------------------------------------

    def identify(self):
        """The kiosk id from the client certificate (central-api.md, "Ground rules")."""
        cert = self.connection.getpeercert()
        if not cert:
            raise problem(401, "certificate_missing", "no client certificate was presented")
        uris = [v for k, v in cert.get("subjectAltName", ()) if k == "URI"]
        m = KIOSK_URI.match(uris[0]) if len(uris) == 1 else None
        if not m:
            raise problem(401, "certificate_unknown",
                          "the certificate needs exactly one SAN URI urn:bianmin:kiosk:<id>")
        kiosk = m.group(1)
        args = self.server.centre.args
        if kiosk in args.disabled_kiosk:
            raise problem(403, "kiosk_disabled", f"{kiosk} is disabled")
        if args.kiosk and kiosk not in args.kiosk:
            raise problem(403, "kiosk_unknown", f"no record of {kiosk}")
        return kiosk

    def read_body(self, limit, discard=False, partial_ok=False):
        """The request body (Content-Length or chunked), at most limit bytes on the wire.

        Over the limit: 413 too_large, and the connection is closed rather than read to the
        end. partial_ok: a connection that drops mid-body gives what arrived (PATCH keeps it);
        else the drop ends the request. A mid_body drop fault stops reading after after_bytes.
        """
        if self.body_read:
            return b""
        self.body_read = True
        te = self.headers.get("Transfer-Encoding", "").lower()
        cl = self.headers.get("Content-Length")
        f = self.fault
        stop = int(f.get("after_bytes", 0)) if f and f["kind"] == "drop" and f.get("stage") == "mid_body" else None
        if te == "chunked":
            return self.read_chunked(limit)
        if cl is None:
            return b""
        if not cl.isdigit():
            self.close_connection = True
            raise problem(400, "bad_request", "Content-Length is not a number")
        n = int(cl)
        if limit is not None and n > limit:
            self.discard_body()
            raise problem(413, "too_large", f"{n} bytes; limit {limit}")
        want = n if stop is None else min(n, stop)
        chunks, got = [], 0
        while got < want:
            try:
                c = self.rfile.read(min(64 * KIB, want - got))
            except (ConnectionError, TimeoutError, ssl.SSLError):
                c = b""
            if not c:
                break
            if not discard:
                chunks.append(c)
            got += len(c)
        self.bytes_in = got
        if got < n:
            self.close_connection = True
            self.short_body = True
            if not partial_ok and stop is None:
                raise ConnectionError("the client went away mid-body")
        else:
            self.short_body = False
        return b"".join(chunks)

    def discard_body(self):
        """Reads a body we refuse and throws it away, so the answer reaches the client.

        Closing a TLS connection with unread bytes in the receive buffer makes the kernel send
        a reset, which can destroy the answer before the client reads it. Past DISCARD_MAX we
        close anyway (and the client may then see the reset instead of the refusal).
        """
        self.body_read = False
        cl = self.headers.get("Content-Length", "0")
        if cl.isdigit() and int(cl) <= DISCARD_MAX:
            try:
                self.read_body(limit=None, discard=True)
            except ConnectionError:
                pass
        else:
            self.body_read = True
            self.close_connection = True

    def read_chunked(self, limit):
        data = bytearray()
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise problem(400, "bad_request", "malformed chunked body")
            if size == 0:
                while self.rfile.readline(1000).strip():
                    pass
                break
            if limit is not None and len(data) + size > limit:
                self.close_connection = True
                raise problem(413, "too_large", f"body over {limit} bytes")
            data += self.rfile.read(size)
            self.rfile.readline(10)
        self.bytes_in, self.short_body = len(data), False
        return bytes(data)

    def json_body(self, schema):
        """Reads, decodes (gzip) and checks a JSON request body."""
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        enc = self.headers.get("Content-Encoding", "identity").strip().lower()
        raw = self.read_body(JSON_MAX)
        if enc not in ("identity", "gzip"):
            raise problem(415, "unsupported_media_type", f"Content-Encoding {enc}")
        if enc == "gzip":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                raw = d.decompress(raw, JSON_MAX + 1)
            except zlib.error:
                raise problem(400, "bad_request", "Content-Encoding gzip: not gzip")
            if len(raw) > JSON_MAX:
                raise problem(413, "too_large", f"over {JSON_MAX} bytes once decoded")
        if not raw and schema is schemas.SUBMIT:
            return {}, b""
        if ctype != "application/json":
            raise problem(415, "unsupported_media_type", "a JSON body needs Content-Type: application/json")
        try:
            value = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
        except (UnicodeDecodeError, ValueError) as e:
            raise problem(400, "bad_request", f"not JSON: {e}")
        errors = schemas.validate(schema, value)
        if errors:
            raise problem(422, "validation_failed", f"{len(errors)} problem(s)", errors=errors)
        return value, raw

    # --- routing -------------------------------------------------------------------------

    ROUTES = [
        (re.compile(r"^/v1/(catalog|notices|settings)$"), {"GET": "document"}),
        (re.compile(r"^/v1/applications/([^/]+)$"), {"PUT": "put_application", "GET": "get_application"}),
        (re.compile(r"^/v1/applications/([^/]+)/files/([^/]+)$"),
         {"PUT": "declare_file", "HEAD": "file_offset", "PATCH": "append_file"}),
        (re.compile(r"^/v1/applications/([^/]+)/submit$"), {"POST": "submit"}),
        (re.compile(r"^/v1/(ratings|feedback|usage)$"), {"POST": "report"}),
        (re.compile(r"^/v1/heartbeat$"), {"POST": "heartbeat"}),
    ]

    def route(self):
        for pattern, methods in self.ROUTES:
            m = pattern.match(self.url_path)
            if m:
                if self.command not in methods:
                    self.read_body(JSON_MAX, discard=True)
                    return problem(405, "method_not_allowed", f"{self.command} {self.url_path}",
                                   {"Allow": ", ".join(methods)})
                return getattr(self, methods[self.command])(*m.groups())
        if not self.url_path.startswith("/v1/") and re.match(r"^/v[0-9]+/", self.url_path):
            return problem(410, "api_retired", "this service speaks v1 only")
        self.read_body(JSON_MAX, discard=True)
        return problem(404, "not_found")

    # --- signed documents ----------------------------------------------------------------

    def document(self, kind):
        centre = self.server.centre
        body, revision = centre.docs.get(kind, self.kiosk)
        audience = self.kiosk if kind == "settings" else "*"
        etag = f'"{kind}-{self.kiosk}-{revision}"' if kind == "settings" else f'"{kind}-{revision}"'
        inm = self.headers.get("If-None-Match")
        if inm and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
            return Answer(304, b"", {"ETag": etag, "Cache-Control": "no-cache"})
        sig = centre.signer.header(kind, audience, body)
        f = self.fault
        if f and f["kind"] == "signature":
            sig = self.bad_signature(f.get("mode", "bad"), sig, kind, audience, body)
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if sig is not None:
            headers["Bianmin-Signature"] = sig
        return Answer(200, body, headers)

    def bad_signature(self, mode, sig, kind, audience, body):
        """The signature faults, one per rejection the kiosk must make (central-api.md)."""
        signer = self.server.centre.signer
        if mode == "missing":
            return None
        if mode == "duplicate":
            return [sig, sig]  # exactly one header is allowed
        if mode == "unknown_key":
            return sig.replace(f"key={signer.key_id};", "key=no-such-key;")
        if mode == "wrong_kind":  # a valid signature, for another kind of document
            return signer.header("notices" if kind != "notices" else "catalog", audience, body)
        if mode == "wrong_audience":  # a valid signature, for another kiosk (or for all)
            return signer.header(kind, "*" if audience != "*" else "OTHER-KIOSK", body)
        raw = bytearray(base64.b64decode(sig.split(";sig=")[1]))
        raw[0] ^= 1  # "bad": one bit of the signature flipped
        return sig.split(";sig=")[0] + ";sig=" + base64.b64encode(bytes(raw)).decode()

    # --- applications --------------------------------------------------------------------

    def check_no(self, no):
        if not APP_NO.match(no):
            self.read_body(JSON_MAX, discard=True)
            raise problem(400, "bad_request", "the application number does not match its pattern")

    def app_row(self, db, no):
        r = db.execute("SELECT no, service, state, note, created_at, received_at, submitted_at,"
                       " updated_at, history, body FROM applications WHERE kiosk=? AND no=?",
                       (self.kiosk, no)).fetchone()
        return r

    def files_of(self, db, kiosk, no):
        rows = db.execute("SELECT file_id, media_type, size, sha256, length(data), complete"
                          " FROM files WHERE kiosk=? AND no=? ORDER BY declared_at, file_id",
                          (kiosk, no)).fetchall()
        return [self.file_resource(r) for r in rows]

    @staticmethod
    def file_resource(r):
        return {"file_id": r[0], "media_type": r[1], "size": r[2], "sha256": r[3],
                "upload_offset": r[4], "complete": bool(r[5])}

    def app_resource(self, db, kiosk, no, with_files=True):
        r = db.execute("SELECT no, service, state, note, created_at, received_at, submitted_at,"
                       " updated_at, history FROM applications WHERE kiosk=? AND no=?",
                       (kiosk, no)).fetchone()
        res = {"application_no": r[0], "service": r[1], "state": r[2], "created_at": r[4],
               "received_at": r[5], "updated_at": r[7], "history": json.loads(r[8])}
        if r[6]:
            res["submitted_at"] = r[6]
        if r[3]:
            res["note"] = json.loads(r[3])
        if with_files:
            res["files"] = self.files_of(db, kiosk, no)
        return res

    def put_application(self, no):
        self.check_no(no)
        value, raw = self.json_body(schemas.APPLICATION)
        if value["application_no"] != no:
            raise problem(422, "validation_failed", "application_no differs from the path",
                          errors=[{"path": "$.application_no", "message": "differs from the path"}])
        number = value["applicant"].get("id_number", "")
        if (len(number) == 18 and number[:17].isdigit()
                and value["applicant"].get("card_type", "resident") == "resident"
                and not id_check_digit_ok(number)):
            raise problem(422, "validation_failed", "resident ID number check digit",
                          errors=[{"path": "$.applicant.id_number",
                                   "message": "the check digit does not match (GB 11643)"}])
        if value["service"] not in self.server.centre.services():
            raise problem(422, "validation_failed", "unknown service",
                          errors=[{"path": "$.service",
                                   "message": f"{value['service']!r} is not a service of the catalog"}])
        c = canon(value)
        with self.server.centre.store as db:
            r = db.execute("SELECT canon FROM applications WHERE kiosk=? AND no=?",
                           (self.kiosk, no)).fetchone()
            if r is not None:
                if r[0] != c:
                    raise problem(409, "conflict", f"{no} exists with different content; nothing was changed.")
                return json_answer(200, self.app_resource(db, self.kiosk, no))
            t = now()
            db.execute("INSERT INTO applications (kiosk, no, body, canon, service, tracking_token,"
                       " state, created_at, received_at, updated_at, history)"
                       " VALUES (?,?,?,?,?,?,'open',?,?,?,?)",
                       (self.kiosk, no, raw.decode("utf-8"), c, value["service"],
                        value.get("tracking_token"), value["created_at"], t, t,
                        json.dumps([{"state": "open", "at": t}])))
            return json_answer(201, self.app_resource(db, self.kiosk, no),
                               {"Location": f"/v1/applications/{no}"})

    def get_application(self, no):
        self.check_no(no)
        self.read_body(JSON_MAX, discard=True)
        token = self.headers.get("Bianmin-Tracking-Token")
        headers = {"Cache-Control": "no-store"}
        with self.server.centre.store as db:
            if db.execute("SELECT 1 FROM applications WHERE kiosk=? AND no=?",
                          (self.kiosk, no)).fetchone():
                return json_answer(200, self.app_resource(db, self.kiosk, no), headers)
            if token:
                # Another kiosk's application, found by its token; never an open one (only its
                # kiosk sees that), never its files.
                r = db.execute("SELECT kiosk FROM applications WHERE no=? AND tracking_token=?"
                               " AND state != 'open'", (no, token)).fetchone()
                if r:
                    return json_answer(200, self.app_resource(db, r[0], no, with_files=False), headers)
        # 404, never 403: the answer must not confirm that a number exists.
        return problem(404, "not_found")

    def need_app(self, db, no):
        r = db.execute("SELECT state, body FROM applications WHERE kiosk=? AND no=?",
                       (self.kiosk, no)).fetchone()
        if r is None:
            raise problem(404, "application_unknown", no)
        return r

    def check_file_id(self, file_id):
        if not FILE_ID.match(file_id):
            self.read_body(PATCH_MAX, discard=True)
            raise problem(400, "bad_request", "the file id does not match <material>-<page>")

    def declare_file(self, no, file_id):
        self.check_no(no)
        self.check_file_id(file_id)
        try:
            value, _ = self.json_body(schemas.FILE_DECLARATION)
        except Answer as a:
            errors = json.loads(a.body).get("errors", []) if a.status == 422 else []
            # The API answers a media type not allowed with 415 and a file over 10 MiB with
            # 413 at the declaration, not with the generic 422.
            if any(e["path"] == "$.media_type" for e in errors):
                raise problem(415, "unsupported_media_type", "media_type not allowed")
            if any(e["path"] == "$.size" and e["message"].startswith("more than") for e in errors):
                raise problem(413, "too_large", f"a file is at most {FILE_MAX} bytes")
            raise
        with self.server.centre.store as db:
            state, _ = self.need_app(db, no)
            r = db.execute("SELECT media_type, size, sha256, length(data), complete FROM files"
                           " WHERE kiosk=? AND no=? AND file_id=?", (self.kiosk, no, file_id)).fetchone()
            if r is not None:
                if (r[0], r[1], r[2]) != (value["media_type"], value["size"], value["sha256"]):
                    raise problem(409, "conflict", f"{file_id} was declared with size {r[1]}")
                res = self.file_resource((file_id,) + tuple(r))
                return json_answer(200, res, {"Upload-Offset": str(r[3])})
            if state != "open":
                raise problem(409, "already_submitted", f"{no} was submitted and takes no new files")
            n, total = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM files"
                                  " WHERE kiosk=? AND no=?", (self.kiosk, no)).fetchone()
            if n + 1 > APP_FILES_MAX or total + value["size"] > APP_BYTES_MAX:
                raise problem(413, "application_too_large",
                              f"{n + 1} files, {total + value['size']} bytes; limits "
                              f"{APP_FILES_MAX} files, {APP_BYTES_MAX} bytes")
            db.execute("INSERT INTO files (kiosk, no, file_id, media_type, size, sha256, declared_at)"
                       " VALUES (?,?,?,?,?,?,?)",
                       (self.kiosk, no, file_id, value["media_type"], value["size"],
                        value["sha256"], now()))
            res = {"file_id": file_id, "media_type": value["media_type"], "size": value["size"],
                   "sha256": value["sha256"], "upload_offset": 0, "complete": False}
            return json_answer(201, res, {"Upload-Offset": "0",
                                          "Location": f"/v1/applications/{no}/files/{file_id}"})

    def file_offset(self, no, file_id):
        # HEAD answers carry no body; the status and the headers say it all.
        if not APP_NO.match(no) or not FILE_ID.match(file_id):
            return Answer(400, b"", ctype=None)
        with self.server.centre.store as db:
            r = db.execute("SELECT size, length(data) FROM files WHERE kiosk=? AND no=? AND file_id=?",
                           (self.kiosk, no, file_id)).fetchone()
        if r is None:
            return Answer(404, b"", ctype=None)
        return Answer(200, b"", {"Upload-Offset": str(r[1]), "Upload-Length": str(r[0]),
                                 "Cache-Control": "no-store"}, ctype=None)

    def append_file(self, no, file_id):
        self.check_no(no)
        self.check_file_id(file_id)
        store = self.server.centre.store

        def refuse(a):
            # Nothing is written; the body is read and dropped (see discard_body).
            self.discard_body()
            raise a

        with store as db:
            state, _ = self.need_app(db, no)
            r = db.execute("SELECT size, length(data), complete FROM files WHERE kiosk=? AND no=?"
                           " AND file_id=?", (self.kiosk, no, file_id)).fetchone()
        if r is None:
            refuse(problem(404, "file_unknown", file_id))
        size, committed, complete = r
        if state != "open":
            refuse(problem(409, "already_submitted", f"{no} was submitted",
                           {"Upload-Offset": str(committed)}))
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/offset+octet-stream":
            refuse(problem(415, "unsupported_media_type",
                           "PATCH needs Content-Type: application/offset+octet-stream"))
        if self.headers.get("Content-Encoding", "identity").lower() != "identity":
            refuse(problem(415, "unsupported_media_type", "file bytes are never compressed"))
        off = self.headers.get("Upload-Offset", "")
        cl = self.headers.get("Content-Length", "")
        if not off.isdigit() or not cl.isdigit():
            refuse(problem(400, "bad_request", "Upload-Offset and Content-Length are required"))
        off, cl = int(off), int(cl)
        if cl > PATCH_MAX:
            refuse(problem(413, "too_large", f"{cl} bytes; a PATCH is at most {PATCH_MAX}"))
        if cl < 1:
            refuse(problem(400, "bad_request", "a PATCH carries 1 byte or more"))
        if off != committed:
            refuse(problem(409, "offset_mismatch", f"committed {committed}, request said {off}",
                           {"Upload-Offset": str(committed)}))
        if off + cl > size:
            refuse(problem(413, "too_large", f"bytes past the declared size {size}"))
        data = self.read_body(PATCH_MAX, partial_ok=True)
        with store as db:
            # Another connection may have appended meanwhile: commit only at the same offset.
            r = db.execute("SELECT length(data), sha256 FROM files WHERE kiosk=? AND no=? AND file_id=?",
                           (self.kiosk, no, file_id)).fetchone()
            if r[0] != off:
                raise problem(409, "offset_mismatch", f"committed {r[0]}, request said {off}",
                              {"Upload-Offset": str(r[0])})
            # Read, append, write back: SQLite's || would turn the bytes into text.
            whole = db.execute("SELECT data FROM files WHERE kiosk=? AND no=? AND file_id=?",
                               (self.kiosk, no, file_id)).fetchone()[0] + data
            if data:
                db.execute("UPDATE files SET data = ? WHERE kiosk=? AND no=? AND file_id=?",
                           (whole, self.kiosk, no, file_id))
            new = off + len(data)
            if new == size:
                if hashlib.sha256(whole).hexdigest() != r[1]:
                    db.execute("UPDATE files SET data = x'', complete = 0 WHERE kiosk=? AND no=? AND file_id=?",
                               (self.kiosk, no, file_id))
                    raise problem(422, "checksum_mismatch", f"{file_id} reset to offset 0",
                                  {"Upload-Offset": "0"})
                db.execute("UPDATE files SET complete = 1 WHERE kiosk=? AND no=? AND file_id=?",
                           (self.kiosk, no, file_id))
        if self.short_body:
            # The client went away (or a mid_body fault): what arrived is committed; HEAD says.
            raise ConnectionError("partial PATCH committed")
        return Answer(204, b"", {"Upload-Offset": str(new)}, ctype=None)

    def submit(self, no):
        self.check_no(no)
        self.json_body(schemas.SUBMIT)
        with self.server.centre.store as db:
            state, body = self.need_app(db, no)
            if state != "open":
                return json_answer(200, self.app_resource(db, self.kiosk, no))
            files = db.execute("SELECT file_id, size, length(data), complete FROM files"
                               " WHERE kiosk=? AND no=?", (self.kiosk, no)).fetchall()
            for fid, size, have, complete in files:
                if not complete:
                    raise problem(409, "upload_incomplete", f"{fid} has {have} of {size} bytes")
            want = {f"{m['material']}-{p}" for m in json.loads(body)["materials"]
                    for p in range(1, m["pages"] + 1)}
            got = {f[0] for f in files}
            if want != got:
                parts = []
                if want - got:
                    parts.append("missing " + ", ".join(sorted(want - got)))
                if got - want:
                    parts.append("not in the materials " + ", ".join(sorted(got - want)))
                raise problem(422, "files_missing", "; ".join(parts))
            t = now()
            hist = json.loads(db.execute("SELECT history FROM applications WHERE kiosk=? AND no=?",
                                         (self.kiosk, no)).fetchone()[0])
            hist.append({"state": "received", "at": t})
            db.execute("UPDATE applications SET state='received', submitted_at=?, updated_at=?,"
                       " history=? WHERE kiosk=? AND no=?",
                       (t, t, json.dumps(hist), self.kiosk, no))
            db.execute("INSERT INTO submissions (kiosk, no, at) VALUES (?,?,?)", (self.kiosk, no, t))
            return json_answer(200, self.app_resource(db, self.kiosk, no))

    # --- ratings, feedback, usage ----------------------------------------------------------

    REPORT_SCHEMAS = {"ratings": schemas.RATING, "feedback": schemas.FEEDBACK, "usage": schemas.USAGE}

    def report(self, kind):
        key = self.headers.get("Idempotency-Key")
        if key is None or not IDEM_KEY.match(key):
            self.read_body(JSON_MAX, discard=True)
            raise problem(400, "bad_request", "Idempotency-Key missing or malformed")
        value, raw = self.json_body(self.REPORT_SCHEMAS[kind])
        digest = hashlib.sha256(canon(value).encode()).hexdigest()
        centre = self.server.centre
        slot = (self.kiosk, kind, key)
        with centre.in_progress_lock:
            if slot in centre.in_progress:
                raise problem(409, "idempotency_in_progress", None, {"Retry-After": "1"}, retry_after=1)
            centre.in_progress.add(slot)
        try:
            with centre.store as db:
                r = db.execute("SELECT canon_sha256, status, answer FROM idempotency"
                               " WHERE kiosk=? AND scope=? AND key=?", slot).fetchone()
                if r is not None:
                    if r[0] != digest:
                        raise problem(422, "idempotency_key_reused",
                                      f"{kind}: this key came with another body")
                    a = Answer(r[1], r[2].encode(), {"Idempotent-Replayed": "true"})
                else:
                    t = now()
                    cur = db.execute(f"INSERT INTO {kind} (kiosk, idempotency_key, body, received_at)"
                                     " VALUES (?,?,?,?)", (self.kiosk, key, raw.decode("utf-8"), t))
                    answer = json.dumps({"id": f"{kind[0]}-{cur.lastrowid:09d}", "received_at": t})
                    db.execute("INSERT INTO idempotency (kiosk, scope, key, canon_sha256, status,"
                               " answer, at) VALUES (?,?,?,?,?,?,?)",
                               slot + (digest, 201, answer, t))
                    a = Answer(201, answer.encode())
            # A before_answer delay holds the key "in progress", so a replay meanwhile is 409.
            self.wait_before_answer()
            return a
        finally:
            with centre.in_progress_lock:
                centre.in_progress.discard(slot)

    # --- heartbeat -------------------------------------------------------------------------

    def heartbeat(self):
        value, raw = self.json_body(schemas.HEARTBEAT)
        centre = self.server.centre
        with centre.store as db:
            db.execute("INSERT INTO heartbeats (kiosk, body, received_at) VALUES (?,?,?)",
                       (self.kiosk, raw.decode("utf-8"), now()))
        latest = {k: centre.docs.get(k, self.kiosk)[1] for k in ("catalog", "notices", "settings")}
        return json_answer(200, {"server_time": now(), "kiosk_id": self.kiosk, "latest": latest})


class ApiServer(http.server.ThreadingHTTPServer):
    """Accepts plain sockets and does the TLS handshake in the connection's own thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, centre, ctx):
        self.centre, self.ctx = centre, ctx
        super().__init__(addr, ApiHandler)

    def finish_request(self, request, client_address):
        request.settimeout(30)  # a handshake or a request that stalls this long is given up
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.centre.in_progress_lock:
                self.centre.tls_failures += 1
            if self.centre.args.verbose:
                sys.stderr.write(f"central: TLS handshake failed: {e}\n")
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.centre.args.verbose:
            super().handle_error(request, client_address)
