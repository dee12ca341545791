/**
 * Validation of a system file against system.schema.json with ajv, and the
 * translation of ajv's errors into short messages keyed by JSON path.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schemaJson from './system.schema.json';
import { formatPath, type PathSegment } from './config-json';

/** The schema as shipped (the extension registers the same file for editor validation). */
export const SYSTEM_SCHEMA: Readonly<Record<string, unknown>> = schemaJson;

/** Keywords VS Code understands for messages and hovers; ajv must accept them as annotations. */
const EDITOR_KEYWORDS = ['patternErrorMessage', 'errorMessage', 'enumDescriptions', 'markdownDescription'];

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary(EDITOR_KEYWORDS);
    validator = ajv.compile(SYSTEM_SCHEMA);
  }
  return validator;
}

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

type SchemaNode = Record<string, unknown>;

/** Words for the value a schema expects, e.g. "an integer from 1 to 8", "a positive integer". */
function expectation(s: SchemaNode): string {
  const type = s.type;
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  if (type === 'integer' || type === 'number') {
    const noun = type === 'integer' ? 'integer' : 'number';
    if (min !== undefined && max !== undefined) return `${type === 'integer' ? 'an' : 'a'} ${noun} from ${min} to ${max}`;
    if (min === 1 && type === 'integer') return 'a positive integer';
    if (min === 0) return `a non-negative ${noun}`;
    if (min !== undefined) return `a ${noun} ≥ ${min}`;
    return type === 'integer' ? 'an integer' : 'a number';
  }
  const names: Record<string, string> = { string: 'a string', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null' };
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

/** JSON Pointer "/vms/1/ramMiB" → ["vms", 1, "ramMiB"], using the data to tell array indices from keys. */
function pointerToSegments(pointer: string, data: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  let here: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(here)) {
      out.push(Number(key));
      here = here[Number(key)];
    } else {
      out.push(key);
      here = here !== null && typeof here === 'object' ? (here as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function translate(e: ErrorObject, data: unknown): SchemaIssue | undefined {
  const at = pointerToSegments(e.instancePath, data);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const issue = (segments: PathSegment[], message: string): SchemaIssue => ({ path: formatPath(segments), message });
  switch (e.keyword) {
    case 'required':
      return issue([...at, String(params.missingProperty)], 'is required');
    case 'additionalProperties': {
      const known = Object.keys((parent.properties ?? {}) as SchemaNode).filter((k) => k !== '$schema');
      return issue([...at, String(params.additionalProperty)], `is not a known property (expected one of: ${known.join(', ')})`);
    }
    case 'type':
    case 'minimum':
    case 'maximum':
      return issue(at, `must be ${expectation(parent)}`);
    case 'enum':
      return issue(at, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'pattern':
      return issue(at, typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `must match ${String(params.pattern)}`);
    case 'minLength':
      return issue(at, params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} characters`);
    case 'minItems':
      return issue(at, params.limit === 1 ? 'must list at least one item' : `must list at least ${String(params.limit)} items`);
    case 'maxItems':
      return issue(at, `must list at most ${String(params.limit)} items`);
    case 'not':
      return issue(at, typeof parent.errorMessage === 'string' ? parent.errorMessage : 'is not allowed here');
    case 'if':
      return undefined; // the failing then/else branch reports its own errors
    default:
      return issue(at, e.message ?? `fails ${e.keyword}`);
  }
}

/** All schema violations of `data`, one per path and message. */
export function validateAgainstSchema(data: unknown): SchemaIssue[] {
  const validate = getValidator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of validate.errors ?? []) {
    const issue = translate(e, data);
    const key = issue ? `${issue.path}\0${issue.message}` : '';
    if (issue && !seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}
