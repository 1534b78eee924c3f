/**
 * Merging two records of one person (admins: `patients:merge`). First the other record is chosen: one of this
 * record's possible duplicates, or one found by a search. Then, side by side, the user says which record is kept
 * and which record's value each detail takes; "Preview" shows the result without changing anything, and "Merge"
 * does exactly what was previewed, at the versions previewed. When a record changed meanwhile (412) both are
 * reloaded and the user previews again.
 */
import { Alert, Anchor, Button, Group, Input, Radio, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, formErrors, type FormErrors } from '../../api/problem';
import { Loading } from '../../components/Loading';
import { PageTitle } from '../../components/PageTitle';
import { PatientSearch } from '../../components/PatientSearch';
import { chosenRecord, mergeFields, mergeRequest, resultLines, type MergeChoices, type MergeField } from './merge-choices';
import { patientFormValues } from './patient-fields';
import { matchRequest } from './possible-duplicates';
import { MatchCandidate } from './PossibleDuplicates';
import { forgetMergedPatients } from './merge-cache';
import {
  mergePatients,
  patientKey,
  patientMatchesQuery,
  patientQuery,
  type Patient,
  type PatientMergeRequest,
  type PatientMergeResult,
} from './queries';

export default function MergePage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const otherId = params.get('with');
  const patient = useQuery(patientQuery(id));
  if (patient.isPending) return <Loading />;
  if (patient.isError) return <Unavailable error={patient.error} backTo="/patients" backLabel="Back to the patient list" />;
  const current = patient.data.patient;
  if (!otherId) return <ChooseOther patient={current} />;
  return <MergeComparison key={otherId} first={current} otherId={otherId} />;
}

function Unavailable({ error, backTo, backLabel }: { error: unknown; backTo: string; backLabel: string }) {
  return (
    <>
      <PageTitle>Patient not available</PageTitle>
      <Alert color="red" role="alert">
        {formErrors(error, []).message}
      </Alert>
      <Anchor component={Link} to={backTo} mt="md" display="inline-block">
        {backLabel}
      </Anchor>
    </>
  );
}

const mergeLink = (id: string, otherId: string) => `/patients/${id}/merge?with=${otherId}`;

/** Why a record cannot take part in a merge any more (it was merged into another), or nothing. */
function NotMergeable({ patients }: { patients: readonly Patient[] }) {
  const merged = patients.filter((patient) => patient.mergedInto);
  if (merged.length === 0) return null;
  return (
    <Alert color="yellow" role="alert" title="Already merged">
      {merged.map((patient) => (
        <Text size="sm" key={patient.id}>
          {patient.name} ({patient.mrn}) was already merged into{' '}
          <Anchor component={Link} to={`/patients/${patient.mergedInto}`}>
            another record
          </Anchor>
          ; merge into that record instead.
        </Text>
      ))}
    </Alert>
  );
}

function ChooseOther({ patient }: { patient: Patient }) {
  const duplicatesHeading = useId();
  const searchHeading = useId();
  const request = matchRequest(patientFormValues(patient));
  const matches = useQuery(patientMatchesQuery(request && { ...request, excludeId: patient.id }));
  const candidates = matches.data ?? [];
  return (
    <Stack>
      <PageTitle>{`Merge ${patient.name} with another record`}</PageTitle>
      <Text>
        When {patient.name} ({patient.mrn}) and another record are the same person, merge them into one. Choose the other record; you then
        compare the two side by side and preview the result before anything changes.
      </Text>
      <NotMergeable patients={[patient]} />
      <section aria-labelledby={duplicatesHeading}>
        <Title order={2} size="h3" id={duplicatesHeading} mb="xs">
          Possible duplicates
        </Title>
        {matches.isPending && request && <Text size="sm">Looking for possible duplicates…</Text>}
        {matches.isError && <Text size="sm">Possible duplicates could not be looked for just now; search for the record below.</Text>}
        {matches.isSuccess && candidates.length === 0 && <Text size="sm">None found; search for the record below.</Text>}
        {candidates.length > 0 && (
          <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
            {candidates.map((match) => (
              <MatchCandidate
                key={match.patient.id}
                match={match}
                linkTo={mergeLink(patient.id, match.patient.id)}
                linkLabel={`Compare with ${match.patient.name}`}
              />
            ))}
          </Stack>
        )}
      </section>
      <section aria-labelledby={searchHeading}>
        <Title order={2} size="h3" id={searchHeading} mb="xs">
          Find another record
        </Title>
        <PatientSearch linkTo={(otherId) => mergeLink(patient.id, otherId)} />
      </section>
      <Anchor component={Link} to={`/patients/${patient.id}`}>
        Back to {patient.name}
      </Anchor>
    </Stack>
  );
}

/** The API's field names whose errors the comparison shows on its lines. */
const resultFieldNames = ['name', 'givenNames', 'familyName', 'gender', 'phone', 'email', 'address', 'dateOfBirth', 'registeredDate'] as const;
type FieldErrors = FormErrors<(typeof resultFieldNames)[number]>['fields'];

function fieldError(errors: FieldErrors, field: MergeField): string | undefined {
  return field === 'givenAndFamily' ? (errors.givenNames ?? errors.familyName) : errors[field];
}

function MergeComparison({ first, otherId }: { first: Patient; otherId: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const other = useQuery(patientQuery(otherId));
  const [targetId, setTargetId] = useState(first.id);
  const [choices, setChoices] = useState<MergeChoices>({});
  // The request previewed and what it gave: "Merge" sends exactly that request.
  const [previewed, setPreviewed] = useState<{ request: PatientMergeRequest; result: PatientMergeResult }>();
  const [refusal, setRefusal] = useState<{ message?: string; fields: FieldErrors; changedMeanwhile?: boolean }>();

  const refused = async (error: unknown) => {
    setPreviewed(undefined);
    if (error instanceof ApiError && error.status === 412) {
      await Promise.all([first.id, otherId].map((id) => queryClient.refetchQueries({ queryKey: patientKey(id) })));
      setRefusal({ fields: {}, changedMeanwhile: true });
      return;
    }
    const { fields, message } = formErrors(error, resultFieldNames, { 'email-taken': 'email' });
    setRefusal({ fields, message: message ?? 'Some of the chosen values were refused: see the details marked below.' });
  };

  const preview = useMutation({
    mutationFn: mergePatients,
    onSuccess: (result, request) => setPreviewed({ request, result }),
    onError: refused,
  });

  const merge = useMutation({
    mutationFn: (request: PatientMergeRequest) => mergePatients({ ...request, preview: false }),
    onSuccess: (result) => {
      navigate(`/patients/${result.result.id}`, { replace: true });
      forgetMergedPatients(queryClient, [result.source.id, result.result.id]);
    },
    onError: refused,
  });

  if (other.isPending) return <Loading />;
  if (other.isError) return <Unavailable error={other.error} backTo={`/patients/${first.id}/merge`} backLabel="Choose another record" />;
  const second = other.data.patient;
  const records = [first, second] as const;
  const target = second.id === targetId ? second : first;
  const source = target === first ? second : first;

  if (second.id === first.id) {
    return (
      <>
        <PageTitle>{`Merge ${first.name} with another record`}</PageTitle>
        <Alert color="yellow" role="alert">
          That is this record itself: a record cannot be merged into itself.
        </Alert>
        <Anchor component={Link} to={`/patients/${first.id}/merge`} mt="md" display="inline-block">
          Choose another record
        </Anchor>
      </>
    );
  }

  // Any change of mind makes the preview out of date: it goes, and is asked for again.
  const changed = () => {
    setPreviewed(undefined);
    setRefusal(undefined);
  };
  const choose = (field: MergeField, recordId: string) => {
    setChoices((current) => ({ ...current, [field]: recordId }));
    changed();
  };
  const mergeable = first.active && second.active;
  const fieldErrors = refusal?.fields ?? {};

  return (
    <Stack>
      <PageTitle>{`Merge ${first.name} and ${second.name}`}</PageTitle>
      <NotMergeable patients={records} />
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setRefusal(undefined);
          preview.mutate(mergeRequest(target, source, choices, { preview: true }));
        }}
      >
        <Stack>
          <Text>Choose the record to keep and, for each detail that differs, the value the merged record takes. Nothing changes until you merge.</Text>
          <Radio.Group
            label="Record kept"
            description="It keeps its MRN and gains the other record's identifiers; the other record becomes inactive and points to it."
            value={target.id}
            onChange={(id) => {
              setTargetId(id);
              changed();
            }}
          >
            <SimpleGrid cols={2} mt="xs">
              {records.map((patient) => (
                <Radio key={patient.id} value={patient.id} label={`${patient.name} (${patient.mrn})`} classNames={{ label: 'pm-wraps' }} />
              ))}
            </SimpleGrid>
          </Radio.Group>
          <Title order={2} size="h3">
            Details
          </Title>
          <SimpleGrid cols={2}>
            {records.map((patient) => (
              <Text key={patient.id} size="sm" fw={600} className="pm-wraps">
                {patient.mrn} · {patient.id === target.id ? 'kept' : 'merged into the kept record'}
              </Text>
            ))}
          </SimpleGrid>
          {mergeFields.map(({ field, label, value }) =>
            value(first) === value(second) ? (
              <Input.Wrapper key={field} label={label} error={fieldError(fieldErrors, field)}>
                <Text size="sm" className="pm-wraps">
                  {value(first)} <Text span size="sm" c="gray.7">(the same in both)</Text>
                </Text>
              </Input.Wrapper>
            ) : (
              <Radio.Group
                key={field}
                label={label}
                value={chosenRecord(field, choices, target, source).id}
                onChange={(id) => choose(field, id)}
                error={fieldError(fieldErrors, field)}
              >
                <SimpleGrid cols={2} mt={4}>
                  {records.map((patient) => (
                    <Radio key={patient.id} value={patient.id} label={value(patient)} classNames={{ label: 'pm-wraps' }} />
                  ))}
                </SimpleGrid>
              </Radio.Group>
            ),
          )}
          <Text size="sm">
            External identifiers: the kept record keeps its own and gains the other&apos;s. The other record&apos;s MRN becomes a former MRN of the
            kept record, and a search by it finds the kept record.
          </Text>
          {refusal?.changedMeanwhile && (
            <Alert color="yellow" role="alert" title="A record changed meanwhile">
              Someone changed one of these records since you opened them. Both have been reloaded: check the choices and preview again.
            </Alert>
          )}
          {refusal?.message && (
            <Alert color="red" role="alert" title="Not merged">
              {refusal.message}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={preview.isPending} disabled={!mergeable}>
              Preview
            </Button>
            <Anchor component={Link} to={`/patients/${first.id}`}>
              Cancel
            </Anchor>
          </Group>
        </Stack>
      </form>
      {previewed && (
        <MergePreview result={previewed.result} merging={merge.isPending} onMerge={() => merge.mutate(previewed.request)} />
      )}
    </Stack>
  );
}

function MergePreview({ result, merging, onMerge }: { result: PatientMergeResult; merging: boolean; onMerge: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The preview appears below the form: the focus goes to it, so that keyboard and screen-reader users find it.
  useEffect(() => heading.current?.focus(), [result]);
  return (
    <section aria-labelledby="merge-preview-heading">
      <Title order={2} size="h3" id="merge-preview-heading" ref={heading} tabIndex={-1} mb="xs" style={{ outline: 'none' }}>
        Preview
      </Title>
      <Text size="sm" mb="sm">
        {result.source.name} ({result.source.mrn}) merged into {result.result.name} ({result.result.mrn}) would read as below. Nothing has
        changed yet.
      </Text>
      <Table className="pm-table" aria-label="Result of the merge" mb="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Detail</Table.Th>
            <Table.Th scope="col">Value</Table.Th>
            <Table.Th scope="col">From</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {resultLines.map(({ label, value, from }) => (
            <Table.Tr key={label}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td>{value(result.result)}</Table.Td>
              <Table.Td>{from(result.fields)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" mb="sm">
        {result.source.name}&apos;s record ({result.source.mrn}) then becomes inactive, kept for the audit trail, and points to the kept record.
        An admin can undo the merge while neither record has changed since.
      </Text>
      <Button onClick={onMerge} loading={merging}>
        Merge
      </Button>
    </section>
  );
}
