"""The executable specification: one module per tutorial section (see spec/ledger.py)."""
