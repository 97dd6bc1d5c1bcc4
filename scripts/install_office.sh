#!/usr/bin/env bash
# LibreOffice (Writer and Calc), CJK fonts, fontconfig and poppler: `genreport build --format pdf` converts through
# LibreOffice, the tests open the sample report and workbook in a real office suite and read the PDFs with poppler
# (pdftotext, pdffonts), and scripts/render_preview.sh draws the README pictures. tests/test_form_uno.py types into
# the blank form in Calc through LibreOffice's Python bridge (python3-uno, for the system python3). Installs through
# apt-get, and only what is missing: a second run does nothing and prints nothing.
set -euo pipefail
need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
[ -e /usr/lib/python3/dist-packages/uno.py ] || need+=(python3-uno)
command -v pdftotext >/dev/null && command -v pdffonts >/dev/null || need+=(poppler-utils)
command -v fc-match >/dev/null || need+=(fontconfig)
# The GB/T 9704 faces are not free: Noto Serif CJK SC stands in for 仿宋/宋体/楷体/小标宋 (Bold for 小标宋) and
# Noto Sans CJK SC for 黑体 (pipeline/render/pdf.py). Both come in fonts-noto-cjk.
# (grep without -q reads all of fc-list's output: with pipefail, -q would make fc-list fail on SIGPIPE)
fonts=$(fc-list : family 2>/dev/null || true)
{ grep -F "Noto Sans CJK SC" <<<"$fonts" >/dev/null && grep -F "Noto Serif CJK SC" <<<"$fonts" >/dev/null; } ||
  need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "install_office.sh: needs ${need[*]} (run as root, or install them with your package manager)" >&2
  exit 1
fi
echo "installing ${need[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
