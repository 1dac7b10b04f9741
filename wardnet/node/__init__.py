"""wardnet-node: the agent on a white-box device (frr platform). It reads the device's running state in the
canonical text of the intended file and applies such a file: Open vSwitch, then FRR, then nftables."""
