"""Developer tools, apart from the operator's: hostbot say, the playground and the demo (sandbox worlds)."""
