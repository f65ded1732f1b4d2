DROP TABLE telnyx_events;
DROP TABLE sms_dispatches;
DROP TABLE sms_numbers;
