"""Plain-Python domain: records, codes, rules and 年度. No Qt, no SQL."""
