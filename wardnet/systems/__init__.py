"""The City Data Center's systems catalogue: check, report and decommission (issue 7).

- models: the catalogue schema (pydantic, unknown keys refused)
- catalogue: load and validate the catalogue file, with line numbers
- check: the review rules (keep needs a reason and a legal basis, retire needs a plan, reviews are due)
- report, formats: counts, resources to reclaim, legal-basis gaps, the four criteria scores; md/html/json/csv
- run, preflight, decommission: a decommission's steps, its refusals and dry-run, its order and safety gates
- pg, archive, services, edit: PostgreSQL, archive files, services and the catalogue edit, one job each
- cli: `wardnet systems check|report`
"""
