-- a view and a trigger whose body has its own semicolons: Flyway's SQLite parser must keep it whole
CREATE VIEW rich AS SELECT name, balance FROM account WHERE balance >= 15;
CREATE TRIGGER account_audit AFTER UPDATE OF balance ON account
BEGIN
  INSERT INTO audit (account_id, what) VALUES (NEW.id, 'balance ' || OLD.balance || ' -> ' || NEW.balance);
  UPDATE account SET changes = changes + 1 WHERE id = NEW.id;
END;
