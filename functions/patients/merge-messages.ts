/**
 * The outbox messages of a merge and of its undoing: the target's new version is an update of it; the source's
 * change is a PatientMerged / PatientUnmerged event; billing moves the source's invoices (idempotent per merge id);
 * the duplicate report rescans the records that changed.
 */
import type { OutboxMessage } from '../outbox/outbox.table.js';
import { billingMergeMessage, duplicateScanMessage, patientEventMessage } from './patient-messages.js';

export interface MergeMessageFacts {
  mergeId: string;
  sourceId: string;
  targetId: string;
  /** Both records' versions after the change. */
  versions: { source: number; target: number };
}

export function mergeMessages(kind: 'merge' | 'unmerge', facts: MergeMessageFacts): OutboxMessage[] {
  const at = new Date();
  const { mergeId, sourceId, targetId } = facts;
  return [
    patientEventMessage('updated', { id: targetId, version: facts.versions.target }, at),
    patientEventMessage(kind === 'merge' ? 'merged' : 'unmerged', { id: sourceId, version: facts.versions.source }, at, { relatedPatientId: targetId }),
    billingMergeMessage({ mergeId, sourceId, targetId, undo: kind === 'unmerge' }),
    // A scan of a record no longer live drops its pairs; after an unmerge both records are live again.
    duplicateScanMessage(targetId),
    duplicateScanMessage(sourceId),
  ];
}
