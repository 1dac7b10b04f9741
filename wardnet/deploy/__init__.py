"""Deploy: dry-run diff by default; commit with a revert timer, post-checks, confirm or roll back."""
