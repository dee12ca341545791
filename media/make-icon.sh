#!/usr/bin/env bash
# Draws media/icon.png (256x256) with ImageMagick: three VMs on a hypervisor bar; the
# right-hand driver VM is crashed (red, with a lightning bolt) while the others run.
set -euo pipefail
cd "$(dirname "$0")"
CONVERT=/usr/bin/convert
[ -x "$CONVERT" ] || CONVERT=convert
"$CONVERT" -size 256x256 xc:none \
  -fill '#14202e' -draw 'roundrectangle 8,8 247,247 40,40' \
  -fill '#2f81f7' -draw 'roundrectangle 40,44 216,100 12,12' \
  -fill '#dbe9ff' -draw 'rectangle 58,62 122,68' -draw 'rectangle 58,76 104,82' \
  -fill '#3fb950' -draw 'roundrectangle 40,114 120,170 12,12' \
  -fill '#d7f5dd' -draw 'rectangle 56,132 104,138' -draw 'rectangle 56,146 92,152' \
  -fill '#f85149' -draw 'roundrectangle 136,114 216,170 12,12' \
  -fill '#fff4d6' -draw 'polygon 182,120 160,146 174,146 166,166 192,136 178,136 188,120' \
  -fill '#8b5cf6' -draw 'roundrectangle 40,186 216,212 10,10' \
  -fill '#ede4ff' -draw 'rectangle 58,197 198,201' \
  -define png:exclude-chunks=date,time \
  icon.png
echo "wrote $(pwd)/icon.png"
