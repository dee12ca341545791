#!/usr/bin/env bash
# Installs the Debian packages pvlab's tests use: the RISC-V cross toolchain (guest
# programs), QEMU (the reference machine) and dtc (device-tree checks); for the
# extension's end-to-end tests in a real VS Code (scripts/e2e/): chromium (driven by
# playwright-core), and what installing code-server from npm needs (libkrb5-dev,
# build-essential, pkg-config and python3 for its native modules, ripgrep seeded for
# @vscode/ripgrep). Needs root.
set -euo pipefail
packages=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc device-tree-compiler
  chromium libkrb5-dev ripgrep build-essential pkg-config python3 emacs-nox elpa-dap-mode)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all Debian packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
