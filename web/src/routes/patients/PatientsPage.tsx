import { Button, Group } from '@mantine/core';
import { useNavigate } from 'react-router';
import { PageTitle } from '../../components/PageTitle';
import { PatientSearch } from '../../components/PatientSearch';

export default function PatientsPage() {
  const navigate = useNavigate();
  return (
    <>
      <Group justify="space-between" align="start">
        <PageTitle>Patients</PageTitle>
        <Button onClick={() => navigate('/patients/new')}>New patient</Button>
      </Group>
      <PatientSearch linkTo={(id) => `/patients/${id}`} />
    </>
  );
}
