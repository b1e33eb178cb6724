CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0,
                      changes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE audit (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, what TEXT NOT NULL);
INSERT INTO account (name, balance) VALUES ('alice', 10), ('bob', 20);
