//! Upper bounds on every size a config, dataset or bundle file can ask for, so that hostile or
//! mistyped input gets a clear error instead of hanging or exhausting memory. Each sits far
//! above any real use (CALT's largest examples use a few hundred tokens, lines of a few
//! kilobytes and models of a few million parameters); the README lists them.

/// Tokens in a vocabulary (ranges, misc and what the number policy adds, together).
pub const MAX_VOCABULARY: usize = 1 << 20;
/// `model.d_model`.
pub const MAX_D_MODEL: usize = 1 << 16;
/// `model.num_encoder_layers` and `model.num_decoder_layers`, each.
pub const MAX_LAYERS: usize = 1024;
/// `model.encoder_ffn_dim` and `model.decoder_ffn_dim`.
pub const MAX_FFN_DIM: usize = 1 << 20;
/// `model.max_sequence_length` (the model has twice as many positions).
pub const MAX_SEQUENCE_LENGTH: usize = 1 << 19;
/// Parameters of the whole model: 2^32 floats are 16 GiB.
pub const MAX_PARAMETERS: u64 = 1 << 32;
/// Bytes in one dataset line.
pub const MAX_LINE_BYTES: usize = 1 << 24;
/// Bytes of a bundle's safetensors header (the safetensors format's own limit).
pub const MAX_BUNDLE_HEADER: usize = 100_000_000;
/// Devices in a data-parallel device list (each is a thread and a copy of the model).
pub const MAX_DEVICES: usize = 64;
