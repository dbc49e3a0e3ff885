"""Vietnamese language helpers: collation and name ordering."""
