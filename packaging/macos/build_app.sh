#!/usr/bin/env bash
# Build dmdesk.app and a .dmg on macOS; sign and notarize them when the credentials are given.
#
#   bash packaging/macos/build_app.sh
#
# Output: dist/dmdesk.app and dist/dmdesk-VERSION-macos-ARCH.dmg (ARCH: arm64 or x86_64, the
# machine's; build on each).
#
# Signing runs when MACOS_SIGN_IDENTITY names a "Developer ID Application: ..." identity in the
# keychain (the release workflow imports it from the MACOS_CERTIFICATE secret). Notarization
# runs when the app was signed and APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an
# app-specific password) are set. Without them each step is skipped with a message: the app
# then keeps PyInstaller's ad-hoc signature, runs on the machine that built it, and elsewhere
# Gatekeeper makes the user confirm the first start (right-click > Open).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
log() { printf '[macos %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { printf '[macos] FAILED: %s\n' "$*" >&2; exit 1; }

version=$(python -c 'from importlib.metadata import version; print(version("dmdesk"))')
arch=$(uname -m)
app="dist/dmdesk.app"
dmg="dist/dmdesk-${version}-macos-${arch}.dmg"
entitlements="packaging/macos/entitlements.plist"
identity="${MACOS_SIGN_IDENTITY:-}"

# ---------------------------------------------------------------------------------------------
# 1. The .app (PyInstaller's BUNDLE step in packaging/dmdesk.spec writes Info.plist)
# ---------------------------------------------------------------------------------------------
started=$(date +%s)
rm -rf dist/dmdesk dist/dmdesk.app
python -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/dmdesk.spec
plist_version=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" \
    "$app/Contents/Info.plist")
[[ "$plist_version" == "$version" ]] || fail "Info.plist says $plist_version, not $version"
log "built $app in $(($(date +%s) - started)) s: $(du -sm "$app" | cut -f1) MB"

# A quick check that the bundle runs at all (packaging/smoke_test.sh is the Linux full one).
"$app/Contents/MacOS/dmdesk" --version

# ---------------------------------------------------------------------------------------------
# 2. Signing: each binary on its own, innermost first, then the frameworks, then the app.
#    Not --deep: it signs nested code with the app's entitlements and options, hides what was
#    signed how, and Apple advises against it for distribution.
# ---------------------------------------------------------------------------------------------
sign() {
    codesign --force --timestamp --options runtime --sign "$identity" "$@"
}

deepest_first() {  # paths on stdin, the ones with most slashes first
    awk -F/ '{ print NF "\t" $0 }' | sort -rn -k1,1 | cut -f2-
}

sign_app() {
    local count=0 path
    # Mach-O files (dylibs, Python extensions, Qt plugins and framework binaries), not
    # symlinks, not the main executable (the app's own signature covers it, with entitlements).
    while IFS= read -r path; do
        sign "$path"
        count=$((count + 1))
    done < <(find "$app/Contents" -type f ! -path "$app/Contents/MacOS/dmdesk" -print0 \
        | xargs -0 file --no-pad --separator '|' | awk -F'|' '/Mach-O/ { print $1 }' \
        | deepest_first)
    log "signed $count binaries"
    # Framework bundles, by their version directory (e.g. QtCore.framework/Versions/A).
    while IFS= read -r path; do
        sign "$path"
    done < <(find "$app/Contents" -type d -path '*.framework/Versions/*' ! -name Current \
        -prune | deepest_first)
    sign --entitlements "$entitlements" "$app"
    codesign --verify --strict --verbose=2 "$app"
    log "signed $app as $identity"
}

if [[ -n "$identity" ]]; then
    sign_app
else
    log "signing skipped: MACOS_SIGN_IDENTITY is not set (the app keeps its ad-hoc signature)"
fi

# ---------------------------------------------------------------------------------------------
# 3. Notarization: submit, wait for Apple's verdict, staple the ticket so Gatekeeper can check
#    it offline. The app first (so a copy dragged out of the .dmg carries its ticket), then
#    the .dmg.
# ---------------------------------------------------------------------------------------------
can_notarize() {
    [[ -n "$identity" && -n "${APPLE_ID:-}" && -n "${APPLE_TEAM_ID:-}" \
        && -n "${APPLE_APP_PASSWORD:-}" ]]
}

notarize() {  # notarize FILE_TO_SUBMIT FILE_TO_STAPLE
    local result status id
    result=$(xcrun notarytool submit "$1" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait --output-format json)
    status=$(python -c 'import json, sys; print(json.loads(sys.argv[1])["status"])' "$result")
    id=$(python -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$result")
    if [[ "$status" != "Accepted" ]]; then
        xcrun notarytool log "$id" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
            --password "$APPLE_APP_PASSWORD" >&2 || true
        fail "notarization of $1: $status (submission $id; Apple's log above)"
    fi
    xcrun stapler staple "$2"
    log "notarized and stapled $2 (submission $id)"
}

if can_notarize; then
    ditto -c -k --keepParent "$app" "dist/dmdesk-notarize.zip"
    notarize "dist/dmdesk-notarize.zip" "$app"
    rm -f "dist/dmdesk-notarize.zip"
    spctl --assess --type execute --verbose=2 "$app"
elif [[ -n "$identity" ]]; then
    log "notarization skipped: APPLE_ID, APPLE_TEAM_ID or APPLE_APP_PASSWORD is not set"
else
    log "notarization skipped: the app is not signed"
fi

# ---------------------------------------------------------------------------------------------
# 4. The .dmg: the app and a link to /Applications to drag it onto.
# ---------------------------------------------------------------------------------------------
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/dmdesk.app"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "dmdesk $version" -srcfolder "$staging" -fs HFS+ -format UDZO \
    -ov "$dmg"
if [[ -n "$identity" ]]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
fi
if can_notarize; then
    notarize "$dmg" "$dmg"
fi
log "wrote $dmg ($(du -m "$dmg" | cut -f1) MB)"
