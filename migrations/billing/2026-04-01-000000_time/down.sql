DROP TABLE expenses;
DROP TABLE timers;
DROP TABLE time_entries;
DROP TABLE billing_rates;
DROP TABLE activity_codes;
