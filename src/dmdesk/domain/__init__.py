"""Rules with no I/O: quantities, state machines, numbering, errors, clocks."""
