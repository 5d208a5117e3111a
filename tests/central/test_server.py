#!/usr/bin/env python3
"""test_server.py - tests of the reference central service itself (CTest label integration).

Each test talks to a real server.py process over TLS on 127.0.0.1 with the test PKI made by
make_pki.py in a temporary directory, as the kiosk will: http.client, an ssl context that
trusts only the test CA, and the kiosk's client certificate. Faults are armed through the
server's control port. Timing is asserted only as lower bounds (a slow answer takes at least
its delay), never as upper bounds, so a loaded machine cannot fail the suite.

Run: python3 tests/central/test_server.py [-v]
"""
import base64
import gzip
import hashlib
import http.client
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "..", "..", "config", "catalog.json")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import make_pki  # noqa: E402

TIMEOUT = 30  # generous: a loaded 2-core machine must not fail a test by being slow

# Failures of a request that never got an answer: what a dropped connection looks like.
NO_ANSWER = (ConnectionError, ssl.SSLError, http.client.HTTPException, OSError)


class Central:
    """One server.py process: started, its ports read from stdout, stopped for sure."""

    def __init__(self, pki, db, *options):
        self.pki = pki
        self.db = db
        self.stderr = open(db + ".stderr", "wb")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"),
                                      "--pki", pki, "--db", db, "--exit-with-stdin", *options],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(
            [self.proc.stdout.readline(), self.proc.stdout.readline()]), daemon=True)
        reader.start()
        reader.join(TIMEOUT)
        if len(lines) != 2 or not lines[0].startswith(b"listening 127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"server did not start: {lines!r}")
        self.port = int(lines[0].split(b":")[-1])
        self.control = int(lines[1].split(b":")[-1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.stderr.close()

    # --- the API, as a kiosk ---------------------------------------------------------------

    def context(self, cert="kiosk", ca="ca.pem"):
        ctx = ssl.create_default_context(cafile=os.path.join(self.pki, ca))
        if cert:
            ctx.load_cert_chain(os.path.join(self.pki, cert + ".crt"),
                                os.path.join(self.pki, cert + ".key"))
        return ctx

    def connect(self, cert="kiosk", ca="ca.pem"):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=TIMEOUT,
                                           context=self.context(cert, ca))

    def request(self, method, path, body=None, headers=None, cert="kiosk", conn=None):
        """(status, headers, body bytes); a fresh connection unless one is given."""
        own = conn is None
        conn = conn or self.connect(cert)
        try:
            h = dict(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body, ensure_ascii=False).encode()
                h.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, r.headers, data
        finally:
            if own:
                conn.close()

    # --- the control, as the test ----------------------------------------------------------

    def ctl(self, method, path, value=None):
        data = None if value is None else json.dumps(value).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.control}{path}", data=data,
                                     method=method)
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return json.loads(r.read())

    def fault(self, **spec):
        return self.ctl("POST", "/faults", spec)

    def state(self):
        return self.ctl("GET", "/state")

    def rows(self, sql, args=()):
        db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=TIMEOUT)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()


def application(no, pages=1, **over):
    a = {"application_no": no, "service": "elderly_allowance", "catalog_revision": "2026-11-20.1",
         "created_at": "2026-11-29T18:30:12+08:00", "language": "zh_CN",
         "tracking_token": "1WpBRGngWzE5jN-f8-YsyQ",
         "applicant": {"identified_by": "id_card", "name": "张三明", "id_number": "11010519491231002X",
                       "gender": "male", "nation": "汉", "birth_date": "1949-12-31",
                       "address": "示范县示范镇幸福村12号"},
         "fields": {"name": "张三明", "phone": "13800138000", "collect": "card"},
         "materials": [{"material": "hukou", "pages": pages}]}
    a.update(over)
    return a


def declaration(data, media_type="image/jpeg"):
    return {"media_type": media_type, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def patch(c, no, fid, offset, chunk, **kw):
    return c.request("PATCH", f"/v1/applications/{no}/files/{fid}", body=chunk,
                     headers={"Content-Type": "application/offset+octet-stream",
                              "Upload-Offset": str(offset)}, **kw)


RATING = {"rated_at": "2026-11-29T18:32:05+08:00", "service": "elderly_allowance",
          "application_no": "BM20261129000123", "score": 5, "reasons": ["easy", "fast"],
          "language": "zh_CN"}
HEARTBEAT = {"sent_at": "2026-11-30T08:15:00+08:00", "version": "0.4.0", "uptime_s": 86400,
             "clock_skew_s": -2,
             "documents": {"catalog": {"revision": "2026-11-20.1", "source": "bundled"},
                           "notices": {"revision": "", "source": "none"},
                           "settings": {"revision": "", "source": "none"}},
             "devices": [{"class": "receipt_printer", "driver": "escpos-usb", "device": "online",
                          "error": "BM_OK", "fix": "none", "paper": "low",
                          "receipt_counters": {"receipts": 1234, "paper_mm": 62210,
                                               "roll_mm": 38210, "avg_mm": 51,
                                               "receipts_left": 231}}],
             "outbox": {"depth": 3, "oldest_age_s": 5400, "bytes": 9437184,
                        "cap_bytes": 2147483648, "dead_letters": 0, "state": "ok"},
             "sync_paused": False, "last_sync_ok_at": "2026-11-30T08:10:12+08:00",
             "certificate_not_after": "2027-11-30T00:00:00Z",
             "disk": {"free_bytes": 21474836480, "total_bytes": 62277025792}}


class Base(unittest.TestCase):
    """One PKI and one server for the module's tests; other servers made where needed."""

    seq = 0

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bm-central-")
        cls.pki = make_pki.make_pki(os.path.join(cls.tmp, "pki"), ["DEMO-0001", "DEMO-0002"])
        cls.c = Central(cls.pki, os.path.join(cls.tmp, "central.db"))

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        self.c.ctl("DELETE", "/faults")

    @classmethod
    def number(cls):
        Base.seq += 1
        return f"BM20261130{Base.seq:06d}"

    def assertProblem(self, answer, status, code):
        st, h, body = answer
        self.assertEqual(st, status, body)
        self.assertEqual(h["Content-Type"].split(";")[0], "application/problem+json")
        p = json.loads(body)
        self.assertEqual((p["status"], p["code"], p["type"]),
                         (status, code, f"urn:bianmin:problem:{code}"))
        return p

    def open_application(self, pages=1, size=1000):
        """A created application with `pages` declared files; returns (no, [bytes...])."""
        no = self.number()
        st, _, _ = self.c.request("PUT", f"/v1/applications/{no}", application(no, pages))
        self.assertEqual(st, 201)
        files = []
        for p in range(1, pages + 1):
            data = os.urandom(size)
            st, h, _ = self.c.request("PUT", f"/v1/applications/{no}/files/hukou-{p}",
                                      declaration(data))
            self.assertEqual(st, 201)
            files.append(data)
        return no, files


class TestDocuments(Base):
    def verify(self, kind, audience, body, header):
        self.assertRegex(header, r"^v1;key=central-test;sig=[A-Za-z0-9+/]{86}==$")
        d = tempfile.mkdtemp(dir=self.tmp)
        msg, sig = os.path.join(d, "msg"), os.path.join(d, "sig")
        with open(msg, "wb") as f:
            f.write(f"bianmin-signature-v1\n{kind}\n{audience}\n".encode() + body)
        with open(sig, "wb") as f:
            f.write(base64.b64decode(header.split(";sig=")[1]))
        return subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                               os.path.join(self.pki, "signing.pub"), "-rawin", "-in", msg,
                               "-sigfile", sig], capture_output=True).returncode == 0

    def test_signed_documents_verify_and_304(self):
        for kind, audience in (("catalog", "*"), ("notices", "*"), ("settings", "DEMO-0001")):
            st, h, body = self.c.request("GET", f"/v1/{kind}")
            self.assertEqual(st, 200)
            self.assertEqual(h.get_all("Bianmin-Signature").__len__(), 1)
            self.assertTrue(self.verify(kind, audience, body, h["Bianmin-Signature"]), kind)
            # Another kind or audience must not verify: the signature binds both.
            self.assertFalse(self.verify("catalog" if kind != "catalog" else "notices",
                                         audience, body, h["Bianmin-Signature"]))
            self.assertEqual(h["Cache-Control"], "no-cache")
            etag = h["ETag"]
            st, h2, body2 = self.c.request("GET", f"/v1/{kind}", headers={"If-None-Match": etag})
            self.assertEqual((st, body2, h2["ETag"]), (304, b"", etag))
        with open(CATALOG, "rb") as f:
            self.assertEqual(self.c.request("GET", "/v1/catalog")[2], f.read(), "byte for byte")

    def test_settings_are_per_kiosk(self):
        st, h, body = self.c.request("GET", "/v1/settings", cert="kiosk-DEMO-0002")
        self.assertEqual(st, 200)
        self.assertTrue(self.verify("settings", "DEMO-0002", body, h["Bianmin-Signature"]))
        self.assertFalse(self.verify("settings", "DEMO-0001", body, h["Bianmin-Signature"]))
        self.assertIn("DEMO-0002", h["ETag"])

    def test_signature_faults(self):
        for mode in ("bad", "unknown_key", "wrong_kind", "wrong_audience"):
            with self.subTest(mode=mode):
                self.c.fault(path="^/v1/settings$", kind="signature", mode=mode)
                st, h, body = self.c.request("GET", "/v1/settings")
                self.assertEqual(st, 200)
                self.assertRegex(h["Bianmin-Signature"], r"^v1;key=[A-Za-z0-9._-]+;sig=")
                if mode != "unknown_key":
                    self.assertFalse(self.verify("settings", "DEMO-0001", body, h["Bianmin-Signature"]))
        self.c.fault(path="^/v1/catalog$", kind="signature", mode="missing")
        self.assertIsNone(self.c.request("GET", "/v1/catalog")[1]["Bianmin-Signature"])
        self.c.fault(path="^/v1/catalog$", kind="signature", mode="duplicate")
        self.assertEqual(len(self.c.request("GET", "/v1/catalog")[1].get_all("Bianmin-Signature")), 2)
        st, h, body = self.c.request("GET", "/v1/settings")
        self.assertTrue(self.verify("settings", "DEMO-0001", body, h["Bianmin-Signature"]), "used up")

    def test_gzip_answer_is_signed_over_the_decoded_body(self):
        st, h, body = self.c.request("GET", "/v1/catalog", headers={"Accept-Encoding": "gzip"})
        self.assertEqual((st, h["Content-Encoding"]), (200, "gzip"))
        self.assertTrue(self.verify("catalog", "*", gzip.decompress(body), h["Bianmin-Signature"]))

    def test_publish_a_new_revision(self):
        st, h, body = self.c.request("GET", "/v1/notices")
        old = h["ETag"]
        doc = json.loads(body)
        doc.update(revision="2026-12-02.1", published="2026-12-02")
        self.c.ctl("PUT", "/documents/notices", doc)
        try:
            st, h, body = self.c.request("GET", "/v1/notices", headers={"If-None-Match": old})
            self.assertEqual((st, h["ETag"]), (200, '"notices-2026-12-02.1"'))
            self.assertTrue(self.verify("notices", "*", body, h["Bianmin-Signature"]))
            st, _, hb = self.c.request("POST", "/v1/heartbeat", HEARTBEAT)
            self.assertEqual(json.loads(hb)["latest"]["notices"], "2026-12-02.1")
        finally:
            doc.update(revision="2026-11-20.1", published="2026-11-20")
            self.c.ctl("PUT", "/documents/notices", doc)


class TestApplications(Base):
    def test_happy_path_and_repeats(self):
        no = self.number()
        app = application(no, pages=1)
        st, h, body = self.c.request("PUT", f"/v1/applications/{no}", app)
        self.assertEqual((st, h["Location"], json.loads(body)["state"]), (201, f"/v1/applications/{no}", "open"))
        # The same JSON value in another spelling is a repeat: 200, the same resource.
        respelled = json.dumps(dict(reversed(list(app.items()))), indent=2).encode()
        st, _, body2 = self.c.request("PUT", f"/v1/applications/{no}", respelled,
                                      {"Content-Type": "application/json"})
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body2)["received_at"], json.loads(body)["received_at"])
        self.assertProblem(self.c.request("PUT", f"/v1/applications/{no}",
                                          application(no, fields={"name": "李四"})), 409, "conflict")

        data = os.urandom(300_000)
        url = f"/v1/applications/{no}/files/hukou-1"
        st, h, body = self.c.request("PUT", url, declaration(data))
        self.assertEqual((st, h["Upload-Offset"], json.loads(body)["complete"]), (201, "0", False))
        self.assertProblem(self.c.request("PUT", url, declaration(data[:-1])), 409, "conflict")
        # One keep-alive connection for the chunks, as the kiosk does.
        conn = self.c.connect()
        try:
            st, h, _ = patch(self.c, no, "hukou-1", 0, data[:100_000], conn=conn)
            self.assertEqual((st, h["Upload-Offset"]), (204, "100000"))
            st, h, body = patch(self.c, no, "hukou-1", 0, data[:100_000], conn=conn)
            self.assertProblem((st, h, body), 409, "offset_mismatch")
            self.assertEqual(h["Upload-Offset"], "100000")
            st, h, body = self.c.request("PUT", url, declaration(data), conn=conn)
            self.assertEqual((st, h["Upload-Offset"], json.loads(body)["upload_offset"]), (200, "100000", 100000))
            self.assertProblem(self.c.request("POST", f"/v1/applications/{no}/submit", conn=conn),
                               409, "upload_incomplete")
            st, h, _ = patch(self.c, no, "hukou-1", 100_000, data[100_000:], conn=conn)
            self.assertEqual((st, h["Upload-Offset"]), (204, "300000"))
        finally:
            conn.close()
        st, h, _ = self.c.request("HEAD", url)
        self.assertEqual((st, h["Upload-Offset"], h["Upload-Length"]), (200, "300000", "300000"))

        st, _, body = self.c.request("POST", f"/v1/applications/{no}/submit")
        res = json.loads(body)
        self.assertEqual((st, res["state"], res["files"][0]["complete"]), (200, "received", True))
        st, _, body = self.c.request("POST", f"/v1/applications/{no}/submit", {})
        self.assertEqual((st, json.loads(body)["submitted_at"]), (200, res["submitted_at"]))
        self.assertEqual(self.c.request("PUT", f"/v1/applications/{no}", app)[0], 200)
        self.assertProblem(self.c.request("PUT", f"/v1/applications/{no}/files/hukou-2",
                                          declaration(b"x")), 409, "already_submitted")
        st, h, body = self.c.request("GET", f"/v1/applications/{no}")
        self.assertEqual((st, h["Cache-Control"], json.loads(body)["state"]), (200, "no-store", "received"))
        self.assertNotIn("张三明", body.decode())

        # What a test of the kiosk will check: stored once, bytes intact.
        self.assertEqual(self.c.rows("SELECT count(*) FROM submissions WHERE no=?", (no,)), [(1,)])
        self.assertEqual(self.c.rows("SELECT data FROM files WHERE no=?", (no,)), [(data,)])

    def test_status_for_another_kiosk_needs_the_token(self):
        no, files = self.open_application()
        self.assertEqual(patch(self.c, no, "hukou-1", 0, files[0])[0], 204)
        other = dict(cert="kiosk-DEMO-0002")
        # Open: only its kiosk sees it, token or not.
        self.assertProblem(self.c.request("GET", f"/v1/applications/{no}",
                                          headers={"Bianmin-Tracking-Token": "1WpBRGngWzE5jN-f8-YsyQ"},
                                          **other), 404, "not_found")
        self.assertEqual(self.c.request("POST", f"/v1/applications/{no}/submit")[0], 200)
        self.assertProblem(self.c.request("GET", f"/v1/applications/{no}", **other), 404, "not_found")
        self.assertProblem(self.c.request("GET", f"/v1/applications/{no}",
                                          headers={"Bianmin-Tracking-Token": "x" * 22}, **other),
                           404, "not_found")
        st, _, body = self.c.request("GET", f"/v1/applications/{no}",
                                     headers={"Bianmin-Tracking-Token": "1WpBRGngWzE5jN-f8-YsyQ"},
                                     **other)
        self.assertEqual((st, json.loads(body)["state"]), (200, "received"))
        self.assertNotIn("files", json.loads(body))
        # A case worker moves it on; the kiosk sees the state and the note.
        self.c.ctl("POST", f"/applications/DEMO-0001/{no}/state",
                   {"state": "needs_more", "note": {"zh-CN": "请补交", "en": "More needed"}})
        st, _, body = self.c.request("GET", f"/v1/applications/{no}")
        self.assertEqual(json.loads(body)["state"], "needs_more")
        self.assertEqual([s["state"] for s in json.loads(body)["history"]], ["open", "received", "needs_more"])

    def test_resume_after_a_partial_patch(self):
        no, files = self.open_application(size=200_000)
        data = files[0]
        # The server keeps the first 50,000 bytes and hangs up mid-body.
        self.c.fault(method="PATCH", path="/files/hukou-1$", kind="drop", stage="mid_body",
                     after_bytes=50_000)
        with self.assertRaises(NO_ANSWER):
            patch(self.c, no, "hukou-1", 0, data)
        st, h, _ = self.c.request("HEAD", f"/v1/applications/{no}/files/hukou-1")
        self.assertEqual((st, h["Upload-Offset"]), (200, "50000"))
        st, h, _ = patch(self.c, no, "hukou-1", 50_000, data[50_000:])
        self.assertEqual((st, h["Upload-Offset"]), (204, "200000"))
        self.assertEqual(self.c.request("POST", f"/v1/applications/{no}/submit")[0], 200)
        self.assertEqual(self.c.rows("SELECT data FROM files WHERE no=?", (no,)), [(data,)])

    def test_a_client_that_goes_away_mid_body_keeps_what_arrived(self):
        no, files = self.open_application(size=100_000)
        sock = self.c.context().wrap_socket(
            __import__("socket").create_connection(("127.0.0.1", self.c.port), TIMEOUT),
            server_hostname="127.0.0.1")
        head = (f"PATCH /v1/applications/{no}/files/hukou-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                "Content-Length: 100000\r\n\r\n").encode()
        sock.sendall(head + files[0][:30_000])
        sock.close()
        # What arrives is up to TCP: a close with unread data (a TLS session ticket, say)
        # is a reset, and the server's kernel drops what the server had not read yet. So the
        # centre keeps a prefix of the 30000 bytes, at least one TLS record of it.
        deadline = time.monotonic() + TIMEOUT
        last, stable_since = None, time.monotonic()
        while time.monotonic() < deadline:
            st, h, _ = self.c.request("HEAD", f"/v1/applications/{no}/files/hukou-1")
            off = int(h["Upload-Offset"])
            if off != last:
                last, stable_since = off, time.monotonic()
            elif off > 0 and time.monotonic() - stable_since > 0.5:
                break
            time.sleep(0.1)
        self.assertGreater(last, 0)
        self.assertLessEqual(last, 30_000)
        kept = self.c.rows("SELECT data FROM files WHERE no=? AND file_id='hukou-1'", (no,))
        self.assertEqual(kept[0][0][:last], files[0][:last])

    def test_checksum_mismatch_resets_the_file(self):
        no = self.number()
        self.c.request("PUT", f"/v1/applications/{no}", application(no))
        data = os.urandom(5000)
        decl = dict(declaration(data), sha256="0" * 64)
        self.assertEqual(self.c.request("PUT", f"/v1/applications/{no}/files/hukou-1", decl)[0], 201)
        st, h, body = patch(self.c, no, "hukou-1", 0, data)
        self.assertProblem((st, h, body), 422, "checksum_mismatch")
        self.assertEqual(h["Upload-Offset"], "0")
        self.assertEqual(self.c.request("HEAD", f"/v1/applications/{no}/files/hukou-1")[1]["Upload-Offset"], "0")

    def test_submit_needs_one_file_per_page(self):
        no, files = self.open_application(pages=2)
        self.assertEqual(patch(self.c, no, "hukou-1", 0, files[0])[0], 204)
        self.assertProblem(self.c.request("POST", f"/v1/applications/{no}/submit"), 409, "upload_incomplete")
        no, files = self.open_application(pages=1)
        self.assertEqual(patch(self.c, no, "hukou-1", 0, files[0])[0], 204)
        data = b"extra page"
        self.c.request("PUT", f"/v1/applications/{no}/files/id_card-1", declaration(data))
        self.assertEqual(patch(self.c, no, "id_card-1", 0, data)[0], 204)
        p = self.assertProblem(self.c.request("POST", f"/v1/applications/{no}/submit"), 422, "files_missing")
        self.assertIn("id_card-1", p["detail"])
        self.assertEqual(self.c.rows("SELECT count(*) FROM submissions WHERE no=?", (no,)), [(0,)])

    def test_refusals(self):
        no = self.number()
        url = f"/v1/applications/{no}"
        p = self.assertProblem(self.c.request("PUT", url, application(no, colour="red")),
                               422, "validation_failed")
        self.assertEqual(p["errors"], [{"path": "$.colour", "message": "unknown member"}])
        self.assertProblem(self.c.request("PUT", url, application("BM20261130999999")), 422, "validation_failed")
        self.assertProblem(self.c.request("PUT", url, application(no, service="no_such_service")),
                           422, "validation_failed")
        bad_id = application(no)
        bad_id["applicant"]["id_number"] = "110105194912310021"
        p = self.assertProblem(self.c.request("PUT", url, bad_id), 422, "validation_failed")
        self.assertEqual(p["errors"][0]["path"], "$.applicant.id_number")
        self.assertNotIn("110105194912310021", json.dumps(p), "no personal data in a problem")
        self.assertProblem(self.c.request("PUT", url, b"{not json", {"Content-Type": "application/json"}),
                           400, "bad_request")
        self.assertProblem(self.c.request("PUT", url, b"{}", {"Content-Type": "text/plain"}),
                           415, "unsupported_media_type")
        self.assertProblem(self.c.request("PUT", url, b" " * (256 * 1024 + 1),
                                          {"Content-Type": "application/json"}), 413, "too_large")
        self.assertProblem(self.c.request("PUT", "/v1/applications/12345", application(no)),
                           400, "bad_request")
        self.assertProblem(self.c.request("PUT", f"{url}/files/hukou-1", declaration(b"x")),
                           404, "application_unknown")
        self.assertEqual(self.c.request("PUT", url, application(no))[0], 201)
        self.assertProblem(self.c.request("PUT", f"{url}/files/hukou-1", declaration(b"x", "image/gif")),
                           415, "unsupported_media_type")
        self.assertProblem(self.c.request("PUT", f"{url}/files/hukou-1",
                                          dict(declaration(b"x"), size=10 * 1024 * 1024 + 1)),
                           413, "too_large")
        self.assertProblem(patch(self.c, no, "hukou-1", 0, b"x"), 404, "file_unknown")
        self.assertEqual(self.c.request("PUT", f"{url}/files/hukou-1", declaration(b"abc"))[0], 201)
        self.assertProblem(patch(self.c, no, "hukou-1", 0, b"abcd"), 413, "too_large")
        self.assertProblem(self.c.request("PATCH", f"{url}/files/hukou-1", b"a",
                                          {"Upload-Offset": "0", "Content-Type": "image/jpeg"}),
                           415, "unsupported_media_type")
        self.assertEqual(self.c.request("HEAD", f"{url}/files/nothing-1")[0], 404)
        self.assertProblem(self.c.request("GET", "/v2/catalog"), 410, "api_retired")
        self.assertEqual(self.c.rows("SELECT count(*) FROM applications WHERE no=?", (no,)), [(1,)])


class TestReports(Base):
    def test_idempotency_key_replay(self):
        for kind, body in (("ratings", RATING),
                           ("feedback", {"sent_at": "2026-11-29T20:05:00+08:00", "kind": "device_problem",
                                         "service": "pension_certification", "text": "打印机没有出纸。",
                                         "contact_phone": "13800138000", "language": "zh_CN"}),
                           ("usage", {"hours": [{"hour": "2026-11-29T18:00:00+08:00",
                                                 "sessions_without_service": 2,
                                                 "services": [{"service": "elderly_allowance", "starts": 4,
                                                               "completions": 3,
                                                               "abandonments": {"materials": 1},
                                                               "durations_s": {"count": 3, "sum": 610,
                                                                               "buckets": [0, 0, 1, 2, 0, 0, 0]}}],
                                                 "device_errors": [{"class": "receipt_printer",
                                                                    "error": "BM_ERR_NO_MEDIA", "count": 1}]}]})):
            with self.subTest(kind=kind):
                key = f"{kind}-6f1c2a8e-3b4d"
                before = self.c.state()[kind]
                st, h, first = self.c.request("POST", f"/v1/{kind}", body, {"Idempotency-Key": key})
                self.assertEqual(st, 201, first)
                self.assertEqual(set(json.loads(first)), {"id", "received_at"})
                self.assertIsNone(h["Idempotent-Replayed"])
                st, h, again = self.c.request("POST", f"/v1/{kind}", body, {"Idempotency-Key": key})
                self.assertEqual((st, again, h["Idempotent-Replayed"]), (201, first, "true"))
                changed = json.loads(json.dumps(body))
                changed[next(iter(changed))] = changed[next(iter(changed))]  # same value: still a replay
                self.assertEqual(self.c.request("POST", f"/v1/{kind}", changed, {"Idempotency-Key": key})[0], 201)
                other = dict(body, language="en") if kind != "usage" else {"hours": body["hours"] * 2}
                self.assertProblem(self.c.request("POST", f"/v1/{kind}", other, {"Idempotency-Key": key}),
                                   422, "idempotency_key_reused")
                self.assertProblem(self.c.request("POST", f"/v1/{kind}", body), 400, "bad_request")
                self.assertEqual(self.c.state()[kind], before + 1)

    def test_in_progress(self):
        key = "in-progress-1"
        # The first request is committed, then held 8 s before its answer: a replay meanwhile
        # is 409. (8 s: room for the replay's TLS handshake on a loaded machine.)
        self.c.fault(method="POST", path="^/v1/ratings$", kind="slow", stage="before_answer", delay_s=8)
        before = self.c.state()["ratings"]
        result = {}
        t = threading.Thread(target=lambda: result.update(
            first=self.c.request("POST", "/v1/ratings", RATING, {"Idempotency-Key": key})))
        t.start()
        deadline = time.monotonic() + TIMEOUT
        while self.c.state()["ratings"] == before and time.monotonic() < deadline:
            time.sleep(0.05)
        p = self.assertProblem(self.c.request("POST", "/v1/ratings", RATING, {"Idempotency-Key": key}),
                               409, "idempotency_in_progress")
        self.assertEqual(p["retry_after"], 1)
        t.join(TIMEOUT)
        self.assertEqual(result["first"][0], 201)

    def test_heartbeat(self):
        st, _, body = self.c.request("POST", "/v1/heartbeat", HEARTBEAT)
        a = json.loads(body)
        self.assertEqual((st, a["kiosk_id"], a["latest"]["catalog"]), (200, "DEMO-0001", "2026-11-20.1"))
        self.assertEqual(set(a["latest"]), {"catalog", "notices", "settings"})
        self.assertEqual(json.loads(self.c.rows("SELECT body FROM heartbeats ORDER BY id DESC LIMIT 1")[0][0]),
                         HEARTBEAT)
        self.assertEqual(self.c.request("POST", "/v1/heartbeat", HEARTBEAT, cert="kiosk-DEMO-0002")[0], 200)
        bad = dict(HEARTBEAT, sync_paused="no")
        self.assertProblem(self.c.request("POST", "/v1/heartbeat", bad), 422, "validation_failed")
        zipped = gzip.compress(json.dumps(HEARTBEAT).encode())
        st, _, _ = self.c.request("POST", "/v1/heartbeat", zipped, {"Content-Type": "application/json",
                                                                   "Content-Encoding": "gzip"})
        self.assertEqual(st, 200)


class TestFaults(Base):
    def test_status_with_retry_after(self):
        self.c.fault(method="GET", path="^/v1/catalog$", kind="status", status=503,
                     retry_after=7, count=2)
        for _ in range(2):
            st, h, _ = a = self.c.request("GET", "/v1/catalog")
            p = self.assertProblem(a, 503, "maintenance")
            self.assertEqual((h["Retry-After"], p["retry_after"]), ("7", 7))
        self.assertEqual(self.c.request("GET", "/v1/catalog")[0], 200, "used up after count")
        self.c.fault(path="/v1/heartbeat", kind="status", status=429, retry_after=30)
        a = self.c.request("POST", "/v1/heartbeat", HEARTBEAT)
        self.assertProblem(a, 429, "rate_limited")
        self.assertEqual(a[1]["Retry-After"], "30")
        self.c.fault(path="/v1/heartbeat", kind="status", status=500, problem=False)
        st, h, body = self.c.request("POST", "/v1/heartbeat", HEARTBEAT)
        self.assertEqual((st, body), (500, b""), "a proxy's bare 5xx")
        self.c.fault(path="/v1/heartbeat", kind="status", status=401, code="certificate_expired")
        self.assertProblem(self.c.request("POST", "/v1/heartbeat", HEARTBEAT), 401, "certificate_expired")
        self.c.fault(path="/submit$", kind="status", status=503,
                     retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
        st, h, _ = self.c.request("POST", "/v1/applications/BM20261130999998/submit")
        self.assertEqual((st, h["Retry-After"]), (503, "Wed, 21 Oct 2026 07:28:00 GMT"))

    def test_a_fault_matches_method_and_path_only(self):
        self.c.fault(method="PATCH", path="/files/", kind="status", status=500)
        self.assertEqual(self.c.request("GET", "/v1/notices")[0], 200)
        self.assertEqual(len(self.c.ctl("GET", "/faults")), 1)

    def test_slow(self):
        self.c.fault(path="^/v1/notices$", kind="slow", delay_s=1.5)
        t = time.monotonic()
        self.assertEqual(self.c.request("GET", "/v1/notices")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 1.4)

    def test_drop_before_the_body_stores_nothing(self):
        before = self.c.state()["ratings"]
        self.c.fault(path="^/v1/ratings$", kind="drop")
        with self.assertRaises(NO_ANSWER):
            self.c.request("POST", "/v1/ratings", RATING, {"Idempotency-Key": "drop-1"})
        self.c.fault(path="^/v1/ratings$", kind="drop", stage="after_body")
        with self.assertRaises(NO_ANSWER):
            self.c.request("POST", "/v1/ratings", RATING, {"Idempotency-Key": "drop-1"})
        self.assertEqual(self.c.state()["ratings"], before)
        st, h, _ = self.c.request("POST", "/v1/ratings", RATING, {"Idempotency-Key": "drop-1"})
        self.assertEqual((st, h["Idempotent-Replayed"]), (201, None))

    def test_drop_after_commit_then_the_retry_is_a_replay(self):
        no, files = self.open_application()
        self.assertEqual(patch(self.c, no, "hukou-1", 0, files[0])[0], 204)
        self.c.fault(path="/submit$", kind="drop", stage="after_commit")
        with self.assertRaises(NO_ANSWER):
            self.c.request("POST", f"/v1/applications/{no}/submit")
        st, _, body = self.c.request("POST", f"/v1/applications/{no}/submit")
        self.assertEqual((st, json.loads(body)["state"]), (200, "received"))
        self.assertEqual(self.c.rows("SELECT count(*) FROM submissions WHERE no=?", (no,)), [(1,)])
        # Each row is written before its answer or drop reaches us; the two may be in either order.
        log = self.c.rows("SELECT status, fault FROM requests WHERE path=?",
                          (f"/v1/applications/{no}/submit",))
        self.assertCountEqual(log, [(None, "drop:after_commit"), (200, None)])
        self.assertEqual(self.c.rows("SELECT DISTINCT kiosk FROM requests WHERE path=?",
                                     (f"/v1/applications/{no}/submit",)), [("DEMO-0001",)])

    def test_truncated_answer(self):
        self.c.fault(path="^/v1/catalog$", kind="truncate")
        conn = self.c.connect()
        try:
            conn.request("GET", "/v1/catalog")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            with self.assertRaises(http.client.IncompleteRead):
                r.read()
        finally:
            conn.close()

    def test_malformed_json(self):
        self.c.fault(path="^/v1/heartbeat$", kind="malformed")
        st, h, body = self.c.request("POST", "/v1/heartbeat", HEARTBEAT)
        self.assertEqual((st, h["Content-Type"].split(";")[0]), (200, "application/json"))
        with self.assertRaises(ValueError):
            json.loads(body)
        self.assertGreaterEqual(self.c.state()["heartbeats"], 1, "processed before the answer broke")

    def test_truncated_answer_that_stalls_first(self):
        self.c.fault(path="^/v1/notices$", kind="truncate", keep_bytes=10, stall_s=1)
        t = time.monotonic()
        with self.assertRaises(http.client.IncompleteRead):
            self.c.request("GET", "/v1/notices")
        self.assertGreaterEqual(time.monotonic() - t, 0.9)

    def test_rate_limits(self):
        limited = Central(self.pki, os.path.join(self.tmp, "rates.db"), "--rate-limits")
        try:
            self.assertEqual(limited.request("POST", "/v1/heartbeat", HEARTBEAT)[0], 200)
            a = limited.request("POST", "/v1/heartbeat", HEARTBEAT)
            p = self.assertProblem(a, 429, "rate_limited")
            self.assertEqual(int(a[1]["Retry-After"]), p["retry_after"])
            self.assertGreater(p["retry_after"], 0)
            self.assertEqual(limited.request("GET", "/v1/catalog")[0], 200, "other rates unaffected")
            self.assertEqual(limited.state()["heartbeats"], 1)
        finally:
            limited.stop()

    def test_control_refuses_an_unknown_kind(self):
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.c.fault(kind="explode")
        self.assertEqual(e.exception.code, 400)


class TestTls(Base):
    def test_identity_from_the_certificate(self):
        self.assertProblem(self.c.request("GET", "/v1/settings", cert=None), 401, "certificate_missing")
        self.assertProblem(self.c.request("GET", "/v1/settings", cert="nosan"), 401, "certificate_unknown")
        st, _, body = self.c.request("POST", "/v1/heartbeat", HEARTBEAT, cert="kiosk-DEMO-0002")
        self.assertEqual(json.loads(body)["kiosk_id"], "DEMO-0002")

    def test_client_cert_required_and_known_kiosks(self):
        strict = Central(self.pki, os.path.join(self.tmp, "strict.db"), "--require-client-cert",
                         "--kiosk", "DEMO-0001", "--disabled-kiosk", "DEMO-0002")
        try:
            with self.assertRaises(NO_ANSWER):
                strict.request("GET", "/v1/catalog", cert=None)
            self.assertGreaterEqual(strict.state()["tls_failures"], 1)
            self.assertEqual(strict.state()["requests"], 0, "refused before HTTP")
            self.assertProblem(strict.request("GET", "/v1/catalog", cert="kiosk-DEMO-0002"),
                               403, "kiosk_disabled")
            self.assertEqual(strict.request("GET", "/v1/catalog")[0], 200)
        finally:
            strict.stop()
        known = Central(self.pki, os.path.join(self.tmp, "known.db"), "--kiosk", "DEMO-0001")
        try:
            self.assertProblem(known.request("GET", "/v1/catalog", cert="kiosk-DEMO-0002"),
                               403, "kiosk_unknown")
        finally:
            known.stop()

    def test_wrong_ca_server_is_refused(self):
        wrong = Central(self.pki, os.path.join(self.tmp, "wrong.db"), "--wrong-ca")
        try:
            with self.assertRaises(ssl.SSLCertVerificationError):
                wrong.request("GET", "/v1/catalog")
            self.assertEqual(wrong.state()["requests"], 0, "not a byte of HTTP was sent")
            # The same server is fine for a client that trusts its CA: only the CA is wrong.
            conn = http.client.HTTPSConnection("127.0.0.1", wrong.port, timeout=TIMEOUT,
                                               context=wrong.context(ca="wrong-ca.pem"))
            self.assertEqual(wrong.request("GET", "/v1/catalog", conn=conn)[0], 200)
            conn.close()
        finally:
            wrong.stop()


if __name__ == "__main__":
    unittest.main()
