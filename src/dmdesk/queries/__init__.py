"""The read side: paged lists, balances and checks, returned as plain rows."""
