/** A patient's audit trail, newest first: who (the staff account's email when known), when, what, outcome. */
import { Alert, Anchor, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { formErrors } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { formatDateTime } from '../../components/dates';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { patientQuery } from '../patients/queries';

const actions: Record<string, string> = {
  create: 'Registered',
  read: 'Read',
  list: 'Listed',
  update: 'Corrected',
  delete: 'Deleted',
  read_billing: 'Read billing',
  merge: 'Merged',
  unmerge: 'Unmerged',
  decide_duplicate: 'Marked not a duplicate',
};

export default function AuditTrailPage() {
  const { patientId = '' } = useParams();
  const patient = useQuery({ ...patientQuery(patientId), retry: false });
  const events = useQuery({
    queryKey: ['/api/audit-events', patientId],
    queryFn: () => unwrap(api.GET('/api/audit-events', { params: { query: { patientId, limit: 200 } } })),
  });
  const staff = useQuery({
    queryKey: ['/api/users', 'emails'],
    queryFn: () => unwrap(api.GET('/api/users', { params: { query: { limit: 200 } } })),
    select: (page) => new Map(page.users.map((user) => [user.id, user.email])),
  });
  const name = patient.data?.patient.name;
  return (
    <>
      <PageTitle>{name ? `Audit trail: ${name}` : 'Audit trail'}</PageTitle>
      <Text mb="md">
        Newest first.{' '}
        {name && (
          <Anchor component={Link} to={`/patients/${patientId}`}>
            Open the patient record
          </Anchor>
        )}
      </Text>
      {events.isPending && <Loading />}
      {events.isError && (
        <Alert color="red" role="alert">
          {formErrors(events.error, []).message}
        </Alert>
      )}
      {events.data && events.data.events.length === 0 && <Text>No one has read or changed this record yet.</Text>}
      {events.data && events.data.events.length > 0 && (
        <DataTable
          label="Audit events"
          rows={events.data.events}
          rowKey={(event) => event.id}
          columns={[
            { header: 'When', cell: (event) => formatDateTime(event.occurredAt) },
            { header: 'Who', cell: (event) => staff.data?.get(event.actor) ?? event.actor },
            { header: 'Action', cell: (event) => actions[event.action] ?? event.action },
            { header: 'Outcome', cell: (event) => event.outcome.replace('_', ' ') },
          ]}
        />
      )}
    </>
  );
}
