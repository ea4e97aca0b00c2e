-- Seed data for `make demo`: clients (with their groups), their appointments over the coming weeks,
-- and classes.
-- Times are naive local times (the profiles say which zone), spread around "now".
-- group_names: the client's groups, ';'-separated (a contacts job's `groups` column, read and
-- written as is; "Google Sync" is the group a `clients` contacts job sends out). ext_id: the key
-- of a client created from the other side (a contact added on the phone), NULL for the others.
CREATE TABLE IF NOT EXISTS clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    mobile      TEXT,
    group_names TEXT,
    ext_id      TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS appointments (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    subject   TEXT,
    kind      TEXT NOT NULL,
    room      TEXT,
    starts    TEXT NOT NULL,
    ends      TEXT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS classes (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    teacher TEXT,
    starts  TEXT NOT NULL,
    ends    TEXT NOT NULL
);

INSERT INTO clients (id, name, email, mobile, group_names) VALUES
    (1, 'Ada Byron',         'ada@example.org',      '+1 312 555 0101', 'Google Sync;VIP'),
    (2, 'Grace Hopper',      'grace@example.org',    '+1 312 555 0102', 'Google Sync'),
    (3, 'Edsger Dijkstra',   NULL,                   '+1 312 555 0103', NULL),
    (4, 'Barbara Liskov',    'barbara@example.org',  NULL,              'Google Sync'),
    (5, 'Ken Thompson',      'ken@example.org',      '+1 312 555 0105', 'Newsletter'),
    (6, 'Margaret Hamilton', 'margaret@example.org', '(312) 555-0106',  'Google Sync;Newsletter'),
    (7, 'Alan Turing',       NULL,                   '020 7946 0958',   'Google Sync');

-- 60 appointments: every weekday-ish slot from 5 days ago to 25 days ahead, 9:00–16:00.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
INSERT INTO appointments (id, client_id, subject, kind, room, starts, ends)
SELECT 1000 + i,
       1 + (i % 5),
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'Follow-up ' || (i + 1) END,
       CASE i % 3 WHEN 0 THEN 'Check-up' WHEN 1 THEN 'Cleaning' ELSE 'Consultation' END,
       'Room ' || (1 + i % 3),
       datetime('now', 'localtime', 'start of day', ((i / 2) - 5) || ' days', (9 + (i * 7) % 8) || ' hours'),
       datetime('now', 'localtime', 'start of day', ((i / 2) - 5) || ' days', (9 + (i * 7) % 8) || ' hours', '45 minutes')
FROM n;

WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 13)
INSERT INTO classes (id, name, teacher, starts, ends)
SELECT 1 + i,
       CASE i % 2 WHEN 0 THEN 'Morning yoga' ELSE 'Evening pilates' END,
       CASE i % 2 WHEN 0 THEN 'Maya' ELSE 'Jon' END,
       datetime('now', 'localtime', 'start of day', i || ' days', CASE i % 2 WHEN 0 THEN '7 hours' ELSE '18 hours' END),
       datetime('now', 'localtime', 'start of day', i || ' days', CASE i % 2 WHEN 0 THEN '8 hours' ELSE '19 hours' END)
FROM n;
