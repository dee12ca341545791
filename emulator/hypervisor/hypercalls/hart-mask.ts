/** SBI hart masks (hart_mask, hart_mask_base) over the calling VM's vCPUs. */
import type { VCpu } from '../vcpu';
import type { Vm } from '../vm';

/** hart_mask_base value that selects every hart (-1 as an unsigned long). */
const ALL_HARTS = 0xffffffff;

/** The selected vCPUs, or undefined when the mask names a hart the VM does not have. */
export function selectHarts(vm: Vm, hartMask: number, hartMaskBase: number): VCpu[] | undefined {
  if (hartMaskBase === ALL_HARTS) return vm.vcpus.slice();
  const out: VCpu[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((hartMask >>> bit) & 1) === 0) continue;
    const id = hartMaskBase + bit;
    if (id >= vm.vcpus.length) return undefined;
    out.push(vm.vcpus[id]);
  }
  return out;
}
