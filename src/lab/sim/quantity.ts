/**
 * Kubernetes resource quantities as the controllers read them (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 * `MilliValue()` is ceil(q × 1000), exact for every decimal the grammar allows; a quantity the controller writes back
 * (`NewMilliQuantity(v, DecimalSI)`) prints in the canonical decimal form: the largest power-of-1000 suffix that
 * keeps the number whole (`250m`, `1500m`, `2`, `2k`).
 */

const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** ceil(q × 1000) of a quantity such as `100m`, `0.5`, `128Mi` or `1e3`; undefined when it is not one. */
export function milliValue(quantity: string | number): number | undefined {
  const text = typeof quantity === 'number' ? String(quantity) : quantity.trim();
  const match = GRAMMAR.exec(text);
  if (!match) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let exponent = 3 - fraction.length;
  let binary = 0;
  if (suffix in BINARY) binary = BINARY[suffix] as number;
  else if (suffix in DECIMAL) exponent += DECIMAL[suffix] as number;
  else exponent += Number(suffix.slice(1));
  let numerator = BigInt(`${whole}${fraction}` || '0') << BigInt(binary);
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  // Ceiling of a non-negative fraction; a negative quantity rounds towards +infinity as well (Go's ScaledValue).
  let milli = numerator / denominator;
  if (sign !== '-' && numerator % denominator !== 0n) milli += 1n;
  return Number(sign === '-' ? -milli : milli);
}

const SUFFIXES = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];

/** A milli-value as the API writes `NewMilliQuantity(v, DecimalSI)`: `1m`, `250m`, `1500m`, `2`, `2k`, `0`. */
export function formatMilli(milli: number): string {
  if (milli === 0) return '0';
  let value = BigInt(Math.trunc(milli));
  let index = 0;
  while (index < SUFFIXES.length - 1 && value % 1000n === 0n) {
    value /= 1000n;
    index++;
  }
  return `${value}${SUFFIXES[index]}`;
}
