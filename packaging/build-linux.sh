#!/usr/bin/env bash
# Build the Linux one-folder bundle into dist/kafdocs/ (executable: dist/kafdocs/kafdocs),
# then smoke-test it: start the app offscreen in demo mode, sign in, list the folders.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install ".[packaging]"
python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/kafdocs.spec
QT_QPA_PLATFORM=offscreen timeout 120 dist/kafdocs/kafdocs --demo --smoke-test
echo "bundle: dist/kafdocs/ ($(du -sh dist/kafdocs | cut -f1))"
# A tarball to hand out, with the desktop entry and icons beside the bundle.
cp resources/kafdocs.desktop packaging/install-desktop-entry.sh dist/kafdocs/
mkdir -p dist/kafdocs/kafdocs/data dist/kafdocs/resources/icons
cp -r kafdocs/data/icons dist/kafdocs/kafdocs/data/
cp resources/icons/kafdocs.svg dist/kafdocs/resources/icons/
tar -C dist -czf "dist/kafdocs-linux-$(uname -m).tar.gz" kafdocs
echo "tarball: dist/kafdocs-linux-$(uname -m).tar.gz ($(du -sh dist/kafdocs-linux-*.tar.gz | cut -f1))"
