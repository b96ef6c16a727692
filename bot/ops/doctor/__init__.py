"""hostbot doctor: the settings, the vendors and the platforms checked, locally and against a running bot."""
