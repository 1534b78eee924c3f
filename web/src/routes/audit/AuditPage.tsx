import { Text } from '@mantine/core';
import { PageTitle } from '../../components/PageTitle';
import { PatientSearch } from '../../components/PatientSearch';

/** Pick the patient whose audit trail to read. */
export default function AuditPage() {
  return (
    <>
      <PageTitle>Audit</PageTitle>
      <Text mb="md">Find a patient to see who read or changed their record, and when.</Text>
      <PatientSearch linkTo={(id) => `/audit/${id}`} />
    </>
  );
}
