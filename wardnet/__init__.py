"""wardnet: inventory → design → render → check → deploy/audit for the HCMC local-government network."""

__version__ = "0.1.0"
