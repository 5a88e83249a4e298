/**
 * The sysdig filter language: parse, compile, evaluate.
 *
 *   const f = compileFilter('proc.name = cat and fd.name pmatch (/etc)', registry);
 *   if (f.test(ctx)) ...
 *
 * See docs/filters.md for the syntax and field-api.ts for how fields plug in.
 */
export { FilterError } from './errors.js';
export type { BoundField, CompareOp, FieldKind, FieldResolver, FieldValue } from './field-api.js';
export type { AndNode, CheckNode, FieldRef, FilterAst, NotNode, Operand, OrNode, Span, TransformerName, ValueLit } from './ast.js';
export { formatFilter, quoteValue } from './ast.js';
export { parseFilter, MIXED_AND_OR_MESSAGE, type ParseOptions } from './parser.js';
export { compileFilter, compileFilters, compileAst, type CompiledFilter, type CompileOptions } from './compiler.js';
export type { Evaluator } from './evaluators.js';
