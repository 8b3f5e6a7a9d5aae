"""The lake: the tables an extract (or `neighbourhood synth`) hands to the record and to the analytics.

`contract` says what the lake is (tables, columns, Arrow types, keys, what a valid row is, which person keys
it may use); `states` derives the person-level states (housebound, lives alone, carer, known to social care)
from it, once, in plain Python for the record and as Ibis expressions for the analytics; `keys` checks and
samples person keys in Ibis; `problems` is how every reader reports what is wrong; `files` finds a table's
files (Parquet or CSV) and reads CSV with the contract's types; `convert` writes a checked CSV lake as
Parquet. No Django: synth, register, risk and tests all import it.
"""
