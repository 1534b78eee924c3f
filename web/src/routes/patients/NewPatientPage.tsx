import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { formErrors } from '../../api/problem';
import { PageTitle } from '../../components/PageTitle';
import { emptyPatientForm, patientBody, patientConflictFields, patientFieldNames, type PatientFormValues } from './patient-fields';
import { PatientForm, today } from './PatientForm';
import { PossibleDuplicates } from './PossibleDuplicates';
import { createPatient } from './queries';

export default function NewPatientPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string>();
  const form = useForm<PatientFormValues>({ initialValues: emptyPatientForm(today()) });
  const register = useMutation({
    mutationFn: createPatient,
    onSuccess: (patient) => {
      void queryClient.invalidateQueries({ queryKey: ['/api/patients'] });
      navigate(`/patients/${patient.id}`, { replace: true });
    },
    onError: (error) => {
      const { fields, message } = formErrors(error, patientFieldNames, patientConflictFields);
      form.setErrors(fields);
      setMessage(message);
    },
  });
  return (
    <>
      <PageTitle>New patient</PageTitle>
      <PatientForm
        form={form}
        saving={register.isPending}
        message={message}
        isNew
        beforeSave={<PossibleDuplicates values={form.values} />}
        onSubmit={(values) => {
          setMessage(undefined);
          register.mutate(patientBody(values, { isNew: true }));
        }}
      />
    </>
  );
}
