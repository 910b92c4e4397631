#!/usr/bin/env bash
# Installs the Debian packages the portal needs when missing:
#   runtime: Pango (WeasyPrint prints PDFs with it), HarfBuzz's subset library (without it WeasyPrint
#   subsets the embedded CJK font in Python: every PDF about 30 times slower, a package 50 s instead of
#   under 2), the Noto CJK fonts it embeds and Liberation Sans, the Latin face of English PDFs
#   (templates/documents/fonts.css; without it fontconfig substitutes another, DejaVu Sans as a rule);
#   tests (with --browser): Debian's chromium, which the e2e suite drives (Playwright's own download
#   cannot work on these machines), and poppler-utils (pdftoppm renders a stamped PDF for e2e/artifacts);
#   make scaleout-test (with --scaleout): nginx and redis-server (run as the test's own processes on
#   loopback ports; their packaged services are neither enabled nor started here).
set -euo pipefail
need=()
# grep reads its whole input (no -q): under pipefail, a grep -q that stops at the first match leaves
# ldconfig or fc-list writing to a closed pipe, and the SIGPIPE made a present package look missing.
have_lib() { ldconfig -p 2>/dev/null | grep "$1" >/dev/null; }
have_font() { fc-list 2>/dev/null | grep -i "$1" >/dev/null; }
have_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
have_font "Noto Sans CJK" || need+=(fonts-noto-cjk fontconfig)
have_font "Liberation Sans" || need+=(fonts-liberation)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fi
if [ "${1:-}" = "--scaleout" ]; then
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing ${need[*]} (apt-get)"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
# Debian's policy-rc.d answering 101 keeps the install from starting the packages' own services (an
# nginx on port 80, a redis on 6379): the tests start theirs on loopback ports. Removed afterwards.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy"
fi
status=0
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null || status=$?
[ -n "$policy" ] && $SUDO rm -f "$policy"
exit $status
