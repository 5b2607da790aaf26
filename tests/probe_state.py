DESCRIPTION = "Probe command"
