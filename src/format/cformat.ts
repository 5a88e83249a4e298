/**
 * The few printf conversions sysdig's output depends on, reproduced exactly
 * (C's %g and %#o).
 */

/** printf("%g", x): 6 significant digits, trailing zeros removed, exponent form outside [1e-4, 1e6). */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const p = precision === 0 ? 1 : precision;
  // The exponent after rounding to p digits decides the form (rounding can carry into the next power of ten).
  const [mant, ex] = x.toExponential(p - 1).split('e') as [string, string];
  const e = Number(ex);
  const trim = (t: string): string => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (e < -4 || e >= p) return `${trim(mant)}e${e < 0 ? '-' : '+'}${Math.abs(e) < 10 ? '0' : ''}${Math.abs(e)}`;
  return trim(x.toFixed(Math.max(0, p - 1 - e)));
}

/** printf("%#o", v) for an unsigned value. */
export function formatOctalAlt(v: number | bigint): string {
  const s = v.toString(8);
  return s === '0' ? '0' : `0${s}`;
}
