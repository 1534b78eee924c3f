/**
 * "Search patients": results as the user types (debounced), by name, MRN, email or birth date, with paging through
 * long result lists. The patients list and the audit page both use it; `linkTo` says where a result leads.
 */
import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { formErrors } from '../api/problem';
import { DataTable } from './DataTable';
import { patientQuery, resultCount } from './patient-search';

const PAGE_SIZE = 25;

export function PatientSearch({ linkTo }: { linkTo: (id: string) => string }) {
  const [params, setParams] = useSearchParams();
  // What the user is typing lives here; the address follows it (so Back returns to the same results).
  const [text, setText] = useState(() => params.get('q') ?? '');
  const [debounced] = useDebouncedValue(text, 250);
  useEffect(() => {
    if ((params.get('q') ?? '') !== debounced) setParams(debounced ? { q: debounced } : {}, { replace: true });
  }, [debounced, params, setParams]);
  const query = patientQuery(debounced);
  const results = useInfiniteQuery({
    queryKey: ['/api/patients', query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/patients', { params: { query: { ...query, limit: PAGE_SIZE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const patients = results.data?.pages.flatMap((page) => page.patients) ?? [];
  // While the results of the new search are on their way, the previous ones stay on screen, marked as such.
  const searching = results.isPending || results.isPlaceholderData;

  return (
    <Stack>
      <TextInput
        label="Search patients"
        description="Part of a name, an MRN (MRN-000123), an email, or a date of birth (YYYY-MM-DD)"
        type="search"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
      />
      {results.isError && (
        <Text c="red.9" role="alert">
          {formErrors(results.error, []).message}
        </Text>
      )}
      <Text size="sm" role="status" aria-live="polite">
        {searching ? 'Searching…' : resultCount(patients.length, results.hasNextPage)}
      </Text>
      {patients.length > 0 && (
        <DataTable
          label="Patients found"
          rows={patients}
          rowKey={(patient) => patient.id}
          columns={[
            {
              header: 'Name',
              cell: (patient) => (
                <Anchor component={Link} to={linkTo(patient.id)}>
                  {patient.name}
                </Anchor>
              ),
            },
            { header: 'MRN', cell: (patient) => patient.mrn },
            { header: 'Email', cell: (patient) => patient.email },
            { header: 'Date of birth', cell: (patient) => patient.dateOfBirth },
          ]}
        />
      )}
      {!searching && results.hasNextPage && (
        <Button variant="default" onClick={() => void results.fetchNextPage()} loading={results.isFetchingNextPage} style={{ alignSelf: 'start' }}>
          Show more patients
        </Button>
      )}
    </Stack>
  );
}
