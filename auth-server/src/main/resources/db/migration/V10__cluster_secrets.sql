-- Issue 16: the fingerprint of the secrets every node of a cluster must share (server key, cluster CA, decoy secret,
-- OPRF secret when present), written by the first node to start and compared by every node at start: a node
-- initialised on its own (other secrets) refuses to start, since its decoys would differ from the cluster's and
-- comparing two nodes' answers would tell which usernames exist. A one-way commitment, never a secret.
CREATE TABLE cluster_secrets (
    id          INTEGER     PRIMARY KEY CHECK (id = 1),
    fingerprint BYTEA       NOT NULL,
    first_node  VARCHAR(64) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
