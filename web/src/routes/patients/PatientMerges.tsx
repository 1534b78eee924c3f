/**
 * The merges a record took part in (admins: `patients:merge`), newest first: when, which record went into which,
 * what was taken from the merged record, and "Undo merge" while neither record has changed since. When the API
 * refuses (a record changed meanwhile: 409) its reason is shown and the list is read again.
 */
import { Alert, Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { formErrors } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { formatDateTime } from '../../components/dates';
import { forgetMergedPatients } from './merge-cache';
import { takenFromSource } from './merge-choices';
import { PatientLink } from './PatientLink';
import { patientMergesQuery, unmergePatients, type Patient, type PatientMerge } from './queries';

export function PatientMerges({ patient }: { patient: Patient }) {
  const headingId = useId();
  const queryClient = useQueryClient();
  const merges = useQuery(patientMergesQuery(patient.id));
  const [undoing, setUndoing] = useState<PatientMerge>();
  const [message, setMessage] = useState<string>();

  const undo = useMutation({
    mutationFn: (merge: PatientMerge) => unmergePatients(merge.mergeId),
    onSuccess: (_, merge) => {
      setUndoing(undefined);
      forgetMergedPatients(queryClient, [merge.sourceId, merge.targetId]);
    },
    onError: (error) => {
      setUndoing(undefined);
      setMessage(formErrors(error, []).message);
      void merges.refetch();
    },
  });

  const record = (id: string): ReactNode => (id === patient.id ? 'this record' : <PatientLink id={id} />);

  return (
    <section aria-labelledby={headingId}>
      <Title order={2} size="h3" id={headingId} mb="sm">
        Merges
      </Title>
      {merges.isPending && <Text role="status">Loading merges…</Text>}
      {merges.isError && (
        <Text c="red.9" role="alert">
          {formErrors(merges.error, []).message}
        </Text>
      )}
      {message && (
        <Alert color="red" role="alert" title="Not undone" mb="sm" withCloseButton closeButtonLabel="Dismiss" onClose={() => setMessage(undefined)}>
          {message}
        </Alert>
      )}
      {merges.data && (
        <DataTable
          label="Merges"
          rows={merges.data}
          rowKey={(merge) => merge.mergeId}
          columns={[
            { header: 'Merged', cell: (merge) => formatDateTime(merge.mergedAt) },
            {
              header: 'Records',
              cell: (merge) => (
                <>
                  {record(merge.sourceId)} into {record(merge.targetId)}
                </>
              ),
            },
            { header: 'Taken from the merged record', cell: (merge) => takenFromSource(merge.fields) },
            {
              header: 'Undo',
              cell: (merge) =>
                merge.unmergedAt ? (
                  `Undone ${formatDateTime(merge.unmergedAt)}`
                ) : merge.undoable ? (
                  <Button size="xs" variant="outline" onClick={() => setUndoing(merge)}>
                    Undo merge
                  </Button>
                ) : (
                  'Not possible: a record changed since'
                ),
            },
          ]}
        />
      )}
      <Modal opened={undoing !== undefined} onClose={() => setUndoing(undefined)} title="Undo this merge?" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text>
            The merged record becomes a record of its own again, with its MRN and identifiers; the kept record gets back the details it had
            before the merge. Both changes are recorded in the audit trail.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setUndoing(undefined)} data-autofocus>
              Cancel
            </Button>
            <Button color="red.9" onClick={() => undoing && undo.mutate(undoing)} loading={undo.isPending}>
              Undo merge
            </Button>
          </Group>
        </Stack>
      </Modal>
    </section>
  );
}
