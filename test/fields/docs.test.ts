/**
 * docs/filters.md's "## Fields" section is generated from the registry; this
 * fails when it is out of date. Regenerate with:
 *   UPDATE_FIELDS_DOC=1 npx vitest run test/fields/docs.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldsMarkdown, replaceFieldsSection } from '../../src/fields/field-docs.js';
import { fieldRegistry } from '../../src/fields/registry.js';
import { ROOT } from '../helpers/fixtures.js';

const DOC = join(ROOT, 'docs', 'filters.md');

describe('docs/filters.md "## Fields"', () => {
  it('is generated from the registry', () => {
    const doc = readFileSync(DOC, 'utf8');
    const want = replaceFieldsSection(doc, fieldsMarkdown(fieldRegistry));
    if (process.env.UPDATE_FIELDS_DOC === '1' && want !== doc) writeFileSync(DOC, want);
    else expect(doc).toBe(want);
  });

  it('lists every field', () => {
    const section = fieldsMarkdown(fieldRegistry);
    for (const f of fieldRegistry.list()) expect(section).toContain(`\`${f.name}\``);
  });

  it('replaces only its own section', () => {
    const doc = '# T\n\n## A\n\ntext\n\n## Fields\n\nold\n\n## B\n\nmore\n';
    expect(replaceFieldsSection(doc, '## Fields\n\nnew\n')).toBe('# T\n\n## A\n\ntext\n\n## Fields\n\nnew\n\n## B\n\nmore\n');
    expect(replaceFieldsSection('# T\n', '## Fields\n\nnew\n')).toBe('# T\n\n## Fields\n\nnew\n');
    expect(replaceFieldsSection('# T\n\n## Fields\n\nold\n', '## Fields\n\nnew\n')).toBe('# T\n\n## Fields\n\nnew\n');
  });
});
