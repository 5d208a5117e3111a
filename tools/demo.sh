#!/usr/bin/env bash
# Builds bianmin and starts the kiosk in demo mode: simulated devices, the bundled config
# (config/kiosk.conf), no server. A 1080x1920 portrait window opens on your display.
# Without a display (no DISPLAY or WAYLAND_DISPLAY) it runs headless under Xvfb and saves a
# PNG of every screen it shows into out/screens/. Extra arguments go to bianmin (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBM_TESTS=OFF >/dev/null
ninja -C build/demo bianmin translations

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec build/demo/app/bianmin --config config/kiosk.conf "$@"
fi
mkdir -p out/screens
echo "demo: no display found; running headless under Xvfb, screens saved to out/screens/" >&2
echo "demo: type 'help' and Enter for the simulated-device commands, 'quit' to stop" >&2
exec xvfb-run -a -s '-screen 0 1080x1920x24' \
    build/demo/app/bianmin --config config/kiosk.conf --screenshot-dir out/screens "$@"
