import { Table } from '@mantine/core';
import { recordRows } from './patient-fields';
import type { Patient } from './queries';

/** A record to read, one field a row. */
export function RecordTable({ patient, label, mb }: { patient: Patient; label: string; mb?: string }) {
  return (
    <Table className="pm-table" mb={mb} aria-label={label}>
      <Table.Tbody>
        {recordRows(patient).map(([field, value]) => (
          <Table.Tr key={field}>
            <Table.Th scope="row">{field}</Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
