/* Busy forever (benchmarks, hangs): a counter in memory, no hypercalls after the first line. */
#include "pvrt.h"

volatile u32 counter;

void guest_main(void)
{
#ifdef HYPERCALL_LOOP
	for (;;) sbi_get_spec_version();
#else
	for (;;) counter++;
#endif
}
