/**
 * The duplicate report (admins: `patients:merge`): pairs of records that are likely the same person, newest found
 * first, each side by side with why. "Merge…" opens the merge view of the pair; "Not a duplicate" takes the pair
 * off the report for good (the API remembers and audits it).
 */
import { Alert, Anchor, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { formErrors } from '../../api/problem';
import { formatDateTime } from '../../components/dates';
import { PageTitle } from '../../components/PageTitle';
import { recordRows } from './patient-fields';
import { gradeWords, matchReasons } from './possible-duplicates';
import { decideNotDuplicate, duplicatesKey, pairPatients, readDuplicates, type DuplicatePage, type DuplicatePair } from './queries';

const PAGE_SIZE = 20;

export default function DuplicatesPage() {
  const queryClient = useQueryClient();
  const report = useInfiniteQuery({
    queryKey: duplicatesKey,
    queryFn: ({ pageParam }) => readDuplicates(pageParam, PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const [decided, setDecided] = useState('');
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const status = useRef<HTMLParagraphElement>(null);

  const decide = useMutation({
    mutationFn: (pair: DuplicatePair) => {
      const [first, second] = pairPatients(pair);
      return decideNotDuplicate([first.id, second.id]);
    },
    onSuccess: (_, pair) => {
      // The pair goes from the pages shown (not the whole report read again); the next visit reads it afresh.
      queryClient.setQueryData<InfiniteData<DuplicatePage>>(duplicatesKey, (data) =>
        data && { ...data, pages: data.pages.map((page) => ({ ...page, pairs: page.pairs.filter((shown) => shown.pairId !== pair.pairId) })) },
      );
      void queryClient.invalidateQueries({ queryKey: duplicatesKey, refetchType: 'none' });
      setDecided(`${pairName(pair)}: marked as not a duplicate.`);
      // Its section is gone: the focus goes to the message saying so rather than being lost.
      status.current?.focus();
    },
    onError: (error, pair) => setRefusals((current) => ({ ...current, [pair.pairId]: formErrors(error, []).message ?? '' })),
  });

  const pairs = report.data?.pages.flatMap((page) => page.pairs) ?? [];
  return (
    <Stack>
      <PageTitle>Duplicates</PageTitle>
      <Text>
        Records that are likely the same person, newest found first. Merge them, or say they are not a duplicate: the pair then leaves this
        report for good.
      </Text>
      <Text size="sm" role="status" ref={status} tabIndex={-1} style={{ outline: 'none' }}>
        {report.isPending ? 'Loading the report…' : decided}
      </Text>
      {report.isError && (
        <Alert color="red" role="alert">
          {formErrors(report.error, []).message}
        </Alert>
      )}
      {report.isSuccess && pairs.length === 0 && <Text>No likely duplicates to look at.</Text>}
      {pairs.map((pair) => (
        <Pair
          key={pair.pairId}
          pair={pair}
          refusal={refusals[pair.pairId]}
          deciding={decide.isPending && decide.variables?.pairId === pair.pairId}
          onNotDuplicate={() => decide.mutate(pair)}
        />
      ))}
      {report.hasNextPage && (
        <Button variant="default" onClick={() => void report.fetchNextPage()} loading={report.isFetchingNextPage} style={{ alignSelf: 'start' }}>
          Show older pairs
        </Button>
      )}
    </Stack>
  );
}

const pairName = (pair: DuplicatePair) => {
  const [first, second] = pairPatients(pair);
  return `${first.name} and ${second.name}`;
};

function Pair({ pair, refusal, deciding, onNotDuplicate }: { pair: DuplicatePair; refusal?: string; deciding: boolean; onNotDuplicate: () => void }) {
  const headingId = useId();
  const [first, second] = pairPatients(pair);
  const { agrees, differs } = matchReasons(pair.contributions);
  const rows = recordRows(first).map(([label, value], index): [string, string, string] => [label, value, recordRows(second)[index]![1]]);
  return (
    <Paper component="article" aria-labelledby={headingId} withBorder p="md">
      <Title order={2} size="h4" id={headingId}>
        {pairName(pair)}
      </Title>
      <Text size="sm">
        {gradeWords[pair.grade]} (score {pair.score.toFixed(2)}), found {formatDateTime(pair.foundAt)}.
      </Text>
      {agrees.length > 0 && <Text size="sm">Why: {agrees.join('; ')}.</Text>}
      {differs.length > 0 && <Text size="sm">Differs: {differs.join('; ')}.</Text>}
      <Table className="pm-table" my="sm" aria-label={`${pairName(pair)} side by side`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Detail</Table.Th>
            {[first, second].map((patient) => (
              <Table.Th scope="col" key={patient.id}>
                <Anchor component={Link} to={`/patients/${patient.id}`}>
                  {patient.mrn}
                </Anchor>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(([label, left, right]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td>{left}</Table.Td>
              <Table.Td>{right}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {refusal && (
        <Alert color="red" role="alert" mb="sm">
          {refusal}
        </Alert>
      )}
      <Group>
        <Button component={Link} to={`/patients/${first.id}/merge?with=${second.id}`}>
          Merge…
        </Button>
        <Button variant="default" onClick={onNotDuplicate} loading={deciding}>
          Not a duplicate
        </Button>
      </Group>
    </Paper>
  );
}
