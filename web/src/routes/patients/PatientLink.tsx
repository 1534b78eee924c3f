import { Anchor } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { patientQuery } from './queries';

/** A link to another patient's page, named after them once their record is read. */
export function PatientLink({ id }: { id: string }) {
  const patient = useQuery(patientQuery(id));
  return (
    // In the size of the text around it (a sentence, a table cell).
    <Anchor component={Link} to={`/patients/${id}`} inherit>
      {patient.data ? `${patient.data.patient.name} (${patient.data.patient.mrn})` : 'another record'}
    </Anchor>
  );
}
