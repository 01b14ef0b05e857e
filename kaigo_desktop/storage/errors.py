"""Environment errors of the database file, each with a Japanese message a user can act on."""


class StorageError(Exception):
    """A problem with the database file itself (not a bug, not bad input)."""


class NotADatabaseError(StorageError):
    pass


class NewerSchemaError(StorageError):
    pass


class DatabaseMissingError(StorageError):
    pass


class RecordNotFoundError(StorageError):
    pass


class ConstraintError(StorageError):
    """A write broke a constraint (duplicate name, unknown code …)."""
