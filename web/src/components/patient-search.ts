/** One search box for patients: an MRN, an email, a birth date (YYYY-MM-DD) or part of a name. */
export type PatientQuery = { mrn: string } | { email: string } | { birthdate: string } | { name: string } | Record<string, never>;

export function patientQuery(text: string): PatientQuery {
  const q = text.trim();
  if (q === '') return {};
  // Medical record numbers look like MRN-000123; the API compares them ignoring case.
  if (/^mrn-\d{1,26}$/i.test(q)) return { mrn: q };
  if (/^\d{4}-\d{2}-\d{2}$/.test(q)) return { birthdate: q };
  if (/^[^\s@]+@[^\s@]+$/.test(q)) return { email: q };
  return { name: q };
}

/** "No patients match.", "1 patient", "25+ patients" (more pages to show). */
export function resultCount(shown: number, more: boolean): string {
  if (shown === 0) return 'No patients match.';
  return `${shown}${more ? '+' : ''} ${shown === 1 && !more ? 'patient' : 'patients'}`;
}
