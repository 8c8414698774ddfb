#!/usr/bin/env bash
# Install the desktop entry and icons for the current user (Linux, freedesktop desktops).
# Usage: packaging/install-desktop-entry.sh [PATH_TO_KAFDOCS_EXECUTABLE]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exe="${1:-$(command -v kafdocs || echo kafdocs)}"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 "$here/kafdocs/data/icons/kafdocs-$size.png" \
    "$data/icons/hicolor/${size}x${size}/apps/kafdocs.png"
done
install -Dm644 "$here/resources/icons/kafdocs.svg" "$data/icons/hicolor/scalable/apps/kafdocs.svg"
sed "s|^Exec=kafdocs|Exec=$exe|" "$here/resources/kafdocs.desktop" > "$data/applications/kafdocs.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "installed: $data/applications/kafdocs.desktop"
