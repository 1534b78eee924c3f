/** Counters of patient events and patients created per day; refreshes by itself while open. */
import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { Alert, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { formErrors } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { formatDateTime } from '../../components/dates';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';

export const REFRESH_MS = 5_000;

export default function AnalyticsPage() {
  const analytics = useQuery({
    queryKey: ['/api/analytics'],
    queryFn: () => unwrap(api.GET('/api/analytics')),
    refetchInterval: REFRESH_MS,
  });
  if (analytics.isPending) return <Loading />;
  if (analytics.isError) {
    return (
      <>
        <PageTitle>Analytics</PageTitle>
        <Alert color="red" role="alert">
          {formErrors(analytics.error, []).message}
        </Alert>
      </>
    );
  }
  const data = analytics.data;
  const counters = [
    { label: 'Patients created', value: data.patientsCreated },
    { label: 'Patients updated', value: data.patientsUpdated },
    { label: 'Patients deleted', value: data.patientsDeleted },
    { label: 'Patients merged', value: data.patientsMerged },
    { label: 'Merges undone', value: data.patientsUnmerged },
    { label: 'Active patients', value: data.activePatients },
  ];
  return (
    <>
      <PageTitle>Analytics</PageTitle>
      <Text size="sm" c="gray.7" mb="md">
        Counted from patient events; this page refreshes every {REFRESH_MS / 1000} seconds.
        {data.lastEventAt ? ` Last event: ${formatDateTime(data.lastEventAt)}.` : ''}
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mb="xl">
        {counters.map((counter) => (
          <Paper withBorder p="md" key={counter.label}>
            <Text size="sm" c="gray.7">
              {counter.label}
            </Text>
            <Text size="xl" fw={700} aria-label={`${counter.label}: ${counter.value}`}>
              {counter.value}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Title order={2} size="h3" mb="sm" id="per-day-heading">
        Patients created per day
      </Title>
      {data.createdPerDay.length === 0 ? (
        <Text>No patients created yet.</Text>
      ) : (
        <>
          <div role="img" aria-labelledby="per-day-heading">
            <BarChart h={260} maxBarWidth={48} data={data.createdPerDay} dataKey="date" series={[{ name: 'count', label: 'Patients created', color: 'blue.9' }]} />
          </div>
          <details>
            <summary>The same figures as a table</summary>
            <DataTable
              label="Patients created per day"
              rows={data.createdPerDay}
              rowKey={(day) => day.date}
              columns={[
                { header: 'Date', cell: (day) => day.date },
                { header: 'Patients created', cell: (day) => day.count },
              ]}
            />
          </details>
        </>
      )}
    </>
  );
}
