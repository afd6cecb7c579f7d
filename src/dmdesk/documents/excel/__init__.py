"""Excel workbooks: the accountant's exports, any list, reorder suggestions."""
