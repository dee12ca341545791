#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest release whose engines accept
# Node 20) from the npm registry into a cache folder OUTSIDE the repository's
# node_modules, for the extension's end-to-end tests (scripts/e2e/run.js).
# Idempotent: a second call only prints the path. Prints the code-server binary's path
# on its last line.
#
#   bash scripts/setup-code-server.sh            # into $PVLAB_E2E_CACHE or ~/.cache/pvlab-e2e
#
# Installing code-server from npm offline-ish (npm registry and Debian only) needs:
#  - Debian's libkrb5-dev, build-essential, pkg-config, python3 (native modules),
#    installed by scripts/install-deps.sh;
#  - @vscode/ripgrep's postinstall downloads rg from GitHub: we seed its download cache
#    (in a private TMPDIR) with an archive of Debian's /usr/bin/rg;
#  - npm_config_unsafe_perm=true: code-server's postinstall refuses to run as root otherwise;
#  - npm_config_yes=true: node-pty's postinstall runs `npx node-gyp`, which an npmrc with
#    yes=false would cancel.
set -euo pipefail

VERSION=4.100.3
RG_PKG_VERSION=1.15.11          # @vscode/ripgrep version code-server 4.100.3 depends on
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
CACHE=${PVLAB_E2E_CACHE:-$HOME/.cache/pvlab-e2e}
DEST=$CACHE/code-server-$VERSION
BIN=$DEST/node_modules/.bin/code-server
MARK=$DEST/.installed

if [ -f "$MARK" ] && [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

for tool in rg cc pkg-config python3; do
  command -v "$tool" >/dev/null || { echo "setup-code-server: '$tool' is missing; run: sudo bash scripts/install-deps.sh" >&2; exit 1; }
done
[ -e /usr/include/gssapi/gssapi.h ] || [ -e /usr/include/krb5.h ] ||
  { echo "setup-code-server: Kerberos headers missing (libkrb5-dev); run: sudo bash scripts/install-deps.sh" >&2; exit 1; }

echo "setup-code-server: installing code-server@$VERSION into $DEST (about a minute, ~300 MB)" >&2
rm -rf "$DEST"
mkdir -p "$DEST/tmp/rgstage" "$DEST/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
cp "$(command -v rg)" "$DEST/tmp/rgstage/rg"
tar czf "$DEST/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C "$DEST/tmp/rgstage" rg

cd "$DEST"
printf '{ "name": "pvlab-e2e-code-server", "version": "1.0.0", "private": true }\n' > package.json
if ! TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --foreground-scripts "code-server@$VERSION" > "$DEST/install.log" 2>&1; then
  echo "setup-code-server: npm install failed; last lines of $DEST/install.log:" >&2
  tail -30 "$DEST/install.log" >&2
  exit 1
fi
got=$("$BIN" --version 2>/dev/null | grep -Eo "^[0-9]+\.[0-9]+\.[0-9]+" | head -1 || true)
if [ "$got" != "$VERSION" ]; then
  echo "setup-code-server: installed code-server reports '$got', expected $VERSION" >&2
  exit 1
fi
rm -rf "$DEST/tmp"
touch "$MARK"
echo "$BIN"
