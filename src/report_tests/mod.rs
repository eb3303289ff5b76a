//! The reporters on whole runs of the pipeline: tests that need the app
//! (config, inventory, checks) besides the report crate.

mod all_formats;
mod gitlab;
mod junit;
mod markdown;
mod sarif;
