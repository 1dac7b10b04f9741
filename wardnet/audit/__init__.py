"""The nightly drift audit: collect → normalise → compare with intended → findings by feature → reports."""
