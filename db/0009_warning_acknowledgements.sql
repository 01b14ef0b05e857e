-- 0009: checks before sending — a 注意 of `validate` acknowledged by someone who looked at it
-- (kaigo_desktop/services/acknowledging.py). Approval of a 年度 asks for every 注意 to be acknowledged.

-- finding_key: the rule's code and a digest of the records the finding concerns, so that a finding about
-- other records (a new outlier gathering) needs acknowledging again. municipality_code '' = no 区市町村.
CREATE TABLE warning_acknowledgements (
    fiscal_year       INTEGER NOT NULL,
    municipality_code TEXT NOT NULL,
    finding_key       TEXT NOT NULL,
    code              TEXT NOT NULL,
    acknowledged_at   TEXT NOT NULL,
    acknowledged_by   TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fiscal_year, municipality_code, finding_key)
) STRICT;
