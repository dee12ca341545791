/* Workload: checksums. CRC-32 (bitwise and table-driven), CRC-32C,
 * CRC-16/CCITT-FALSE and Adler-32 against their published check values,
 * then bitwise vs table CRC-32 over 64 KiB of pseudo-random data. */
#include "pvrt.h"

static uint32_t table[256];

static uint32_t crc32_bitwise(const uint8_t *p, size_t n, uint32_t poly) {
  uint32_t crc = 0xffffffffu;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (poly & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void make_table(uint32_t poly) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ poly : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc32_table(const uint8_t *p, size_t n) {
  uint32_t crc = 0xffffffffu;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n) {
  uint16_t crc = 0xffff;
  while (n--) {
    crc ^= (uint16_t)(*p++ << 8);
    for (int k = 0; k < 8; k++) crc = crc & 0x8000 ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}

static uint32_t adler32(const uint8_t *p, size_t n) {
  uint32_t a = 1, b = 0;
  while (n--) {
    a = (a + *p++) % 65521u;
    b = (b + a) % 65521u;
  }
  return (b << 16) | a;
}

static uint8_t data[65536];

int main(void) {
  const uint8_t *check_str_ = (const uint8_t *)"123456789";
  check("crc32(\"123456789\") bitwise", crc32_bitwise(check_str_, 9, 0xedb88320u), 0xcbf43926);
  make_table(0xedb88320u);
  check("crc32(\"123456789\") table", crc32_table(check_str_, 9), 0xcbf43926);
  check("crc32c(\"123456789\")", crc32_bitwise(check_str_, 9, 0x82f63b78u), 0xe3069283);
  check("crc16-ccitt(\"123456789\")", crc16_ccitt(check_str_, 9), 0x29b1);
  check("adler32(\"Wikipedia\")", adler32((const uint8_t *)"Wikipedia", 9), 0x11e60398);
  check("crc32(\"\")", crc32_table(check_str_, 0), 0);

  uint32_t s = 0x9e3779b9u;
  for (size_t i = 0; i < sizeof data; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    data[i] = (uint8_t)(s >> 11);
  }
  uint32_t t = crc32_table(data, sizeof data);
  check("crc32 64 KiB: table == bitwise", crc32_bitwise(data, sizeof data, 0xedb88320u), t);
  printf("crc32 64 KiB = %08x\n", t);
  /* Appending the little-endian CRC gives the CRC-32 residue (~0x2144df1c). */
  data[65532] = (uint8_t)(crc32_table(data, 65532));
  data[65533] = (uint8_t)(crc32_table(data, 65532) >> 8);
  data[65534] = (uint8_t)(crc32_table(data, 65532) >> 16);
  data[65535] = (uint8_t)(crc32_table(data, 65532) >> 24);
  check("crc32 residue", crc32_table(data, sizeof data), 0x2144df1c);
  printf("adler32 64 KiB = %08x\n", adler32(data, sizeof data));
  finish("crc32");
}
