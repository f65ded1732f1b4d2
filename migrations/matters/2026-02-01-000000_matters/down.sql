DROP TABLE matter_budgets;
DROP TABLE matter_notes;
DROP TABLE matter_contacts;
DROP TABLE matter_members;
DROP TABLE matter_number_sequences;
DROP TABLE matters;
