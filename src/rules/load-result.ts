/**
 * The outcome of loading one rules file, as Falco 0.35 reports it (`falco -V`,
 * `falco_load_results`): success, then errors and warnings, each with Falco's
 * code, message and the chain of items it was found in (file → rule → ...).
 */

export type ErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT'
  | 'LOAD_ERR_VALIDATE';

export type WarningCode =
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_UNSAFE_NA_CHECK'
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNKNOWN_FIELD'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_ITEM';

/** Falco's one-line description of each code (its `codedesc`). */
const CODE_TEXT: Record<ErrorCode | WarningCode, string> = {
  LOAD_ERR_FILE_READ: 'File read error',
  LOAD_ERR_YAML_PARSE: 'YAML parse error',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
  LOAD_UNKNOWN_SOURCE: 'Unknown event source',
  LOAD_UNSAFE_NA_CHECK: 'Unsafe <NA> comparison in condition',
  LOAD_NO_EVTTYPE: 'Condition has no event-type restriction',
  LOAD_UNKNOWN_FIELD: 'Unknown field in condition',
  LOAD_UNUSED_MACRO: 'Unused macro',
  LOAD_UNUSED_LIST: 'Unused list',
  LOAD_UNKNOWN_ITEM: 'Unknown rules file item',
};

/** Falco's item types, as they appear in a location. */
export type ItemType =
  | 'value for'
  | 'exceptions'
  | 'exception'
  | 'exception values'
  | 'exception value'
  | 'rules content'
  | 'rules content item'
  | 'required_engine_version'
  | 'required plugin versions'
  | 'required plugin versions entry'
  | 'required plugin versions alternative'
  | 'list'
  | 'list item'
  | 'macro'
  | 'macro condition'
  | 'rule'
  | 'rule condition'
  | 'condition expression'
  | 'rule output'
  | 'rule output expression'
  | 'rule priority';

export interface Position {
  /** File name, or the quoted start of a condition for positions inside one. */
  name: string;
  /** 0-based, as yaml-cpp's marks. */
  line: number;
  column: number;
  offset: number;
}

export interface Location {
  itemType: ItemType;
  itemName: string;
  position: Position;
}

/** Where something is: the chain from the file down to the innermost item. */
export class LoadContext {
  constructor(readonly locations: readonly Location[]) {}

  static file(name: string): LoadContext {
    return new LoadContext([{ itemType: 'rules content', itemName: '', position: { name, line: 0, column: 0, offset: 0 } }]);
  }

  /** A child location inside this one. */
  child(itemType: ItemType, itemName: string, position: Omit<Position, 'name'>): LoadContext {
    const name = this.locations[0]!.position.name;
    return new LoadContext([...this.locations, { itemType, itemName, position: { name, ...position } }]);
  }

  toJSON(): object {
    return {
      locations: this.locations.map((l) => ({
        item_type: l.itemType,
        item_name: l.itemName,
        position: { name: l.position.name, line: l.position.line, column: l.position.column, offset: l.position.offset },
      })),
    };
  }

  /** "In rule 'x': (file:3:2)" lines, as Falco's text report. */
  text(): string {
    return this.locations
      .map((l, i) => `${i === 0 ? 'In ' : '    '}${l.itemType}${l.itemName === '' ? '' : ` '${l.itemName}'`}: (${l.position.name}:${l.position.line}:${l.position.column})`)
      .join('\n');
  }
}

export interface LoadMessage<C extends string> {
  code: C;
  message: string;
  context: LoadContext;
}

/** Thrown inside the loader to stop at the first error, as Falco does. */
export class RuleLoadError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: LoadContext,
  ) {
    super(message);
  }
}

export class LoadResult {
  readonly errors: LoadMessage<ErrorCode>[] = [];
  readonly warnings: LoadMessage<WarningCode>[] = [];

  constructor(readonly name: string) {}

  get successful(): boolean {
    return this.errors.length === 0;
  }

  addError(code: ErrorCode, message: string, context: LoadContext): void {
    this.errors.push({ code, message, context });
  }

  addWarning(code: WarningCode, message: string, context: LoadContext): void {
    this.warnings.push({ code, message, context });
  }

  /** One object of `{"falco_load_results": [...]}`. */
  toJSON(): object {
    const msg = (m: LoadMessage<string>): object => ({
      code: m.code,
      codedesc: CODE_TEXT[m.code as ErrorCode],
      message: m.message,
      context: m.context.toJSON(),
    });
    return { name: this.name, successful: this.successful, errors: this.errors.map(msg), warnings: this.warnings.map(msg) };
  }

  /** Falco's text summary: "FILE: Ok", "FILE: Ok, with warnings" or "FILE: Invalid" and the errors. */
  summary(withWarnings: boolean): string {
    const lines = [`${this.name}: ${this.successful ? (this.warnings.length > 0 ? 'Ok, with warnings' : 'Ok') : 'Invalid'}`];
    const list = (kind: string, items: readonly LoadMessage<string>[]): void => {
      if (items.length === 0) return;
      lines.push(`${items.length} ${kind}:`);
      for (const m of items) lines.push(m.context.text(), `${m.code} (${CODE_TEXT[m.code as ErrorCode]}): ${m.message}`);
    };
    list('Errors', this.errors);
    if (withWarnings) list('Warnings', this.warnings);
    return lines.join('\n');
  }
}
