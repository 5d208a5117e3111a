#!/usr/bin/env bash
# Deploys librime's pinyin data for the kiosk's input method, at build or install time (never
# at kiosk start: deploying in the app costs seconds and hundreds of MB).
#   tools/rime-deploy.sh DIR [SHARED_DATA_DIR]
# DIR becomes the input method's private user_data_dir (the kiosk's state, or the build tree
# for tests): two patches and the compiled schema in DIR/build. Only luna_pinyin_simp is
# deployed, and its user dictionary is off, so nothing residents type is learned or stored.
# Needs rime_deployer (librime-bin) and rime-data-luna-pinyin. Idempotent.
set -euo pipefail
dir=${1:?usage: rime-deploy.sh DIR [SHARED_DATA_DIR]}
shared=${2:-/usr/share/rime-data}
command -v rime_deployer >/dev/null || { echo "rime-deploy: rime_deployer missing (librime-bin)" >&2; exit 1; }
[ -f "$shared/luna_pinyin_simp.schema.yaml" ] || { echo "rime-deploy: $shared has no luna_pinyin_simp (rime-data-luna-pinyin)" >&2; exit 1; }
mkdir -p "$dir"
chmod 0700 "$dir"
cat >"$dir/default.custom.yaml" <<'YAML'
# bianmin: only the schema the kiosk uses is deployed.
patch:
  schema_list:
    - schema: luna_pinyin_simp
  menu/page_size: 6
YAML
cat >"$dir/luna_pinyin_simp.custom.yaml" <<'YAML'
# bianmin: a public kiosk never learns or stores what residents type.
patch:
  translator/enable_user_dict: false
  menu/page_size: 6
YAML
# The deployer logs every step to stderr: shown only when it fails.
# Its glog files go to a temporary directory, removed afterwards, not to /tmp.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! GLOG_log_dir=$tmp rime_deployer --build "$dir" "$shared" "$dir/build" >"$tmp/out" 2>&1; then
    tail -n 20 "$tmp/out" >&2
    echo "rime-deploy: rime_deployer failed" >&2
    exit 1
fi
[ -f "$dir/build/luna_pinyin_simp.schema.yaml" ] || { echo "rime-deploy: no luna_pinyin_simp in $dir/build" >&2; exit 1; }
