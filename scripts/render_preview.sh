#!/usr/bin/env bash
# Render the first page of a report to PNG (the README picture): docx → PDF (LibreOffice) → PNG (pdftoppm).
# Installs LibreOffice, CJK fonts and poppler through apt-get when they are missing.
# The GB/T 9704 fonts (仿宋_GB2312, 方正小标宋简体 …) are not free; fontconfig maps them to Noto CJK here.
set -euo pipefail
docx=${1:-outputs/2022.docx}
png=${2:-docs/first-page.png}

if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! fc-list | grep -qi "Noto Serif CJK"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui fonts-noto-cjk fonts-noto-cjk-extra poppler-utils >/dev/null
fi

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
pdftoppm -f 1 -l 1 -r 80 -png -singlefile "$pdf" "${png%.png}"
echo "wrote $png"
