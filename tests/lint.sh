#!/usr/bin/env bash
# Source rules the compiler does not check (docs/architecture.md, Conventions):
#  - banned functions: strcpy strcat sprintf vsprintf gets atoi strtok;
#  - third-party device and network headers only inside their one adapter;
#  - every .c file opens with a prose comment; no file past 1,000 lines.
set -u
cd "$(dirname "$0")/.."
fail=0
say() { printf '%s\n' "$*"; fail=1; }

files=$(git ls-files '*.c' '*.h' 2>/dev/null || find app drivers tests -name '*.[ch]')

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|strtok)[[:space:]]*\('
hits=$(grep -nE "$banned" $files | grep -vE '^\S+:[0-9]+:\s*(\*|/\*|//)' || true)
[ -z "$hits" ] || say "banned functions (use snprintf, strtol, bounded copies):
$hits"

check_home() { # header, the only directory allowed to include it
    local hits
    hits=$(grep -lE "#include [<\"]$1" $files | grep -v "^$2" || true)
    [ -z "$hits" ] || say "$1 included outside $2: $hits"
}
check_home 'libusb' 'drivers/\|tests/driver/'
check_home 'sane/' 'drivers/'
check_home 'cups/' 'drivers/'
check_home 'zbar' 'drivers/\|tests/ui/test_document_render\|tests/ui/test_widgets\|tests/ui/test_screens_session\|tests/driver/test_receipt_print'
check_home 'cairo' 'drivers/sim/\|tests/\|app/services/'
check_home 'curl/' 'app/services/central_http\|tests/'
check_home 'openssl/' 'app/services/central_http\|tests/'
check_home 'sqlite3' 'app/services/outbox\|tests/'
check_home 'rime_api' 'app/services/ime\.c'
check_home 'linphone/' 'app/services/'
check_home 'espeak' 'app/services/voice\.c'
check_home 'jansson' 'app/services/catalog_parse\|app/services/remote_settings\.c\|app/services/sync\|app/services/heartbeat\|app/services/usage\.c\|app/services/json_text\|tests/'

for f in $(printf '%s\n' $files | grep '\.c$'); do
    head -1 "$f" | grep -q '^/\*' || say "$f: no opening comment saying what the file is for"
done
for f in $files; do
    n=$(wc -l <"$f")
    [ "$n" -le 1000 ] || say "$f: $n lines (split past 1,000)"
done

[ $fail -eq 0 ] && echo "lint: clean"
exit $fail
