/**
 * Code breakpoints with conditions, hit conditions and log messages: the one
 * implementation shared by the bare-metal runtime (runtime.ts) and the debug
 * adapter's system sessions (one table per VM). Breakpoints live in groups
 * (one per kind of DAP request: source, function, instruction); replacing a
 * group keeps the hit counts of breakpoints that stay as they were. Firing
 * evaluates, in an expression context the caller gives (a hart of the machine,
 * a vCPU of a VM), the breakpoints at one address. Knows nothing of DAP.
 */
import { Evaluator, ExprContext, ExprError, Node, formatLogMessage, parseExpression, parseHitCondition } from './runtime-expr';
import type { BreakpointSpec, InstallResult } from './runtime-types';

interface CompiledBreakpoint {
  spec: BreakpointSpec;
  condition?: Node;
  hit?: (n: number) => boolean;
  hits: number;
}

/** Where a fired log point's text or a failed condition's message goes: (text, breakpoint id). */
export type BreakpointLog = (text: string, id: number) => void;

/** A condition that cannot be evaluated holds (the breakpoint stops and the log says why), as gdb does. */
export function conditionHolds(cond: Node, ctx: ExprContext, id: number, log: BreakpointLog): boolean {
  try {
    return new Evaluator(ctx).evaluate(cond).value !== 0;
  } catch (e) {
    log(`breakpoint condition failed: ${(e as Error).message}`, id);
    return true;
  }
}

export class BreakpointTable {
  private readonly groups = new Map<string, Map<number, CompiledBreakpoint[]>>();

  /**
   * Replaces the breakpoints of one group. `check` may refuse an address (a
   * message). Returns, per spec, whether it was installed (a condition that
   * does not parse is refused: "bad condition: …").
   */
  set(group: string, specs: readonly BreakpointSpec[], check?: (spec: BreakpointSpec) => string | undefined): InstallResult[] {
    const map = new Map<number, CompiledBreakpoint[]>();
    const results: InstallResult[] = specs.map((spec) => {
      try {
        const c: CompiledBreakpoint = { spec, hits: 0 };
        if (spec.condition?.trim()) c.condition = parseExpression(spec.condition);
        if (spec.hitCondition?.trim()) c.hit = parseHitCondition(spec.hitCondition);
        const refused = check?.(spec);
        if (refused !== undefined) return { ok: false, message: refused };
        const a = spec.address >>> 0;
        const list = map.get(a) ?? [];
        list.push(c);
        map.set(a, list);
        return { ok: true } as InstallResult;
      } catch (e) {
        return { ok: false, message: e instanceof ExprError ? `bad condition: ${e.message}` : (e as Error).message };
      }
    });
    // Keep the hit counts of breakpoints that stay as they were (same id, address and conditions).
    const old = this.groups.get(group);
    if (old) {
      for (const [a, list] of map) {
        for (const c of list) {
          const prev = old.get(a)?.find((p) => p.spec.id === c.spec.id && p.spec.condition === c.spec.condition && p.spec.hitCondition === c.spec.hitCondition);
          if (prev) c.hits = prev.hits;
        }
      }
    }
    this.groups.set(group, map);
    return results;
  }

  /** Every address with a breakpoint of any group. */
  addresses(): Set<number> {
    const out = new Set<number>();
    for (const group of this.groups.values()) for (const a of group.keys()) out.add(a);
    return out;
  }

  /** The ids of the breakpoints at `address` (whatever their conditions). */
  idsAt(address: number): number[] {
    const ids: number[] = [];
    for (const group of this.groups.values()) for (const c of group.get(address >>> 0) ?? []) ids.push(c.spec.id);
    return ids;
  }

  /**
   * Evaluates the breakpoints at `pc` (conditions, hit counts, log points) in
   * `ctx`; log points write through `log` and do not stop. Returns the ids that stop.
   */
  fire(pc: number, ctx: ExprContext, log: BreakpointLog): number[] {
    const ids: number[] = [];
    for (const group of this.groups.values()) {
      for (const c of group.get(pc >>> 0) ?? []) {
        if (c.condition && !conditionHolds(c.condition, ctx, c.spec.id, log)) continue;
        c.hits++;
        if (c.hit && !c.hit(c.hits)) continue;
        if (c.spec.logMessage !== undefined) {
          log(formatLogMessage(c.spec.logMessage, ctx), c.spec.id);
          continue;
        }
        ids.push(c.spec.id);
      }
    }
    return ids;
  }
}
