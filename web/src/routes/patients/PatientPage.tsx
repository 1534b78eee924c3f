/**
 * One patient: the record (correct it, delete it, merge it with another), the billing panel, and for admins a link
 * to the audit trail and the merges it took part in. A correction or deletion names the version it was made on
 * (If-Match); when someone else changed the record meanwhile (412) their version is shown next to the user's edit,
 * which they can re-apply or drop. A record merged into another only reads (MergedRecord).
 */
import { Alert, Anchor, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, usePrefetchQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, formErrors } from '../../api/problem';
import { useSession } from '../../api/useSession';
import { formatDateTime } from '../../components/dates';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { may, mayOpen } from '../../roles';
import { BillingPanel } from './BillingPanel';
import { MergedRecord } from './MergedRecord';
import { patientBody, patientConflictFields, patientFieldNames, patientFormValues, type PatientFormValues } from './patient-fields';
import { PatientForm } from './PatientForm';
import { PatientLink } from './PatientLink';
import { PatientMerges } from './PatientMerges';
import { billingQuery, deletePatient, patientKey, patientQuery, readPatient, updatePatient, type VersionedPatient } from './queries';
import { RecordTable } from './RecordTable';

export default function PatientPage() {
  const { id = '' } = useParams();
  const patient = useQuery(patientQuery(id));
  // Billing is asked for beside the record, not once the record is shown.
  usePrefetchQuery(billingQuery(id));
  const state = useSession();
  if (patient.isPending) return <Loading />;
  if (patient.isError) {
    return (
      <>
        <PageTitle>Patient not available</PageTitle>
        <Alert color="red" role="alert">
          {formErrors(patient.error, []).message}
        </Alert>
        <Anchor component={Link} to="/patients" mt="md" display="inline-block">
          Back to the patient list
        </Anchor>
      </>
    );
  }
  const record = patient.data.patient;
  const mayMerge = state.status === 'signed-in' && may(state, 'patients:merge');
  const mergedInto = record.mergedInto;
  return (
    <Stack gap="xl">
      {mergedInto ? (
        <MergedRecord patient={{ ...record, mergedInto }} />
      ) : (
        <PatientRecord key={id} loaded={patient.data} mayMerge={mayMerge} />
      )}
      {mayMerge && (mergedInto || record.replaces.length > 0) && <PatientMerges patient={record} />}
      {/* A merged record's invoices follow the person to the record it was merged into. */}
      {!mergedInto && <BillingPanel patientId={id} />}
      {state.status === 'signed-in' && mayOpen(state, 'audit') && (
        <Anchor component={Link} to={`/audit/${id}`}>
          Audit trail of this patient
        </Anchor>
      )}
    </Stack>
  );
}

function PatientRecord({ loaded, mayMerge }: { loaded: VersionedPatient; mayMerge: boolean }) {
  const id = loaded.patient.id;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useForm<PatientFormValues>({ initialValues: patientFormValues(loaded.patient) });
  // The version the user's edit is based on (not whatever a background refetch brought in since).
  const [base, setBase] = useState(loaded);
  const [theirs, setTheirs] = useState<VersionedPatient>();
  const [message, setMessage] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const changedMeanwhile = async (error: unknown) => {
    if (!(error instanceof ApiError && error.status === 412)) return false;
    const current = await readPatient(id).catch(() => undefined);
    if (!current) {
      setMessage('Someone else changed this record meanwhile, and it cannot be read any more (it may have been deleted).');
      return true;
    }
    queryClient.setQueryData(patientKey(id), current);
    setBase(current);
    setTheirs(current);
    return true;
  };

  const save = useMutation({
    mutationFn: (values: PatientFormValues) => updatePatient(id, base.etag, patientBody(values, { isNew: false })),
    onSuccess: (fresh) => {
      queryClient.setQueryData(patientKey(id), fresh);
      void queryClient.invalidateQueries({ queryKey: ['/api/patients'], exact: false, refetchType: 'none' });
      setBase(fresh);
      setTheirs(undefined);
      form.setValues(patientFormValues(fresh.patient));
      form.resetDirty(patientFormValues(fresh.patient));
      setSaved(true);
    },
    onError: async (error) => {
      if (await changedMeanwhile(error)) return;
      const { fields, message } = formErrors(error, patientFieldNames, patientConflictFields);
      form.setErrors(fields);
      setMessage(message);
    },
  });

  const remove = useMutation({
    mutationFn: () => deletePatient(id, base.etag),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: patientKey(id) });
      void queryClient.invalidateQueries({ queryKey: ['/api/patients'] });
      navigate('/patients', { replace: true });
    },
    onError: async (error) => {
      setConfirmingDelete(false);
      if (await changedMeanwhile(error)) return;
      setMessage(formErrors(error, []).message);
    },
  });

  const submit = (values: PatientFormValues) => {
    setMessage(undefined);
    setSaved(false);
    save.mutate(values);
  };

  return (
    <section>
      <PageTitle>{base.patient.name}</PageTitle>
      <Text size="sm" c="gray.7" mb="md">
        Patient record {base.patient.mrn} · registered {base.patient.registeredDate} · last changed {formatDateTime(base.patient.updatedAt)}
      </Text>
      <MergedHere patient={base.patient} />
      {theirs && (
        <Alert color="yellow" title="Someone else changed this record meanwhile" role="alert" mb="md">
          <Text size="sm" mb="xs">
            Your edit was not saved. This is their version; your edit is still in the form below.
          </Text>
          <RecordTable patient={theirs.patient} label="Their version" mb="sm" />
          <Group>
            <Button onClick={() => submit(form.getValues())} loading={save.isPending}>
              Re-apply my changes
            </Button>
            <Button
              variant="default"
              onClick={() => {
                form.setValues(patientFormValues(theirs.patient));
                form.resetDirty(patientFormValues(theirs.patient));
                setTheirs(undefined);
              }}
            >
              Keep their version
            </Button>
          </Group>
        </Alert>
      )}
      <PatientForm
        form={form}
        onSubmit={submit}
        saving={save.isPending}
        message={message}
        isNew={false}
        actions={
          <>
            {mayMerge && (
              <Button variant="default" component={Link} to={`/patients/${id}/merge`}>
                Merge…
              </Button>
            )}
            <Button color="red.9" variant="outline" onClick={() => setConfirmingDelete(true)}>
              Delete
            </Button>
          </>
        }
      />
      <Text size="sm" role="status" mt="xs">
        {saved ? 'Saved.' : ''}
      </Text>
      <Modal opened={confirmingDelete} onClose={() => setConfirmingDelete(false)} title={`Delete ${base.patient.name}?`} centered>
        <Stack>
          <Text>
            {base.patient.name} will no longer appear in the patient list. The record is kept for the audit trail.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmingDelete(false)} data-autofocus>
              Cancel
            </Button>
            <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </section>
  );
}

/** The records merged into this one, and their MRNs (a search by one of them finds this record). */
function MergedHere({ patient }: { patient: VersionedPatient['patient'] }) {
  if (patient.replaces.length === 0 && patient.formerMrns.length === 0) return null;
  return (
    <Stack gap={4} mb="md">
      {patient.replaces.length > 0 && (
        <Text size="sm">
          Merged into this record:{' '}
          {patient.replaces.map((id, index) => (
            <span key={id}>
              {index > 0 && ', '}
              <PatientLink id={id} />
            </span>
          ))}
        </Text>
      )}
      {patient.formerMrns.length > 0 && <Text size="sm">Former MRNs: {patient.formerMrns.join(', ')}</Text>}
    </Stack>
  );
}
