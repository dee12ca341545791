import { strict as assert } from 'assert';
import Ajv from 'ajv';
import { CONFIG_DEFAULTS, SYSTEM_SCHEMA } from '../../emulator/system/config';

type Node = Record<string, unknown>;

/** Every schema reachable from the root, with its JSON-pointer-like location. */
function walk(node: unknown, at: string, visit: (n: Node, at: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, `${at}/${i}`, visit));
    return;
  }
  visit(node as Node, at);
  for (const [k, v] of Object.entries(node)) if (typeof v === 'object') walk(v, `${at}/${k}`, visit);
}

describe('system file schema', () => {
  it('is a valid draft-07 schema', () => {
    const ajv = new Ajv({ allowUnionTypes: true });
    ajv.addVocabulary(['patternErrorMessage', 'errorMessage', 'enumDescriptions', 'markdownDescription']);
    assert.equal(SYSTEM_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(ajv.validateSchema(SYSTEM_SCHEMA), JSON.stringify(ajv.errors));
  });

  it('describes every property (the editor shows these on hover)', () => {
    const missing: string[] = [];
    walk(SYSTEM_SCHEMA, '#', (n, at) => {
      const props = n.properties as Record<string, Node> | undefined;
      if (!props || at.includes('/if') || at.includes('/else') || at.includes('/then')) return;
      for (const [name, p] of Object.entries(props)) if (typeof p.description !== 'string') missing.push(`${at}/properties/${name}`);
    });
    assert.deepEqual(missing, []);
  });

  it('states the same defaults as the loader', () => {
    const defs = SYSTEM_SCHEMA.definitions as Record<string, Node>;
    const prop = (def: Node, name: string): Node => (def.properties as Record<string, Node>)[name];
    const vm = defs.vm;
    assert.equal(prop(vm, 'vcpus').default, CONFIG_DEFAULTS.vcpus);
    const restart = prop(vm, 'restart');
    assert.deepEqual(restart.default, CONFIG_DEFAULTS.restart);
    for (const [k, v] of Object.entries(CONFIG_DEFAULTS.restart)) assert.equal(prop(restart, k).default, v, k);
    const scheduler = (SYSTEM_SCHEMA.properties as Record<string, Node>).scheduler;
    assert.equal(prop(scheduler, 'quantum').default, CONFIG_DEFAULTS.quantum);
    assert.equal(prop(prop(defs.device, 'disk'), 'readOnly').default, CONFIG_DEFAULTS.readOnly);
    assert.equal(prop(defs.device, 'peer').default, CONFIG_DEFAULTS.peer);
  });
});
