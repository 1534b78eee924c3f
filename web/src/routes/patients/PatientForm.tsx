/** The patient form of registration and correction: only what the user is typing lives here. */
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import type { ReactNode } from 'react';
import { IdentifierFields } from './IdentifierFields';
import { genderLabels, type PatientFormValues } from './patient-fields';

export const today = () => new Date().toISOString().slice(0, 10);

const genderChoices = [{ value: '', label: 'Not recorded' }, ...Object.entries(genderLabels).map(([value, label]) => ({ value, label }))];

export function PatientForm({
  form,
  onSubmit,
  saving,
  message,
  isNew,
  beforeSave,
  actions,
}: {
  form: UseFormReturnType<PatientFormValues>;
  onSubmit: (values: PatientFormValues) => void;
  saving: boolean;
  message?: string;
  /** A registration (the display name may be left empty) rather than a correction (the registered date is fixed). */
  isNew: boolean;
  /** What the user should see just before saving (on registration: possible duplicates); it never blocks Save. */
  beforeSave?: ReactNode;
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
          <TextInput
            label="Name"
            description={isNew ? 'As shown in lists; left empty, it is made from the given and family names' : 'As shown in lists'}
            required={!isNew}
            autoComplete="off"
            {...form.getInputProps('name')}
          />
          <TextInput label="Email" type="email" required autoComplete="off" {...form.getInputProps('email')} />
          <TextInput label="Given names" description="In order, separated by spaces" autoComplete="off" {...form.getInputProps('givenNames')} />
          <TextInput label="Family name" autoComplete="off" {...form.getInputProps('familyName')} />
        </SimpleGrid>
        {/* Grows with its text by CSS (field-sizing), not by measuring the layout in script on every render. */}
        <Textarea label="Address" required rows={2} classNames={{ input: 'pm-grows' }} {...form.getInputProps('address')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Date of birth" description="YYYY-MM-DD" placeholder="1985-06-15" required inputMode="numeric" {...form.getInputProps('dateOfBirth')} />
          <TextInput
            label="Registered date"
            description={isNew ? 'YYYY-MM-DD' : 'Set at registration; not changed by corrections'}
            readOnly={!isNew}
            required
            inputMode="numeric"
            {...form.getInputProps('registeredDate')}
          />
          <NativeSelect label="Gender" data={genderChoices} {...form.getInputProps('gender')} />
          <TextInput label="Phone" type="tel" autoComplete="off" {...form.getInputProps('phone')} />
        </SimpleGrid>
        <IdentifierFields form={form} />
        {beforeSave}
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
