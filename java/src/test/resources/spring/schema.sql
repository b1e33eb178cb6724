-- Schema of the Spring JDBC consumer test, run by ResourceDatabasePopulator (ScriptUtils).
CREATE TABLE account (
  id      INTEGER PRIMARY KEY,
  owner   TEXT NOT NULL UNIQUE,
  balance DECIMAL(12, 2) NOT NULL DEFAULT 0,
  opened  DATE,
  token   TEXT
);

CREATE TABLE entry (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES account(id),
  amount     DECIMAL(12, 2) NOT NULL,
  memo       TEXT,   /* may be NULL */
  at         TIMESTAMP
);
