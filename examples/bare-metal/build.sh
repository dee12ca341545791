#!/usr/bin/env bash
# Builds hello.elf from start.S and hello.c with Debian's riscv64-unknown-elf-gcc for
# RV32IMA (no libc, no libgcc: the program needs neither). hello.elf is committed, so
# running the sample needs no toolchain; run this after changing the sources.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install gcc-riscv64-unknown-elf)" >&2; exit 1; }
"$CC" -march=rv32ima_zicsr_zifencei -mabi=ilp32 -g -Og -ffreestanding -nostdlib -nostartfiles \
  -fno-pic -mcmodel=medany -Wall -Wextra -Werror -T link.ld -Wl,--build-id=none,--no-warn-rwx-segments \
  -o "${OUT:-hello.elf}" start.S hello.c
echo "built ${OUT:-hello.elf}"
