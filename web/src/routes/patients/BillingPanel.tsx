/**
 * The patient's billing account and invoices, and "record a charge". Billing is a separate server: when it is
 * down (503) this panel says so and the rest of the patient page keeps working.
 */
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, formErrors } from '../../api/problem';
import { DataTable } from '../../components/DataTable';
import { formatDate } from '../../components/dates';
import { billingKey, billingQuery, createInvoice, type InvoiceCreate } from './queries';

const currencies = ['EUR', 'USD', 'GBP', 'CHF'];
const chargeFields = ['amount', 'currency', 'description'] as const;

export function BillingPanel({ patientId }: { patientId: string }) {
  const billing = useQuery(billingQuery(patientId));
  return (
    <section aria-labelledby="billing-heading">
      <Title order={2} size="h3" id="billing-heading" mb="sm">
        Billing
      </Title>
      {billing.isPending && <Text role="status">Loading billing…</Text>}
      {billing.isError && (
        <Alert color="yellow" role="alert" title={billingUnavailableTitle(billing.error)}>
          <Text size="sm" mb="xs">
            {billingUnavailableText(billing.error)}
          </Text>
          <Button variant="default" size="xs" onClick={() => void billing.refetch()} loading={billing.isFetching}>
            Try billing again
          </Button>
        </Alert>
      )}
      {billing.data && (
        <Stack>
          <Text size="sm">Account status: {billing.data.account.status}</Text>
          {billing.data.invoices.length === 0 ? (
            <Text size="sm">No invoices yet.</Text>
          ) : (
            <DataTable
              label="Invoices"
              rows={billing.data.invoices}
              rowKey={(invoice) => invoice.id}
              columns={[
                { header: 'Date', cell: (invoice) => formatDate(invoice.createdAt) },
                { header: 'Description', cell: (invoice) => invoice.description },
                { header: 'Amount', cell: (invoice) => `${invoice.totalAmount} ${invoice.currency}` },
                { header: 'Status', cell: (invoice) => invoice.status },
              ]}
            />
          )}
          <ChargeForm patientId={patientId} />
        </Stack>
      )}
    </section>
  );
}

function billingUnavailableTitle(error: unknown): string {
  return error instanceof ApiError && error.status === 404 ? 'No billing account yet' : 'Billing is temporarily unavailable';
}

function billingUnavailableText(error: unknown): string {
  if (error instanceof ApiError && error.status === 404) return 'The billing account is opened shortly after registration.';
  return 'The billing service cannot be reached right now. The patient record above still works; try billing again in a moment.';
}

/** One Idempotency-Key per intended charge: a double click or a retry of the same charge creates one invoice. */
function ChargeForm({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const [message, setMessage] = useState<string>();
  const form = useForm<InvoiceCreate>({ initialValues: { amount: '', currency: 'EUR', description: '' } });
  const charge = useMutation({
    mutationFn: (values: InvoiceCreate) => createInvoice(patientId, idempotencyKey, values),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: billingKey(patientId) });
      form.reset();
      setIdempotencyKey(crypto.randomUUID());
    },
    onError: (error) => {
      const { fields, message } = formErrors(error, chargeFields);
      form.setErrors(fields);
      setMessage(message);
    },
  });
  return (
    <form
      aria-labelledby="charge-heading"
      noValidate
      onSubmit={form.onSubmit((values) => {
        if (charge.isPending) return;
        setMessage(undefined);
        charge.mutate({ ...values, amount: values.amount.trim() });
      })}
    >
      <Title order={3} size="h4" id="charge-heading" mb="xs">
        Record a charge
      </Title>
      <Stack>
        {message && (
          <Alert color="red" role="alert" title="Charge not recorded">
            {message}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Amount" placeholder="120.00" inputMode="decimal" required {...form.getInputProps('amount')} />
          <NativeSelect label="Currency" data={currencies} {...form.getInputProps('currency')} />
          <TextInput label="Description" placeholder="Consultation" required {...form.getInputProps('description')} />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={charge.isPending}>
            Record charge
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
