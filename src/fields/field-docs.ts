/**
 * The "## Fields" section of docs/filters.md, generated from the registry so
 * the documentation cannot drift from the code (test/fields/docs.test.ts
 * fails when the file is stale; run it with UPDATE_FIELDS_DOC=1 to rewrite
 * the section).
 */
import { ParamType, PrintFormat } from '../event/types.js';
import { kindOfType } from './define.js';
import type { FieldRegistry } from './registry.js';
import type { FieldInfo } from './types.js';

const TYPE_NAMES: Partial<Record<ParamType, string>> = {
  [ParamType.INT8]: 'INT8',
  [ParamType.INT16]: 'INT16',
  [ParamType.INT32]: 'INT32',
  [ParamType.INT64]: 'INT64',
  [ParamType.UINT8]: 'UINT8',
  [ParamType.UINT16]: 'UINT16',
  [ParamType.UINT32]: 'UINT32',
  [ParamType.UINT64]: 'UINT64',
  [ParamType.CHARBUF]: 'CHARBUF',
  [ParamType.BYTEBUF]: 'BYTEBUF',
  [ParamType.RELTIME]: 'RELTIME',
  [ParamType.ABSTIME]: 'ABSTIME',
  [ParamType.PORT]: 'PORT',
  [ParamType.BOOL]: 'BOOL',
  [ParamType.DOUBLE]: 'DOUBLE',
  [ParamType.IPADDR]: 'IPADDR',
  [ParamType.IPNET]: 'IPNET',
  [ParamType.DYN]: 'DYNAMIC',
};

const FORMAT_NAMES: Record<PrintFormat, string> = {
  [PrintFormat.NA]: '',
  [PrintFormat.DEC]: 'DEC',
  [PrintFormat.HEX]: 'HEX',
  [PrintFormat.PADDED_DEC]: '10_PADDED_DEC',
  [PrintFormat.ID]: 'ID',
  [PrintFormat.DIR]: 'DIR',
  [PrintFormat.OCT]: 'OCT',
};

function nameCell(f: FieldInfo): string {
  const dot = ['evt.type.is', 'evt.rawarg', 'evt.abspath', 'thread.cgroup'].includes(f.name) || /\.label$/.test(f.name);
  const both = f.name === 'evt.arg';
  let n = `\`${f.name}\``;
  if (f.arg !== 'none') {
    const a = both ? '`.NAME` or `[N]`' : dot ? '`.ARG`' : '`[ARG]`';
    n += f.arg === 'optional' ? ` (optional ${a})` : ` ${a}`;
  }
  return n;
}

function flags(f: FieldInfo): string {
  const out: string[] = [];
  if (f.filterOnly === true) out.push('filter only');
  if (f.tableOnly === true) out.push('views');
  return out.join(', ');
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The body of the "## Fields" section (heading included), in registry order. */
export function fieldsMarkdown(registry: FieldRegistry): string {
  const lines: string[] = [
    '## Fields',
    '',
    '<!-- Generated from the field registry (src/fields/) by src/fields/field-docs.ts;',
    '     regenerate with: UPDATE_FIELDS_DOC=1 npx vitest run test/fields/docs.test.ts -->',
    '',
    'Fields have sysdig 0.29.3\'s names, types and semantics; `tsysdig -l` lists them too.',
    'The *type* decides how a field compares in filters (numbers, text, IP addresses,',
    'booleans) and how views aggregate and print it; *format* is its print format.',
    'Fields taking an argument show how to write it: `proc.aname[2]`, `evt.arg.fd`,',
    '`evt.type.is.open`, `k8s.pod.label.app`. "filter only" fields cannot be displayed;',
    '"views" marks fields meant for views (sysdig hides them from `sysdig -l`).',
    'Where tsysdig deliberately differs from sysdig, docs/compat.md ("Fields") says so.',
    '',
  ];
  for (const c of registry.classes()) {
    lines.push(`### ${c.name}`, '');
    if (c.description !== '') lines.push(c.description, '');
    lines.push('| Field | Type | Format | Notes | Description |', '|-------|------|--------|-------|-------------|');
    for (const f of c.fields) {
      const type = TYPE_NAMES[f.type] ?? String(f.type);
      const kind = kindOfType(f.type);
      lines.push(`| ${nameCell(f)} | ${type} (${kind}) | ${FORMAT_NAMES[f.printFormat]} | ${flags(f)} | ${escapeCell(f.description)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * `doc` with its "## Fields" section (up to the next level-2 heading or the
 * end) replaced by `section`; appended when the document has none.
 */
export function replaceFieldsSection(doc: string, section: string): string {
  const start = doc.search(/^## Fields[ \t]*$/m);
  const body = section.endsWith('\n') ? section : `${section}\n`;
  if (start < 0) return `${doc.replace(/\n*$/, '\n\n')}${body}`;
  const rest = doc.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? doc.length : start + 1 + next;
  return doc.slice(0, start) + body + (next < 0 ? '' : `\n${doc.slice(end)}`);
}
