#!/usr/bin/env bash
# Build the Linux one-folder bundle into dist/kafdocs/ (executable: dist/kafdocs/kafdocs),
# then smoke-test it: start the app offscreen in demo mode, sign in, list the folders.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install ".[packaging]"
python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/kafdocs.spec
QT_QPA_PLATFORM=offscreen timeout 120 dist/kafdocs/kafdocs --demo --smoke-test
# The compiled French catalogue is inside: a usage error comes back in French.
said=$(env -u KAFDOCS_URL -u KAFDOCS_USER KAFDOCS_LANG=fr dist/kafdocs/kafdocs folders 2>&1 || true)
grep -q "Indiquez --url" <<<"$said" || { echo "no French in the bundle: $said" >&2; exit 1; }
echo "bundle: dist/kafdocs/ ($(du -sh dist/kafdocs | cut -f1))"
# Its bound (issue 18): a package that slips in (numpy did, through pypdfium2) fails here.
size_mb=$(du -sm dist/kafdocs | cut -f1)
[ "$size_mb" -le 110 ] || { echo "the bundle is ${size_mb} MB, over its 110 MB bound" >&2; exit 1; }
# A tarball to hand out, with the desktop entry and icons beside the bundle.
mkdir -p dist/kafdocs/share/icons
cp kafdocs/data/icons/*.png dist/kafdocs/share/icons/
cp resources/icons/kafdocs.svg resources/kafdocs.desktop dist/kafdocs/share/
cp packaging/install-desktop-entry.sh dist/kafdocs/
tar -C dist -czf "dist/kafdocs-linux-$(uname -m).tar.gz" kafdocs
echo "tarball: dist/kafdocs-linux-$(uname -m).tar.gz ($(du -sh dist/kafdocs-linux-*.tar.gz | cut -f1))"
