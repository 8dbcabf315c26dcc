#!/usr/bin/env bash
# Renders a superconv report.html to a PNG screenshot with headless Chromium, to check the report the
# way a browser shows it (no display needed). Debian's package is `chromium`; install it with
#   sudo apt-get install -y chromium
#
# usage: scripts/render-report.sh RUN_DIR/report.html [OUT.png] [WIDTHxHEIGHT]
#   default OUT: report.png next to the HTML; default size 1200x3000.
# The report is self-contained (inlined images, no network), so networking features are switched
# off and a throw-away profile is used.
set -euo pipefail
if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
html="$1"
[ -f "$html" ] || { echo "render-report: $html: no such file" >&2; exit 2; }
out="${2:-$(dirname "$html")/report.png}"
size="${3:-1200x3000}"
[[ "$size" =~ ^[0-9]+x[0-9]+$ ]] || { echo "render-report: size '$size' must look like 1200x3000" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "render-report: chromium not found (sudo apt-get install -y chromium)" >&2; exit 2; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
abs_out="$(mkdir -p "$(dirname "$out")" && cd "$(dirname "$out")" && pwd)/$(basename "$out")"
rm -f "$abs_out"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$abs_out" "file://$abs_html" >/dev/null 2>"$profile/chromium.log" || {
  echo "render-report: chromium failed:" >&2; tail -n 5 "$profile/chromium.log" >&2; exit 1; }
[ -s "$abs_out" ] || { echo "render-report: no screenshot written" >&2; tail -n 5 "$profile/chromium.log" >&2; exit 1; }
echo "$abs_out"
