/* The finisher's failure encoding: (code << 16) | 0x3333 must make the
 * machine exit with status 42 (both pvlab and QEMU), after flushing output. */
#include "pvrt.h"

int main(void) {
  printf("exiting with status 42\n");
  exit(42);
}
