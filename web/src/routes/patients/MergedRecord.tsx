/**
 * A record merged into another: it stays readable (where the person went, what it said), but it is inactive and
 * no longer changes, so nothing here edits or deletes it.
 */
import { Alert, Text } from '@mantine/core';
import { formatDateTime } from '../../components/dates';
import { PageTitle } from '../../components/PageTitle';
import { PatientLink } from './PatientLink';
import type { Patient } from './queries';
import { RecordTable } from './RecordTable';

export function MergedRecord({ patient }: { patient: Patient & { mergedInto: string } }) {
  return (
    <section>
      <PageTitle>{patient.name}</PageTitle>
      <Text size="sm" c="gray.7" mb="md">
        Patient record {patient.mrn} · registered {patient.registeredDate} · inactive since {formatDateTime(patient.updatedAt)}
      </Text>
      {/* A standing fact of the record, not news: a note, not an alert. */}
      <Alert color="blue" title="Merged into another record" mb="md" role="note">
        <Text size="sm">
          Merged into <PatientLink id={patient.mergedInto} />. This record is inactive: it is kept as it was, for the audit trail, and can no
          longer be changed. The record it was merged into holds this person&apos;s details, identifiers and billing now.
        </Text>
      </Alert>
      <RecordTable patient={patient} label="The record as it was merged" />
    </section>
  );
}
