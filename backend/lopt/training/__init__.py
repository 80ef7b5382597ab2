"""Training Lopt's embedded detector: backbone, pseudo-fakes, metrics."""
