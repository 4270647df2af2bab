"""Source readers and the harvest pipeline."""
