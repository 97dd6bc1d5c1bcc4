#!/usr/bin/env bash
# Render one page of a report to PNG (the README pictures): docx → PDF (LibreOffice) → PNG (pdftoppm).
#   bash scripts/render_preview.sh REPORT.docx OUT.png [PAGE]      PAGE: a number, or "附件1" for that page
# Installs LibreOffice, CJK fonts and poppler through apt-get when they are missing (scripts/install_office.sh).
# The GB/T 9704 fonts (仿宋_GB2312, 方正小标宋简体 …) are not free; fontconfig maps them to Noto CJK here.
set -euo pipefail
docx=${1:-outputs/2022.docx}
png=${2:-docs/first-page.png}
page=${3:-1}

bash "$(dirname "$0")/install_office.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/fonts.conf" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>仿宋_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>方正小标宋简体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
XML
FONTCONFIG_FILE="$work/fonts.conf" HOME="$work" timeout 180 soffice --headless --convert-to pdf --outdir "$work" "$docx" >/dev/null
pdf="$work/$(basename "${docx%.*}").pdf"
if ! [[ $page =~ ^[0-9]+$ ]]; then  # find the page whose text starts with that label
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  for ((p = 1; p <= pages; p++)); do
    if pdftotext -f "$p" -l "$p" "$pdf" - | head -1 | tr -d ' ' | grep -q "^${page}"; then page=$p; break; fi
  done
  [[ $page =~ ^[0-9]+$ ]] || { echo "no page starts with $3" >&2; exit 1; }
fi
pdftoppm -f "$page" -l "$page" -r 80 -png -singlefile "$pdf" "${png%.png}"
echo "wrote $png"
