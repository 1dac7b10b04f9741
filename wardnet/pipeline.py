"""inventory → design → render, with every failure turned into an input problem that names its file."""

from __future__ import annotations

from pathlib import Path

from wardnet.design import SiteDesign, design_site
from wardnet.errors import InputError, InputProblem, display_path
from wardnet.inventory import Inventory, SiteEntry, load_inventory
from wardnet.ipam import PlanError
from wardnet.render import Rendered, Renderer


def designs(inventory: Inventory, codes: list[str] | None = None) -> list[SiteDesign]:
    problems: list[InputProblem] = []
    result = []
    for entry in inventory.select(codes):
        try:
            result.append(design_site(entry.site, inventory.baseline))
        except PlanError as exc:
            problems.append(plan_problem(entry, exc))
    if problems:
        raise InputError(problems)
    return result


def plan_problem(entry: SiteEntry, exc: PlanError) -> InputProblem:
    """A site whose plan cannot be made, as the input problem that names its file and field."""
    return InputProblem(
        display_path(entry.source), exc.field, str(exc), "see the message", entry.line_of(exc.field)
    )


def render_all(site_designs: list[SiteDesign], renderer: Renderer | None = None) -> list[Rendered]:
    renderer = renderer or Renderer()
    return [item for design in site_designs for item in renderer.site(design)]


def build(inventory_dir: Path, codes: list[str] | None = None) -> tuple[Inventory, list[SiteDesign]]:
    inventory = load_inventory(inventory_dir)
    return inventory, designs(inventory, codes)
