//! The subcommands besides `prr check` that print their own output (the app
//! layer: the only place besides `main.rs` that prints).

pub mod alerts;
