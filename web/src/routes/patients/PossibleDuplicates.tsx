/**
 * "Possible duplicates" on the new-patient form: once a birth date and a name are typed, the patients already
 * registered who may be the same person, each with why, and a link to open them instead. Asked 400 ms after typing
 * stops; it never blocks Save, never takes the focus, and when the question fails the form works as before.
 */
import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { Link } from 'react-router';
import type { PatientFormValues } from './patient-fields';
import { gradeWords, matchReasons, matchRequest } from './possible-duplicates';
import { patientMatchesQuery, type PatientMatch, type PatientMatchRequest } from './queries';

const TYPING_PAUSE_MS = 400;

export function PossibleDuplicates({ values }: { values: PatientFormValues }) {
  const headingId = useId();
  const request = matchRequest(values);
  // Debounced as text: each render builds a new object, and only a different question should restart the wait.
  const [asked] = useDebouncedValue(request ? JSON.stringify(request) : '', TYPING_PAUSE_MS);
  const debounced = useMemo(() => (asked ? (JSON.parse(asked) as PatientMatchRequest) : null), [asked]);
  // While the next answer is on its way the last one stays, rather than the list flickering away at each pause.
  const matches = useQuery({ ...patientMatchesQuery(debounced), placeholderData: keepPreviousData });
  // Nothing to look for any more (the name or birth date was cleared): nothing shown, without waiting.
  const candidates = request ? (matches.data ?? []) : [];
  const failed = request !== null && matches.isError;

  return (
    // Always in the page, so that screen readers announce what appears in it; the section exists only with candidates.
    <div aria-live="polite" aria-busy={matches.isFetching}>
      {candidates.length > 0 && (
        <Paper component="section" aria-labelledby={headingId} withBorder p="md" bg="yellow.0">
          <Title order={2} size="h4" id={headingId}>
            Possible duplicates
          </Title>
          <Text size="sm" mb="sm">
            Already registered, with similar details. If this is one of them, open their record instead; if not, save as usual.
          </Text>
          <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
            {candidates.map((match) => (
              <MatchCandidate key={match.patient.id} match={match} linkTo={`/patients/${match.patient.id}`} linkLabel={`Open ${match.patient.name}`} />
            ))}
          </Stack>
        </Paper>
      )}
      {failed && (
        <Text size="sm" c="gray.7">
          Possible duplicates could not be checked just now; saving works as usual.
        </Text>
      )}
    </div>
  );
}

/** One likely duplicate: who, how likely, why, and a link (open it, or compare it to merge). */
export function MatchCandidate({ match: { patient, grade, contributions }, linkTo, linkLabel }: { match: PatientMatch; linkTo: string; linkLabel: string }) {
  const { agrees, differs } = matchReasons(contributions);
  return (
    <Paper component="li" withBorder p="sm">
      <Text fw={600}>{patient.name}</Text>
      <Text size="sm">
        {patient.mrn}, born {patient.dateOfBirth}. {gradeWords[grade]}.
      </Text>
      {agrees.length > 0 && <Text size="sm">Why: {agrees.join('; ')}.</Text>}
      {differs.length > 0 && <Text size="sm">Differs: {differs.join('; ')}.</Text>}
      <Anchor component={Link} to={linkTo} size="sm">
        {linkLabel}
      </Anchor>
    </Paper>
  );
}
