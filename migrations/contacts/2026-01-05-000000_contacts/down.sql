DROP TABLE client_contacts;
DROP TABLE client_pii;
DROP TABLE clients;
DROP TABLE contacts;
