/** `0x` and eight hex digits: how addresses and words are written in messages, traces and the debugger. */
export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
