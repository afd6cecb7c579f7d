"""The write side: one function per use case, one transaction each, domain errors out."""
