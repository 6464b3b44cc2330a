-- The single data_version row, when there is none yet.
INSERT INTO data_version SELECT 1, 0, now() WHERE NOT EXISTS (SELECT 1 FROM data_version)
