DROP TRIGGER lawos_message_terms_update ON messages;
DROP TRIGGER lawos_message_terms ON messages;
DROP FUNCTION messages.lawos_search_terms(tsquery);
DROP FUNCTION messages.lawos_message_terms();
DROP TABLE message_terms;
