//! calt-algebra
