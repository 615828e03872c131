#!/usr/bin/env bash
# Install the npm packages (package-lock.json) and copy only the files the web app serves into
# bot/web/static/vendor/ (gitignored): DSFR's CSS, JS, fonts, icons and favicon, and axe-core
# for the browser test's accessibility scan. DSFR's install needs its licence accepted.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm est introuvable : installez nodejs et npm (apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  DSFR_ACCEPT_LICENSE=1 npm ci --no-audit --no-fund --loglevel=error
fi
dsfr=node_modules/@gouvfr/dsfr/dist
out=bot/web/static/vendor
rm -rf "$out"
mkdir -p "$out/dsfr" "$out/axe-core"
cp "$dsfr/dsfr.min.css" "$dsfr/dsfr.module.min.js" "$dsfr/dsfr.nomodule.min.js" "$out/dsfr/"
cp -r "$dsfr/fonts" "$dsfr/icons" "$dsfr/favicon" "$out/dsfr/"
cp node_modules/axe-core/axe.min.js "$out/axe-core/"
echo "Ressources web copiées dans $out (DSFR $(node -p "require('./$dsfr/../package.json').version"))."
