/* pvrt printf: %d %i %u %x %X %s %c %p %%, flags '-' and '0', a field width.
 * Integer conversions take 32-bit arguments. */
#include "pvrt.h"

typedef struct sink {
  char *buf;     /* NULL: write to the UART */
  size_t size;   /* buffer capacity including the NUL */
  size_t len;    /* characters produced so far */
} sink_t;

static void emit(sink_t *s, char c) {
  if (s->buf == NULL) {
    uart_putc(c);
  } else if (s->len + 1 < s->size) {
    s->buf[s->len] = c;
  }
  s->len++;
}

static void emit_field(sink_t *s, const char *text, size_t n, int width, int left, char pad) {
  size_t padding = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
  /* Zero padding goes after a leading minus sign. */
  if (!left && pad == '0' && n > 0 && text[0] == '-') {
    emit(s, '-');
    text++;
    n--;
  }
  if (!left) while (padding--) emit(s, pad);
  for (size_t i = 0; i < n; i++) emit(s, text[i]);
  if (left) while (padding--) emit(s, ' ');
}

static size_t utoa(char *out, uint32_t v, unsigned base, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char tmp[12];
  size_t n = 0;
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v != 0);
  for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  return n;
}

static int format(sink_t *s, const char *fmt, va_list ap) {
  char num[16];
  while (*fmt) {
    char c = *fmt++;
    if (c != '%') {
      emit(s, c);
      continue;
    }
    int left = 0;
    char pad = ' ';
    int width = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') pad = '0';
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') fmt++; /* all integers are 32-bit */
    char conv = *fmt ? *fmt++ : '\0';
    if (left) pad = ' ';
    switch (conv) {
      case 'd':
      case 'i': {
        int32_t v = va_arg(ap, int32_t);
        size_t n = 0;
        uint32_t mag = (uint32_t)v;
        if (v < 0) {
          num[n++] = '-';
          mag = 0u - mag; /* also right for INT32_MIN */
        }
        n += utoa(num + n, mag, 10, 0);
        emit_field(s, num, n, width, left, pad);
        break;
      }
      case 'u':
        emit_field(s, num, utoa(num, va_arg(ap, uint32_t), 10, 0), width, left, pad);
        break;
      case 'x':
      case 'X':
        emit_field(s, num, utoa(num, va_arg(ap, uint32_t), 16, conv == 'X'), width, left, pad);
        break;
      case 'p': {
        num[0] = '0';
        num[1] = 'x';
        size_t n = utoa(num + 2, (uint32_t)(uintptr_t)va_arg(ap, void *), 16, 0);
        emit_field(s, num, n + 2, width, left, pad);
        break;
      }
      case 'c':
        num[0] = (char)va_arg(ap, int);
        emit_field(s, num, 1, width, left, ' ');
        break;
      case 's': {
        const char *str = va_arg(ap, const char *);
        if (str == NULL) str = "(null)";
        emit_field(s, str, strlen(str), width, left, ' ');
        break;
      }
      case '%':
        emit(s, '%');
        break;
      case '\0':
        emit(s, '%');
        break;
      default: /* unknown conversion: print it verbatim */
        emit(s, '%');
        emit(s, conv);
        break;
    }
  }
  return (int)s->len;
}

int vprintf(const char *fmt, va_list ap) {
  sink_t s = {NULL, 0, 0};
  return format(&s, fmt, ap);
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  sink_t s = {buf, size, 0};
  int n = format(&s, fmt, ap);
  if (size > 0) buf[s.len < size ? s.len : size - 1] = '\0';
  return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
