/* A VM minding its own business: deterministic output that does not depend on time. */
#include "pvrt.h"

#ifndef ROUNDS
#define ROUNDS 40
#endif

static u8 sieve[8192];

void guest_main(void)
{
	puts("bystander: start\n");
	u32 h = 2166136261u;
	for (u32 round = 1; round <= ROUNDS; round++) {
		u32 n = 1000 + round * 150, count = 0, sum = 0;
		memset(sieve, 0, sizeof sieve);
		for (u32 i = 2; i < n; i++) {
			if (sieve[i]) continue;
			count++;
			sum += i;
			for (u32 j = i * i; j < n; j += i) sieve[j] = 1;
		}
		h = (h ^ count) * 16777619u;
		h = (h ^ sum) * 16777619u;
		puts("bystander: round ");
		put_dec(round);
		puts(" primes below ");
		put_dec(n);
		puts(": ");
		put_dec(count);
		puts(" sum ");
		put_dec(sum);
		puts(" hash ");
		put_hex(h);
		putc('\n');
	}
	verdict(h != 0, "bystander");
}
