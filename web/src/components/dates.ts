/**
 * Dates and times as the console shows them, in the browser's time zone: `2026-12-01` and `2026-12-01 14:05`, the
 * same YYYY-MM-DD people type into the date fields. Written out by hand rather than with toLocaleString: the
 * first Intl formatter a page creates loads locale data, tens of milliseconds of main thread just as the page
 * first paints.
 */
const twoDigits = (value: number) => String(value).padStart(2, '0');

export function formatDate(iso: string): string {
  const at = new Date(iso);
  return `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())}`;
}

export function formatDateTime(iso: string): string {
  const at = new Date(iso);
  return `${formatDate(iso)} ${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`;
}
