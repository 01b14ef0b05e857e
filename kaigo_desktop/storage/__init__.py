"""Storage: the only layer that speaks SQL. Opens, migrates and reads/writes the SQLite file."""
