/*
 * Console through the SBI debug console (DBCN): output is collected per line
 * and written with one hypercall per line. Formatting: a small vsnprintf
 * (%d %u %x %X %s %c %p %%, flags '0' and '-', widths, 'l'/'ll').
 */
#include <pvk/kernel.h>
#include <stdarg.h>

const char *pvk_name __attribute__((weak)) = "pvk";

static char line[256];
static u32 line_len;

void console_flush(void)
{
	u32 off = 0;
	while (off < line_len) {
		struct sbiret r = sbi_debug_console_write(line_len - off, (unsigned long)(line + off), 0);
		if (r.error || r.value <= 0) break;
		off += (u32)r.value;
	}
	line_len = 0;
}

static void console_putc(char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line)) console_flush();
}

void kputs(const char *s)
{
	while (*s) console_putc(*s++);
}

struct out {
	char *buf;
	u32 len, pos;
	int to_console;
};

static void out_c(struct out *o, char c)
{
	if (o->to_console) console_putc(c);
	else if (o->pos + 1 < o->len) o->buf[o->pos] = c;
	o->pos++;
}

static void out_num(struct out *o, u64 v, u32 base, int neg, int width, int zero, int left, int upper)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!left && !zero)
		for (; width > len; width--) out_c(o, ' ');
	if (neg) out_c(o, '-');
	if (!left && zero)
		for (; width > len; width--) out_c(o, '0');
	while (n) out_c(o, tmp[--n]);
	if (left)
		for (; width > len; width--) out_c(o, ' ');
}

static void vformat(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		int zero = 0, left = 0, width = 0, lng = 0;
		for (;; fmt++) {
			if (*fmt == '0') zero = 1;
			else if (*fmt == '-') left = 1;
			else break;
		}
		while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') lng++, fmt++;
		switch (*fmt) {
		case 'd': {
			s64 v = lng >= 2 ? va_arg(ap, s64) : (s64)va_arg(ap, int);
			out_num(o, v < 0 ? (u64)-v : (u64)v, 10, v < 0, width, zero, left, 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = lng >= 2 ? va_arg(ap, u64) : (u64)va_arg(ap, unsigned int);
			out_num(o, v, *fmt == 'u' ? 10 : 16, 0, width, zero, left, *fmt == 'X');
			break;
		}
		case 'p':
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, (uintptr_t)va_arg(ap, void *), 16, 0, 8, 1, 0, 0);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s) s = "(null)";
			int n = (int)strlen(s);
			if (!left)
				for (; width > n; width--) out_c(o, ' ');
			while (*s) out_c(o, *s++);
			if (left)
				for (; width > n; width--) out_c(o, ' ');
			break;
		}
		case 'c':
			out_c(o, (char)va_arg(ap, int));
			break;
		case '%':
			out_c(o, '%');
			break;
		case 0:
			return;
		default:
			out_c(o, '%');
			out_c(o, *fmt);
		}
	}
}

int kprintf(const char *fmt, ...)
{
	struct out o = { 0, 0, 0, 1 };
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	return (int)o.pos;
}

int ksnprintf(char *buf, u32 len, const char *fmt, ...)
{
	struct out o = { buf, len, 0, 0 };
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	if (len) buf[o.pos < len ? o.pos : len - 1] = 0;
	return (int)o.pos;
}

void panic(const char *fmt, ...)
{
	if (line_len) console_putc('\n');
	kputs(pvk_name);
	kputs(": PANIC: ");
	struct out o = { 0, 0, 0, 1 };
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	console_putc('\n');
	console_flush();
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSTEM_FAILURE);
	for (;;) __asm__ __volatile__("wfi");
}

void shutdown(void)
{
	console_flush();
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
	panic("SRST shutdown returned");
}
