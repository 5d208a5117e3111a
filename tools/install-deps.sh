#!/usr/bin/env bash
# Installs every Debian 12 package bianmin needs to build, test and run its demo.
# Idempotent: when everything is installed already it only checks (well under a second).
# Runs apt as root directly, or through sudo for a normal user.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev gettext
    # display, text and images; line breaking (UAX #14) for wrapped Chinese and English text
    libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-noto-cjk libunibreak-dev
    # core runtime and tests
    libinih-dev libcmocka-dev
    # service catalog (JSON)
    libjansson-dev
    # ID card readers over USB (libusb) and USB-serial; emulated USB devices in tests
    libusb-1.0-0-dev libumockdev-dev umockdev
    # documents (receipts and A4: pango layout on cairo, QR codes) and the simulated devices
    libcairo2-dev libpango1.0-dev libqrencode-dev
    # A4 printing through CUPS; a private cupsd and PDF text checks in tests
    libcups2-dev cups-daemon cups-client poppler-utils
    # the outbox: SQLite, and libsodium for personal data at rest
    libsqlite3-dev libsodium-dev sqlite3
    # HTTPS to the centre (libcurl with OpenSSL, HTTP/2; libcrypto reads our own certificate)
    libcurl4-openssl-dev libssl-dev
    # decoding the QR codes we print, in tests (and the barcode driver)
    libzbar-dev
    # Chinese pinyin input: librime, its deployer, the luna_pinyin schema data, and what the
    # deployer needs beside it (default.yaml, punctuation: rime-prelude; the essay's word
    # frequencies: rime-essay), which a fresh Debian 12 does not pull in without recommends
    librime-dev librime-bin rime-data-luna-pinyin rime-prelude rime-essay
    # voice guidance: espeak-ng (engine, data with the cmn-latn-pinyin voice, headers)
    espeak-ng libespeak-ng-dev
    # headless demo and real-window tests
    xvfb xauth xdotool
    # the reference central service in tests: Python's standard library and the openssl tool
    python3 openssl
)

# One dpkg-query for all: a package it does not know at all is simply absent from its output.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null |
            awk '$NF == "installed" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install packages" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
