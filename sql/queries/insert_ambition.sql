-- One national ambition from data/reference/ambition.csv; a changed row replaces the old one.
INSERT OR REPLACE INTO ambition
VALUES ($ambition_id, $measure, $target, CAST($target_date AS DATE), $target_label, $source, $source_kind, $confidence, $note)
