#!/usr/bin/env bash
# Build the Linux one-folder bundle: dist/dmdesk/dmdesk (run dist/dmdesk/dmdesk --help).
#
#   bash packaging/build_linux.sh             # build
#   bash packaging/build_linux.sh --archive   # and pack dist/dmdesk-VERSION-linux-ARCH.tar.gz
#
# Needs dmdesk installed (for its metadata: pip install -e . or pip install .) and PyInstaller;
# if PyInstaller is missing, the `package` extra of pyproject.toml is installed first.
# Builds the code of this checkout (src/ goes first on PYTHONPATH).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
archive=false
case "${1:-}" in
    "") ;;
    --archive) archive=true ;;
    *) echo "usage: bash packaging/build_linux.sh [--archive]" >&2; exit 2 ;;
esac

export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if ! python -c "import PyInstaller" 2>/dev/null; then
    # The requirements of the `package` extra, read from pyproject.toml (one list to keep).
    mapfile -t requirements < <(python -c '
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["package"]))')
    log "installing ${requirements[*]}"
    python -m pip install --quiet "${requirements[@]}"
fi

version=$(python -c 'from importlib.metadata import version; print(version("dmdesk"))')
log "building dmdesk $version with PyInstaller $(python -m PyInstaller --version)"
started=$(date +%s)
rm -rf dist/dmdesk
python -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/dmdesk.spec
seconds=$(($(date +%s) - started))
size_mb=$(du -sm dist/dmdesk | cut -f1)
log "built dist/dmdesk in ${seconds} s: ${size_mb} MB, $(find dist/dmdesk -type f | wc -l) files"

if $archive; then
    tarball="dist/dmdesk-${version}-linux-$(uname -m).tar.gz"
    tar -C dist -czf "$tarball" dmdesk
    log "packed $tarball ($(du -m "$tarball" | cut -f1) MB)"
fi
