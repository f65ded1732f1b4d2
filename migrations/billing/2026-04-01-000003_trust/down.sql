DROP TABLE trust_reconciliations;
DROP TABLE trust_balances;
DROP FUNCTION billing.trust_balances_guard();
DROP TABLE trust_ledger_entries;
DROP FUNCTION billing.trust_apply_entry();
DROP TABLE trust_accounts;
