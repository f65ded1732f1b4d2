DROP TABLE leads;
DROP TABLE lead_deliveries;
DROP TABLE meta_pages;
DROP TABLE lead_forms;
