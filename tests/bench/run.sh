#!/usr/bin/env bash
# Start-up and idle benchmark of the kiosk program (not part of the test suite: numbers, not
# pass/fail). Reports, for the attract screen at 1080x1920 with simulated devices:
#   - process start to first frame (ms), median of N runs, offscreen software renderer;
#   - CPU used while idle on the attract screen for IDLE_S seconds (default 60), under Xvfb
#     (a real X11 window, where SDL truly sleeps) and with the offscreen driver;
#   - peak RSS (VmHWM) of the idle run;
#   - the time to load the bundled catalog and a 512-service one, and the memory each keeps;
#   - the host-side time of one ID card read and its bytes on the wire (bench_sam);
#   - the time to lay out and render a receipt and an A4 PDF, and their bytes (bench_document).
#   - receipt encode time, bytes per receipt and the USB bandwidth to the emulated printer
#     (bench_escpos);
#   - durable outbox enqueues and acknowledgements a second, bytes per queued application
#     (bench_outbox);
#   - deliveries a second to the reference central service over one reused connection, and
#     with one curl process per request (bench_sync);
#   - one home-screen frame at 1080x1920 and 1920x1080, software renderer (bench_redraw):
#     median and p99 of a full redraw (the clock's minute), of a cold one (the static layer
#     drawn again, as after a language, theme or view-model change) and of a pressed button;
#   - a 60-row list's frame times (median, p99) during momentum flicks and page glides at
#     1080x1920 and 1920x1080 (bench_list);
#   - the home screen's frame times (median, p99) redrawn at 60 Hz with sync idle and while it
#     delivers 20 applications of 3 MiB, and the main thread's and the sync worker's CPU while
#     idle (bench_frames, which starts its own reference central service).
# Usage: tests/bench/run.sh [BUILD_DIR]   (default build/bench, an optimised build with the
#        benchmark programs: cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
#        && ninja -C build/bench; build/demo from tools/demo.sh works too, without the catalog
#        numbers)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/bench}
bin=$build/app/bianmin
runs=${RUNS:-10}
idle_s=${IDLE_S:-60}
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(--config config/kiosk.conf --set "sim.output_dir=$out/sim" --set log.level=notice)
hz=$(getconf CLK_TCK)

echo "== start to first frame (offscreen, software renderer, $runs runs)"
times=()
cpus=()
for _ in $(seq "$runs"); do
    line=$(BM_BENCH_T0_NS=$(date +%s%N) SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software \
        SDL_FRAMEBUFFER_ACCELERATION=0 "$bin" "${common[@]}" --exit-after-first-frame 2>&1 |
        grep 'first frame after' || true)
    times+=("$(sed -n 's/.*first frame after \([0-9.]*\) ms.*/\1/p' <<<"$line")")
    cpus+=("$(sed -n 's/.*main thread CPU \([0-9.]*\) ms.*/\1/p' <<<"$line")")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "first frame: median %.1f ms, min %.1f ms, max %.1f ms (wall)\n", a[int((NR+1)/2)], a[1], a[NR]}'
# The main thread's CPU time to the first frame: what a busy machine does not stretch.
printf '%s\n' "${cpus[@]}" | grep . | sort -n | awk '{a[NR]=$1} END {if (NR) printf "first frame: main thread CPU median %.1f ms, min %.1f ms, max %.1f ms\n", a[int((NR+1)/2)], a[1], a[NR]}'

# idle <label> <command...>: runs the kiosk for idle_s seconds after a settling second and
# reports the CPU it used and its peak resident memory.
idle() {
    local label=$1; shift
    "$@" "${common[@]}" >"$out/log" 2>&1 &
    local launcher=$!
    local pid=""
    for _ in $(seq 150); do # Xvfb takes a moment to start
        pid=$(pgrep -n -f "^$bin" || true)
        [ -n "$pid" ] && grep -q "screen\|online" "$out/log" && break
        sleep 0.1
    done
    sleep 1 # let start-up settle: measure the idle kiosk only
    [ -n "$pid" ] || { echo "bench: kiosk did not start ($label)"; cat "$out/log"; return 1; }
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    sleep "$idle_s"
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    local hwm
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"
    wait "$launcher" || true
    awk -v t=$(( (u1 - u0) + (s1 - s0) )) -v hz="$hz" -v s="$idle_s" -v hwm="$hwm" -v l="$label" \
        'BEGIN {printf "%s: CPU %.2f s in %d s idle (%.3f%% of one core), peak RSS %.1f MB\n", l, t/hz, s, 100*t/hz/s, hwm/1024}'
}

echo "== idle on the attract screen for $idle_s s"
idle "Xvfb (X11 window)" xvfb-run -a -s '-screen 0 1080x1920x24' env SDL_RENDER_DRIVER=software "$bin"
idle "offscreen driver" env SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software \
    SDL_FRAMEBUFFER_ACCELERATION=0 "$bin"

echo "== catalog load (bundled and a 512-service catalog)"
if [ -x "$build/tests/bench/bench_catalog" ]; then
    "$build/tests/bench/bench_catalog" "${CATALOG_RUNS:-50}"
else
    echo "bench_catalog not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== ID card read, host side (codec, parser, decoder) and bytes on the wire"
if [ -x "$build/tests/bench/bench_sam" ]; then
    "$build/tests/bench/bench_sam" "${SAM_RUNS:-3000}"
else
    echo "bench_sam not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== documents: sample receipt to a raster (576 and 384 dots), A4 certificate to PDF"
if [ -x "$build/tests/bench/bench_document" ]; then
    "$build/tests/bench/bench_document" "${DOC_RUNS:-50}"
else
    echo "bench_document not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== Receipt printer (ESC/POS): encode a 576x1600 raster, bytes per receipt, USB bandwidth"
if [ -x "$build/tests/bench/bench_escpos" ]; then
    "$build/tests/bench/bench_escpos" "${ESCPOS_RUNS:-200}"
else
    echo "bench_escpos not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== Outbox: durable enqueues a second, take + ack a second, bytes per queued application"
if [ -x "$build/tests/bench/bench_outbox" ]; then
    # On the build's disk, not in $out: /tmp may be a tmpfs, where fsync costs nothing.
    "$build/tests/bench/bench_outbox" "$build" "${OUTBOX_PUTS:-500}" 2>/dev/null
else
    echo "bench_outbox not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== Sync: deliveries a second over one connection vs one curl process per request"
if [ -x "$build/tests/bench/bench_sync" ] && command -v python3 >/dev/null; then
    pki=$out/central
    python3 -B tests/central/make_pki.py "$pki" >/dev/null
    python3 -B tests/central/server.py --pki "$pki" --db "$pki/central.db" >"$pki/server.out" &
    server=$!
    for _ in $(seq 100); do grep -q '^listening' "$pki/server.out" 2>/dev/null && break; sleep 0.1; done
    addr=$(sed -n 's/^listening //p' "$pki/server.out")
    "$build/tests/bench/bench_sync" "$pki" "https://$addr" "${SYNC_N:-200}" 2>/dev/null
    kill "$server"
    wait "$server" 2>/dev/null || true
else
    echo "bench_sync not built in $build (configure with -DBM_TESTS=ON), or no python3"
fi

echo "== Home screen frames: full redraw, cold redraw, pressed button (portrait, landscape)"
if [ -x "$build/tests/bench/bench_redraw" ]; then
    SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software \
        "$build/tests/bench/bench_redraw" "${REDRAW_FRAMES:-300}" 2>/dev/null
else
    echo "bench_redraw not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== List scroll frames: momentum flicks and page glides (portrait, landscape)"
if [ -x "$build/tests/bench/bench_list" ]; then
    SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software \
        "$build/tests/bench/bench_list" "${LIST_FLICKS:-12}" 2>/dev/null
else
    echo "bench_list not built in $build (configure with -DBM_TESTS=ON)"
fi

echo "== UI while syncing: frame times idle vs delivering 60 MiB, idle CPU per thread"
if [ -x "$build/tests/bench/bench_frames" ] && command -v python3 >/dev/null; then
    BM_TEST_TMP=$out SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software \
        SDL_FRAMEBUFFER_ACCELERATION=0 "$build/tests/bench/bench_frames" "${FRAMES_IDLE_S:-10}" \
        2>/dev/null
else
    echo "bench_frames not built in $build (configure with -DBM_TESTS=ON), or no python3"
fi
