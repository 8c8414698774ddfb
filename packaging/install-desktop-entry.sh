#!/usr/bin/env bash
# Install the desktop entry and icons for the current user (Linux, freedesktop desktops).
# Works from the repository (packaging/) and from an unpacked bundle (kafdocs/).
# Usage: install-desktop-entry.sh [PATH_TO_KAFDOCS_EXECUTABLE]
#        install-desktop-entry.sh --uninstall     (removes what it installed)
set -euo pipefail
data="${XDG_DATA_HOME:-$HOME/.local/share}"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/kafdocs.desktop" "$data/icons/hicolor/scalable/apps/kafdocs.svg"
  for size in 16 24 32 48 64 128 256 512; do
    rm -f "$data/icons/hicolor/${size}x${size}/apps/kafdocs.png"
  done
  echo "removed: $data/applications/kafdocs.desktop and the kafdocs icons"
  exit 0
fi
here="$(cd "$(dirname "$0")" && pwd)"
if [ -d "$here/share" ]; then            # inside the bundle
  icons="$here/share/icons"; svg="$here/share/kafdocs.svg"; desktop="$here/share/kafdocs.desktop"
  default_exe="$here/kafdocs"
else                                      # in the repository
  icons="$here/../kafdocs/data/icons"; svg="$here/../resources/icons/kafdocs.svg"
  desktop="$here/../resources/kafdocs.desktop"; default_exe="$(command -v kafdocs || echo kafdocs)"
fi
exe="${1:-$default_exe}"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 "$icons/kafdocs-$size.png" "$data/icons/hicolor/${size}x${size}/apps/kafdocs.png"
done
install -Dm644 "$svg" "$data/icons/hicolor/scalable/apps/kafdocs.svg"
mkdir -p "$data/applications"
sed "s|^Exec=kafdocs|Exec=$exe|" "$desktop" > "$data/applications/kafdocs.desktop"
if command -v update-desktop-database >/dev/null; then
  update-desktop-database "$data/applications" || true
fi
echo "installed: $data/applications/kafdocs.desktop"
