#include "pvrt.h"

int (*trap_hook)(struct trap_frame *f, u32 scause, u32 stval);

void putc(char c) { sbi_debug_console_write_byte((u8)c); }

void puts(const char *s)
{
	unsigned long n = strlen(s);
	if (n) sbi_debug_console_write(n, (unsigned long)s, 0);
}

void put_hex(u32 v)
{
	char b[11];
	b[0] = '0';
	b[1] = 'x';
	for (int i = 0; i < 8; i++) b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	b[10] = 0;
	puts(b);
}

char *u32_to_str(char *out, u32 v)
{
	char t[12];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++) out[i] = t[n - 1 - i];
	out[n] = 0;
	return out;
}

void put_dec(u32 v)
{
	char b[12];
	puts(u32_to_str(b, v));
}

void *memset(void *d, int c, unsigned long n)
{
	u8 *p = d;
	while (n--) *p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	u8 *p = d;
	const u8 *q = s;
	while (n--) *p++ = *q++;
	return d;
}

unsigned long strlen(const char *s)
{
	unsigned long n = 0;
	while (s[n]) n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) a++, b++;
	return (u8)*a - (u8)*b;
}

char *cat3(char *out, const char *a, const char *b, const char *c)
{
	char *p = out;
	for (const char *s = a; s && *s; s++) *p++ = *s;
	for (const char *s = b; s && *s; s++) *p++ = *s;
	for (const char *s = c; s && *s; s++) *p++ = *s;
	*p = 0;
	return out;
}

void panic(const char *why)
{
	puts("PANIC: ");
	puts(why);
	putc('\n');
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSTEM_FAILURE);
	for (;;) __asm__ __volatile__("wfi");
}

void verdict(int pass, const char *what)
{
	puts(pass ? "VERDICT PASS " : "VERDICT FAIL ");
	puts(what);
	putc('\n');
}

u32 time_now(void) { return (u32)csr_read(time); }

void trap_handler(struct trap_frame *f)
{
	u32 cause = (u32)csr_read(scause), tval = (u32)csr_read(stval);
	if (trap_hook && trap_hook(f, cause, tval)) {
		f->sepc += 4;
		return;
	}
	puts("unexpected trap: scause=");
	put_hex(cause);
	puts(" stval=");
	put_hex(tval);
	puts(" sepc=");
	put_hex(f->sepc);
	putc('\n');
	panic("unexpected trap");
}

long reg_write_str(const char *path, const char *value)
{
	return pvio_reg_write((unsigned long)path, strlen(path), (unsigned long)value, strlen(value)).error;
}

long reg_write_u32(const char *path, u32 v)
{
	char b[12];
	return reg_write_str(path, u32_to_str(b, v));
}

long reg_read_str(const char *path, char *buf, u32 len)
{
	struct sbiret r = pvio_reg_read((unsigned long)path, strlen(path), (unsigned long)buf, len - 1);
	if (r.error) return r.error;
	if ((u32)r.value >= len) return -1;
	buf[r.value] = 0;
	return r.value;
}

long reg_read_u32(const char *path)
{
	char b[16];
	if (reg_read_str(path, b, sizeof b) <= 0) return -1;
	u32 v = 0;
	for (char *p = b; *p; p++) {
		if (*p < '0' || *p > '9') return -1;
		v = v * 10 + (u32)(*p - '0');
	}
	return (long)v;
}

long reg_watch(const char *path, u32 token)
{
	return pvio_reg_watch((unsigned long)path, strlen(path), token).error;
}

static u8 watch_buf[300];

int drain_watches(void)
{
	int n = 0;
	for (;;) {
		struct sbiret r = pvio_reg_read_watch((unsigned long)watch_buf, sizeof watch_buf);
		if (r.error || r.value == 0) return n;
		n++;
	}
}

u32 wait_events(void)
{
	for (;;) {
		csr_clear(sip, SIP_SSIP);
		u32 pend = __atomic_exchange_n((u32 *)&SI->evtchn_pending[0], 0u, __ATOMIC_SEQ_CST);
		if (csr_read(sip) & SIP_STIP) {
			sbi_set_timer(0xffffffffu, 0xffffffffu);
			pend |= WAIT_TIMER;
		}
		if (pend) return pend;
		__asm__ __volatile__("wfi");
	}
}

/* vCPUs started with HSM run this unless the guest defines its own. */
__attribute__((weak)) void secondary_main(u32 hartid, u32 opaque)
{
	(void)hartid;
	(void)opaque;
}
