/**
 * Loading rules files in order, as Falco does: a directory stands for its
 * regular files in name order; every file is read into one collector (so a
 * later file can append to or override an earlier one's items) and the
 * whole set is compiled again after each file, whose result records the
 * errors and warnings found.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Collector } from './collector.js';
import { LoadContext, LoadResult } from './load-result.js';
import { DEFAULT_COMPILE_CONFIG, RuleCompiler, type CompileConfig, type CompiledRule } from './rule-compiler.js';
import { readRules } from './rules-reader.js';

/** Rules files larger than this are refused before parsing (Falco has no limit; a YAML parse of hundreds of MB would exhaust memory). */
export const MAX_RULES_FILE_BYTES = 64 * 1024 * 1024;

/** The files `paths` stand for: files as given, directories as their regular files in name order. */
export function expandRulesPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const f = join(p, name);
        if (statSync(f).isFile()) out.push(f);
      }
    } else out.push(p);
  }
  return out;
}

export class RulesLoader {
  private readonly collector = new Collector();
  /** The compiled rules after the last successful file. */
  rules: CompiledRule[] = [];
  readonly results: LoadResult[] = [];

  constructor(private readonly config: CompileConfig = DEFAULT_COMPILE_CONFIG) {}

  /**
   * Loads one file (its text given, or read from `name`); returns its result.
   * `compile: false` only reads it (a later load compiles everything, as one).
   */
  load(name: string, content?: string, compile = true): LoadResult {
    const result = new LoadResult(name);
    this.results.push(result);
    let text = content;
    if (text === undefined) {
      try {
        if (statSync(name).size > MAX_RULES_FILE_BYTES) throw new Error(`larger than ${MAX_RULES_FILE_BYTES} bytes`);
        text = readFileSync(name, 'utf8');
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
        result.addError('LOAD_ERR_FILE_READ', `Could not read file ${name}: ${why}`, LoadContext.file(name));
        return result;
      }
    }
    if (readRules(text, name, this.collector, result, content === undefined ? name : undefined) && compile) {
      const compiled = new RuleCompiler(this.collector, this.config, result).compile();
      if (result.successful) this.rules = compiled;
    }
    return result;
  }
}

/** Thrown when a rules file does not load: one line naming the file and the first error. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/** Loads every file in order; throws RulesFileError at the first that does not load. */
export function loadRulesFiles(paths: readonly string[], config: CompileConfig = DEFAULT_COMPILE_CONFIG, onWarning?: (msg: string) => void): CompiledRule[] {
  let files: string[];
  try {
    files = expandRulesPaths(paths);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new RulesFileError(`cannot read rules ${err.path ?? ''}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
  }
  const loader = new RulesLoader(config);
  // Every file is read in order, and the whole set compiled once, after the
  // last: the same rules as compiling after each file, at a fraction of the cost.
  for (let i = 0; i < files.length; i++) {
    const res = loader.load(files[i]!, undefined, i === files.length - 1);
    const err = res.errors[0];
    if (err !== undefined) {
      // a compile error belongs to the file its item came from
      const f = err.context.locations[0]!.position.name;
      const where = err.context.locations.slice(1).map((l) => `${l.itemType}${l.itemName === '' ? '' : ` '${l.itemName}'`}`);
      const at = where.length > 0 ? ` (in ${where.join(', ')})` : '';
      throw new RulesFileError(`rules file ${f} does not load: ${err.code}: ${err.message.replace(/\s*\n\s*/g, ' ')}${at}`);
    }
    if (onWarning !== undefined) for (const w of res.warnings) if (w.code === 'LOAD_UNKNOWN_ITEM') onWarning(`${files[i]}: ${w.message}`);
  }
  return loader.rules;
}
