/** The patient form of registration and correction: only what the user is typing lives here. */
import { Alert, Button, Group, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import type { ReactNode } from 'react';
import type { PatientFields } from './queries';

export const patientFieldNames = ['name', 'email', 'address', 'dateOfBirth', 'registeredDate'] as const;

export const today = () => new Date().toISOString().slice(0, 10);

export function PatientForm({
  form,
  onSubmit,
  saving,
  message,
  registeredDateReadOnly,
  actions,
}: {
  form: UseFormReturnType<PatientFields>;
  onSubmit: (values: PatientFields) => void;
  saving: boolean;
  message?: string;
  registeredDateReadOnly?: boolean;
  actions?: ReactNode;
}) {
  return (
    <form onSubmit={form.onSubmit(onSubmit)} noValidate>
      <Stack>
        {message && (
          <Alert color="red" role="alert" title="Not saved">
            {message}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Name" required autoComplete="off" {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" required autoComplete="off" {...form.getInputProps('email')} />
        </SimpleGrid>
        {/* Grows with its text by CSS (field-sizing), not by measuring the layout in script on every render. */}
        <Textarea label="Address" required rows={2} classNames={{ input: 'pm-grows' }} {...form.getInputProps('address')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Date of birth" description="YYYY-MM-DD" placeholder="1985-06-15" required inputMode="numeric" {...form.getInputProps('dateOfBirth')} />
          <TextInput
            label="Registered date"
            description={registeredDateReadOnly ? 'Set at registration; not changed by corrections' : 'YYYY-MM-DD'}
            readOnly={registeredDateReadOnly}
            required
            inputMode="numeric"
            {...form.getInputProps('registeredDate')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={saving}>
            Save
          </Button>
          {actions}
        </Group>
      </Stack>
    </form>
  );
}
