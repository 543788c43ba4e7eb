import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MANIFEST_SCHEMA, renderManifestSchema } from '../../../harness/manifest/schema.js';
import { VALID_YAML, validData } from './fixtures.js';

const PUBLISHED = new URL('../../../docs/schemas/manifest.schema.json', import.meta.url);
const REGENERATE =
  'npx tsx -e "import(\'./harness/manifest/schema.ts\').then((m) => process.stdout.write(m.renderManifestSchema()))" > docs/schemas/manifest.schema.json';

describe('published manifest schema', () => {
  it('is identical to the schema the loader uses (regenerate with the command in the message)', async () => {
    const published = await readFile(PUBLISHED, 'utf8');
    expect(published, `docs/schemas/manifest.schema.json is stale; run:\n${REGENERATE}`).toBe(renderManifestSchema());
  });

  it('compiles in strict mode on its own and accepts the contract example', async () => {
    const schema = JSON.parse(await readFile(PUBLISHED, 'utf8'));
    const validate = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(schema);
    expect(validate(parse(VALID_YAML)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(validData())).toBe(true);
  });

  it('rejects a structurally broken manifest on its own, for editors and CI that use only the file', async () => {
    const schema = JSON.parse(await readFile(PUBLISHED, 'utf8'));
    const validate = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(schema);
    const bad = validData();
    bad.run.startTimeoutMs = -5;
    bad.run.image = 'x';
    bad.scpoes = [];
    expect(validate(bad)).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(expect.arrayContaining(['/run/startTimeoutMs minimum', '/run oneOf', ' additionalProperties']));
    expect(MANIFEST_SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
});
