"""0017: who came at a gathering (issue 19, rosters): one row per gathering and participant present.

A place "keeps a roster" in a 年度 when any of its live gatherings of that 年度 has live rows here: derived, not a
flag, so the roster rows (exchanged between PCs like any record) can never disagree with a flag, and a place that
starts recording mid-way needs no second switch (storage/member_figures.py computes its 実人数 then). The id is the
natural id of (gathering, participant), so the same tick on two PCs is one record. Personal data: the rows travel
only in encrypted exchange bundles (storage/rows.PERSONAL_TABLES). A Python migration so that the audit trail's
triggers cover the new table."""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

STATEMENTS = (
    """CREATE TABLE gathering_participants (
        id             TEXT PRIMARY KEY CHECK (length(id) = 36),
        gathering_id   TEXT NOT NULL REFERENCES gatherings(id),
        participant_id TEXT NOT NULL REFERENCES participants(id),
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
        origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
    ) STRICT""",
    "CREATE UNIQUE INDEX gathering_participants_once ON gathering_participants(gathering_id, participant_id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX gathering_participants_participant ON gathering_participants(participant_id)",
    "CREATE INDEX gathering_participants_change_seq ON gathering_participants(change_seq)",
)


def migrate(conn, db_dir: Path) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    audit_triggers.install(conn)
