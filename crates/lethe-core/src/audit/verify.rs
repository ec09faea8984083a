//! Verifying a log: chains and checkpoints (to be written).
