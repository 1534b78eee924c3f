/** Our patient as the FHIR mapping reads and writes it: the service layer's types (functions/patients/patient.table.ts). */
import type { PatientInput as ServiceInput } from '../patients/patient.table.js';

export { GENDERS, type Gender, type Identifier, type Patient } from '../patients/patient.table.js';

/** What a FHIR Patient becomes: every field stated (a FHIR update replaces the whole record). */
export type PatientInput = Required<Omit<ServiceInput, 'registeredDate'>> & Pick<ServiceInput, 'registeredDate'>;
