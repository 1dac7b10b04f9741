"""The white-box twin of a site: same code, plan, names and addresses; every device on the twin platform."""

from __future__ import annotations

from wardnet.models import Baseline, DeviceSpec, Platforms, Site


def whitebox_twin(site: Site, baseline: Baseline) -> Site:
    """One white-box node per logical device: an HA pair or a stack becomes a single member."""
    twin = baseline.whitebox_twin
    platform = twin.platform
    return site.model_copy(
        update={
            "platforms": Platforms(firewall=platform, core=platform, access=platform),
            "devices": [
                DeviceSpec(name=d.name, role=d.role, model=twin.models[d.role]) for d in site.devices
            ],
        }
    )
