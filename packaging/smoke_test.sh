#!/usr/bin/env bash
# Smoke-test a built Linux bundle as a user would run it: no Python, no source tree, a fresh
# home folder.
#
#   bash packaging/smoke_test.sh [BUNDLE_DIR]     # default: dist/dmdesk
#
# Checks, each with its own message on failure:
#   1. `dmdesk --version` prints the version of pyproject.toml (read from the bundled metadata)
#   2. no library the bundle ships (Qt, ICU, PySide, Python) is missing for another one
#   3. `dmdesk demo --db FILE` builds the demo network (migrations found in the bundle)
#   4. `dmdesk db check --db FILE` passes
#   5. `dmdesk jobsheet NUMBER` writes a PDF with the number in it (pdftotext), and a QR code
#      that decodes to it (zbarimg, when installed)
#   6. the main window opens offscreen on that database and is grabbed to a PNG
#   7. a first run (no database anywhere) opens the welcome dialog, grabbed to a PNG
#   8. `dmdesk --demo` on a first run builds the demo in the platformdirs data folder, opens
#      the window, and logs to the platformdirs log folder
# The screenshots, the PDF and the log are kept in dist/smoke/ (or $DMDESK_SMOKE_OUT) to look at.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$(cd "${1:-$repo/dist/dmdesk}" && pwd)"
exe="$bundle/dmdesk"
out="${DMDESK_SMOKE_OUT:-$repo/dist/smoke}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

started=$(date +%s)
log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
trap 'printf "[smoke] FAILED at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
fail() { printf '[smoke] FAILED: %s\n' "$*" >&2; exit 1; }

[[ -x "$exe" ]] || fail "no executable at $exe (build it: bash packaging/build_linux.sh)"
rm -rf "$out" && mkdir -p "$out"

# Run the bundle as a user would: a fresh home, none of our environment, outside the repo.
run() {
    (cd "$work" && env -u PYTHONPATH -u PYTHONHOME -u DMDESK_DB -u XDG_DATA_HOME \
        -u XDG_STATE_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME HOME="$home" "$exe" "$@")
}
gui() { QT_QPA_PLATFORM=offscreen DMDESK_SCREENSHOT="$1" run "${@:2}"; }

check_png() {  # a PNG of a window, not an empty file
    [[ -s "$1" ]] || fail "$2: no screenshot at $1"
    [[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" == "89504e470d0a1a0a" ]] \
        || fail "$2: $1 is not a PNG"
    (($(stat -c %s "$1") > 5000)) || fail "$2: $1 is suspiciously small (blank window?)"
    local b  # width and height: big-endian at bytes 16 and 20 (the IHDR chunk)
    read -r -a b < <(od -An -tu1 -j16 -N8 "$1")
    log "$2: screenshot $1 ($(((b[2] << 8) + b[3]))x$(((b[6] << 8) + b[7])))"
}

home="$work/home"
mkdir -p "$home"

# 1. version
expected=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/pyproject.toml")
got=$(run --version)
[[ "$got" == "dmdesk $expected" ]] || fail "--version printed '$got', expected 'dmdesk $expected'"
log "1. --version: $got"

# 2. bundled libraries resolve against each other (system ones are the desktop's business)
missing=$(find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 \
    | LD_LIBRARY_PATH="$bundle/_internal:$bundle/_internal/PySide6/Qt/lib" xargs -0 ldd 2>/dev/null \
    | grep 'not found' | grep -E 'lib(Qt6|icu|pyside6|shiboken6|python3)' | sort -u || true)
[[ -z "$missing" ]] || fail "bundled libraries are missing: $missing"
log "2. every bundled Qt/ICU/PySide/Python library resolves"

# 3. demo
db="$work/demo.sqlite"
run demo --db "$db" > "$out/demo.txt" 2>&1 || { cat "$out/demo.txt"; fail "demo --db"; }
log "3. demo: $(tail -n 1 "$out/demo.txt")"

# 4. db check
run db check --db "$db" > "$out/check.txt" 2>&1 || { cat "$out/check.txt"; fail "db check"; }
grep -q '^OK:' "$out/check.txt" || fail "db check did not say OK: $(cat "$out/check.txt")"
log "4. db check: $(grep '^OK:' "$out/check.txt")"

# 5. job sheet
number=$("${PYTHON:-python3}" -c 'import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(
    "SELECT number FROM work_order ORDER BY number LIMIT 1").fetchone()
print(row[0] if row else "")' "$db")
[[ -n "$number" ]] || fail "the demo database has no work order"
run jobsheet "$number" --db "$db" --out "$out/jobsheet.pdf" || fail "jobsheet $number"
pdftotext "$out/jobsheet.pdf" - | grep -qF "$number" \
    || fail "the job sheet PDF does not contain $number"
if command -v zbarimg >/dev/null 2>&1; then
    pdftoppm -r 150 -png -f 1 -l 1 "$out/jobsheet.pdf" "$work/sheet"
    zbarimg --quiet --raw "$work"/sheet*.png 2>/dev/null | grep -qxF "$number" \
        || fail "the job sheet's codes do not decode to $number"
    log "5. jobsheet: $out/jobsheet.pdf shows $number; its QR/Code128 decode to it"
else
    log "5. jobsheet: $out/jobsheet.pdf shows $number (zbarimg not installed: codes not read)"
fi

# 6. the main window on that database
gui "$out/main-window.png" --db "$db" || fail "the app exited with an error"
check_png "$out/main-window.png" "6. main window"

# 7. first run: the welcome dialog, and nothing created until the user chooses
home="$work/first-run"
mkdir -p "$home"
data="$home/.local/share/dmdesk"
logs="$home/.local/state/dmdesk/log"
gui "$out/first-run-welcome.png" || fail "the first run exited with an error"
check_png "$out/first-run-welcome.png" "7. first run, welcome dialog"
[[ ! -e "$data/dmdesk.sqlite" && ! -e "$data/demo.sqlite" ]] \
    || fail "a first run that chose nothing created a database"

# 8. first run with the demo: data and log where platformdirs says
gui "$out/first-run-demo.png" --demo > "$out/first-run-demo.txt" 2>&1 \
    || { cat "$out/first-run-demo.txt"; fail "dmdesk --demo"; }
check_png "$out/first-run-demo.png" "8. first run, demo"
[[ -s "$data/demo.sqlite" ]] || fail "the demo database is not in the data folder $data"
[[ -s "$logs/dmdesk.log" ]] || fail "no log in the log folder $logs"
cp "$logs/dmdesk.log" "$out/first-run.log"
log "8. demo database: ${data#"$home"/} ($(du -h "$data/demo.sqlite" | cut -f1)), log: ${logs#"$home"/}/dmdesk.log"

log "bundle $bundle: $(du -sm "$bundle" | cut -f1) MB; smoke test passed in $(($(date +%s) - started)) s"
