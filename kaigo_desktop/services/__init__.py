"""Services: the use cases (record keeping, import, aggregation) the GUI and CLI call. No Qt, no SQL."""
