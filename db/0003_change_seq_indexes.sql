-- 0003: find the records changed since a given point quickly (what an exchange bundle sends).
CREATE INDEX centers_change_seq ON centers(change_seq);
CREATE INDEX places_change_seq ON places(change_seq);
CREATE INDEX promoters_change_seq ON promoters(change_seq);
CREATE INDEX assignments_change_seq ON assignments(change_seq);
CREATE INDEX gatherings_change_seq ON gatherings(change_seq);
CREATE INDEX members_change_seq ON members(change_seq);
CREATE INDEX population_change_seq ON population(change_seq);
CREATE INDEX activities_change_seq ON activities(change_seq);
CREATE INDEX expenses_change_seq ON expenses(change_seq);
