/**
 * After a merge or its undoing, what the console holds of the two records is out of date: their pages load afresh
 * (reset, not refetched in the background, so that no form starts from the old values), and the lists that may
 * show them (searches, duplicates, merges) are asked again.
 */
import type { QueryClient } from '@tanstack/react-query';
import { patientKey, patientMergesKey } from './queries';

export function forgetMergedPatients(queryClient: QueryClient, patientIds: readonly string[]): void {
  for (const id of patientIds) {
    void queryClient.resetQueries({ queryKey: patientKey(id) });
    void queryClient.invalidateQueries({ queryKey: patientMergesKey(id) });
  }
  for (const list of ['/api/patients', '/api/patients/matches', '/api/patients/duplicates']) {
    void queryClient.invalidateQueries({ queryKey: [list] });
  }
}
