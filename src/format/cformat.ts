/**
 * The few printf conversions sysdig's output depends on, reproduced exactly
 * (C's %g, %#o, signed views of unsigned values).
 */

/** printf("%g", x): 6 significant digits, trailing zeros removed, exponent form outside [1e-4, 1e6). */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const p = precision === 0 ? 1 : precision;
  const exp = Math.floor(Math.log10(Math.abs(x)));
  // Rounding can carry into the next power of ten; let toExponential decide the real exponent.
  const e = Number(x.toExponential(p - 1).split('e')[1]);
  const useExp = e < -4 || e >= p;
  let s: string;
  if (useExp) {
    const [mant, ex] = x.toExponential(p - 1).split('e') as [string, string];
    let m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(ex);
    const sign = n < 0 ? '-' : '+';
    const abs = Math.abs(n);
    m += `e${sign}${abs < 10 ? '0' : ''}${abs}`;
    s = m;
  } else {
    s = x.toFixed(Math.max(0, p - 1 - e));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  void exp;
  return s;
}

/** printf("%#o", v) for an unsigned value. */
export function formatOctalAlt(v: number | bigint): string {
  const s = v.toString(8);
  return s === '0' ? '0' : `0${s}`;
}

/** The signed 32-bit view of an unsigned 32-bit value (printf "%d" of a uint32_t). */
export function asInt32(v: number): number {
  return v | 0;
}
