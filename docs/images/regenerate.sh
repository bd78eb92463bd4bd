#!/usr/bin/env bash
# Regenerate the pictures in docs/images. The tests render the same scenes into temporary folders
# and never touch these files; run this after a change that shows, and commit the result:
#
#   bash docs/images/regenerate.sh             # napari-live.png, fiji-segmentation.png, fiji-menu.png
#   bash docs/images/regenerate.sh napari      # only the napari picture
#
# Needs what the screenshot tests need (xvfb, the GL/xcb libraries; for Fiji the JDK packages and
# ImageMagick, see docs/fiji.md). PYTHON overrides the interpreter (default .venv/bin/python).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
which="${1:-all}"

if [[ "$which" == all || "$which" == napari ]]; then
  QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1200x24" \
    "$python" -m pixframework.napari.screenshot "$here/napari-live.png"
fi
if [[ "$which" == all || "$which" == fiji ]]; then
  bash "$repo/plugins/fiji-bridge/screenshot.sh"
fi
