/**
 * Given names and the short or familiar forms people register under instead ("Bill" for William, "Pepe" for
 * José). One table serves both the duplicate matcher (a nickname is as good as the name) and the test corpus
 * that makes nickname duplicates, so that what is generated and what is recognised cannot drift apart.
 * Entries are as written; look-ups fold case and accents, the way the name search does (`pm_fold`).
 */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  // English
  William: ['Bill', 'Billy', 'Will', 'Willy', 'Liam'],
  Robert: ['Bob', 'Bobby', 'Rob', 'Robbie', 'Bert'],
  Richard: ['Dick', 'Rick', 'Rich', 'Ricky'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  John: ['Jack', 'Johnny'],
  Michael: ['Mike', 'Mick', 'Mikey'],
  Joseph: ['Joe', 'Joey'],
  Charles: ['Charlie', 'Chuck', 'Chas'],
  Thomas: ['Tom', 'Tommy'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Andrew: ['Andy', 'Drew'],
  Steven: ['Steve'],
  Stephen: ['Steve'],
  David: ['Dave', 'Davy'],
  Edward: ['Ed', 'Eddie', 'Ted', 'Ned'],
  Alexander: ['Alex', 'Sasha', 'Sandy', 'Xander'],
  Alexandra: ['Alex', 'Sasha', 'Lexi'],
  Christopher: ['Chris', 'Kit'],
  Christine: ['Chris', 'Tina'],
  Nicholas: ['Nick', 'Nicky'],
  Benjamin: ['Ben', 'Benny'],
  Samuel: ['Sam', 'Sammy'],
  Jonathan: ['Jon', 'Jonny'],
  Timothy: ['Tim', 'Timmy'],
  Patrick: ['Pat', 'Paddy'],
  Patricia: ['Pat', 'Patty', 'Trish'],
  Elizabeth: ['Liz', 'Lizzie', 'Beth', 'Betty', 'Betsy', 'Eliza'],
  Margaret: ['Peggy', 'Maggie', 'Meg', 'Marge', 'Greta'],
  Katherine: ['Kate', 'Katie', 'Kathy', 'Kat'],
  Catherine: ['Cathy', 'Cate', 'Kate', 'Cat'],
  Jennifer: ['Jen', 'Jenny'],
  Jessica: ['Jess', 'Jessie'],
  Susan: ['Sue', 'Susie'],
  Rebecca: ['Becky', 'Becca'],
  Victoria: ['Vicky', 'Tori'],
  Deborah: ['Debbie', 'Deb'],
  Dorothy: ['Dot', 'Dottie', 'Dolly'],
  // Spanish and Portuguese
  José: ['Pepe', 'Chepe'],
  Francisco: ['Paco', 'Pancho', 'Curro', 'Chico'],
  Ignacio: ['Nacho'],
  Guillermo: ['Memo', 'Guille'],
  Alejandro: ['Alex', 'Álex', 'Jandro'],
  Manuel: ['Manolo', 'Manu'],
  Jesús: ['Chuy', 'Chucho'],
  Dolores: ['Lola'],
  Concepción: ['Concha', 'Conchita'],
  Isabel: ['Isa', 'Chabela'],
  // Italian
  Giuseppe: ['Beppe', 'Peppe', 'Pino'],
  Giovanni: ['Gianni', 'Nino'],
  Francesca: ['Franca', 'Cesca'],
  // German, Slavic
  Johannes: ['Hans', 'Jo'],
  Małgorzata: ['Gosia'],
  Katarzyna: ['Kasia'],
  Aleksandr: ['Sasha', 'Sanya'],
  Dmitri: ['Dima'],
  Ekaterina: ['Katya'],
  // Arabic
  Mohammed: ['Mo', 'Hamoudi'],
};

/** Lower case without accents, as `pm_fold` compares names (ł and ø have no decomposition, so mapped here). */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/ø/g, 'o').replace(/Ø/g, 'O').toLowerCase().trim();
}

// Folded name → every folded name it may stand for: its nicknames, the names it is short for, and their other
// nicknames ("Bill" and "Will" are both William). Built once: the matcher looks names up per candidate.
const equivalents = new Map<string, Set<string>>();
for (const [formal, shorts] of Object.entries(NICKNAMES)) {
  const group = [formal, ...shorts].map(foldName);
  for (const name of group) {
    const known = equivalents.get(name) ?? new Set<string>();
    for (const other of group) if (other !== name) known.add(other);
    equivalents.set(name, known);
  }
}

/** Whether two given names are nicknames of one another or of the same name (case and accents ignored). */
export function areNicknames(a: string, b: string): boolean {
  return equivalents.get(foldName(a))?.has(foldName(b)) ?? false;
}

/** The nicknames of a formal name as written in the table, or the formal names a nickname is short for. */
export function nicknamesOf(name: string): string[] {
  const folded = foldName(name);
  const direct = Object.entries(NICKNAMES).find(([formal]) => foldName(formal) === folded);
  if (direct) return [...direct[1]];
  return Object.entries(NICKNAMES)
    .filter(([, shorts]) => shorts.some((short) => foldName(short) === folded))
    .map(([formal]) => formal);
}
