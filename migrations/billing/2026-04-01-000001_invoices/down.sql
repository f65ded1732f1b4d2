DROP TABLE invoice_pdfs;
DROP TABLE credit_notes;
DROP TABLE invoice_line_items;
DROP TABLE invoices;
DROP TABLE document_numbers;
DROP FUNCTION billing.lawos_append_only(regclass);
DROP FUNCTION billing.append_only_guard();
