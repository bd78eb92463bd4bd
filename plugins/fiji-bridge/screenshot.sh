#!/usr/bin/env bash
# Regenerate docs/images/fiji-segmentation.png and docs/images/fiji-menu.png: ImageJ (with the bridge
# installed the way docs/fiji.md tells ImageJ 1.x users) connects to a fresh `pixf serve`, sends ROIs,
# trains and shows the returned probabilities and segmentation, on a virtual screen.
#
#   bash plugins/fiji-bridge/build.sh && bash plugins/fiji-bridge/screenshot.sh
#
# Needs: xvfb twm xdotool imagemagick (apt-get install xvfb twm xdotool imagemagick), ImageJ's ij.jar.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$here/build"
ij_jar="${JAVA_JARS:-/usr/share/java}/ij.jar"
out="$repo/docs/images"
for tool in Xvfb twm xdotool import convert java pixf; do
  command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing" >&2; exit 2; }
done
[[ -f "$build/pixframework_bridge.jar" ]] || { echo "screenshot.sh: run build.sh first" >&2; exit 2; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ImageJ 1.x layout: the bridge in plugins/, its dependencies in plugins/jars/.
mkdir -p "$work/imagej/plugins/jars" "$work/data"
cp "$build/pixframework_bridge.jar" "$work/imagej/plugins/"
cp "$build"/lib/*.jar "$work/imagej/plugins/jars/"
python3 -c "import sys, tifffile; from skimage import data; tifffile.imwrite(sys.argv[1], data.coins())" "$work/coins.tif"

pixf serve --address 127.0.0.1:0 --data-root "$work/data" > "$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
server="$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$work/server.log" | head -1)"
[[ -n "$server" ]] || { cat "$work/server.log" >&2; exit 1; }

display=77
while [[ -e "/tmp/.X11-unix/X$display" || -e "/tmp/.X$display-lock" ]]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1400x900x24 -nolisten tcp > "$work/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done
printf 'RandomPlacement\nUsePPosition "on"\nNoGrabServer\nBorderWidth 1\n' > "$work/twmrc"
twm -f "$work/twmrc" > /dev/null 2>&1 &
pids+=($!)

cat > "$work/show.ijm" <<MACRO
target = "server=$server project=demo.pixf";
open("$work/coins.tif");
run("pixframework Connect", "server=$server");
run("pixframework Project", target + " mode=replace");
makeRectangle(5, 5, 60, 20); Roi.setName("background"); Overlay.addSelection("#ffe119", 2);
makeRectangle(200, 280, 150, 15); Roi.setName("background"); Overlay.addSelection("#ffe119", 2);
makeRectangle(45, 45, 10, 12); Roi.setName("coins"); Overlay.addSelection("#4363d8", 2);
makeRectangle(220, 115, 14, 10); Roi.setName("coins"); Overlay.addSelection("#4363d8", 2);
run("Select None");
run("pixframework Send ROIs", target + " source=overlay");
run("pixframework Train", target);
run("pixframework Predict", target + " output=both");
selectWindow("coins.tif"); setLocation(0, 95);
selectWindow("coins probabilities"); setLocation(400, 95); setSlice(2);
selectWindow("coins segmentation"); setLocation(800, 95);
File.saveString("ready", "$work/ready");
MACRO
java -Dplugins.dir="$work/imagej" -cp "$ij_jar" ij.ImageJ -macro "$work/show.ijm" > "$work/imagej.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [[ -f "$work/ready" ]] && break; sleep 0.2; done
[[ -f "$work/ready" ]] || { echo "screenshot.sh: ImageJ did not finish the macro" >&2; cat "$work/imagej.log" >&2; exit 1; }
sleep 1
xdotool windowmove "$(xdotool search --name '^ImageJ$' | head -1)" 0 0
log="$(xdotool search --name '^Log$' | head -1)"
xdotool windowmove "$log" 0 480
xdotool windowsize "$log" 1190 215
sleep 1
mkdir -p "$out"
import -window root "$work/screen.png"
convert "$work/screen.png" -crop 1200x720+0+0 +repage "$out/fiji-segmentation.png"

# Plugins > pixframework, opened by clicking (positions of ImageJ's menu bar at the top left).
xdotool mousemove 320 38 click 1
sleep 0.8
xdotool mousemove 330 182 click 1
sleep 0.8
import -window root "$work/menu.png"
convert "$work/menu.png" -crop 700x340+0+0 +repage "$out/fiji-menu.png"
xdotool key Escape key Escape
echo "wrote $out/fiji-segmentation.png and $out/fiji-menu.png"
