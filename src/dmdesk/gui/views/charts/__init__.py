"""Charts of the dashboard (QtCharts)."""
