#!/usr/bin/env python3
"""make_pki.py - the test PKI for the reference central service, made at test time.

Writes into DIR (created if missing; files already there are kept, so a second run is a
no-op unless --force):

  ca.pem, ca.key                the test CA: signs the server and the kiosk certificates
                                (the kiosk's `[central] ca_bundle` is ca.pem)
  server.crt, server.key        the centre: SAN IP:127.0.0.1 and DNS:localhost
  kiosk.crt, kiosk.key          the first kiosk: one SAN URI urn:bianmin:kiosk:<id>
  kiosk-<ID>.crt, kiosk-<ID>.key every kiosk id given (the first one too)
  nosan.crt, nosan.key          a client certificate of the test CA without the SAN URI
                                (the centre answers it 401 certificate_unknown; the kiosk
                                refuses to sync with it)
  wrong-kiosk.crt, .key         a client certificate of the test CA for kiosk OTHER-0002 (a
                                kiosk configured as another id refuses to sync with it)
  wrong-ca.pem, wrong-ca.key    a second CA that nobody trusts
  wrong-server.crt, .key        a server certificate for 127.0.0.1 signed by it
  signing.key, signing.pub      the Ed25519 document signing key pair (PEM)
  signing.keys                  the kiosk's trusted-keys file: `<key id> <base64 raw key>`

Everything is made with the openssl command-line tool (Debian 12's Python has no Ed25519).
Certificates use P-256 keys; private keys are mode 0600. Nothing here is ever committed.

Usage: make_pki.py DIR [--kiosk ID]... [--key-id ID] [--force]
"""
import argparse
import base64
import os
import re
import subprocess
import sys

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
DAYS = "3650"


def openssl(*args, cwd):
    # check=True: a PKI step that fails must stop the test, not leave half a PKI behind.
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def write_conf(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def make_ca(d, name, cn):
    conf = os.path.join(d, name + ".cnf")
    # A minimal config of our own, so the system's openssl.cnf cannot add extensions.
    write_conf(conf, f"""[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = {cn}
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
""")
    openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", DAYS,
            "-config", conf, cwd=d)
    os.chmod(os.path.join(d, name + ".key"), 0o600)
    os.unlink(conf)


def make_leaf(d, name, ca, cn, ext):
    """A P-256 key and a certificate for it signed by CA (name of ca.pem/ca.key)."""
    conf = os.path.join(d, name + ".cnf")
    write_conf(conf, f"""[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
[v3]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
{ext}
""")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-config", conf, cwd=d)
    # A random serial each time (-set_serial would repeat; -CAcreateserial leaves a file).
    serial = "0x" + os.urandom(16).hex()
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-set_serial", serial, "-days", DAYS, "-extfile", conf, "-extensions", "v3",
            "-out", name + ".crt", cwd=d)
    os.chmod(os.path.join(d, name + ".key"), 0o600)
    os.unlink(conf)
    os.unlink(os.path.join(d, name + ".csr"))


SERVER_EXT = ("keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
              "subjectAltName = IP:127.0.0.1, DNS:localhost")


def client_ext(san):
    ext = "keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth"
    return ext + ("\nsubjectAltName = " + san if san else "")


def make_signing(d, key_id):
    openssl("genpkey", "-algorithm", "ed25519", "-out", "signing.key", cwd=d)
    os.chmod(os.path.join(d, "signing.key"), 0o600)
    openssl("pkey", "-in", "signing.key", "-pubout", "-out", "signing.pub", cwd=d)
    der = subprocess.run(["openssl", "pkey", "-in", "signing.key", "-pubout", "-outform", "DER"],
                         cwd=d, check=True, capture_output=True).stdout
    # An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32-byte raw key.
    assert len(der) == 44, "unexpected Ed25519 public key encoding"
    raw = base64.b64encode(der[-32:]).decode("ascii")
    write_conf(os.path.join(d, "signing.keys"),
               "# The centre's document signing key (test PKI, made by make_pki.py)\n"
               f"{key_id} {raw}\n")


def make_pki(d, kiosks, key_id="central-test", force=False):
    """Makes whatever of the PKI is missing in d. Returns d."""
    os.makedirs(d, exist_ok=True)
    have = lambda *names: not force and all(os.path.exists(os.path.join(d, n)) for n in names)
    if not have("ca.pem", "ca.key"):
        make_ca(d, "ca", "bianmin test central CA")
        force = True  # everything signed by an older CA is now worthless
    if not have("server.crt", "server.key"):
        make_leaf(d, "server", "ca", "bianmin test central", SERVER_EXT)
    for i, k in enumerate(kiosks):
        if not have(f"kiosk-{k}.crt", f"kiosk-{k}.key"):
            make_leaf(d, f"kiosk-{k}", "ca", f"kiosk {k}", client_ext(f"URI:urn:bianmin:kiosk:{k}"))
        if i == 0 and not have("kiosk.crt", "kiosk.key"):
            for ext in ("crt", "key"):
                with open(os.path.join(d, f"kiosk-{k}.{ext}"), "rb") as src:
                    data = src.read()
                path = os.path.join(d, f"kiosk.{ext}")
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as dst:
                    dst.write(data)
    if not have("nosan.crt", "nosan.key"):
        make_leaf(d, "nosan", "ca", "a client without a kiosk id", client_ext(None))
    if not have("wrong-kiosk.crt", "wrong-kiosk.key"):
        make_leaf(d, "wrong-kiosk", "ca", "another kiosk",
                  client_ext("URI:urn:bianmin:kiosk:OTHER-0002"))
    if not have("wrong-ca.pem", "wrong-ca.key"):
        make_ca(d, "wrong-ca", "an unrelated CA")
        force = True
    if not have("wrong-server.crt", "wrong-server.key"):
        make_leaf(d, "wrong-server", "wrong-ca", "an impostor central", SERVER_EXT)
    if not have("signing.key", "signing.pub", "signing.keys"):
        make_signing(d, key_id)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--kiosk", action="append", default=[],
                    help="kiosk id (repeatable; the first is kiosk.crt; default DEMO-0001)")
    ap.add_argument("--key-id", default="central-test", help="the signing key's id")
    ap.add_argument("--force", action="store_true", help="make everything again")
    a = ap.parse_args()
    kiosks = a.kiosk or ["DEMO-0001"]
    for k in kiosks:
        if not KIOSK_ID.match(k):
            sys.exit(f"make_pki: kiosk id {k!r}: 1 to 32 of A-Z a-z 0-9 - _")
    if not KEY_ID.match(a.key_id):
        sys.exit(f"make_pki: key id {a.key_id!r}: 1 to 32 of A-Z a-z 0-9 . _ -")
    try:
        make_pki(a.dir, kiosks, a.key_id, a.force)
    except subprocess.CalledProcessError as e:
        sys.exit(f"make_pki: {' '.join(e.cmd[:3])}... failed: {e.stderr.decode(errors='replace')}")


if __name__ == "__main__":
    main()
