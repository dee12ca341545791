/* Zicsr: csrrw/csrrs/csrrc and their immediate forms on mscratch (old value
 * returned, x0/zero-immediate forms do not write), illegal accesses (write
 * to a read-only CSR, unknown CSR: illegal instruction with tval = the
 * instruction bits), misa/mhartid, mtvec modes, mepc/sepc, and the
 * sstatus/sie views of mstatus/mie under mideleg. */
#include "pvrt.h"

static void test_mscratch(void) {
  uint32_t old;
  csr_write(mscratch, 0x12345678);
  __asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xdeadbeef));
  check("csrrw old", old, 0x12345678);
  check("csrrw new", csr_read(mscratch), 0xdeadbeef);
  __asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0000ffff));
  check("csrrs old", old, 0xdeadbeef);
  check("csrrs new", csr_read(mscratch), 0xdeadffff);
  __asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0xffff0000));
  check("csrrc old", old, 0xdeadffff);
  check("csrrc new", csr_read(mscratch), 0x0000ffff);
  __asm__ volatile("csrrwi %0, mscratch, 0x15" : "=r"(old));
  check("csrrwi old", old, 0x0000ffff);
  check("csrrwi new", csr_read(mscratch), 0x15);
  __asm__ volatile("csrrsi %0, mscratch, 0x0a" : "=r"(old));
  check("csrrsi old", old, 0x15);
  check("csrrsi new", csr_read(mscratch), 0x1f);
  __asm__ volatile("csrrci %0, mscratch, 0x11" : "=r"(old));
  check("csrrci old", old, 0x1f);
  check("csrrci new", csr_read(mscratch), 0x0e);
  /* rd = x0 still writes; rs1 = x0 / zimm = 0 only read. */
  __asm__ volatile("csrrw x0, mscratch, %0" :: "r"(0xcafef00d));
  check("csrrw rd=x0 writes", csr_read(mscratch), 0xcafef00d);
  __asm__ volatile("csrrs %0, mscratch, x0" : "=r"(old));
  check("csrrs rs1=x0 reads", old, 0xcafef00d);
  __asm__ volatile("csrrci %0, mscratch, 0" : "=r"(old));
  check("csrrci zimm=0 reads", old, 0xcafef00d);
  check("  unchanged", csr_read(mscratch), 0xcafef00d);
  /* Same register as source and destination: old value out, rs1 value in. */
  uint32_t r = 0x600d;
  __asm__ volatile("csrrw %0, mscratch, %0" : "+r"(r));
  check("csrrw rd=rs1 old", r, 0xcafef00d);
  check("csrrw rd=rs1 new", csr_read(mscratch), 0x600d);
  csr_write(mscratch, 0);
}

static void test_illegal(void) {
  uint32_t before, at, v = 0;
  m_trap_hook = m_record_skip;
  /* Read-only CSRs may be read with csrrs x0 ... */
  before = m_last_trap.count;
  __asm__ volatile("csrrs %0, mhartid, x0" : "=r"(v));
  __asm__ volatile("csrrsi %0, mvendorid, 0" : "=r"(v));
  check_dec("read-only reads: traps", (int32_t)(m_last_trap.count - before), 0);
  /* ... but any write attempt traps, even one that would not change bits. */
  before = m_last_trap.count;
  __asm__ volatile("la %0, 1f\n1: csrw mhartid, zero" : "=&r"(at));
  check_trap("csrw mhartid", &m_last_trap, before, CAUSE_ILLEGAL, at, 0xf1401073);
  before = m_last_trap.count;
  __asm__ volatile("la %0, 1f\n1: csrrsi %1, mvendorid, 1" : "=&r"(at), "=&r"(v));
  check_trap("csrrsi mvendorid, 1", &m_last_trap, before, CAUSE_ILLEGAL, at, *(volatile uint32_t *)at);
  /* (csrrs with a nonzero rs1 holding 0 is a QEMU difference: spec_quirks.c.) */
  before = m_last_trap.count;
  __asm__ volatile("la %0, 1f\n1: csrrw a0, 0x7c0, a0" : "=&r"(at) :: "a0");
  check_trap("unknown CSR 0x7c0", &m_last_trap, before, CAUSE_ILLEGAL, at, 0x7c051573);
  before = m_last_trap.count;
  /* 0xC80 (cycleh) is read-only: writing it is illegal. */
  __asm__ volatile("la %0, 1f\n1: csrrwi x0, cycleh, 1" : "=&r"(at));
  check_trap("csrrwi cycleh", &m_last_trap, before, CAUSE_ILLEGAL, at, 0xc800d073);
  m_trap_hook = 0;
}

static void test_machine_info(void) {
  check("misa (RV32 IMASU)", csr_read(misa), 0x40141101);
  check("mhartid", csr_read(mhartid), 0);
  /* Direct and vectored mtvec modes read back as written. */
  uint32_t base = (uint32_t)(uintptr_t)m_trap_entry;
  csr_write(mtvec, base | 1);
  check("mtvec vectored readback - base", csr_read(mtvec) - base, 1);
  csr_write(mtvec, base);
  check("mtvec direct readback - base", csr_read(mtvec) - base, 0);
  /* Aligned mepc/sepc values read back (masking of low bits: spec_quirks.c). */
  csr_write(mepc, 0x80001234);
  check("mepc readback", csr_read(mepc), 0x80001234);
  csr_write(sepc, 0x80004320);
  check("sepc readback", csr_read(sepc), 0x80004320);
}

static void test_views(void) {
  const uint32_t sfields = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
  csr_write(mstatus, 0);
  csr_set(sstatus, sfields);
  check("mstatus after sstatus set", csr_read(mstatus) & 0x00fffffe, sfields);
  csr_set(mstatus, MSTATUS_MPIE | MSTATUS_MPRV);
  check("sstatus hides M fields", csr_read(sstatus) & (MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV), 0);
  csr_write(sstatus, 0);
  check("sstatus write keeps M fields", csr_read(mstatus) & 0x00fffffe, MSTATUS_MPIE | MSTATUS_MPRV);
  csr_write(mstatus, 0);
  /* sie/sip show only delegated interrupts. */
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(mie, MIP_SSIP | MIP_STIP | MIP_SEIP);
  check("sie with mideleg", csr_read(sie), MIP_SSIP | MIP_STIP | MIP_SEIP);
  csr_write(mideleg, MIP_SSIP);
  check("sie with mideleg=SSIP", csr_read(sie), MIP_SSIP);
  csr_write(sie, 0);
  check("mie after sie=0", csr_read(mie), MIP_STIP | MIP_SEIP);
  csr_write(mideleg, 0);
  csr_write(mie, 0);
  /* mip.SSIP is writable from M and visible through sip when delegated. */
  csr_write(mideleg, MIP_SSIP);
  csr_set(mip, MIP_SSIP);
  check("sip after mip.SSIP set", csr_read(sip), MIP_SSIP);
  csr_clear(sip, MIP_SSIP);
  check("mip after sip.SSIP clear", csr_read(mip) & MIP_SSIP, 0);
  csr_write(mideleg, 0);
}

int main(void) {
  test_mscratch();
  test_illegal();
  test_machine_info();
  test_views();
  finish("zicsr");
}
