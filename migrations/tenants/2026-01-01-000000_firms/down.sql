DROP TABLE firm_domains;
DROP TABLE firms;
