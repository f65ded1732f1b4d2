DROP VIEW payment_balances;
DROP VIEW invoice_balances;
DROP TABLE payment_events;
DROP TABLE payment_allocations;
DROP TABLE payments;
