-- Enrolment codes name what they enrol: an optional username (NULL: the enrollee chooses, as for the first
-- admin), the role and the kind of the account.
ALTER TABLE enrolment_code ADD COLUMN username VARCHAR(255);
ALTER TABLE enrolment_code ADD COLUMN role VARCHAR(16) DEFAULT 'ADMIN' NOT NULL;
ALTER TABLE enrolment_code ADD COLUMN kind VARCHAR(16) DEFAULT 'PERSON' NOT NULL;
