#!/usr/bin/env bash
# LibreOffice (Writer and Calc), CJK fonts and poppler: the tests open the sample report and workbook in a real
# office suite, and scripts/render_preview.sh draws the README pictures. Installs through apt-get when missing.
set -euo pipefail
need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# (grep without -q reads all of fc-list's output: with pipefail, -q would make fc-list fail on SIGPIPE)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_office.sh: needs ${need[*]} (run as root, or install them with your package manager)" >&2
  exit 1
fi
echo "installing ${need[*]} …" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
