/**
 * Made-up but realistic name parts for the seeded patients: family names of many origins (accented ones
 * included, so that folding is exercised), given names by gender, streets and cities. The lists are ordered
 * roughly by how common the names are: seeding picks from the front more often, so that some family names
 * are common (thousands of patients) and most are rarer, as in a real clinic.
 */
export const FAMILY_NAMES = [
  'Smith', 'Müller', 'García', 'Johnson', 'Nguyễn', 'Rossi', 'Martin', 'Williams', 'Schmidt', 'Rodríguez',
  'Brown', 'Silva', 'Dubois', 'Jones', 'González', 'Schneider', 'Kowalski', 'Miller', 'Hernández', 'Fischer',
  'López', 'Davis', 'Martínez', 'Weber', 'Lefèvre', 'Wilson', 'Pérez', 'Meyer', 'Santos', 'Anderson',
  'Wagner', 'Sánchez', 'Taylor', 'Becker', 'Ramírez', 'Thomas', 'Schäfer', 'Moreau', 'Moore', 'Nowak',
  'Jackson', 'Koch', 'Laurent', 'White', 'Bauer', 'Oliveira', 'Harris', 'Richter', 'Torres', 'Clark',
  'Klein', 'Ferrari', 'Lewis', 'Wolf', 'Flores', 'Robinson', 'Schröder', 'Esposito', 'Walker', 'Neumann',
  'Rivera', 'Young', 'Schwarz', 'Bianchi', 'Allen', 'Zimmermann', 'Romano', 'King', 'Braun', 'Colombo',
  'Wright', 'Krüger', 'Ricci', 'Scott', 'Hofmann', 'Marino', 'Hill', 'Hartmann', 'Greco', 'Green',
  'Lange', 'Bruno', 'Adams', 'Fontaine', 'Gallo', 'Nelson', 'Simon', 'Conti', 'Baker', 'Michel',
  'De Luca', 'Hall', 'Leroy', 'Costa', 'Campbell', 'Roux', 'Souza', 'Mitchell', 'Fournier', 'Pereira',
  'Carter', 'Girard', 'Almeida', 'Roberts', 'Bonnet', 'Gonçalves', 'Jansen', 'Dupont', 'Ferreira', 'de Vries',
  'Lambert', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Dvořák', 'Novák',
  'Svoboda', 'Černý', 'Horváth', 'Nagy', 'Kovács', 'Tóth', 'Szabó', 'Andersson', 'Johansson', 'Karlsson',
  'Nilsson', 'Eriksson', 'Larsson', 'Öberg', 'Ångström', 'Sørensen', 'Jørgensen', 'Hansen', 'Nielsen', 'Jensen',
  'Kristiansen', 'Ó Briain', "O'Connor", 'Murphy', 'Kelly', 'Byrne', 'Yılmaz', 'Kaya', 'Demir', 'Şahin',
  'Çelik', 'Papadopoulos', 'Ivanov', 'Petrov', 'Kim', 'Park', 'Choi', 'Wang', 'Li', 'Zhang',
  'Liu', 'Chen', 'Yang', 'Huang', 'Singh', 'Kumar', 'Patel', 'Sharma', 'Tanaka', 'Suzuki',
  'Satō', 'Takahashi', 'Watanabe', 'Okafor', 'Adeyemi', 'Mensah', 'Haddad', 'Khalil', 'Mansour', 'Cohen',
  'Levi', 'Friedman', 'Abramović', 'Jovanović', 'Petrović', 'Nikolić', 'Popescu', 'Ionescu', 'Virtanen', 'Korhonen',
];

export const FEMALE_GIVEN = [
  'Maria', 'Anna', 'Sophie', 'Emma', 'Olivia', 'María', 'Laura', 'Julia', 'Sarah', 'Léa',
  'Chloé', 'Zoë', 'Renée', 'Hélène', 'Inès', 'Élise', 'Ana', 'Lucía', 'Sofía', 'Isabel',
  'Francesca', 'Giulia', 'Chiara', 'Jana', 'Lena', 'Hannah', 'Mia', 'Lotte', 'Ingrid', 'Åsa',
  'Sigrún', 'Małgorzata', 'Zofia', 'Agnieszka', 'Kateřina', 'Zsófia', 'Ayşe', 'Elif', 'Fatima', 'Aisha',
  'Mei', 'Yuki', 'Hana', 'Priya', 'Ananya', 'Grace', 'Emily', 'Charlotte', 'Amelia', 'Margaret',
  'Elizabeth', 'Jennifer', 'Linda', 'Patricia', 'Susan', 'Jessica', 'Karen', 'Nancy', 'Lisa', 'Betty',
];

export const MALE_GIVEN = [
  'James', 'John', 'Robert', 'Michael', 'William', 'David', 'José', 'Juan', 'Carlos', 'Luis',
  'Jean', 'François', 'Loïc', 'Jérôme', 'Noël', 'André', 'Thomas', 'Lukas', 'Jürgen', 'Jörg',
  'Björn', 'Søren', 'Øystein', 'Lars', 'Mikkel', 'Marco', 'Luca', 'Giuseppe', 'Matteo', 'Paolo',
  'João', 'Tomás', 'Piotr', 'Paweł', 'Łukasz', 'Jiří', 'Tomáš', 'Gábor', 'Mehmet', 'Emre',
  'Mohammed', 'Omar', 'Ali', 'Wei', 'Hiroshi', 'Kenji', 'Arjun', 'Rahul', 'Kwame', 'Chidi',
  'Richard', 'Joseph', 'Charles', 'Daniel', 'Matthew', 'Anthony', 'Mark', 'Paul', 'Steven', 'Andrew',
];

export const STREETS = ['Main Street', 'Hauptstraße', 'Rue de la Paix', 'Calle Mayor', 'Via Roma', 'Bahnhofstrasse', 'Oak Avenue', 'Kungsgatan', 'Rua Augusta', 'Mill Lane'];
export const CITIES = ['Springfield', 'Zürich', 'Lyon', 'Sevilla', 'Bologna', 'München', 'Portland', 'Göteborg', 'Porto', 'Kraków'];
