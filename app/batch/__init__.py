"""Batch screening of a spreadsheet of households (CSV or XLSX), for community workers."""
