"""The lake tables' Arrow schemas, as the contract (`neighbourhood.lake.contract`) defines them: the generator
writes exactly these."""

from neighbourhood.lake.contract import CHUNKED_TABLES, SCHEMAS, SMALL_TABLES

__all__ = ["CHUNKED_TABLES", "SCHEMAS", "SMALL_TABLES"]
