/**
 * Alerts through the output channels (src/output/) end to end: `--alerts`
 * with `-o json_output=true -o http_output...` posts every alert to a local
 * HTTP server as the same JSON object stdout prints, a file output appends
 * them (0600), and a server that answers 500 does not stop the run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, ROOT } from '../helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'tsysdig-alert-out-'));
const RULES = join(tmp, 'open.yaml');
writeFileSync(
  RULES,
  `- rule: open_from_cat
  desc: cat opens a file
  condition: evt.type=open and proc.name=cat
  output: "An open was seen (command=%proc.cmdline fd=%fd.name)"
  priority: WARNING
`,
);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin', 'tsysdig.js'), ...args], { cwd: ROOT, env: { ...process.env, TZ: 'UTC', FALCO_HOSTNAME: 'test-host' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const servers: http.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function server(handler: (body: string, res: http.ServerResponse) => void): Promise<string> {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(body, res));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

describe('--alerts through the output channels', () => {
  it('posts every alert to an HTTP endpoint as the JSON stdout prints, and appends them to a 0600 file', async () => {
    const got: string[] = [];
    const url = await server((body, res) => {
      got.push(body);
      res.end('ok');
    });
    const file = join(tmp, 'alerts.json');
    const r = await cli(['--alerts', '--rules', RULES, '-r', fixturePath('falco_cat_write'), '-o', 'json_output=true', '-o', 'http_output.enabled=true', '-o', `http_output.url=${url}`, '-o', 'file_output.enabled=true', '-o', `file_output.filename=${file}`]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    for (const l of lines) expect(JSON.parse(l).rule).toBe('open_from_cat');
    expect(got.map((b) => JSON.stringify(JSON.parse(b)))).toEqual(lines.map((l) => JSON.stringify(JSON.parse(l))));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual(lines);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an endpoint answering 500 does not stop the run: every alert still reaches stdout, the loss is said on stderr', async () => {
    const url = await server((_body, res) => {
      res.statusCode = 500;
      res.end('no');
    });
    const r = await cli(['--alerts', '--rules', RULES, '-r', fixturePath('falco_cat_write'), '-o', 'json_output=true', '-o', 'http_output.enabled=true', '-o', `http_output.url=${url}`, '-o', 'output_timeout=500']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(8);
    expect(r.stderr).toMatch(/http/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
