"""Ward-in-a-box: a site's white-box twin as real FRR, nftables, Open vSwitch and sshd in namespaces."""
