import * as assert from 'assert';
import {
  PVIO_GRANT_MAX_REFS,
  PVIO_GRANT_WINDOW_SLOTS,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_ADDRESS,
  SBI_ERR_INVALID_PARAM,
  SBI_SUCCESS,
} from '../../emulator/hypervisor/abi.generated';
import { GrantTable } from '../../emulator/hypervisor/grant-table';
import { fail, isOk, ok, sbiErrorName, toRegisters } from '../../emulator/hypervisor/sbi-errors';

const FRONT = 1;
const BACK = 2;
const OTHER = 3;
const RAM_GFN = 0x80000; // 0x80000000 >> 12

function table(): GrantTable {
  // RAM of 1 MiB at 0x80000000 in every VM.
  const t = new GrantTable({ isGrantableGfn: (_d, gfn) => gfn >= RAM_GFN && gfn < RAM_GFN + 256 });
  for (const d of [FRONT, BACK, OTHER]) assert.strictEqual(t.addVm(d).error, SBI_SUCCESS);
  return t;
}

/** Unwraps a successful result's value. */
function val<T>(r: { error: number; value?: T }): T {
  assert.strictEqual(r.error, SBI_SUCCESS, `expected success, got ${sbiErrorName(r.error)}`);
  return r.value as T;
}

describe('hypervisor: SBI results', () => {
  it('maps results to the a0/a1 register pair as unsigned words', () => {
    assert.deepStrictEqual(toRegisters(ok(0x80000000)), [0, 0x80000000]);
    assert.deepStrictEqual(toRegisters(fail(SBI_ERR_DENIED)), [0xfffffffc, 0]);
    assert.deepStrictEqual(toRegisters(ok('a string value')), [0, 0]);
    assert.ok(isOk(ok(1)) && !isOk(fail(SBI_ERR_FAILED)));
    assert.strictEqual(sbiErrorName(-5), 'SBI_ERR_INVALID_ADDRESS');
    assert.strictEqual(sbiErrorName(-77), 'SBI error -77');
  });
});

describe('hypervisor: GrantTable', () => {
  it('registers VMs once, only with VM domids', () => {
    const t = new GrantTable();
    assert.strictEqual(t.addVm(0).error, SBI_ERR_INVALID_PARAM, 'the host is not a VM');
    assert.strictEqual(t.addVm(17).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(t.addVm(1).error, SBI_SUCCESS);
    assert.strictEqual(t.addVm(1).error, SBI_ERR_ALREADY_AVAILABLE);
  });

  it('grants, maps, unmaps and ends: the normal split-driver life of a page', () => {
    const t = table();
    const gref = val(t.grantAccess(FRONT, BACK, RAM_GFN + 5, 0));
    assert.strictEqual(gref, 1, 'gref 0 is never handed out');
    assert.strictEqual(val(t.map(BACK, FRONT, gref, 7, 1)), RAM_GFN + 5, 'map returns the granter frame');
    assert.deepStrictEqual(t.mappingAt(BACK, 7), { mapper: BACK, slot: 7, granter: FRONT, gref, gfn: RAM_GFN + 5, writable: true });
    assert.deepStrictEqual(t.grantsOf(FRONT), [{ gref, grantee: BACK, gfn: RAM_GFN + 5, readonly: false, mapCount: 1 }]);
    assert.strictEqual(t.endAccess(FRONT, gref).error, SBI_ERR_DENIED, 'still mapped');
    assert.strictEqual(val(t.unmap(BACK, 7)), 0);
    assert.strictEqual(t.mappingAt(BACK, 7), undefined);
    assert.strictEqual(val(t.endAccess(FRONT, gref)), 0);
    assert.deepStrictEqual(t.grantsOf(FRONT), []);
    assert.strictEqual(t.map(BACK, FRONT, gref, 7, 1).error, SBI_ERR_INVALID_PARAM, 'ended grants cannot be mapped');
  });

  it('hands out the lowest free gref, and refuses when the table is full', () => {
    const t = table();
    const refs = [];
    for (let i = 1; i < PVIO_GRANT_MAX_REFS; i++) refs.push(val(t.grantAccess(FRONT, BACK, RAM_GFN, 1)));
    assert.deepStrictEqual(refs, Array.from({ length: PVIO_GRANT_MAX_REFS - 1 }, (_v, i) => i + 1));
    assert.strictEqual(t.grantAccess(FRONT, BACK, RAM_GFN, 1).error, SBI_ERR_FAILED);
    assert.strictEqual(val(t.endAccess(FRONT, 42)), 0);
    assert.strictEqual(val(t.grantAccess(FRONT, OTHER, RAM_GFN, 1)), 42);
    assert.strictEqual(val(t.grantAccess(BACK, FRONT, RAM_GFN, 1)), 1, 'tables are per granter');
  });

  it('validates the grant request', () => {
    const t = table();
    assert.strictEqual(t.grantAccess(FRONT, FRONT, RAM_GFN, 0).error, SBI_ERR_INVALID_PARAM, 'not to itself');
    assert.strictEqual(t.grantAccess(FRONT, 0, RAM_GFN, 0).error, SBI_ERR_INVALID_PARAM, 'not to the host');
    assert.strictEqual(t.grantAccess(FRONT, 9, RAM_GFN, 0).error, SBI_ERR_INVALID_PARAM, 'not to an unknown VM');
    assert.strictEqual(t.grantAccess(9, FRONT, RAM_GFN, 0).error, SBI_ERR_INVALID_PARAM, 'unknown granter');
    assert.strictEqual(t.grantAccess(FRONT, BACK, 0x30000, 0).error, SBI_ERR_INVALID_ADDRESS, 'only its own RAM');
    assert.strictEqual(t.grantAccess(FRONT, BACK, RAM_GFN + 256, 0).error, SBI_ERR_INVALID_ADDRESS);
    assert.strictEqual(t.grantAccess(FRONT, BACK, -1, 0).error, SBI_ERR_INVALID_ADDRESS);
  });

  it('the default grantable range is the 32-bit guest-physical space', () => {
    const t = new GrantTable();
    t.addVm(1);
    t.addVm(2);
    assert.strictEqual(t.grantAccess(1, 2, 0xfffff, 0).error, SBI_SUCCESS);
    assert.strictEqual(t.grantAccess(1, 2, 0x100000, 0).error, SBI_ERR_INVALID_ADDRESS);
  });

  it('checks map requests: grantee, ref, read-only, slot range and occupancy', () => {
    const t = table();
    const ro = val(t.grantAccess(FRONT, BACK, RAM_GFN + 1, 1));
    assert.strictEqual(t.map(OTHER, FRONT, ro, 0, 0).error, SBI_ERR_DENIED, 'not the grantee');
    assert.strictEqual(t.map(BACK, FRONT, ro, 0, 1).error, SBI_ERR_DENIED, 'writable map of a read-only grant');
    assert.strictEqual(t.map(BACK, FRONT, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, 'gref 0');
    assert.strictEqual(t.map(BACK, FRONT, 99, 0, 0).error, SBI_ERR_INVALID_PARAM, 'unused gref');
    assert.strictEqual(t.map(BACK, FRONT, PVIO_GRANT_MAX_REFS, 0, 0).error, SBI_ERR_INVALID_PARAM, 'gref out of range');
    assert.strictEqual(t.map(BACK, 9, ro, 0, 0).error, SBI_ERR_INVALID_PARAM, 'unknown granter');
    assert.strictEqual(t.map(BACK, FRONT, ro, PVIO_GRANT_WINDOW_SLOTS, 0).error, SBI_ERR_INVALID_PARAM, 'slot out of range');
    assert.strictEqual(val(t.map(BACK, FRONT, ro, PVIO_GRANT_WINDOW_SLOTS - 1, 0)), RAM_GFN + 1);
    assert.strictEqual(t.mappingAt(BACK, PVIO_GRANT_WINDOW_SLOTS - 1)?.writable, false);
    assert.strictEqual(t.map(BACK, FRONT, ro, PVIO_GRANT_WINDOW_SLOTS - 1, 0).error, SBI_ERR_ALREADY_AVAILABLE, 'slot in use');
    // Nothing changed by the refused calls.
    assert.deepStrictEqual(t.grantsOf(FRONT).map((g) => g.mapCount), [1]);
    assert.strictEqual(t.mappingsOf(BACK).length, 1);
  });

  it('allows one grant in several slots and counts every mapping', () => {
    const t = table();
    const g = val(t.grantAccess(FRONT, BACK, RAM_GFN, 0));
    val(t.map(BACK, FRONT, g, 0, 1));
    val(t.map(BACK, FRONT, g, 1, 0));
    assert.strictEqual(t.grantsOf(FRONT)[0].mapCount, 2);
    val(t.unmap(BACK, 0));
    assert.strictEqual(t.endAccess(FRONT, g).error, SBI_ERR_DENIED);
    val(t.unmap(BACK, 1));
    assert.strictEqual(t.endAccess(FRONT, g).error, SBI_SUCCESS);
  });

  it('refuses unmap of an empty or out-of-range slot', () => {
    const t = table();
    assert.strictEqual(t.unmap(BACK, 0).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(t.unmap(BACK, PVIO_GRANT_WINDOW_SLOTS).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(t.unmap(9, 0).error, SBI_ERR_INVALID_PARAM);
  });

  it('revokeVm of a granter force-unmaps its pages from every other VM', () => {
    const t = table();
    const g1 = val(t.grantAccess(FRONT, BACK, RAM_GFN + 1, 0));
    const g2 = val(t.grantAccess(FRONT, OTHER, RAM_GFN + 2, 1));
    const g3 = val(t.grantAccess(BACK, OTHER, RAM_GFN + 3, 0)); // unrelated to FRONT
    val(t.map(BACK, FRONT, g1, 4, 1));
    val(t.map(OTHER, FRONT, g2, 9, 0));
    val(t.map(OTHER, BACK, g3, 10, 0));
    const report = val(t.revokeVm(FRONT));
    assert.deepStrictEqual(
      report.unmapped.map((m) => [m.mapper, m.slot]),
      [[BACK, 4], [OTHER, 9]],
    );
    assert.strictEqual(report.grantsDropped, 2);
    assert.deepStrictEqual(t.grantsOf(FRONT), []);
    assert.strictEqual(t.mappingAt(BACK, 4), undefined);
    assert.strictEqual(t.mappingAt(OTHER, 9), undefined);
    assert.strictEqual(t.mappingAt(OTHER, 10)?.granter, BACK, 'other grants untouched');
    // The grantee's later unmap of a revoked slot is an ordinary error, not a crash.
    assert.strictEqual(t.unmap(BACK, 4).error, SBI_ERR_INVALID_PARAM);
    // The VM stays registered and can grant again after its restart.
    assert.strictEqual(val(t.grantAccess(FRONT, BACK, RAM_GFN, 0)), 1);
  });

  it('revokeVm of a mapper drops its mappings and releases the grants they held', () => {
    const t = table();
    const g = val(t.grantAccess(FRONT, BACK, RAM_GFN + 1, 0));
    val(t.map(BACK, FRONT, g, 3, 1));
    const report = val(t.revokeVm(BACK));
    assert.deepStrictEqual(report.unmapped, [{ mapper: BACK, slot: 3, granter: FRONT, gref: g, gfn: RAM_GFN + 1, writable: true }]);
    assert.strictEqual(t.grantsOf(FRONT)[0].mapCount, 0);
    assert.strictEqual(val(t.endAccess(FRONT, g)), 0, 'the frontend can end its grant after the backend died');
    assert.strictEqual(t.revokeVm(9).error, SBI_ERR_INVALID_PARAM);
  });

  it('destroyVm forgets the VM after revoking it', () => {
    const t = table();
    const g = val(t.grantAccess(BACK, FRONT, RAM_GFN, 0));
    val(t.map(FRONT, BACK, g, 0, 0));
    assert.strictEqual(val(t.destroyVm(BACK)).unmapped.length, 1);
    assert.strictEqual(t.hasVm(BACK), false);
    assert.strictEqual(t.grantAccess(FRONT, BACK, RAM_GFN, 0).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(t.addVm(BACK).error, SBI_SUCCESS);
  });

  it('queries for unknown VMs are empty', () => {
    const t = table();
    assert.deepStrictEqual(t.grantsOf(9), []);
    assert.deepStrictEqual(t.mappingsOf(9), []);
    assert.strictEqual(t.mappingAt(9, 0), undefined);
  });
});
