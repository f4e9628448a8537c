"""Loading a study once for analysis: each session's data, the study's, and screen names."""
