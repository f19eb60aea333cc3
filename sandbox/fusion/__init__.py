"""The Fusion side of the sandbox: the agent desktop simulator and the UEF stand-in."""
