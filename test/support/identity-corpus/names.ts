/**
 * The name parts of the identity corpus: the bench seed's lists (many origins, accented names included) plus the
 * formal names of the nickname table, so that nickname duplicates occur as often as the names do in a clinic.
 */
import { CITIES, FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN, STREETS } from '../../../bench/fhir-scale/names.js';

export { FAMILY_NAMES };

export const FEMALE_NAMES: readonly string[] = [
  ...FEMALE_GIVEN,
  'Katherine', 'Catherine', 'Rebecca', 'Victoria', 'Deborah', 'Dorothy', 'Christine', 'Alexandra', 'Dolores',
  'Concepción', 'Katarzyna', 'Ekaterina', 'Siobhán', 'Noémie', 'Begoña', 'Ximena', 'Nadia', 'Olga',
];

export const MALE_NAMES: readonly string[] = [
  ...MALE_GIVEN,
  'Alexander', 'Christopher', 'Nicholas', 'Benjamin', 'Samuel', 'Edward', 'Jonathan', 'Timothy', 'Patrick',
  'Stephen', 'Francisco', 'Ignacio', 'Guillermo', 'Alejandro', 'Manuel', 'Jesús', 'Giovanni', 'Johannes',
  'Aleksandr', 'Dmitri', 'Seán', 'Ćiril', 'Hüseyin', 'Thiago',
];

export const STREET_NAMES: readonly string[] = [
  ...STREETS,
  'Elm Street', 'Church Road', 'High Street', 'Avenida da Liberdade', 'Calle de Alcalá', 'Rue Victor Hugo',
  'Corso Italia', 'Friedrichstraße', 'ulica Długa', 'Storgatan', 'Station Road', 'Maple Drive',
];

export const CITY_NAMES: readonly string[] = [...CITIES, 'Cork', 'Gdańsk', 'Brno', 'Malmö', 'Córdoba', 'Nantes'];

/** Reserved example domains (RFC 2606): the corpus must never name a real mailbox. */
export const EMAIL_DOMAINS: readonly string[] = [
  'example.com', 'example.org', 'example.net', 'mail.example.com', 'post.example.org', 'inbox.example.net',
];

/** Words people build mailbox names from that have nothing to do with their name (a changed email). */
export const EMAIL_WORDS: readonly string[] = [
  'sunny', 'bluebird', 'tiger', 'moonlight', 'rocket', 'papillon', 'stella', 'falcon', 'koala', 'nomad',
  'pixel', 'river', 'maple', 'orca', 'vento', 'sol',
];

/** Country codes with the digits of a national number after them (made up, in each country's shape). */
export const PHONE_PLANS: readonly { code: string; groups: readonly number[] }[] = [
  { code: '+1', groups: [3, 3, 4] },
  { code: '+44', groups: [2, 4, 4] },
  { code: '+49', groups: [2, 8] },
  { code: '+33', groups: [1, 2, 2, 2, 2] },
  { code: '+34', groups: [3, 3, 3] },
  { code: '+39', groups: [3, 7] },
  { code: '+48', groups: [3, 3, 3] },
];
