/**
 * Amounts as the API shows them (decimal strings in major units, "123.45") and as the billing server stores
 * them (integer minor units). How many minor digits a currency has comes from ICU through Intl (EUR 2, JPY 0,
 * BHD 3), not from a table of our own.
 */
const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export type MinorUnitsResult = { ok: true; minorUnits: number } | { ok: false; message: string };

/** `amount` is a plain decimal ("12", "12.5", "12.50"), as the InvoiceCreate schema admits. */
export function toMinorUnits(amount: string, currency: string): MinorUnitsResult {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match?.[1]) return { ok: false, message: 'must be a decimal number such as "123.45"' };
  const digits = minorUnitDigits(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return { ok: false, message: `has more decimals than ${currency} has (${digits})` };
  const minor = BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor <= 0n) return { ok: false, message: 'must be greater than zero' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: 'is too large' };
  return { ok: true, minorUnits: Number(minor) };
}

export function fromMinorUnits(minorUnits: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const value = BigInt(minorUnits);
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  if (digits === 0) return `${sign}${absolute}`;
  const scale = 10n ** BigInt(digits);
  return `${sign}${absolute / scale}.${(absolute % scale).toString().padStart(digits, '0')}`;
}
