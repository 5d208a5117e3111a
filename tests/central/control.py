"""control.py - what only tests touch: armed faults, the reference rates, the control port.

Faults are armed and read through ControlServer (plain HTTP on 127.0.0.1; see server.py's
docstring for the protocol); ApiHandler.dispatch takes the first armed fault matching each
request. RateLimits are the API's reference rates, on only with --rate-limits.
"""
import http.server
import json
import re
import threading
import time
import urllib.parse

from api import now

class Faults:
    """Armed faults, matched in the order they were armed; each used up after count uses."""

    KINDS = {"status", "slow", "drop", "truncate", "malformed", "signature"}

    def __init__(self):
        self.lock, self.items, self.next_id, self.applied = threading.Lock(), [], 1, 0

    def arm(self, spec):
        if spec.get("kind") not in self.KINDS:
            raise ValueError(f"kind must be one of {sorted(self.KINDS)}")
        f = dict(spec)
        f.setdefault("method", ".*")
        f.setdefault("path", ".*")
        f.setdefault("count", 1)
        re.compile(f["method"]), re.compile(f["path"])
        if f["kind"] == "status" and not isinstance(f.get("status"), int):
            raise ValueError("a status fault needs an integer status")
        with self.lock:
            f["id"] = self.next_id
            self.next_id += 1
            self.items.append(f)
        return f["id"]

    def take(self, method, path):
        with self.lock:
            for f in self.items:
                if re.fullmatch(f["method"], method) and re.search(f["path"], path):
                    if f["count"] is not None:
                        f["count"] -= 1
                        if f["count"] <= 0:
                            self.items.remove(f)
                    self.applied += 1
                    return dict(f)
        return None

    def list(self):
        with self.lock:
            return [dict(f) for f in self.items]

    def clear(self):
        with self.lock:
            self.items.clear()


class RateLimits:
    """The reference service's per-kiosk rates (central-api.md, "Limits"), token buckets.

    Off unless --rate-limits: tests that send fast must not meet them by accident.
    """

    RULES = [  # (name, applies to (method, path), burst, tokens a second)
        ("all", lambda m, p: True, 120, 2.0),
        ("heartbeat", lambda m, p: p == "/v1/heartbeat", 1, 1 / 25),
        ("document", lambda m, p: m == "GET" and p in ("/v1/catalog", "/v1/notices", "/v1/settings"),
         30, 30 / 3600),
        ("status", lambda m, p: m == "GET" and p.startswith("/v1/applications/"), 60, 1.0),
    ]

    def __init__(self):
        self.lock, self.buckets = threading.Lock(), {}

    def wait_s(self, kiosk, method, path):
        """0 if the request may go (and takes its tokens), else seconds until it may."""
        t = time.monotonic()
        with self.lock:
            keys = []
            for name, applies, burst, rate in self.RULES:
                if not applies(method, path):
                    continue
                # Document GETs are counted per document.
                key = (kiosk, name, path if name == "document" else "")
                tokens, last = self.buckets.get(key, (burst, t))
                tokens = min(burst, tokens + (t - last) * rate)
                if tokens < 1:
                    return max(1, int((1 - tokens) / rate + 0.999))
                keys.append((key, tokens))
            for key, tokens in keys:
                self.buckets[key] = (tokens - 1, t)
        return 0


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, value):
        body = json.dumps(value, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def do_GET(self):
        centre = self.server.centre
        u = urllib.parse.urlsplit(self.path)
        if u.path == "/faults":
            return self.reply(200, centre.faults.list())
        if u.path == "/state":
            q = lambda sql: centre.store.query(sql)[0][0]
            state = {t: q(f"SELECT count(*) FROM {t}") for t in
                     ("applications", "files", "submissions", "ratings", "feedback", "usage",
                      "heartbeats", "requests")}
            state["submitted"] = q("SELECT count(*) FROM applications WHERE state != 'open'")
            state["complete_files"] = q("SELECT count(*) FROM files WHERE complete")
            state["tls_failures"] = centre.tls_failures
            state["faults_applied"] = centre.faults.applied
            state["faults_armed"] = len(centre.faults.list())
            return self.reply(200, state)
        if u.path == "/requests":
            since = int(urllib.parse.parse_qs(u.query).get("since", ["0"])[0])
            rows = centre.store.query("SELECT id, at, kiosk, method, path, status, code, fault,"
                                      " bytes_in FROM requests WHERE id > ? ORDER BY id", (since,))
            keys = ["id", "at", "kiosk", "method", "path", "status", "code", "fault", "bytes_in"]
            return self.reply(200, [dict(zip(keys, r)) for r in rows])
        self.reply(404, {"error": "no such control path"})

    def do_POST(self):
        centre = self.server.centre
        u = urllib.parse.urlsplit(self.path)
        try:
            if u.path == "/faults":
                return self.reply(201, {"id": centre.faults.arm(json.loads(self.body()))})
            m = re.match(r"^/applications/([^/]+)/([^/]+)/state$", u.path)
            if m:
                spec = json.loads(self.body())
                with centre.store as db:
                    r = db.execute("SELECT history FROM applications WHERE kiosk=? AND no=?",
                                   m.groups()).fetchone()
                    if r is None:
                        return self.reply(404, {"error": "no such application"})
                    t = now()
                    hist = json.loads(r[0]) + [{"state": spec["state"], "at": t}]
                    db.execute("UPDATE applications SET state=?, note=?, updated_at=?, history=?"
                               " WHERE kiosk=? AND no=?",
                               (spec["state"], json.dumps(spec["note"]) if spec.get("note") else None,
                                t, json.dumps(hist)) + m.groups())
                return self.reply(200, {"ok": True})
        except (ValueError, KeyError, TypeError) as e:
            return self.reply(400, {"error": str(e)})
        self.reply(404, {"error": "no such control path"})

    def do_PUT(self):
        u = urllib.parse.urlsplit(self.path)
        m = re.match(r"^/documents/(catalog|notices|settings)$", u.path)
        if not m:
            return self.reply(404, {"error": "no such control path"})
        kiosk = urllib.parse.parse_qs(u.query).get("kiosk", [None])[0]
        try:
            self.server.centre.docs.publish(m.group(1), self.body(), kiosk)
        except ValueError as e:
            return self.reply(400, {"error": str(e)})
        self.reply(200, {"ok": True})

    def do_DELETE(self):
        if urllib.parse.urlsplit(self.path).path == "/faults":
            self.server.centre.faults.clear()
            return self.reply(200, {"ok": True})
        self.reply(404, {"error": "no such control path"})


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, centre):
        self.centre = centre
        super().__init__(addr, ControlHandler)
