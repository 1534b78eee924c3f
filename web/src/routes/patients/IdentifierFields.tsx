/**
 * The patient's external identifiers: rows of a system and a value, added and removed with real buttons. Each row
 * is a group headed "Identifier N", so its two fields and its Remove button say which row they are in; focus goes
 * to a new row's first field, and after a removal to "Add identifier". A taken identifier (409) is announced.
 */
import { Button, Fieldset, Group, Stack, Text, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { useEffect, useId, useRef, useState } from 'react';
import { emptyIdentifier, type PatientFormValues } from './patient-fields';

export function IdentifierFields({ form }: { form: UseFormReturnType<PatientFormValues> }) {
  const id = useId();
  const identifiers = form.getValues().identifiers;
  const firstFields = useRef<(HTMLInputElement | null)[]>([]);
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusTarget, setFocusTarget] = useState<number | 'add'>();

  useEffect(() => {
    if (focusTarget === undefined) return;
    (focusTarget === 'add' ? addButton.current : firstFields.current[focusTarget])?.focus();
    setFocusTarget(undefined);
  }, [focusTarget]);

  const listError = form.errors.identifiers;
  return (
    <Fieldset legend="External identifiers" aria-describedby={`${id}-hint${listError ? ` ${id}-error` : ''}`}>
      <Stack gap="sm">
        <Text id={`${id}-hint`} size="sm" c="gray.7">
          Numbers other systems gave this patient (not the MRN). The system is a URI naming who issued the number; it may be left empty.
        </Text>
        {listError && (
          <Text id={`${id}-error`} size="sm" c="red.9" role="alert">
            {listError}
          </Text>
        )}
        {identifiers.map((_, index) => {
          const rowError = form.errors[`identifiers.${index}`];
          return (
            <div key={index} role="group" aria-labelledby={`${id}-row-${index}`} aria-describedby={rowError ? `${id}-row-${index}-error` : undefined}>
              <Text id={`${id}-row-${index}`} size="sm" fw={600} mb={4}>
                Identifier {index + 1}
              </Text>
              <Group align="end" wrap="wrap">
                <TextInput
                  label="Identifier system"
                  placeholder="urn:oid:2.16.840.1.113883.4.1"
                  autoComplete="off"
                  style={{ flex: '2 1 14rem' }}
                  ref={(element) => {
                    firstFields.current[index] = element;
                  }}
                  {...form.getInputProps(`identifiers.${index}.system`)}
                />
                <TextInput
                  label="Identifier value"
                  required
                  autoComplete="off"
                  style={{ flex: '1 1 10rem' }}
                  {...form.getInputProps(`identifiers.${index}.value`)}
                />
                <Button
                  variant="default"
                  aria-label={`Remove identifier ${index + 1}`}
                  onClick={() => {
                    form.removeListItem('identifiers', index);
                    setFocusTarget('add');
                  }}
                >
                  Remove
                </Button>
              </Group>
              {rowError && (
                <Text id={`${id}-row-${index}-error`} size="sm" c="red.9" mt={4}>
                  {rowError}
                </Text>
              )}
            </div>
          );
        })}
        <Button
          ref={addButton}
          variant="default"
          style={{ alignSelf: 'start' }}
          onClick={() => {
            form.insertListItem('identifiers', emptyIdentifier());
            setFocusTarget(identifiers.length);
          }}
        >
          Add identifier
        </Button>
      </Stack>
    </Fieldset>
  );
}
