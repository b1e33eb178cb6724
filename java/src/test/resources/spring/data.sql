INSERT INTO account(owner, balance, opened) VALUES ('alice', 100.00, '2024-01-02');
INSERT INTO account(owner, balance, opened) VALUES ('bob', 50.50, '2024-02-03');
