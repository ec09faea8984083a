//! Signed checkpoints over the chains' heads (to be written).
