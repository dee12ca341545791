/**
 * SBI-style results for hypervisor services: guest-caused errors are values,
 * never exceptions, so a malformed hypercall cannot disturb the host.
 */
import { SBI_ERROR_NAMES, SBI_SUCCESS, type SbiErrorCode } from './abi.generated';

export type SbiFailureCode = Exclude<SbiErrorCode, typeof SBI_SUCCESS>;

export type SbiResult<T = number> =
  | { readonly error: typeof SBI_SUCCESS; readonly value: T }
  | { readonly error: SbiFailureCode; readonly value?: undefined };

export function ok<T>(value: T): SbiResult<T> {
  return { error: SBI_SUCCESS, value };
}

export function fail(error: SbiFailureCode): { readonly error: SbiFailureCode; readonly value?: undefined } {
  return { error };
}

export function isOk<T>(r: SbiResult<T>): r is { readonly error: typeof SBI_SUCCESS; readonly value: T } {
  return r.error === SBI_SUCCESS;
}

/** "SBI_ERR_DENIED" for -4; a hex number for codes outside the ABI. */
export function sbiErrorName(code: number): string {
  return SBI_ERROR_NAMES.get(code) ?? `SBI error ${code}`;
}

/**
 * The (a0, a1) register pair for a result, as unsigned 32-bit values. Values that
 * are not numbers (strings, lists) are copied to guest memory by the caller; a1 is 0.
 */
export function toRegisters(r: SbiResult<unknown>): [number, number] {
  const a1 = r.error === SBI_SUCCESS && typeof r.value === 'number' ? r.value >>> 0 : 0;
  return [r.error >>> 0, a1];
}

/** True for an integer that fits a 32-bit register (what the hypervisor passes from a0..a5). */
export function isU32(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}
