"""Report queries: plain SQL over the read models, one module per report, each returning rows."""
