#!/usr/bin/env bash
# The README pictures, made the way a user makes the files: `genreport build --format pdf,html`, then one PDF page
# to PNG (pdftoppm) and the HTML as a browser shows it (headless Chromium, Debian's `chromium`).
#   bash scripts/render_preview.sh            writes docs/first-page.png, docs/self-evaluation-form.png,
#                                             docs/township-charts.png and docs/html-page.png
# Installs LibreOffice, CJK fonts and poppler when missing (scripts/install_office.sh); Chromium too, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
genreport=${GENREPORT:-.venv/bin/genreport}
bash scripts/install_office.sh
command -v chromium >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq chromium >/dev/null; } || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$genreport" build inputs/2022.xlsx inputs/township-2023.xlsx --format pdf,html --comments -o "$work" >/dev/null 2>&1

page_of() {  # the first page whose text starts with $2 in PDF $1
  local pages p
  pages=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
  for ((p = 1; p <= pages; p++)); do
    if pdftotext -f "$p" -l "$p" "$1" - | head -1 | tr -d ' ' | grep -q "^$2"; then echo "$p"; return; fi
  done
  echo "no page starts with $2" >&2
  return 1
}
png() {  # PDF page → PNG
  pdftoppm -f "$2" -l "$2" -r 80 -png -singlefile "$1" "${3%.png}"
  echo "wrote $3"
}

png "$work/2022.pdf" 1 docs/first-page.png
png "$work/2022.pdf" "$(page_of "$work/2022.pdf" 附件1)" docs/self-evaluation-form.png
charts=$(pdftotext "$work/township-2023.pdf" - | awk '/\f/ {p++} /支出情况/ && !n {n = p + 1} END {print n}')
png "$work/township-2023.pdf" "${charts:-2}" docs/township-charts.png
if command -v chromium >/dev/null; then
  # the top of the HTML: the title carries the review note of the warnings without a printed figure
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,1000 \
    --screenshot="$PWD/docs/html-page.png" "file://$work/2022.html" >/dev/null 2>&1
  echo "wrote docs/html-page.png"
else
  echo "chromium not installed: docs/html-page.png not redrawn (apt-get install chromium)" >&2
fi
