"""Job sheets: the shop-floor traveler of a work order, as a PDF."""
