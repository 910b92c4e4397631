#!/usr/bin/env bash
# Installs the Debian packages the portal needs when missing:
#   runtime: Pango (WeasyPrint prints PDFs with it), HarfBuzz's subset library (without it WeasyPrint
#   subsets the embedded CJK font in Python: every PDF about 30 times slower, a package 50 s instead of
#   under 2) and the Noto CJK fonts it embeds;
#   tests (with --browser): Debian's chromium, which the e2e suite drives (Playwright's own download
#   cannot work on these machines), and poppler-utils (pdftoppm renders a stamped PDF for e2e/artifacts).
set -euo pipefail
need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk fontconfig)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} (apt-get)"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
