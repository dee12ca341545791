/* String and memory helpers (freestanding: the compiler may also emit calls to these). */
#include <pvk/kernel.h>

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	u32 w = (u8)c * 0x01010101u;
	while (n && ((uintptr_t)p & 3)) *p++ = (u8)c, n--;
	for (; n >= 16; n -= 16, p += 16) {
		((u32 *)p)[0] = w;
		((u32 *)p)[1] = w;
		((u32 *)p)[2] = w;
		((u32 *)p)[3] = w;
	}
	for (; n >= 4; n -= 4, p += 4) *(u32 *)p = w;
	while (n--) *p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	if ((((uintptr_t)p | (uintptr_t)q) & 3) == 0) {
		for (; n >= 16; n -= 16, p += 16, q += 16) {
			u32 a = ((const u32 *)q)[0], b = ((const u32 *)q)[1], c = ((const u32 *)q)[2], e = ((const u32 *)q)[3];
			((u32 *)p)[0] = a;
			((u32 *)p)[1] = b;
			((u32 *)p)[2] = c;
			((u32 *)p)[3] = e;
		}
		for (; n >= 4; n -= 4, p += 4, q += 4) *(u32 *)p = *(const u32 *)q;
	}
	while (n--) *p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	if (p <= q || p >= q + n) return memcpy(d, s, n);
	while (n--) p[n] = q[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q) return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n]) n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b) return (u8)*a - (u8)*b;
		if (!*a) return 0;
	}
	return 0;
}

char *strncpy0(char *d, const char *s, size_t n)
{
	size_t i = 0;
	if (!n) return d;
	for (; i + 1 < n && s[i]; i++) d[i] = s[i];
	d[i] = 0;
	return d;
}

int parse_u32(const char *s, u32 *out)
{
	u32 v = 0;
	int any = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; *s; s++, any = 1) {
			u32 d;
			if (*s >= '0' && *s <= '9') d = (u32)(*s - '0');
			else if (*s >= 'a' && *s <= 'f') d = (u32)(*s - 'a' + 10);
			else if (*s >= 'A' && *s <= 'F') d = (u32)(*s - 'A' + 10);
			else return -1;
			v = v * 16 + d;
		}
	} else {
		for (; *s; s++, any = 1) {
			if (*s < '0' || *s > '9') return -1;
			v = v * 10 + (u32)(*s - '0');
		}
	}
	if (!any) return -1;
	*out = v;
	return 0;
}
