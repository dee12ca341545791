#!/usr/bin/env bash
# Installs the Debian packages pvlab's tests use: the RISC-V cross toolchain (guest
# programs), QEMU (the reference machine) and dtc (device-tree checks). Needs root.
set -euo pipefail
packages=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc device-tree-compiler)
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
